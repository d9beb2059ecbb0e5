import { HumanDuration } from '@backstage/types';

/*
 * Every configuration key of the owner-of model, declared once for all the owner-of packages
 * and read by `readOwnerOfConfig`.
 */
export interface Config {
  permission?: {
    /**
     * Users and groups with unrestricted access, as entity refs
     * (`user:[<namespace>/]<name>` or `group:[<namespace>/]<name>`). Members
     * of an admin group, and of its descendant groups when `nestedGroups` is
     * on, are admins. A malformed entry stops the backend at start-up.
     */
    adminRefs?: string[];

    /**
     * Settings of the owner-of permission model. All optional.
     */
    ownerOf?: {
      /**
       * Annotation prefixes read as grant annotations, e.g.
       * `backstage.tanzu.vmware.com/group.team-a: catalog.entity.read`.
       * Defaults to `[backstage.tanzu.vmware.com]`.
       */
      annotationPrefixes?: string[];

      /**
       * Entity kinds every signed-in user may read. Defaults to `[Template]`.
       */
      publicKinds?: string[];

      /**
       * Whether membership of a group also counts for its parent groups,
       * transitively. Defaults to true.
       */
      nestedGroups?: boolean;

      /**
       * How long a user's resolved groups and the group hierarchy are cached.
       * A duration string such as `30s` or an object such as
       * `{ seconds: 30 }`. Defaults to 30 seconds; 0 resolves on every
       * decision.
       */
      membershipRefresh?: string | HumanDuration;

      /**
       * Permissions the owner-of permission table gives to admins that every
       * signed-in user gets too (such as `catalog.location.read`,
       * `catalog.entity.create` or `scaffolder.template.dry-run`). Any other
       * entry stops the backend at start-up. Defaults to none.
       */
      everyonePermissions?: string[];

      /**
       * With permissions enabled, remove from the catalog responses users
       * receive every relation, ancestry entry and relation facet value that
       * names an entity they may not read. Defaults to true.
       */
      hideUnreadableRelations?: boolean;
    };
  };
}
