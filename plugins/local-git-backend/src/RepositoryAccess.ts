import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import {
  LocalGitRepositories,
  LocalGitUrls,
} from '@portico/plugin-local-git-node';

/** The annotation the catalog sets on every entity to the location it was read from. */
const MANAGED_BY_LOCATION =
  'metadata.annotations.backstage.io/managed-by-location';

/**
 * Who may read a repository: services (the catalog, TechDocs, the scaffolder), and users who may
 * read a catalog entity registered from it, so a repository is as confidential as what it
 * registers. The catalog decides, with the user's own credentials: its permission policy applies
 * unchanged. A repository nothing is registered from is for services only.
 */
export class RepositoryAccess {
  constructor(
    private readonly options: {
      httpAuth: HttpAuthService;
      catalog: CatalogService;
      repositories: LocalGitRepositories;
      urls: LocalGitUrls;
      /** The file templates register, relative to the repository root. */
      catalogInfoPath?: string;
    },
  ) {}

  /** The caller's credentials: a user (token or cookie) or a service. */
  credentials(req: express.Request) {
    return this.options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
      // A browser following a link carries the portal's user cookie, a limited user token.
      allowLimitedAccess: true,
    });
  }

  async mayRead(
    credentials: BackstageCredentials<
      BackstageUserPrincipal | BackstageServicePrincipal
    >,
    repository: string,
  ): Promise<boolean> {
    if (credentials.principal.type === 'service') {
      return true;
    }
    const { repositories, urls, catalog } = this.options;
    if (!(await repositories.exists(repository))) {
      return false;
    }
    const path = this.options.catalogInfoPath ?? 'catalog-info.yaml';
    const locations = (await repositories.branches(repository)).map(
      branch => `url:${urls.rawUrl(repository, branch, path)}`,
    );
    if (locations.length === 0) {
      return false;
    }
    const { items } = await catalog.queryEntities(
      {
        filter: { [MANAGED_BY_LOCATION]: locations },
        fields: ['metadata.name'],
        limit: 1,
      },
      { credentials },
    );
    return items.length > 0;
  }
}
