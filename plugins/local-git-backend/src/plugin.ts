import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { LOCAL_GIT_PLUGIN_ID } from '@portico/plugin-local-git-node';
import { createRouter } from './createRouter';

/**
 * Serves the local repositories read-only at `/api/local-git`, to services
 * and to signed-in users (token or the portal's user cookie) who may read a
 * catalog entity registered from the repository.
 *
 * @public
 */
export const localGitPlugin = createBackendPlugin({
  pluginId: LOCAL_GIT_PLUGIN_ID,
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init({ httpRouter, ...options }) {
        httpRouter.use(await createRouter(options));
        // Lets a browser that holds the portal's user cookie follow links to
        // files; API callers send a token as for every other plugin.
        httpRouter.addAuthPolicy({ path: '/', allow: 'user-cookie' });
      },
    });
  },
});
