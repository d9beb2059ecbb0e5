import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readLocalGitSettings } from '../config';
import { LOCAL_GIT_PLUGIN_ID } from '../pluginId';
import { LocalGitRepositories } from '../repositories/LocalGitRepositories';
import { LocalGitUrls } from '../reader/urls';
import { createLocalGitRouter } from './router';
import { RepositoryAccess } from './RepositoryAccess';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';

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
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        catalog: catalogServiceRef,
      },
      async init({ config, logger, discovery, httpRouter, httpAuth, catalog }) {
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
        const access = new RepositoryAccess({
          httpAuth,
          catalog,
          repositories,
          urls,
        });
        httpRouter.use(
          await createLocalGitRouter({ repositories, urls, access }),
        );
        // Lets a browser that holds the portal's user cookie follow links to
        // files; API callers send a token as for every other plugin.
        httpRouter.addAuthPolicy({ path: '/', allow: 'user-cookie' });
        logger.info(`Serving local git repositories from ${repositoriesDir}`);
      },
    });
  },
});
