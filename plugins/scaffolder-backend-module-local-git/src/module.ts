import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { LocalGitRepositories } from '@portico/plugin-local-git-node';
import { createPublishLocalGitAction } from './actions/publishLocalGit';
import { readPublishLocalGitSettings } from './actions/settings';

/**
 * Adds the `publish:local-git` action to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleLocalGit = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'local-git',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
      },
      async init({ scaffolderActions, config, discovery }) {
        scaffolderActions.addActions(
          createPublishLocalGitAction({
            repositories: LocalGitRepositories.fromConfig(config),
            settings: readPublishLocalGitSettings(config),
            discovery,
          }),
        );
      },
    });
  },
});
