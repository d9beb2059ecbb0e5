import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { DOCS_PREBUILT_TOPIC } from '@portico/plugin-techdocs-backend-module-prebuild';
import { TechDocsIndexTrigger } from './TechDocsIndexTrigger';

/**
 * Indexes TechDocs for search as soon as the TechDocs prebuild module has built some, so docs
 * search finds them from the start instead of after the collator's next scheduled run.
 *
 * @public
 */
export const searchModuleTechdocsPrebuild = createBackendModule({
  pluginId: 'search',
  moduleId: 'techdocs-prebuild',
  register({ registerInit }) {
    registerInit({
      deps: {
        events: eventsServiceRef,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ events, scheduler, logger }) {
        const trigger = new TechDocsIndexTrigger({ scheduler, logger });
        await events.subscribe({
          id: 'search-techdocs-prebuild',
          topics: [DOCS_PREBUILT_TOPIC],
          // Not awaited: the publisher (the prebuild task) need not wait for the index to start.
          onEvent: async () => {
            trigger
              .request()
              .catch(error =>
                logger.warn(`Could not start the TechDocs indexing: ${error}`),
              );
          },
        });
      },
    });
  },
});
