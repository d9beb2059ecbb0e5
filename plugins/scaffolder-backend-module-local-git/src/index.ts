/**
 * Local git hosting for Software Templates: the `publish:local-git`
 * scaffolder action, read-only HTTP access to the repositories at
 * `/api/local-git`, and a URL reader that reads them from disk.
 *
 * @packageDocumentation
 */

export { localGitFeatures as default } from './features';
export { scaffolderModuleLocalGit } from './module';
export { localGitPlugin } from './http/plugin';
export { localGitUrlReaderFactory } from './reader/urlReaderFactory';
export { createPublishLocalGitAction } from './actions/publishLocalGit';
