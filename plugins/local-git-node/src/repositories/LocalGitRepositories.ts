import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { readLocalGitRepositoriesDir } from '../config';
import { GitCommandError, runGit } from './git';
import {
  assertBranchName,
  assertRepositoryName,
  isValidRef,
  normalizeRepositoryPath,
  repositoryNameProblem,
} from './names';

/** The hash of git's empty tree: a commit of it would publish nothing. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Files of a bare repository that git's "dumb" HTTP transport fetches. */
const DUMB_HTTP_FILES = [
  /^HEAD$/,
  /^info\/refs$/,
  /^objects\/info\/packs$/,
  /^objects\/[0-9a-f]{2}\/[0-9a-f]{38}$/,
  /^objects\/pack\/pack-[0-9a-f]{40}\.(pack|idx)$/,
];

export type GitAuthor = { name: string; email: string };

export type RepositorySummary = { name: string; description: string };

/** What a path at a ref points to. */
export type RepositoryEntry = {
  type: 'blob' | 'tree';
  /** The object's hash: changes exactly when the content changes. */
  oid: string;
  size: number;
};

export type TreeEntry = {
  name: string;
  type: 'blob' | 'tree' | 'commit';
  /** 100644, 100755 (files), 120000 (symbolic links), 040000, 160000. */
  mode: string;
  oid: string;
  size?: number;
};

export type RepositoryFile = { path: string; oid: string; size: number };

export type CreateRepositoryOptions = {
  name: string;
  /** The folder whose files become the first commit. */
  sourceDir: string;
  branch: string;
  message: string;
  author: GitAuthor;
  description?: string;
};

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function parseTreeLine(line: string): TreeEntry & { path: string } {
  // <mode> SP <type> SP <object> SP+ <size or -> TAB <path>
  const tab = line.indexOf('\t');
  const [mode, type, oid, size] = line.slice(0, tab).split(/ +/);
  const path = line.slice(tab + 1);
  return {
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    mode,
    type: type as TreeEntry['type'],
    oid,
    size: size === '-' ? undefined : Number(size),
  };
}

/**
 * The bare git repositories under one folder: creating them atomically from
 * a folder of files, and reading files and trees out of them. Every name,
 * ref and path is validated before it reaches git or the file system.
 *
 * @public
 */
export class LocalGitRepositories {
  readonly root: string;

  /** The repositories in the folder `localGit.repositoriesDir` names. */
  static fromConfig(config: Config): LocalGitRepositories {
    return new LocalGitRepositories({
      root: readLocalGitRepositoriesDir(config),
    });
  }

  constructor(options: { root: string }) {
    this.root = options.root;
  }

  /** The folder of a repository; throws for an invalid name. */
  gitDir(name: string): string {
    assertRepositoryName(name);
    return join(this.root, `${name}.git`);
  }

  /** Creates the repositories folder (and its parents) when missing. */
  async ensureRoot(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
  }

  /** Throws a message naming the folder when it is missing or read-only. */
  async assertRootWritable(): Promise<void> {
    const where = `The folder for local git repositories, ${this.root} (localGit.repositoriesDir),`;
    let stat;
    try {
      stat = await fs.stat(this.root);
    } catch (error) {
      if (isNotFound(error)) {
        throw new Error(`${where} does not exist`);
      }
      throw error;
    }
    if (!stat.isDirectory()) {
      throw new Error(`${where} is not a folder`);
    }
    try {
      await fs.access(this.root, fsConstants.W_OK | fsConstants.X_OK);
    } catch {
      throw new Error(`${where} is not writable by the portal`);
    }
  }

