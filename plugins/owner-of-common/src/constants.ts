import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { ResourcePermission } from '@backstage/plugin-permission-common';

/**
 * The three things a grant can allow on a catalog entity.
 *
 * @public
 */
export type AccessAction = 'read' | 'delete' | 'refresh';

/**
 * All access actions, in a stable order.
 *
 * @public
 */
export const ACCESS_ACTIONS: readonly AccessAction[] = [
  'read',
  'delete',
  'refresh',
];

/**
 * Relation types the catalog module emits from an entity to every user or
 * group that may act on it. The catalog indexes each relation type as a
 * `relations.<type>` search key (lowercased), so "what may this user read"
 * becomes a single indexed `IN (claims)` lookup.
 *
 * @public
 */
export const ACCESS_RELATIONS = {
  read: 'readableBy',
  delete: 'deletableBy',
  refresh: 'refreshableBy',
} as const satisfies Record<AccessAction, string>;

/**
 * One of the relation types in {@link ACCESS_RELATIONS}.
 *
 * @public
 */
export type AccessRelationType =
  (typeof ACCESS_RELATIONS)[keyof typeof ACCESS_RELATIONS];

/**
 * The relation type that grants an action.
 *
 * @public
 */
export function accessRelationFor(action: AccessAction): AccessRelationType {
  return ACCESS_RELATIONS[action];
}

/**
 * Annotation prefixes read as grants when nothing is configured. This is the
 * prefix VMware Tanzu Developer Portal uses, so existing annotations keep
 * working.
 *
 * @public
 */
export const DEFAULT_ANNOTATION_PREFIXES: readonly string[] = [
  'backstage.tanzu.vmware.com',
];

/**
 * The catalog entity permission that each access action stands for: the one
 * map from permission to action, used by the grant parser, the policy, the
 * explain endpoint and the frontend.
 *
 * @public
 */
export const ENTITY_PERMISSIONS: Readonly<
  Record<AccessAction, ResourcePermission<'catalog-entity'>>
> = Object.freeze({
  read: catalogEntityReadPermission,
  delete: catalogEntityDeletePermission,
  refresh: catalogEntityRefreshPermission,
});

const ENTITY_PERMISSION_ACTIONS: ReadonlyMap<string, AccessAction> = new Map(
  ACCESS_ACTIONS.map(action => [ENTITY_PERMISSIONS[action].name, action]),
);

/**
 * The access action a catalog entity permission needs (`catalog.entity.read`
 * → read, ...), or undefined for any other permission.
 *
 * @public
 */
export function entityPermissionAction(
  permissionName: string,
): AccessAction | undefined {
  return ENTITY_PERMISSION_ACTIONS.get(permissionName);
}

/**
 * Catalog permission names a grant annotation may list, and the action each
 * one grants: the {@link ENTITY_PERMISSIONS}, plus `catalog.entity.update`,
 * the name Tanzu's documentation uses for refresh and the only alias.
 *
 * @public
 */
export const GRANTABLE_PERMISSIONS: Readonly<Record<string, AccessAction>> =
  Object.freeze({
    ...Object.fromEntries(ENTITY_PERMISSION_ACTIONS),
    'catalog.entity.update': 'refresh',
  });

/**
 * The catalog's resource type for entities.
 *
 * @public
 */
export const CATALOG_ENTITY_RESOURCE_TYPE = 'catalog-entity';

/**
 * Name of the permission rule the catalog module registers.
 *
 * @public
 */
export const HAS_ACCESS_RELATION_RULE = 'HAS_ACCESS_RELATION';

/**
 * Parameters of the {@link HAS_ACCESS_RELATION_RULE} rule: the entity must
 * have a `relation` relation whose target is one of `claims`.
 *
 * @public
 */
export type HasAccessRelationParams = {
  relation: AccessRelationType;
  claims: string[];
};

/**
 * Kind part of the virtual subjects that stand for "readers of every entity
 * of kind X" (see {@link kindSubjectRef}). The dot and the hyphen make it an
 * invalid entity kind, so no real entity can ever have such a ref.
 *
 * @public
 */
export const KIND_SUBJECT_KIND = 'owner-of.kind';

/**
 * Longest value the catalog's search table keeps; longer values are stored
 * as null and never match a filter. Rule evaluation in memory honours the
 * same limit so that it agrees with the database.
 *
 * @public
 */
export const SEARCH_VALUE_MAX_LENGTH = 200;
