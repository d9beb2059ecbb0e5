import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { localGitPlugin } from './plugin';
import { localGitUrlReaderFactory } from './urlReader';

/**
 * The local git hosting as one feature: the `local-git` plugin serving the
 * repositories, and the URL reader through which the catalog, TechDocs and
 * the scaffolder read them.
 *
 * @public
 */
export const localGitFeatures = createBackendFeatureLoader({
  *loader() {
    yield localGitPlugin;
    yield localGitUrlReaderFactory;
  },
});
