import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { scaffolderModuleLocalGit } from './module';
import { localGitPlugin } from './http/plugin';
import { localGitUrlReaderFactory } from './reader/urlReaderFactory';

/**
 * Everything local git hosting needs, as one feature: the scaffolder's
 * `publish:local-git` action, the `local-git` plugin serving the
 * repositories, and the URL reader through which the catalog, TechDocs and
 * the scaffolder read them.
 *
 * @public
 */
export const localGitFeatures = createBackendFeatureLoader({
  *loader() {
    yield scaffolderModuleLocalGit;
    yield localGitPlugin;
    yield localGitUrlReaderFactory;
  },
});
