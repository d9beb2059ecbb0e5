import { execFile } from 'node:child_process';
import { devNull } from 'node:os';

/** The largest output a git command may produce (a file read, a listing). */
export const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;

/** A git command that exited with an error, with what git said. */
export class GitCommandError extends Error {
  readonly stderr: string;
  readonly exitCode: number | string | undefined;

  constructor(args: string[], stderr: string, exitCode?: number | string) {
    super(`git ${args[0]} failed: ${stderr.trim() || `exit code ${exitCode}`}`);
    this.name = 'GitCommandError';
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export type GitRunOptions = {
  /** The repository's git directory (bare repository folder). */
  gitDir?: string;
  /** The work tree, when the command needs one. */
  workTree?: string;
  /** Extra environment, e.g. author or index file. */
  env?: Record<string, string>;
  /** The working directory, for commands that take paths. */
  cwd?: string;
  /** Data written to the command's standard input. */
  input?: string | Buffer;
};

/**
 * Runs the machine's `git` with a minimal environment: no system or global
 * configuration (no hooks, signing or credential helpers from the host), no
 * prompts, and no GIT_* variables inherited from the backend's environment.
 */
export function runGit(args: string[], options: GitRunOptions = {}) {
  const fullArgs = [
    ...(options.gitDir ? ['--git-dir', options.gitDir] : []),
    ...(options.workTree ? ['--work-tree', options.workTree] : []),
    ...args,
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: devNull,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: '0',
    ...options.env,
  };
  return new Promise<Buffer>((resolve, reject) => {
    const child = execFile(
      'git',
      fullArgs,
      {
        cwd: options.cwd,
        env,
        encoding: 'buffer',
        maxBuffer: MAX_GIT_OUTPUT_BYTES,
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: number | string }).code;
          reject(new GitCommandError(args, stderr.toString('utf8'), code));
        } else {
          resolve(stdout);
        }
      },
    );
    // Commands that read standard input get `input`, or an immediate end.
    child.stdin?.end(options.input);
  });
}
