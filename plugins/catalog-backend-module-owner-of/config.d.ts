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
    };
  };
}