  async exists(name: string): Promise<boolean> {
    if (repositoryNameProblem(name)) {
      return false;
    }
    try {
      return (await fs.stat(this.gitDir(name))).isDirectory();
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }
      throw error;
    }
  }

  async list(): Promise<RepositorySummary[]> {
    let entries;
    try {
      entries = await fs.readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) {
        return [];
      }
      throw error;
    }
    const names = entries
      .filter(e => e.isDirectory() && e.name.endsWith('.git'))
      .map(e => e.name.slice(0, -'.git'.length))
      .filter(name => !repositoryNameProblem(name))
      .sort();
    return Promise.all(
      names.map(async name => ({
        name,
        description: await this.description(name),
      })),
    );
  }

  /** The repository's branch names. */
  async branches(name: string): Promise<string[]> {
    if (!(await this.exists(name))) {
      return [];
    }
    const out = await runGit(
      ['for-each-ref', '--format=%(refname:short)', 'refs/heads'],
      { gitDir: this.gitDir(name) },
    );
    return out
      .toString('utf8')
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean);
  }

  async description(name: string): Promise<string> {
    try {
      const text = await fs.readFile(
        join(this.gitDir(name), 'description'),
        'utf8',
      );
      return text.trim();
    } catch (error) {
      if (isNotFound(error)) {
        return '';
      }
      throw error;
    }
  }

  /**
   * Creates repository `name` whose single commit holds the files of
   * `sourceDir`. The repository is built in a hidden staging folder next to
   * the final one and renamed into place, so it appears complete or not at
   * all; on any failure the staging folder is removed.
   */
  async create(options: CreateRepositoryOptions): Promise<{ commit: string }> {
    const { name, sourceDir, branch, message, author } = options;
    assertRepositoryName(name);
    assertBranchName(branch);
    await this.assertRootWritable();
    const target = this.gitDir(name);
    if (await this.exists(name)) {
      throw new ConflictError(`A repository named '${name}' already exists`);
    }

    // Names start with a letter or digit, so a dot-folder never collides.
    const staging = join(
      this.root,
      `.staging-${name}-${randomBytes(6).toString('hex')}`,
    );
    try {
      await runGit([
        'init',
        '--bare',
        '--quiet',
        '--template=',
        `--initial-branch=${branch}`,
        staging,
      ]);
      const env = {
        GIT_INDEX_FILE: join(staging, 'staging-index'),
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      await runGit(['add', '--all', '--', '.'], {
        gitDir: staging,
        workTree: sourceDir,
        cwd: sourceDir,
        env,
      });
      const tree = (await runGit(['write-tree'], { gitDir: staging, env }))
        .toString('utf8')
        .trim();
      if (tree === EMPTY_TREE) {
        throw new InputError(
          'There are no files to publish: the source folder is empty',
        );
      }
      const commit = (
        await runGit(['commit-tree', tree, '-F', '-'], {
          gitDir: staging,
          env,
          input: message,
        })
      )
        .toString('utf8')
        .trim();
      await runGit(['update-ref', `refs/heads/${branch}`, commit], {
        gitDir: staging,
        env,
      });
      await fs.rm(env.GIT_INDEX_FILE, { force: true });
      // One pack and the info files that git's dumb HTTP clients read.
      await runGit(['repack', '-a', '-d', '-q'], { gitDir: staging });
      await runGit(['update-server-info'], { gitDir: staging });
      await fs.writeFile(
        join(staging, 'description'),
        `${(options.description ?? '').replace(/\s+/g, ' ').trim()}\n`,
      );
      try {
        await fs.rename(staging, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new ConflictError(
            `A repository named '${name}' already exists`,
          );
        }
        throw error;
      }
      return { commit };
    } catch (error) {
      await fs.rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * What `path` is at `ref` (a branch, tag, `HEAD` or commit hash), or
   * undefined when the repository, ref or path does not exist.
   */
  async lookup(
    name: string,
    ref: string,
    path: string,
  ): Promise<RepositoryEntry | undefined> {
    const normalized = normalizeRepositoryPath(path);
    if (normalized === undefined || !isValidRef(ref)) {
      return undefined;
    }
    if (!(await this.exists(name))) {
      return undefined;
    }
    // `<ref>:<path>` takes the path literally (no pathspec magic).
    const spec = normalized === '' ? `${ref}^{tree}` : `${ref}:${normalized}`;
    const out = (
      await runGit(['cat-file', '--batch-check'], {
        gitDir: this.gitDir(name),
        input: `${spec}\n`,
      })
    )
      .toString('utf8')
      .trim();
    const [oid, type, size] = out.split(' ');
    if (type !== 'blob' && type !== 'tree') {
      return undefined;
    }
    return { oid, type, size: Number(size) };
  }

  /** The commit `ref` points to, or undefined. */
  async resolveCommit(name: string, ref: string): Promise<string | undefined> {
    if (!isValidRef(ref) || !(await this.exists(name))) {
      return undefined;
    }
    try {
      const out = await runGit(
        ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
        { gitDir: this.gitDir(name) },
      );
      return out.toString('utf8').trim();
    } catch (error) {
      if (error instanceof GitCommandError) {
        return undefined;
      }
      throw error;
    }
  }

  async readBlob(name: string, oid: string): Promise<Buffer> {
    return runGit(['cat-file', 'blob', oid], { gitDir: this.gitDir(name) });
  }

  /** The entries directly inside a tree. */
  async listTree(name: string, treeOid: string): Promise<TreeEntry[]> {
    const out = await runGit(['ls-tree', '-z', '-l', treeOid], {
      gitDir: this.gitDir(name),
    });
    return out
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map(line => {
        const { path: _path, ...entry } = parseTreeLine(line);
        return entry;
      });
  }

  /**
   * Every regular file below a tree, with paths relative to it. Symbolic
   * links and submodules are left out: their targets are not content of
   * this repository.
   */
  async listFiles(name: string, treeOid: string): Promise<RepositoryFile[]> {
    const out = await runGit(['ls-tree', '-r', '-z', '-l', treeOid], {
      gitDir: this.gitDir(name),
    });
    return out
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map(parseTreeLine)
      .filter(e => e.mode === '100644' || e.mode === '100755')
      .map(e => ({ path: e.path, oid: e.oid, size: e.size ?? 0 }));
  }

  /** The contents of several blobs, read by one git process. */
  async readBlobs(name: string, oids: string[]): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    if (oids.length === 0) {
      return result;
    }
    const out = await runGit(['cat-file', '--batch'], {
      gitDir: this.gitDir(name),
      input: `${oids.join('\n')}\n`,
    });
    // Each object: "<oid> <type> <size>\n<content>\n"
    let offset = 0;
    while (offset < out.length) {
      const headerEnd = out.indexOf(0x0a, offset);
      const [oid, type, size] = out
        .subarray(offset, headerEnd)
        .toString('utf8')
        .split(' ');
      if (type === 'missing') {
        offset = headerEnd + 1;
        continue;
      }
      const start = headerEnd + 1;
      const end = start + Number(size);
      result.set(oid, out.subarray(start, end));
      offset = end + 1;
    }
    return result;
  }

  /**
   * The file of a repository that git's dumb HTTP transport asks for, or
   * undefined when `file` is not one of those.
   */
  dumbHttpFile(name: string, file: string): string | undefined {
    if (repositoryNameProblem(name)) {
      return undefined;
    }
    if (!DUMB_HTTP_FILES.some(pattern => pattern.test(file))) {
      return undefined;
    }
    return join(this.gitDir(name), file);
  }
}
