/*
 * Runs the stitch repair (./StitchRepair.ts) on a schedule. An upstream workaround: see the
 * table in this package's README for when it is deleted.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { StitchRepair } from './StitchRepair';

export const catalogModuleStitchRepair = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'stitch-repair',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ database, scheduler, logger }) {
        await scheduler.scheduleTask({
          id: 'catalog-stitch-repair',
          scope: 'global',
          // Two cheap queries; often enough that a crash's leftovers are back within a minute or two.
          frequency: { minutes: 1 },
          timeout: { minutes: 2 },
          // Late enough for the catalog's migrations on a first start.
          initialDelay: { seconds: 30 },
          fn: async () => {
            const repaired = await new StitchRepair(
              await database.getClient(),
            ).repair();
            if (repaired.length > 0) {
              logger.warn(
                `Queued ${
                  repaired.length
                } entities a crash left out of catalog lists for stitching again, e.g. ${repaired
                  .slice(0, 5)
                  .join(', ')}`,
              );
            }
          },
        });
      },
    });
  },
});
