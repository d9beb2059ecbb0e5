import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readLocalGitSettings } from '../config';
import { LOCAL_GIT_PLUGIN_ID } from '../pluginId';
import { LocalGitRepositories } from '../repositories/LocalGitRepositories';
import { LocalGitUrls } from '../reader/urls';
import { createLocalGitRouter } from './router';

/**
 * Serves the local repositories read-only at `/api/local-git`, to signed-in
 * users (token or the portal's user cookie) and to services.
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
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, logger, discovery, httpRouter }) {
        const { repositoriesDir } = readLocalGitSettings(config);
        const repositories = new LocalGitRepositories({
          root: repositoriesDir,
        });
        try {
          await repositories.ensureRoot();
        } catch (error) {
          // Reading still works for what exists; publishing reports the folder.
          logger.warn(
            `Could not create the folder for local git repositories, ${repositoriesDir}: ${error}`,
          );
        }
        const urls = new LocalGitUrls(
          await discovery.getExternalBaseUrl(LOCAL_GIT_PLUGIN_ID),
        );
        httpRouter.use(await createLocalGitRouter({ repositories, urls }));
        // Lets a browser that holds the portal's user cookie follow links to
        // files; API callers send a token as for every other plugin.
        httpRouter.addAuthPolicy({ path: '/', allow: 'user-cookie' });
        logger.info(`Serving local git repositories from ${repositoriesDir}`);
      },
    });
  },
});
