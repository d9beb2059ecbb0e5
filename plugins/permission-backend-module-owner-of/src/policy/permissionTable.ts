/**
 * Every permission the Portico backend registers, and who gets it. This table is the one place
 * a permission is decided; the policy denies, and logs once, any permission it does not name,
 * so a newly installed plugin stays closed until its permissions are added here. The backend's
 * permission table test fails when a registered permission is missing.
 *
 * - `everyone`: every signed-in user.
 * - `conditional`: decided per resource (entity, task, template parameter or step); see `rule`.
 * - `admin`: admins only, unless listed in `permission.ownerOf.everyonePermissions`.
 *
 * Admins (`permission.adminRefs`) get every permission the table names.
 */

import {
  ACCESS_ACTIONS,
  ENTITY_PERMISSIONS,
} from '@portico/plugin-owner-of-common';

/** Who a permission in the table is given to. */
export type PermissionAccess = 'everyone' | 'conditional' | 'admin';

/** One row of the table. */
export type PermissionTableEntry = {
  access: PermissionAccess;
  /** The plugin that registers it. */
  plugin: string;
  /** Why, in a few words; shown in the policy's README. */
  rule: string;
};

/** The conditional rules the policy implements: by access action for entities, then the others. */
export const CONDITIONAL_RULES = {
  read: 'entity readableBy a claim, or of a public kind',
  delete: 'entity deletableBy a claim',
  refresh: 'entity refreshableBy a claim',
  taskOwner: 'the task was started by the user',
  taggedTemplatePart:
    'untagged, or tagged `restricted` and with one of the user claims as a tag',
} as const;

/**
 * The permission table.
 *
 * @public
 */
export const PERMISSION_TABLE: Readonly<Record<string, PermissionTableEntry>> =
  Object.freeze({
    // Catalog
    ...Object.fromEntries(
      ACCESS_ACTIONS.map((action): [string, PermissionTableEntry] => [
        ENTITY_PERMISSIONS[action].name,
        {
          access: 'conditional',
          plugin: 'catalog',
          rule: CONDITIONAL_RULES[action],
        },
      ]),
    ),
    'catalog.entity.validate': {
      access: 'everyone',
      plugin: 'catalog',
      rule: 'validating a definition reveals nothing stored',
    },
    'catalog.entity.create': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'registering software is an administrator task',
    },
    'catalog.location.read': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'location URLs name every registered source',
    },
    'catalog.location.create': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'a location can publish groups, and so admins',
    },
    'catalog.location.delete': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'removes every entity of the location',
    },
    'catalog.location.analyze': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'reads arbitrary allowed URLs',
    },
    'catalog.ingestion.read': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'ingestion state of every provider',
    },
    'catalog.ingestion.manage': {
      access: 'admin',
      plugin: 'catalog',
      rule: 'pauses and resets providers',
    },

    // Scaffolder (Software Templates)
    'scaffolder.task.create': {
      access: 'everyone',
      plugin: 'scaffolder',
      rule: 'which templates a user may run follows catalog.entity.read',
    },
    'scaffolder.task.read': {
      access: 'conditional',
      plugin: 'scaffolder',
      rule: CONDITIONAL_RULES.taskOwner,
    },
    'scaffolder.task.cancel': {
      access: 'conditional',
      plugin: 'scaffolder',
      rule: CONDITIONAL_RULES.taskOwner,
    },
    'scaffolder.template.parameter.read': {
      access: 'conditional',
      plugin: 'scaffolder',
      rule: CONDITIONAL_RULES.taggedTemplatePart,
    },
    'scaffolder.template.step.read': {
      access: 'conditional',
      plugin: 'scaffolder',
      rule: CONDITIONAL_RULES.taggedTemplatePart,
    },
    'scaffolder.action.execute': {
      access: 'everyone',
      plugin: 'scaffolder',
      rule: 'actions run as the user who runs the template',
    },
    'scaffolder.template.dry-run': {
      access: 'admin',
      plugin: 'scaffolder',
      rule: 'runs template content the user writes',
    },
    'scaffolder.template.management': {
      access: 'admin',
      plugin: 'scaffolder',
      rule: 'the template editor',
    },

    // TechDocs
    'techdocs.actions.read': {
      access: 'everyone',
      plugin: 'techdocs',
      rule: 'the metadata action reads the docs as the user (catalog.entity.read of the entity)',
    },

    // Kubernetes
    'kubernetes.clusters.read': {
      access: 'everyone',
      plugin: 'kubernetes',
      rule: 'cluster names and links only',
    },
    'kubernetes.resources.read': {
      access: 'everyone',
      plugin: 'kubernetes',
      rule: 'workloads of entities the user may read (the entity is read as the user)',
    },
    'kubernetes.proxy': {
      access: 'admin',
      plugin: 'kubernetes',
      rule: 'reaches clusters with shared credentials, not tied to an entity',
    },
  });

/** The table's entry for a permission, if it names it. */
export function permissionTableEntry(
  name: string,
): PermissionTableEntry | undefined {
  return Object.prototype.hasOwnProperty.call(PERMISSION_TABLE, name)
    ? PERMISSION_TABLE[name]
    : undefined;
}
