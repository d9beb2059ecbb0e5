import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readLocalGitSettings } from './config';
import { LocalGitRepositories } from './repositories/LocalGitRepositories';
import { createPublishLocalGitAction } from './actions/publishLocalGit';

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
        const settings = readLocalGitSettings(config);
        const repositories = new LocalGitRepositories({
          root: settings.repositoriesDir,
        });
        scaffolderActions.addActions(
          createPublishLocalGitAction({ repositories, settings, discovery }),
        );
      },
    });
  },
});
