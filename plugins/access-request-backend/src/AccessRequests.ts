import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  Entity,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { parseEntityRefInput } from '@portico/plugin-owner-of-common';
import { RateLimiter } from './RateLimiter';

/** The longest reason accepted, in characters. */
export const MAX_REASON_LENGTH = 500;

/** Permissions one may ask for: the entity actions a grant annotation can give. */
const ASKABLE = [
  'catalog.entity.read',
  'catalog.entity.refresh',
  'catalog.entity.delete',
];

export type AccessRequest = {
  /** `user:<namespace>/<name>` of the person asking. */
  userRef: string;
  entityRef: unknown;
  permissions: unknown;
  reason: unknown;
};

/** What the person asking is told: the same whether or not the entity exists. */
export const REQUEST_SENT =
  'If this entity exists, its owners have been asked to give you access. They will answer you directly.';

export class TooManyRequestsError extends Error {
  name = 'TooManyRequestsError';
}

/**
 * Asks the owners of an entity for access on a user's behalf: a Backstage
 * notification to the owning group's members (or the owning user) naming who
 * asks, why, and the grant annotation that would give the access. Requests
 * are limited per user and per entity, counted before the entity is looked
 * up, so the answer never tells whether the entity exists.
 */
export class AccessRequests {
  private readonly perUser: RateLimiter;
  private readonly perEntity: RateLimiter;

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      notifications: NotificationService;
      auth: AuthService;
      logger: LoggerService;
      /** The first grant annotation prefix of the owner-of policy. */
      annotationPrefix: string;
      limits?: {
        perUser: { limit: number; windowMs: number };
        perEntity: { limit: number; windowMs: number };
      };
    },
  ) {
    const hour = 60 * 60 * 1000;
    const limits = deps.limits ?? {
      perUser: { limit: 5, windowMs: hour },
      perEntity: { limit: 3, windowMs: hour },
    };
    this.perUser = new RateLimiter(
      limits.perUser.limit,
      limits.perUser.windowMs,
    );
    this.perEntity = new RateLimiter(
      limits.perEntity.limit,
      limits.perEntity.windowMs,
    );
  }

  async ask(request: AccessRequest): Promise<void> {
    const entityRef = parseEntityRefInput(request.entityRef);
    const permissions = parsePermissions(request.permissions);
    const reason = parseReason(request.reason);

    for (const [limiter, key, who] of [
      [this.perUser, request.userRef, 'You have'],
      [this.perEntity, entityRef, 'People have'],
    ] as const) {
      const waitMs = limiter.take(key);
      if (waitMs > 0) {
        throw new TooManyRequestsError(
          `${who} asked for access too often; try again in ${Math.ceil(
            waitMs / 60_000,
          )} minutes`,
        );
      }
    }

    const { catalog, notifications, auth, logger } = this.deps;
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    const ownerRef = entity && ownerOf(entity);
    if (!ownerRef) {
      // Nothing to notify; the person asking is told the same as for any entity.
      logger.info(
        `Access request by ${request.userRef} for ${entityRef} reached no owner`,
      );
      return;
    }
    const annotation = this.grantAnnotation(request.userRef, permissions);
    await notifications.send({
      recipients: {
        type: 'entity',
        entityRef: ownerRef,
        excludeEntityRef: request.userRef,
      },
      payload: {
        title: `${request.userRef} asks for access to ${entityRef}`,
        description: `Reason: ${reason} To give it, add this annotation to ${entityRef}: ${annotation}`,
        link: `/catalog/${entityPath(entityRef)}`,
        severity: 'normal',
        topic: 'access-request',
      },
    });
    logger.info(
      `Access request by ${request.userRef} for ${entityRef} sent to ${ownerRef}`,
    );
  }

  /** The annotation, `key: value`, that grants the permissions to the user. */
  grantAnnotation(userRef: string, permissions: string[]): string {
    const { namespace, name } = parseEntityRef(userRef);
    const subject =
      namespace === 'default' ? `user.${name}` : `user.${namespace}.${name}`;
    return `${this.deps.annotationPrefix}/${subject}: ${permissions.join(
      ', ',
    )}`;
  }
}

function parsePermissions(value: unknown): string[] {
  if (value === undefined) return ['catalog.entity.read'];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some(p => typeof p !== 'string' || !ASKABLE.includes(p))
  ) {
    throw new InputError(
      `permissions must be a non-empty list of ${ASKABLE.join(', ')}`,
    );
  }
  return [...new Set(value as string[])];
}

function parseReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new InputError(
      'reason is required: say in a sentence why you need access',
    );
  }
  const reason = value.trim().replace(/\s+/g, ' ');
  if (reason.length > MAX_REASON_LENGTH) {
    throw new InputError(
      `reason is ${reason.length} characters long; at most ${MAX_REASON_LENGTH} are accepted`,
    );
  }
  return /[.!?]$/.test(reason) ? reason : `${reason}.`;
}

/** The owner ref the catalog's ownedBy relation has, or spec.owner resolved like it. */
function ownerOf(entity: Entity): string | undefined {
  const relation = entity.relations?.find(r => r.type === 'ownedBy');
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return [namespace, kind, name].map(encodeURIComponent).join('/');
}
