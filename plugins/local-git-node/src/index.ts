/**
 * What the local-git backend plugin and the scaffolder's publish:local-git
 * action share: the bare repositories on disk, their URLs below
 * `/api/local-git`, and the configuration that locates them.
 *
 * @packageDocumentation
 */

export { LOCAL_GIT_PLUGIN_ID } from './pluginId';
export { readLocalGitRepositoriesDir } from './config';
export { LocalGitUrls, parseRawPath } from './urls';
export type { LocalGitLocation } from './urls';
export { LocalGitRepositories } from './repositories/LocalGitRepositories';
export type {
  CreateRepositoryOptions,
  GitAuthor,
  RepositoryEntry,
  RepositoryFile,
  RepositorySummary,
  TreeEntry,
} from './repositories/LocalGitRepositories';
export {
  assertBranchName,
  assertRepositoryName,
  normalizeRepositoryPath,
} from './repositories/names';
export { MAX_GIT_OUTPUT_BYTES } from './repositories/git';
