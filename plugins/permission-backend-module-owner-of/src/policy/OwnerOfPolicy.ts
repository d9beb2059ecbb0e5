import { LoggerService } from '@backstage/backend-plugin-api';
import { createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import {
  createScaffolderTaskConditionalDecision,
  createScaffolderTemplateConditionalDecision,
  scaffolderTaskConditions,
  scaffolderTemplateConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  RESOURCE_TYPE_SCAFFOLDER_TASK,
  RESOURCE_TYPE_SCAFFOLDER_TEMPLATE,
} from '@backstage/plugin-scaffolder-common/alpha';
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
  CATALOG_ENTITY_RESOURCE_TYPE,
  createAccessRelationCondition,
  entityPermissionAction,
  kindSubjectRef,
} from '@portico/plugin-owner-of-common';
import { OwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { permissionTableEntry } from './permissionTable';

/**
 * The tag that marks a template parameter or step (`backstage:permissions.tags`) as restricted
 * to the users and groups named by its other tags.
 *
 * @public
 */
export const RESTRICTED_TEMPLATE_PART_TAG = 'restricted';

/** Resolves a user's claims; the policy only needs this one method. */
export type ClaimsResolver = {
  resolve(userEntityRef: string): Promise<ResolvedClaims>;
};

/**
 * The owner-of permission policy. Every permission is decided by the permission table
 * (`permissionTable.ts`):
 *
 * - No signed-in user: deny everything.
 * - A permission the table does not name: deny, for admins too, and warn once with its name.
 * - Admins (their user ref or any of their groups, nested included, in
 *   `permission.adminRefs`): allow everything the table names.
 * - `everyone`: allow; `admin`: deny unless listed in `everyonePermissions`.
 * - Entity read, delete and refresh: conditional on the entity having a
 *   `readableBy`, `deletableBy` or `refreshableBy` relation to one of the
 *   user's claims; read also allows the public kinds' virtual subjects, which
 *   an entity with read grant annotations does not carry (a restricted template).
 * - Scaffolder task read and cancel: conditional on the task's creator being the user
 *   (the scaffolder filters task lists in its database with it).
 * - Template parameters and steps: untagged ones for everyone; tagged `restricted`, only
 *   for the subjects among their tags.
 *
 * `decide` is the policy's one form: `handle` sends it, and the explain endpoint evaluates it
 * (a public kind's virtual subject among the matching claims is reported as the public kind).
 *
 * @public
 */
export class OwnerOfPolicy implements PermissionPolicy {
  private readonly settings: OwnerOfSettings;
  private readonly membership: ClaimsResolver;
  private readonly adminRefs: Set<string>;
  private readonly everyonePermissions: Set<string>;
  private readonly logger?: LoggerService;
  private readonly undecidedLogged = new Set<string>();

  constructor(options: {
    settings: OwnerOfSettings;
    membership: ClaimsResolver;
    logger?: LoggerService;
  }) {
    this.settings = options.settings;
    this.membership = options.membership;
    this.logger = options.logger;
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
    const name = request.permission.name;
    if (!permissionTableEntry(name)) {
      if (!this.undecidedLogged.has(name)) {
        this.undecidedLogged.add(name);
        this.logger?.warn(
          `Permission ${name} is not in the owner-of permission table: denied to everyone until it is added`,
        );
      }
      return { result: AuthorizeResult.DENY };
    }
    const claims = await this.membership.resolve(principal.userEntityRef);
    return this.decide(request.permission, claims, principal.userEntityRef);
  }

  /**
   * The decision for a user whose claims are already resolved: the one form of the policy.
   * `handle` sends it to the plugins, and the explain and access endpoints evaluate it, so they
   * describe exactly what the catalog enforces. `userEntityRef` is the ref as the user's token
   * spells it, matched against task creators besides the normalized one.
   */
  decide(
    permission: Permission,
    claims: ResolvedClaims,
    userEntityRef?: string,
  ): PolicyDecision {
    const entry = permissionTableEntry(permission.name);
    if (!entry) {
      return { result: AuthorizeResult.DENY };
    }
    if (this.adminVia(claims)) {
      return { result: AuthorizeResult.ALLOW };
    }
    switch (entry.access) {
      case 'everyone':
        return { result: AuthorizeResult.ALLOW };
      case 'admin':
        return {
          result: this.everyonePermissions.has(permission.name)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        };
      default:
        return this.conditional(permission, claims, userEntityRef);
    }
  }

  private conditional(
    permission: Permission,
    claims: ResolvedClaims,
    userEntityRef?: string,
  ): PolicyDecision {
    if (isResourcePermission(permission, CATALOG_ENTITY_RESOURCE_TYPE)) {
      const action = entityPermissionAction(permission.name);
      if (!action) {
        return { result: AuthorizeResult.DENY };
      }
      // Public kinds are claims of their own (virtual subjects every entity of the kind is
      // readableBy), so read stays one indexed lookup instead of an OR, the catalog's slow case.
      return createCatalogConditionalDecision(
        permission,
        createAccessRelationCondition({
          relation: ACCESS_RELATIONS[action],
          claims:
            action === 'read'
              ? [...claims.claims, ...this.publicKindSubjects()]
              : claims.claims,
        }),
      );
    }
    if (isResourcePermission(permission, RESOURCE_TYPE_SCAFFOLDER_TASK)) {
      const createdBy = [
        ...new Set([claims.userRef, ...(userEntityRef ? [userEntityRef] : [])]),
      ];
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({ createdBy }),
      );
    }
    if (isResourcePermission(permission, RESOURCE_TYPE_SCAFFOLDER_TEMPLATE)) {
      return createScaffolderTemplateConditionalDecision(permission, {
        anyOf: [
          {
            not: scaffolderTemplateConditions.hasTag({
              tag: RESTRICTED_TEMPLATE_PART_TAG,
            }),
          },
          ...claims.claims.map(tag =>
            scaffolderTemplateConditions.hasTag({ tag }),
          ),
        ],
      });
    }
    // A conditional table entry without a rule here: closed, never open.
    return { result: AuthorizeResult.DENY };
  }

  /** Whether every signed-in user may read entities of the kind (unless a read grant restricts one). */
  isPublicKind(kind: string): boolean {
    return this.settings.publicKinds.some(
      k => k.toLowerCase() === kind.toLowerCase(),
    );
  }

  private publicKindSubjects(): string[] {
    return this.settings.publicKinds.map(kindSubjectRef);
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
