import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readSchedulerServiceTaskScheduleDefinitionFromConfig } from '@backstage/backend-plugin-api';
import { techdocsBuildsExtensionPoint } from '@backstage/plugin-techdocs-node';
import { DocsPrebuilder } from './DocsPrebuilder';

const DEFAULT_SCHEDULE = {
  frequency: { minutes: 10 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 10 },
};

/**
 * Builds the docs of every entity with a techdocs-ref annotation at start-up
 * and on a schedule (`techdocs.prebuild.schedule`), and lets readers' visits
 * build only docs not built yet.
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
      },
      async init({
        builds,
        config,
        scheduler,
        catalog,
        auth,
        discovery,
        logger,
      }) {
        const prebuilder = new DocsPrebuilder({
          catalog,
          auth,
          discovery,
          logger,
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
            await prebuilder.buildAll();
          },
        });
      },
    });
  },
});
