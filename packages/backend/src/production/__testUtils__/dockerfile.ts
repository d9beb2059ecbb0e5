/*
 * Reads packages/backend/Dockerfile and the root .dockerignore, so the tests can run exactly the
 * command the image runs and check that everything the image copies reaches Docker.
 */

export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** Instructions in order, with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith('#') || (!pending && line === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    if (!full) continue;
    const [keyword, ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }
  return instructions;
}

/** The image's command: the last CMD, which must use the exec (JSON array) form. */
export function imageCommand(instructions: DockerInstruction[]): string[] {
  const cmd = instructions.filter(i => i.keyword === 'CMD').pop();
  if (!cmd) throw new Error('the Dockerfile has no CMD');
  const parsed = JSON.parse(cmd.args);
  if (!Array.isArray(parsed) || parsed.some(p => typeof p !== 'string')) {
    throw new Error(`CMD must be a JSON array of strings, got ${cmd.args}`);
  }
  return parsed;
}

/** The base image of every stage, in order (`FROM image [AS name]`). */
export function baseImages(instructions: DockerInstruction[]): string[] {
  return instructions
    .filter(i => i.keyword === 'FROM')
    .map(i => i.args.split(/\s+/)[0]);
}

/** Paths that COPY instructions take from the build context (not from another stage). */
export function contextCopySources(instructions: DockerInstruction[]) {
  const sources: string[] = [];
  for (const { keyword, args } of instructions) {
    if (keyword !== 'COPY') continue;
    const words = args.split(/\s+/);
    if (words.some(w => w.startsWith('--from='))) continue;
    const operands = words.filter(w => !w.startsWith('--'));
    sources.push(...operands.slice(0, -1).map(s => s.replace(/\/+$/, '')));
  }
  return sources;
}

/** The last value of an ENV key, for the `ENV KEY=value` form. */
export function envValue(
  instructions: DockerInstruction[],
  key: string,
): string | undefined {
  let value: string | undefined;
  for (const { keyword, args } of instructions) {
    if (keyword !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const [k, ...v] = pair.split('=');
      if (k === key) value = v.join('=');
    }
  }
  return value;
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether .dockerignore keeps `path` (relative to the context root) out of the build context:
 * a pattern excludes a path when it matches the path or one of its parent folders, `!` patterns
 * bring paths back, and the last matching pattern decides.
 */
export function isExcludedFromContext(
  path: string,
  dockerignore: string,
): boolean {
  const candidates = path
    .split('/')
    .map((_, index, parts) => parts.slice(0, index + 1).join('/'));
  let excluded = false;
  for (const rawLine of dockerignore.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line)
      .trim()
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
    const regExp = globToRegExp(pattern);
    if (candidates.some(candidate => regExp.test(candidate))) {
      excluded = !negated;
    }
  }
  return excluded;
}
