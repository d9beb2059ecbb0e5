import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  ACCESS_RELATIONS,
  AccessAction,
  CATALOG_ENTITY_RESOURCE_TYPE,
  createAccessRelationCondition,
  kindSubjectRef,
} from '@portico/plugin-owner-of-common';
import { OwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';

/** Entity permissions and the action each one needs. */
const ENTITY_ACTIONS: Record<string, AccessAction> = {
  'catalog.entity.read': 'read',
  'catalog.entity.delete': 'delete',
  'catalog.entity.refresh': 'refresh',
};

/** Resolves a user's claims; the policy only needs this one method. */
export type ClaimsResolver = {
  resolve(userEntityRef: string): Promise<ResolvedClaims>;
};

/**
 * The owner-of permission policy.
 *
 * - No signed-in user: deny everything.
 * - Admins (their user ref or any of their groups, nested included, in
 *   `permission.adminRefs`): allow everything.
 * - Entity read, delete and refresh: conditional on the entity having a
 *   `readableBy`, `deletableBy` or `refreshableBy` relation to one of the
 *   user's claims; read also allows the public kinds.
 * - Entity validation: allowed.
 * - Every other catalog permission (create, locations, ingestion): admins
 *   only, unless listed in `everyonePermissions`.
 * - Other plugins' permissions: allowed.
 *
 * `decide` states read as `anyOf[relation, isEntityKind]`, which is how the
 * explain endpoint attributes access. `handle`, which the catalog compiles to
 * SQL, sends the equivalent single lookup instead: the catalog module makes
 * every entity `readableBy` the virtual subject of its kind, so adding the
 * public kinds' subjects to the claims replaces the slow OR.
 *
 * @public
 */
export class OwnerOfPolicy implements PermissionPolicy {
  private readonly settings: OwnerOfSettings;
  private readonly membership: ClaimsResolver;
  private readonly adminRefs: Set<string>;
  private readonly everyonePermissions: Set<string>;

  constructor(options: {
    settings: OwnerOfSettings;
    membership: ClaimsResolver;
  }) {
    this.settings = options.settings;
    this.membership = options.membership;
    this.adminRefs = new Set(options.settings.adminRefs);
    this.everyonePermissions = new Set(options.settings.everyonePermissions);
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const principal = user?.credentials.principal as
      | { type?: string; userEntityRef?: string }
      | undefined;
    if (principal?.type !== 'user' || !principal.userEntityRef) {
      return { result: AuthorizeResult.DENY };
    }
    if (!request.permission.name.startsWith('catalog.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = await this.membership.resolve(principal.userEntityRef);
    return this.catalogDecision(request.permission, claims);
  }

  /**
   * The decision sent to the catalog: `decide`, with read as one
   * `HAS_ACCESS_RELATION` condition whose claims also hold the public kinds'
   * subjects. Allows exactly the same entities once they carry the kind
   * relation, in one indexed lookup instead of an OR.
   */
  catalogDecision(
    permission: Permission,
    claims: ResolvedClaims,
  ): PolicyDecision {
    const decision = this.decide(permission, claims);
    if (
      decision.result !== AuthorizeResult.CONDITIONAL ||
      !isResourcePermission(permission, CATALOG_ENTITY_RESOURCE_TYPE) ||
      ENTITY_ACTIONS[permission.name] !== 'read'
    ) {
      return decision;
    }
    return createCatalogConditionalDecision(
      permission,
      createAccessRelationCondition({
        relation: ACCESS_RELATIONS.read,
        claims: [
          ...claims.claims,
          ...this.settings.publicKinds.map(kindSubjectRef),
        ],
      }),
    );
  }

  /**
   * The decision for a user whose claims are already resolved, in its
   * readable form (public kinds as an `isEntityKind` branch). Used by the
   * explain endpoint; `handle` sends `catalogDecision`.
   */
  decide(permission: Permission, claims: ResolvedClaims): PolicyDecision {
    if (!permission.name.startsWith('catalog.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (this.adminVia(claims)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isResourcePermission(permission, CATALOG_ENTITY_RESOURCE_TYPE)) {
      const action = Object.prototype.hasOwnProperty.call(
        ENTITY_ACTIONS,
        permission.name,
      )
        ? ENTITY_ACTIONS[permission.name]
        : undefined;
      if (!action) {
        return { result: AuthorizeResult.DENY };
      }
      const hasRelation = createAccessRelationCondition({
        relation: ACCESS_RELATIONS[action],
        claims: claims.claims,
      });
      if (action === 'read' && this.settings.publicKinds.length > 0) {
        return createCatalogConditionalDecision(permission, {
          anyOf: [
            hasRelation,
            catalogConditions.isEntityKind({
              kinds: this.settings.publicKinds,
            }),
          ],
        });
      }
      return createCatalogConditionalDecision(permission, hasRelation);
    }
    if (
      permission.name === 'catalog.entity.validate' ||
      this.everyonePermissions.has(permission.name)
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    return { result: AuthorizeResult.DENY };
  }

  /** The first claim (nearest first) that is an admin ref, with its chain. */
  adminVia(claims: ResolvedClaims): { ref: string; via: string[] } | undefined {
    for (const claim of claims.claims) {
      if (this.adminRefs.has(claim)) {
        return { ref: claim, via: claims.via.get(claim) ?? [claim] };
      }
    }
    return undefined;
  }
}
