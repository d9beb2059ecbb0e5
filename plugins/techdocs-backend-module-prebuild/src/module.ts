import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readSchedulerServiceTaskScheduleDefinitionFromConfig } from '@backstage/backend-plugin-api';
import { techdocsBuildsExtensionPoint } from '@backstage/plugin-techdocs-node';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { DocsPrebuilder } from './DocsPrebuilder';
import { DOCS_PREBUILT_TOPIC, DocsPrebuiltEvent } from './events';

// Every minute: a new entity's docs (or those the catalog had not ingested yet at start-up) are
// built within a minute; each entity's are rebuilt once they are `rebuildAfter` old.
const DEFAULT_SCHEDULE = {
  frequency: { minutes: 1 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 5 },
};
const DEFAULT_REBUILD_AFTER = { minutes: 10 };

/**
 * Builds the docs of every entity with a techdocs-ref annotation at start-up,
 * then those of new entities and those older than
 * `techdocs.prebuild.rebuildAfter` on a schedule (`techdocs.prebuild.schedule`),
 * and lets readers' visits build only docs not built yet.
 *
 * @public
 */
export const techdocsModulePrebuild = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'prebuild',
  register({ registerInit }) {
    registerInit({
      deps: {
        builds: techdocsBuildsExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        events: eventsServiceRef,
      },
      async init({
        builds,
        config,
        scheduler,
        catalog,
        auth,
        discovery,
        logger,
        events,
      }) {
        // With `techdocs.builder: external`, docs are built elsewhere (CI) and only published here.
        if (config.getOptionalString('techdocs.builder') === 'external') {
          logger.info('TechDocs are built externally; not building any here');
          return;
        }
        const prebuilder = new DocsPrebuilder({
          catalog,
          auth,
          discovery,
          logger,
          rebuildAfterMs: durationToMilliseconds(
            config.has('techdocs.prebuild.rebuildAfter')
              ? readDurationFromConfig(config, {
                  key: 'techdocs.prebuild.rebuildAfter',
                })
              : DEFAULT_REBUILD_AFTER,
          ),
        });
        builds.setBuildStrategy(prebuilder);
        const schedule = config.has('techdocs.prebuild.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('techdocs.prebuild.schedule'),
            )
          : DEFAULT_SCHEDULE;
        await scheduler.scheduleTask({
          id: 'techdocs-prebuild',
          ...schedule,
          // Each replica keeps its own record of what it built, so each runs the task.
          scope: 'local',
          fn: async () => {
            const { built } = await prebuilder.buildAll();
            // Tells the search backend to index the new docs now rather than at its next run.
            if (built > 0) {
              const eventPayload: DocsPrebuiltEvent = { built };
              await events.publish({
                topic: DOCS_PREBUILT_TOPIC,
                eventPayload,
              });
            }
          },
        });
      },
    });
  },
});
