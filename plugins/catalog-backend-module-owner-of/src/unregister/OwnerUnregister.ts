import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  UnregisterPlan,
  parseEntityRefInput,
} from '@portico/plugin-owner-of-common';

/** The locations the catalog reads from its own configuration (`catalog.locations`). */
const CONFIG_ORIGIN = 'bootstrap:bootstrap';
/** Set by the catalog on an entity its location no longer defines. */
const ANNOTATION_ORPHAN = 'backstage.io/orphan';

/**
 * Unregistering for owners. The catalog lets only holders of `catalog.location.delete` (admins,
 * under the owner-of policy) remove a location, and deleting an entity whose location remains
 * only lasts until the location is read again. Owners may therefore remove a registered location
 * when they may delete every entity it defines; the removal then runs with the catalog's own
 * credentials. Nothing is revealed about entities the user may not read.
 */
export class OwnerUnregister {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
    },
  ) {}

  async plan(
    entityRefInput: unknown,
    credentials: BackstageCredentials,
  ): Promise<
    UnregisterPlan & { internal: { locationId?: string; uid?: string } }
  > {
    const entityRef = parseEntityRefInput(entityRefInput);
    const { catalog, auth } = this.deps;
    // Read as the user: an entity they may not read is not found, as if it did not exist.
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} that you may read`);
    }
    const service = { credentials: await auth.getOwnServiceCredentials() };
    const refuse = (reason: string) => ({
      entityRef,
      removes: 'none' as const,
      location: null,
      entityRefs: [],
      allowed: false,
      reason,
      internal: {},
    });

    if (!(await this.mayDelete([entityRef], credentials))[0]) {
      return refuse(
        `You may not delete ${entityRef}: its owners and admins may (ask them for catalog.entity.delete)`,
      );
    }
    // An orphan (its location no longer defines it, kept under `catalog.orphanStrategy: keep`)
    // is deleted on its own, wherever it came from: nothing brings it back, and its location,
    // which may still define other entities, stays.
    if (entity.metadata.annotations?.[ANNOTATION_ORPHAN] === 'true') {
      return {
        entityRef,
        removes: 'entity',
        location: null,
        entityRefs: [entityRef],
        allowed: true,
        reason: `${entityRef} is an orphan (no location defines it any more); it is deleted from the catalog`,
        internal: { uid: entity.metadata.uid },
      };
    }
    const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
    if (origin === CONFIG_ORIGIN) {
      return refuse(
        `${entityRef} comes from the portal's configuration (catalog.locations); an operator removes it there`,
      );
    }
    const location = origin
      ? await catalog.getLocationByRef(origin, service)
      : undefined;
    if (!location) {
      // Anything else without a registered location comes back the next time its provider runs.
      return refuse(
        `${entityRef} comes from ${
          origin ?? 'an entity provider'
        }, which the catalog reads on its own; it is removed at that source`,
      );
    }

    const defined = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_ORIGIN_LOCATION}`]: origin!,
        },
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      service,
    );
    const refs = defined.items.map(e => stringifyEntityRef(e as Entity));
    // Location entities are the registration's own plumbing (they have no owner); the entities
    // they lead to carry the same origin and are checked themselves.
    const software = refs.filter(ref => !ref.startsWith('location:'));
    const allowed = await this.mayDelete(software, credentials);
    const others = software.filter((_, i) => !allowed[i]).length;
    if (others > 0) {
      return refuse(
        `The location ${entityRef} comes from also defines ${others} ${
          others === 1 ? 'entity' : 'entities'
        } you may not delete; an admin (permission.adminRefs) can unregister it`,
      );
    }
    return {
      entityRef,
      removes: 'location',
      location: origin!,
      entityRefs: refs.sort(),
      allowed: true,
      reason: `You may delete every entity the location ${origin} defines`,
      internal: { locationId: location.id },
    };
  }

  /** Carries out the plan; refuses (403) when it is not allowed. */
  async unregister(
    entityRefInput: unknown,
    credentials: BackstageCredentials,
  ): Promise<UnregisterPlan> {
    const { internal, ...plan } = await this.plan(entityRefInput, credentials);
    if (!plan.allowed) {
      throw new NotAllowedError(plan.reason);
    }
    const service = {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    };
    if (internal.locationId) {
      await this.deps.catalog.removeLocationById(internal.locationId, service);
    } else if (internal.uid) {
      await this.deps.catalog.removeEntityByUid(internal.uid, { credentials });
    }
    return plan;
  }

  private async mayDelete(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<boolean[]> {
    if (refs.length === 0) return [];
    const decisions = await this.deps.permissions.authorize(
      refs.map(resourceRef => ({
        permission: catalogEntityDeletePermission,
        resourceRef,
      })),
      { credentials },
    );
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  }
}
