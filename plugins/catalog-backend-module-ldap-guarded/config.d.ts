export interface Config {
  catalog?: {
    /**
     * Safety limits of the organization sync from directories
     * (`catalog.providers.ldapOrg`).
     */
    directorySync?: {
      /**
       * Share (0 to 1) of the users, or of the groups, last applied that one
       * run may remove; a run removing more is refused and the last good
       * organization stays. Defaults to 0.2 (20 %).
       */
      maxRemovedShare?: number;
      /**
       * Apply runs over the removal limit anyway (never runs with no users
       * or no groups). For a deliberate reorganization; turn it off again
       * afterwards. Defaults to false.
       */
      acceptLargeChanges?: boolean;
    };
  };
}
