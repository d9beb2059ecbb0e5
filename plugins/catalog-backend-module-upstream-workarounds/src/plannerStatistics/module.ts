/*
 * Refreshes the catalog tables' planner statistics (./PlannerStatistics.ts) on a schedule. An
 * upstream workaround: see the table in this package's README for when it is deleted.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PlannerStatistics } from './PlannerStatistics';

export const catalogModulePlannerStatistics = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'planner-statistics',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ database, scheduler, logger }) {
        await scheduler.scheduleTask({
          id: 'catalog-planner-statistics',
          // One replica is enough: statistics belong to the database.
          scope: 'global',
          // A catalog query against a cheap system view; ANALYZE samples at most 30,000 rows.
          frequency: { minutes: 1 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            const analyzed = await new PlannerStatistics(
              await database.getClient(),
            ).refresh();
            for (const { table, liveRows, changedSinceAnalyze } of analyzed) {
              logger.info(
                `Refreshed the planner statistics of ${table}: ${changedSinceAnalyze} of about ${liveRows} rows changed since the last analysis`,
              );
            }
          },
        });
      },
    });
  },
});
