import { resolve as resolvePath } from 'node:path';
import { Config } from '@backstage/config';
import { GitAuthor } from './repositories/LocalGitRepositories';

export type LocalGitSettings = {
  /** Absolute path of the folder holding the bare repositories. */
  repositoriesDir: string;
  /** The author of commits when a template does not name one. */
  defaultAuthor: GitAuthor;
  defaultCommitMessage: string;
};

/**
 * Reads `scaffolder.localGit.repositoriesDir`, and the scaffolder's own
 * `scaffolder.defaultAuthor` and `scaffolder.defaultCommitMessage` that other
 * publishers use too. A relative folder resolves against the backend's
 * working directory, like the database and TechDocs folders.
 */
export function readLocalGitSettings(config: Config): LocalGitSettings {
  const configured = config.getOptionalString(
    'scaffolder.localGit.repositoriesDir',
  );
  const dataDir = process.env.PORTICO_DATA_DIR || '../../.data';
  return {
    repositoriesDir: resolvePath(configured ?? `${dataDir}/git`),
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
