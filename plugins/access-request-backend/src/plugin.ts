import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { readOwnerOfConfig } from '@portico/plugin-owner-of-common';
import { AccessRequests } from './AccessRequests';
import { createRouter } from './router';

/**
 * The access request plugin: `POST /api/access-request/requests` asks an
 * entity's owners for access through a Backstage notification.
 *
 * @public
 */
export const accessRequestPlugin = createBackendPlugin({
  pluginId: 'access-request',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init({
        config,
        httpRouter,
        httpAuth,
        auth,
        logger,
        catalog,
        notifications,
      }) {
        // The owner-of policy's grant annotation prefixes; the first is the one suggested.
        const [annotationPrefix] = readOwnerOfConfig(config).annotationPrefixes;
        const accessRequests = new AccessRequests({
          catalog,
          notifications,
          auth,
          logger,
          annotationPrefix,
        });
        httpRouter.use(createRouter({ httpAuth, accessRequests }));
      },
    });
  },
});
