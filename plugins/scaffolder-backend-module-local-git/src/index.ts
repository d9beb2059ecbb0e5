/**
 * The `publish:local-git` scaffolder action: publishes a template's result
 * as a new repository hosted by the local-git backend plugin.
 *
 * @packageDocumentation
 */

export { scaffolderModuleLocalGit as default } from './module';
export { createPublishLocalGitAction } from './actions/publishLocalGit';
export type { PublishLocalGitSettings } from './actions/settings';
