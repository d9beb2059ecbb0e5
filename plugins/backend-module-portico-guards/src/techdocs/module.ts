import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  Publisher,
  PublisherType,
  techdocsPublisherExtensionPoint,
} from '@backstage/plugin-techdocs-node';
import { guardPublisher, guardStaticDocsRequests } from './staticDocsPaths';

/**
 * TechDocs module: refuses static docs paths that could reach another
 * entity's docs past the per-entity read check, both in front of TechDocs'
 * routes and in the publisher configured in `techdocs.publisher`, whose docs
 * it serves.
 */
export const techdocsModuleStaticPathGuard = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'static-path-guard',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
        publishers: techdocsPublisherExtensionPoint,
      },
      async init({ config, logger, httpRouter, discovery, publishers }) {
        httpRouter.use(guardStaticDocsRequests);
        const inner = await Publisher.fromConfig(config, { logger, discovery });
        publishers.registerPublisher(
          (config.getOptionalString('techdocs.publisher.type') ??
            'local') as PublisherType,
          guardPublisher(inner),
        );
      },
    });
  },
});
