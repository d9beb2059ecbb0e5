import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { metrics } from '@opentelemetry/api';
import { CatalogBacklog } from './CatalogBacklog';
import { observeCatalogBacklog } from './observeCatalogBacklog';

/**
 * Reports the catalog's processing and stitching backlog as gauges, read
 * from the catalog's own database when metrics are collected.
 *
 * @public
 */
export const catalogModuleMetrics = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'metrics',
  register({ registerInit }) {
    registerInit({
      deps: { database: coreServices.database, logger: coreServices.logger },
      async init({ database, logger }) {
        const backlog = new CatalogBacklog(await database.getClient());
        observeCatalogBacklog(
          metrics.getMeter('portico.catalog'),
          backlog,
          logger,
        );
      },
    });
  },
});
