/*
 * Registers the in-process search engine (./IndexingAwareLunrSearchEngine.ts) when the search
 * plugin's database is not PostgreSQL.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { searchEngineRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { IndexingAwareLunrSearchEngine } from './IndexingAwareLunrSearchEngine';

export const searchModuleInProcessEngine = createBackendModule({
  pluginId: 'search',
  moduleId: 'in-process-engine',
  register(env) {
    env.registerInit({
      deps: {
        engines: searchEngineRegistryExtensionPoint,
        database: coreServices.database,
        logger: coreServices.logger,
      },
      async init({ engines, database, logger }) {
        const client = await database.getClient();
        if (client.client.config.client === 'pg') {
          // The PostgreSQL engine module registers its engine.
          return;
        }
        engines.setSearchEngine(new IndexingAwareLunrSearchEngine({ logger }));
      },
    });
  },
});
