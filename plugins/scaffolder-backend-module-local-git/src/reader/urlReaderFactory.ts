import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { readLocalGitSettings } from '../config';
import { LocalGitRepositories } from '../repositories/LocalGitRepositories';
import { LOCAL_GIT_PLUGIN_ID } from '../pluginId';
import { LocalGitUrlReader } from './LocalGitUrlReader';
import { LocalGitUrls } from './urls';

/**
 * Adds {@link LocalGitUrlReader} to every plugin's URL reader, ahead of the
 * default readers, for URLs below the local-git plugin's external and
 * internal base URLs. Those URLs need no entry in `backend.reading.allow`.
 *
 * @public
 */
export const localGitUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {
    config: coreServices.rootConfig,
    discovery: coreServices.discovery,
  },
  async factory({ config, discovery }) {
    const repositories = new LocalGitRepositories({
      root: readLocalGitSettings(config).repositoriesDir,
    });
    const bases = new Set([
      await discovery.getExternalBaseUrl(LOCAL_GIT_PLUGIN_ID),
      await discovery.getBaseUrl(LOCAL_GIT_PLUGIN_ID),
    ]);
    return ({ treeResponseFactory }) =>
      [...bases].map(base => {
        const urls = new LocalGitUrls(base);
        return {
          predicate: (url: URL) => urls.contains(url),
          reader: new LocalGitUrlReader({
            repositories,
            urls,
            treeResponseFactory,
          }),
        };
      });
  },
});
