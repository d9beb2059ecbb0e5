import {
  isValidRef,
  normalizeRepositoryPath,
  repositoryNameProblem,
} from './repositories/names';

/** A file or folder of a local repository, as named by a URL. */
export type LocalGitLocation = {
  repository: string;
  ref: string;
  /** Path inside the repository; '' for its root. */
  path: string;
};

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * The URLs of the local repositories, all below the local-git plugin's base
 * URL:
 *
 * - `<base>/<repository>/raw/<ref>/<path>`: a file, or a folder's listing
 * - `<base>/<repository>.git`: the clone URL
 */
export class LocalGitUrls {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  cloneUrl(repository: string): string {
    return `${this.baseUrl}/${repository}.git`;
  }

  /** The URL of a folder (trailing slash) or file at a ref. */
  rawUrl(repository: string, ref: string, path = ''): string {
    return `${this.baseUrl}/${repository}/raw/${ref}/${encodePath(path)}`;
  }

  /** Whether `url` lies below the base URL. */
  contains(url: URL): boolean {
    return `${url.origin}${url.pathname}`.startsWith(`${this.baseUrl}/`);
  }

  /** The location a raw URL names, or undefined for anything else. */
  parse(url: string): LocalGitLocation | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (!this.contains(parsed)) {
      return undefined;
    }
    const rest = `${parsed.origin}${parsed.pathname}`.slice(
      this.baseUrl.length + 1,
    );
    return parseRawPath(rest);
  }
}

/**
 * Parses `<repository>/raw/<ref>/<path>` (percent-encoded segments), as
 * found after the base URL. Undefined when any part is not acceptable.
 */
export function parseRawPath(rawPath: string): LocalGitLocation | undefined {
  let segments: string[];
  try {
    segments = rawPath.split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [repository, kind, ref, ...pathSegments] = segments;
  if (
    repository === undefined ||
    repositoryNameProblem(repository) ||
    kind !== 'raw' ||
    ref === undefined ||
    !isValidRef(ref) ||
    // An encoded slash would name a different path than it shows.
    pathSegments.some(s => s.includes('/'))
  ) {
    return undefined;
  }
  const path = normalizeRepositoryPath(pathSegments.join('/'));
  if (path === undefined) {
    return undefined;
  }
  return { repository, ref, path };
}
