import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  techdocs?: {
    /**
     * Builds the docs of every entity with a `backstage.io/techdocs-ref` annotation ahead of
     * first view.
     */
    prebuild?: {
      /**
       * When to look for docs to build: at start-up after `initialDelay`, then every
       * `frequency`. Defaults to every minute, 5 seconds after start-up.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How old an entity's build may get before a run rebuilds it (picking up changed
       * sources), e.g. `{ minutes: 10 }` (the default) or `10m`.
       */
      rebuildAfter?: HumanDuration | string;
    };
  };
}
