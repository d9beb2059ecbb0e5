import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { LocalGitRepositories } from './LocalGitRepositories';
import * as git from './git';

jest.mock('./git', () => {
  const actual = jest.requireActual('./git');
  return { ...actual, runGit: jest.fn(actual.runGit) };
});
const realRunGit: typeof git.runGit = jest.requireActual('./git').runGit;
const runGitMock = git.runGit as jest.MockedFunction<typeof git.runGit>;

const author = {
  name: 'Harborline Platform',
  email: 'platform@harborline.example',
};

describe('LocalGitRepositories', () => {
  const source = createMockDirectory();
  const data = createMockDirectory();
  const root = () => data.resolve('git');
  let repositories: LocalGitRepositories;

  beforeEach(async () => {
    source.setContent({
      'catalog-info.yaml': 'kind: Component\n',
      'README.md': '# Shipment notifier\n',
      'src/index.ts': 'export const answer = 42;\n',
      'docs/index.md': '# Docs\n',
      'logo.bin': Buffer.from([0, 1, 2, 3]),
      link: ({ symlink }) => symlink('/etc/hostname'),
    });
    data.setContent({ git: {} });
    repositories = new LocalGitRepositories({ root: root() });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    runGitMock.mockImplementation(realRunGit);
  });

  const create = (name = 'shipment-notifier') =>
    repositories.create({
      name,
      sourceDir: source.path,
      branch: 'main',
      message: 'Create the shipment notifier',
      author,
      description: 'Sends shipment\nnotifications',
    });

  it('creates a bare repository with one commit of every file, by the given author', async () => {
    const { commit } = await create();
    const gitDir = data.resolve('git/shipment-notifier.git');
    const log = execFileSync(
      'git',
      ['--git-dir', gitDir, 'log', '--format=%H|%an|%ae|%s', 'main'],
      { encoding: 'utf8' },
    ).trim();
    expect(log).toBe(
      `${commit}|Harborline Platform|platform@harborline.example|Create the shipment notifier`,
    );
    const files = execFileSync(
      'git',
      ['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', 'HEAD'],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(files.sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
      'docs/index.md',
      'link',
      'logo.bin',
      'src/index.ts',
    ]);
    expect(await repositories.exists('shipment-notifier')).toBe(true);
    expect(await repositories.list()).toEqual([
      {
        name: 'shipment-notifier',
        description: 'Sends shipment notifications',
      },
    ]);
    // Only the repository: no staging folder or index left behind.
    expect(readdirSync(root())).toEqual(['shipment-notifier.git']);
  });

  it('reads files, folders and trees at a branch, HEAD or commit', async () => {
    const { commit } = await create();
    for (const ref of ['main', 'HEAD', commit]) {
      const readme = await repositories.lookup(
        'shipment-notifier',
        ref,
        'README.md',
      );
      expect(readme).toMatchObject({ type: 'blob', size: 20 });
      expect(
        (
          await repositories.readBlob('shipment-notifier', readme!.oid)
        ).toString(),
      ).toBe('# Shipment notifier\n');
    }
    const rootTree = await repositories.lookup('shipment-notifier', 'main', '');
    expect(rootTree?.type).toBe('tree');
    const entries = await repositories.listTree(
      'shipment-notifier',
      rootTree!.oid,
    );
    expect(entries.map(e => `${e.name}:${e.type}`)).toEqual(
      expect.arrayContaining(['docs:tree', 'src:tree', 'README.md:blob']),
    );
    const files = await repositories.listFiles(
      'shipment-notifier',
      rootTree!.oid,
    );
    // The symbolic link is not content of the repository.
    expect(files.map(f => f.path).sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
      'docs/index.md',
      'logo.bin',
      'src/index.ts',
    ]);
    const contents = await repositories.readBlobs(
      'shipment-notifier',
      files.map(f => f.oid),
    );
    const logo = files.find(f => f.path === 'logo.bin')!;
    expect(contents.get(logo.oid)).toEqual(Buffer.from([0, 1, 2, 3]));
  });

  it.each([
    ['a missing path', 'main', 'nope.md'],
    ['a missing branch', 'develop', 'README.md'],
    ['a path climbing out', 'main', '../README.md'],
    ['a ref with revision syntax', 'main~1', 'README.md'],
    ['an option as ref', '--output=x', 'README.md'],
  ])('finds nothing for %s', async (_case, ref, path) => {
    await create();
    expect(
      await repositories.lookup('shipment-notifier', ref, path),
    ).toBeUndefined();
  });

  it('finds nothing in a repository that does not exist or has an invalid name', async () => {
    expect(
      await repositories.lookup('nothing-here', 'main', 'README.md'),
    ).toBeUndefined();
    expect(await repositories.lookup('../git', 'main', '')).toBeUndefined();
    expect(await repositories.exists('..')).toBe(false);
  });

  it('refuses a name that exists, keeping the existing repository', async () => {
    const { commit } = await create();
    await expect(create()).rejects.toThrow(
      "A repository named 'shipment-notifier' already exists",
    );
    expect(await repositories.resolveCommit('shipment-notifier', 'main')).toBe(
      commit,
    );
    expect(readdirSync(root())).toEqual(['shipment-notifier.git']);
  });

  it.each([
    ['Shipment', /not a valid repository name/],
    ['-shipment', /not a valid repository name/],
    ['ship..ment', /must not contain '\.\.'/],
    ['shipment.git', /leave out the '\.git' suffix/],
    ['ship/ment', /not a valid repository name/],
    ['', /not a valid repository name/],
  ])('refuses the name %p', async (name, message) => {
    await expect(create(name)).rejects.toThrow(message);
    expect(readdirSync(root())).toEqual([]);
  });

  it('reports a missing repositories folder by its path and config key', async () => {
    repositories = new LocalGitRepositories({ root: data.resolve('missing') });
    await expect(create()).rejects.toThrow(
      `The folder for local git repositories, ${data.resolve(
        'missing',
      )} (localGit.repositoriesDir), does not exist`,
    );
  });

  it('reports a repositories "folder" that is a file', async () => {
    data.addContent({ 'not-a-folder': 'x' });
    repositories = new LocalGitRepositories({
      root: data.resolve('not-a-folder'),
    });
    await expect(create()).rejects.toThrow(/is not a folder/);
  });

  it('leaves nothing behind when there is nothing to publish', async () => {
    source.setContent({ 'empty-folder': {} });
    await expect(create()).rejects.toThrow('There are no files to publish');
    expect(readdirSync(root())).toEqual([]);
  });

  it('leaves nothing behind when git fails late', async () => {
    runGitMock.mockImplementation((args, options) =>
      args[0] === 'update-server-info'
        ? Promise.reject(new git.GitCommandError(args, 'disk full'))
        : realRunGit(args, options),
    );
    await expect(create()).rejects.toThrow(
      'git update-server-info failed: disk full',
    );
    expect(readdirSync(root())).toEqual([]);
  });

  it('loses a race for the same name cleanly', async () => {
    const { commit } = await create();
    // Another task created the repository after this one checked for it.
    jest.spyOn(repositories, 'exists').mockResolvedValue(false);
    await expect(create()).rejects.toThrow(
      "A repository named 'shipment-notifier' already exists",
    );
    jest.restoreAllMocks();
    expect(readdirSync(root())).toEqual(['shipment-notifier.git']);
    expect(await repositories.resolveCommit('shipment-notifier', 'main')).toBe(
      commit,
    );
  });

  it('names the files of the dumb HTTP transport only', () => {
    expect(repositories.dumbHttpFile('shipment-notifier', 'info/refs')).toBe(
      data.resolve('git/shipment-notifier.git/info/refs'),
    );
    for (const file of [
      'config',
      'description',
      'hooks/pre-receive',
      'objects/../config',
      'objects/pack/../../config',
      'info/../config',
    ]) {
      expect(
        repositories.dumbHttpFile('shipment-notifier', file),
      ).toBeUndefined();
    }
    expect(repositories.dumbHttpFile('..', 'HEAD')).toBeUndefined();
  });
});
