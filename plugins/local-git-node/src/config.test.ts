import { resolve as resolvePath } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readLocalGitRepositoriesDir } from './config';
import { LocalGitRepositories } from './repositories/LocalGitRepositories';

describe('readLocalGitRepositoriesDir', () => {
  const dataDir = process.env.PORTICO_DATA_DIR;
  afterEach(() => {
    if (dataDir === undefined) {
      delete process.env.PORTICO_DATA_DIR;
    } else {
      process.env.PORTICO_DATA_DIR = dataDir;
    }
  });

  it('reads localGit.repositoriesDir, resolving a relative folder against the working directory', () => {
    const config = new ConfigReader({
      localGit: { repositoriesDir: 'var/git' },
    });
    expect(readLocalGitRepositoriesDir(config)).toBe(resolvePath('var/git'));
    expect(LocalGitRepositories.fromConfig(config).root).toBe(
      resolvePath('var/git'),
    );
  });

  it('falls back to the deprecated scaffolder.localGit.repositoriesDir, and prefers the new key', () => {
    expect(
      readLocalGitRepositoriesDir(
        new ConfigReader({
          scaffolder: { localGit: { repositoriesDir: '/srv/old-git' } },
        }),
      ),
    ).toBe('/srv/old-git');
    expect(
      readLocalGitRepositoriesDir(
        new ConfigReader({
          localGit: { repositoriesDir: '/srv/git' },
          scaffolder: { localGit: { repositoriesDir: '/srv/old-git' } },
        }),
      ),
    ).toBe('/srv/git');
  });

  it('defaults to git below PORTICO_DATA_DIR, or ../../.data/git', () => {
    process.env.PORTICO_DATA_DIR = '/var/lib/portico';
    expect(readLocalGitRepositoriesDir(new ConfigReader({}))).toBe(
      '/var/lib/portico/git',
    );
    delete process.env.PORTICO_DATA_DIR;
    expect(readLocalGitRepositoriesDir(new ConfigReader({}))).toBe(
      resolvePath('../../.data/git'),
    );
  });
});
