import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  techdocs?: {
    /**
     * Builds the docs of every entity with a `backstage.io/techdocs-ref` annotation ahead of
     * first view.
     */
    prebuild?: {
      /**
       * When to build: at start-up after `initialDelay`, then every `frequency`. Defaults to
       * every 10 minutes, 10 seconds after start-up.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
