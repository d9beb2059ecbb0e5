import { resolve as resolvePath } from 'node:path';
import { Config } from '@backstage/config';

/**
 * The folder holding the bare repositories: `localGit.repositoriesDir`, or
 * the deprecated `scaffolder.localGit.repositoriesDir` when only that is
 * set. A relative folder resolves against the backend's working directory,
 * like the database and TechDocs folders. Defaults to
 * `${PORTICO_DATA_DIR}/git`, or `../../.data/git`.
 *
 * @public
 */
export function readLocalGitRepositoriesDir(config: Config): string {
  const configured =
    config.getOptionalString('localGit.repositoriesDir') ??
    config.getOptionalString('scaffolder.localGit.repositoriesDir');
  const dataDir = process.env.PORTICO_DATA_DIR || '../../.data';
  return resolvePath(configured ?? `${dataDir}/git`);
}
