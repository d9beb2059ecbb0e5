import { InputError } from '@backstage/errors';

/**
 * Repository names: lowercase letters, digits, dots, dashes and underscores,
 * starting with a letter or digit. A name is one path segment on disk and in
 * URLs, so nothing in it can climb out of the repositories folder.
 */
const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * Refs accepted in URLs and as branch names: one path segment, so a URL splits
 * unambiguously into ref and file path. Commit hashes match too.
 */
const REF_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Why `name` is not a valid repository name, or undefined when it is. */
export function repositoryNameProblem(name: string): string | undefined {
  if (!REPOSITORY_NAME.test(name)) {
    return `'${name}' is not a valid repository name: use 1 to 100 lowercase letters, digits, '.', '-' or '_', starting with a letter or digit`;
  }
  if (name.includes('..')) {
    return `'${name}' is not a valid repository name: it must not contain '..'`;
  }
  if (name.endsWith('.git')) {
    return `'${name}' is not a valid repository name: leave out the '.git' suffix`;
  }
  return undefined;
}

export function assertRepositoryName(name: string): void {
  const problem = repositoryNameProblem(name);
  if (problem) {
    throw new InputError(problem);
  }
}

export function isValidRef(ref: string): boolean {
  return REF_NAME.test(ref) && !ref.includes('..') && !ref.endsWith('.lock');
}

export function assertBranchName(branch: string): void {
  if (!isValidRef(branch) || branch === 'HEAD') {
    throw new InputError(
      `'${branch}' is not a valid branch name: use letters, digits, '.', '-' or '_', starting with a letter or digit`,
    );
  }
}

/**
 * Normalizes a file path inside a repository: no leading slash, no empty,
 * `.` or `..` segments, no control characters. Returns '' for the root and
 * undefined when the path is not acceptable.
 */
export function normalizeRepositoryPath(path: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (path.length > 4096 || /[\u0000-\u001f\u007f\\]/.test(path)) {
    return undefined;
  }
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') {
    return '';
  }
  const segments = trimmed.split('/');
  if (segments.some(s => s === '' || s === '.' || s === '..')) {
    return undefined;
  }
  return segments.join('/');
}
