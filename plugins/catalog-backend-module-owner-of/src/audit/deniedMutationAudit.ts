import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  catalogLocationAnalyzePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ENTITY_PERMISSIONS } from '@portico/plugin-owner-of-common';
import type { Request, RequestHandler } from 'express';

/** A catalog mutation route and how to name what it acts on. */
type MutationRoute = {
  method: string;
  pattern: RegExp;
  permission: string;
  resource(
    req: Request,
    match: RegExpMatchArray,
    lookup: ResourceLookup,
  ): Promise<string | undefined>;
};

type ResourceLookup = {
  entityRefByUid(uid: string): Promise<string | undefined>;
  locationRefById(id: string): Promise<string | undefined>;
};

function locationRef(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { type, target } = value as { type?: unknown; target?: unknown };
  return typeof type === 'string' && typeof target === 'string'
    ? `${type}:${target}`
    : undefined;
}

// Kept only where the catalog's own failed auditor events do not name what was refused.
const routes: MutationRoute[] = [
  {
    // The catalog's `entity-mutate` delete event names the uid only.
    method: 'DELETE',
    pattern: /^\/entities\/by-uid\/([^/]+)\/?$/,
    permission: ENTITY_PERMISSIONS.delete.name,
    resource: async (_req, match, lookup) =>
      lookup.entityRefByUid(decodeURIComponent(match[1])),
  },
  {
    // The catalog's `location-mutate` delete event names the location id only.
    method: 'DELETE',
    pattern: /^\/locations\/([^/]+)\/?$/,
    permission: catalogLocationDeletePermission.name,
    resource: async (_req, match, lookup) =>
      lookup.locationRefById(decodeURIComponent(match[1])),
  },
  {
    // The catalog's `location-analyze` event names no location.
    method: 'POST',
    pattern: /^\/analyze-location\/?$/,
    permission: catalogLocationAnalyzePermission.name,
    resource: async req => locationRef(req.body?.location),
  },
];

/**
 * Records the catalog mutations the permission framework refuses (HTTP 403) whose refusal the
 * catalog's own auditor events leave unnamed (entity delete, location delete, location analyze),
 * as an `access-denied` audit event naming the caller, the permission and the entity or
 * location.
 *
 * The catalog records every refused mutation itself, as a failed auditor event with the caller
 * (from the request) and a NotAllowedError; for refresh (`entity-mutate`, with the entity ref)
 * and location create and update (`location-mutate`, with the location) that says everything,
 * so they are not repeated here.
 *
 * This lives in the catalog because only the catalog knows the outcome:
 * delete is decided by filtering in SQL with the policy's conditions, and
 * the policy itself never sees the entity. Every mutation, including those
 * made by the catalog's actions and the scaffolder, arrives over these
 * routes.
 *
 * @public
 */
export function createDeniedMutationAuditMiddleware(options: {
  auditor: AuditorService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  logger: LoggerService;
}): RequestHandler {
  const { auditor, auth, httpAuth, catalog, logger } = options;

  const lookup: ResourceLookup = {
    async entityRefByUid(uid) {
      const { items } = await catalog.getEntities(
        {
          filter: { 'metadata.uid': uid },
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      return items[0] ? stringifyEntityRef(items[0]) : undefined;
    },
    async locationRefById(id) {
      const location = await catalog.getLocationById(id, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      return location ? `${location.type}:${location.target}` : undefined;
    },
  };

  async function record(
    req: Request,
    route: MutationRoute,
    match: RegExpMatchArray,
  ) {
    const credentials = await httpAuth.credentials(req);
    let actor: string | undefined;
    if (auth.isPrincipal(credentials, 'user')) {
      actor = credentials.principal.userEntityRef;
    } else if (auth.isPrincipal(credentials, 'service')) {
      actor = credentials.principal.subject;
    }
    const resourceRef = await route
      .resource(req, match, lookup)
      .catch(() => undefined);
    const meta = {
      actor: actor ?? null,
      permission: route.permission,
      resourceRef: resourceRef ?? null,
    };
    const event = await auditor.createEvent({
      eventId: 'access-denied',
      severityLevel: 'medium',
      request: req,
      meta,
    });
    await event.fail({
      meta,
      error: new NotAllowedError(
        `${actor ?? 'caller'} was denied ${route.permission} on ${
          resourceRef ?? 'an unknown resource'
        }`,
      ),
    });
  }

  return (req, res, next) => {
    for (const route of routes) {
      const match =
        req.method === route.method && req.path.match(route.pattern);
      if (match) {
        res.on('finish', () => {
          if (res.statusCode === 403) {
            record(req, route, match).catch(error =>
              logger.warn(
                `Failed to record denied ${route.permission}: ${error}`,
              ),
            );
          }
        });
        break;
      }
    }
    next();
  };
}
