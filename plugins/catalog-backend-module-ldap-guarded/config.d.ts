import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * LDAP providers, configured as for Backstage's LDAP module. Declared
       * here for `schedule` only, which that module reads but its schema
       * lacks.
       */
      ldapOrg?: {
        [providerId: string]: {
          /**
           * How often to sync and how long a run may take; defaults to every
           * 10 minutes.
           */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
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
