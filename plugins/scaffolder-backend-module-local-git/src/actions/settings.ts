import { Config } from '@backstage/config';
import { GitAuthor } from '@portico/plugin-local-git-node';

/** What a commit of publish:local-git defaults to when a template names nothing. */
export type PublishLocalGitSettings = {
  defaultAuthor: GitAuthor;
  defaultCommitMessage: string;
};

/**
 * Reads the scaffolder's `scaffolder.defaultAuthor` and
 * `scaffolder.defaultCommitMessage`, which the other publishers use too.
 */
export function readPublishLocalGitSettings(
  config: Config,
): PublishLocalGitSettings {
  return {
    defaultAuthor: {
      name:
        config.getOptionalString('scaffolder.defaultAuthor.name') ?? 'Portico',
      email:
        config.getOptionalString('scaffolder.defaultAuthor.email') ??
        'portico@localhost',
    },
    defaultCommitMessage:
      config.getOptionalString('scaffolder.defaultCommitMessage') ??
      'Initial commit',
  };
}
