import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { OwnerOfProcessor } from './processor/OwnerOfProcessor';

export const catalogModuleOwnerOf = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'owner-of-processor',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogProcessingExtensionPoint,
      },
      async init({ catalog, config }) {
        catalog.addProcessor(OwnerOfProcessor.fromConfig(config));
      },
    });
  },
});
