import express from 'express';
import {
  DiscoveryService,
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  LOCAL_GIT_PLUGIN_ID,
  LocalGitRepositories,
  LocalGitUrls,
} from '@portico/plugin-local-git-node';
import { createLocalGitRouter } from './router';
import { RepositoryAccess } from './RepositoryAccess';

/**
 * The plugin's router over the configured repositories folder, which it
 * creates when missing; who may read a repository is decided by
 * {@link RepositoryAccess}.
 */
export async function createRouter(options: {
  config: RootConfigService;
  logger: LoggerService;
  discovery: DiscoveryService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
}): Promise<express.Router> {
  const { config, logger, discovery, httpAuth, catalog } = options;
  const repositories = LocalGitRepositories.fromConfig(config);
  try {
    await repositories.ensureRoot();
  } catch (error) {
    // Reading still works for what exists; publishing reports the folder.
    logger.warn(
      `Could not create the folder for local git repositories, ${repositories.root}: ${error}`,
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
  logger.info(`Serving local git repositories from ${repositories.root}`);
  return createLocalGitRouter({ repositories, urls, access });
}
