export interface Config {
  permission?: {
    /**
     * Settings of the owner-of permission model.
     */
    ownerOf?: {
      /**
       * Annotation prefixes read as grant annotations, e.g.
       * `backstage.tanzu.vmware.com/group.team-a: catalog.entity.read`.
       * Defaults to `[backstage.tanzu.vmware.com]`.
       */
      annotationPrefixes?: string[];
      /**
       * With permissions enabled, remove from the catalog responses users
       * receive every relation, ancestry entry and relation facet value that
       * names an entity they may not read. Defaults to true.
       */
      hideUnreadableRelations?: boolean;
    };
  };
}
