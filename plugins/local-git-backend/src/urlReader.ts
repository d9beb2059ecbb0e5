import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import {
  LOCAL_GIT_PLUGIN_ID,
  LocalGitRepositories,
} from '@portico/plugin-local-git-node';
import { LocalGitUrlReader } from './LocalGitUrlReader';

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
    return LocalGitUrlReader.factory({
      repositories: LocalGitRepositories.fromConfig(config),
      baseUrls: [
        await discovery.getExternalBaseUrl(LOCAL_GIT_PLUGIN_ID),
        await discovery.getBaseUrl(LOCAL_GIT_PLUGIN_ID),
      ],
    });
  },
});
