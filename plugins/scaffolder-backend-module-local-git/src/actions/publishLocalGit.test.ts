import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validate } from 'jsonschema';
import { LocalGitRepositories } from '@portico/plugin-local-git-node';
import { createPublishLocalGitAction } from './publishLocalGit';

const base = 'http://portal.test:7007/api/local-git';

describe('publish:local-git', () => {
  const workspace = createMockDirectory();
  const data = createMockDirectory();
  let repositoriesDir: string;

  const discovery = mockServices.discovery.mock({
    getExternalBaseUrl: async pluginId =>
      `http://portal.test:7007/api/${pluginId}`,
  });

  function action(root = repositoriesDir) {
    return createPublishLocalGitAction({
      repositories: new LocalGitRepositories({ root }),
      settings: {
        defaultAuthor: { name: 'Portico', email: 'portico@harborline.example' },
        defaultCommitMessage: 'Initial commit',
      },
      discovery,
    });
  }

  function context(input: Record<string, unknown>) {
    return createMockActionContext({
      workspacePath: workspace.path,
      input: input as any,
    });
  }

  const gitLog = (name: string) =>
    execFileSync(
      'git',
      [
        '--git-dir',
        `${repositoriesDir}/${name}.git`,
        'log',
        '--format=%an <%ae> %s',
      ],
      { encoding: 'utf8' },
    ).trim();

  beforeEach(() => {
    workspace.setContent({
      'catalog-info.yaml':
        'kind: Component\nmetadata:\n  name: parcel-labels\n',
      'README.md': '# Parcel labels\n',
      'docs/index.md': '# Parcel labels docs\n',
    });
    data.setContent({ git: {} });
    repositoriesDir = data.resolve('git');
  });

  it('publishes the workspace and outputs the clone, contents and catalog-info URLs', async () => {
    const ctx = context({
      repoName: 'parcel-labels',
      description: 'Prints labels',
    });
    await action().handler(ctx);

    expect(ctx.output).toHaveBeenCalledWith(
      'remoteUrl',
      `${base}/parcel-labels.git`,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `${base}/parcel-labels/raw/main/`,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `${base}/parcel-labels/raw/main/catalog-info.yaml`,
    );
    const commitHash = (ctx.output as jest.Mock).mock.calls.find(
      ([name]) => name === 'commitHash',
    )?.[1];
    expect(commitHash).toMatch(/^[0-9a-f]{40}$/);
    expect(gitLog('parcel-labels')).toBe(
      'Portico <portico@harborline.example> Initial commit',
    );
  });

  it('publishes a folder of the workspace on a chosen branch, with a chosen author and message', async () => {
    const ctx = context({
      repoName: 'parcel-labels-docs',
      sourcePath: 'docs',
      defaultBranch: 'trunk',
      gitCommitMessage: 'Start the docs',
      gitAuthorName: 'Bob Okafor',
      gitAuthorEmail: 'bob@harborline.example',
      catalogInfoPath: 'index.md',
    });
    await action().handler(ctx);

    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `${base}/parcel-labels-docs/raw/trunk/index.md`,
    );
    expect(gitLog('parcel-labels-docs')).toBe(
      'Bob Okafor <bob@harborline.example> Start the docs',
    );
    const files = execFileSync(
      'git',
      [
        '--git-dir',
        `${repositoriesDir}/parcel-labels-docs.git`,
        'ls-tree',
        '--name-only',
        'trunk',
      ],
      { encoding: 'utf8' },
    );
    expect(files.trim()).toBe('index.md');
  });

  it('refuses a repository that already exists, and keeps it', async () => {
    await action().handler(context({ repoName: 'parcel-labels' }));
    workspace.setContent({ 'README.md': '# Something else\n' });
    const again = context({ repoName: 'parcel-labels' });

    await expect(action().handler(again)).rejects.toThrow(
      "A repository named 'parcel-labels' already exists",
    );
    expect(again.output).not.toHaveBeenCalled();
    expect(readdirSync(repositoriesDir)).toEqual(['parcel-labels.git']);
    const readme = execFileSync(
      'git',
      [
        '--git-dir',
        `${repositoriesDir}/parcel-labels.git`,
        'show',
        'main:README.md',
      ],
      { encoding: 'utf8' },
    );
    expect(readme).toBe('# Parcel labels\n');
  });

  it.each([
    'Parcel-Labels',
    '../parcel-labels',
    'parcel..labels',
    'parcel-labels.git',
    '.hidden',
  ])(
    'refuses the invalid name %p, in its schema and in its handler',
    async repoName => {
      const publish = action();
      expect(validate({ repoName }, publish.schema!.input!).valid).toBe(false);
      await expect(publish.handler(context({ repoName }))).rejects.toThrow(
        /is not a valid repository name/,
      );
      expect(readdirSync(repositoriesDir)).toEqual([]);
    },
  );

  it('accepts a valid name in its schema, and requires one', () => {
    const { schema } = action();
    expect(
      validate({ repoName: 'parcel-labels_2.0' }, schema!.input!).valid,
    ).toBe(true);
    expect(validate({}, schema!.input!).valid).toBe(false);
    expect(
      validate({ repoName: 'ok', defaultBranch: 'feature/x' }, schema!.input!)
        .valid,
    ).toBe(false);
  });

  it('reports a missing repositories folder', async () => {
    const missing = data.resolve('nowhere/git');
    await expect(
      action(missing).handler(context({ repoName: 'parcel-labels' })),
    ).rejects.toThrow(
      `The folder for local git repositories, ${missing} (localGit.repositoriesDir), does not exist`,
    );
  });

  it('refuses a source folder outside the workspace or missing from it', async () => {
    await expect(
      action().handler(
        context({ repoName: 'parcel-labels', sourcePath: '../..' }),
      ),
    ).rejects.toThrow(/outside/);
    await expect(
      action().handler(
        context({ repoName: 'parcel-labels', sourcePath: 'nope' }),
      ),
    ).rejects.toThrow(
      "The source folder 'nope' does not exist in the workspace",
    );
    expect(readdirSync(repositoriesDir)).toEqual([]);
  });

  it('leaves no half-written repository when publishing fails', async () => {
    workspace.setContent({ 'empty-folder': {} });
    await expect(
      action().handler(context({ repoName: 'parcel-labels' })),
    ).rejects.toThrow('There are no files to publish');
    expect(readdirSync(repositoriesDir)).toEqual([]);
    // The name is still free.
    workspace.setContent({ 'README.md': '# Parcel labels\n' });
    await action().handler(context({ repoName: 'parcel-labels' }));
    expect(readdirSync(repositoriesDir)).toEqual(['parcel-labels.git']);
  });

  it('in a dry run, outputs the URLs it would publish to and creates nothing', async () => {
    // The mock context drops isDryRun: set it as the workflow runner does.
    const ctx = { ...context({ repoName: 'parcel-labels' }), isDryRun: true };
    await action().handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `${base}/parcel-labels/raw/main/catalog-info.yaml`,
    );
    expect(readdirSync(repositoriesDir)).toEqual([]);

    await action().handler(context({ repoName: 'parcel-labels' }));
    const again = { ...context({ repoName: 'parcel-labels' }), isDryRun: true };
    await expect(action().handler(again)).rejects.toThrow(
      "A repository named 'parcel-labels' already exists",
    );
  });

  it('warns when the published files have no catalog descriptor', async () => {
    workspace.setContent({ 'README.md': '# Parcel labels\n' });
    const ctx = context({ repoName: 'parcel-labels' });
    const warn = jest.spyOn(ctx.logger, 'warn');
    await action().handler(ctx);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('no catalog-info.yaml'),
    );
  });
});
