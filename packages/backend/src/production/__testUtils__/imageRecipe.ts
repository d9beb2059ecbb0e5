/*
 * The steps of packages/backend/Dockerfile, run on this machine without Docker: build the
 * backend bundle on the host, then lay out an "image" folder the way the Dockerfile lays out
 * /app, and install production dependencies into it with the repository's yarn release.
 *
 * Like Docker's layer cache, finished work is reused while its inputs are unchanged: the
 * dependency layer (named by a hash of the yarn files, lockfile and skeleton) is installed once,
 * and each bundle gets an image folder made of hard links to that layer plus the unpacked bundle.
 * A change to source code alone therefore costs a build and an unpack, not an install.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  cp,
  mkdir,
  readFile,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import { withFileLock } from './fileLock';

export const repoRoot = resolvePath(__dirname, '../../../../..');
export const dockerfilePath = join(repoRoot, 'packages/backend/Dockerfile');
export const dockerignorePath = join(repoRoot, '.dockerignore');

const skeletonPath = join(repoRoot, 'packages/backend/dist/skeleton.tar.gz');
const bundlePath = join(repoRoot, 'packages/backend/dist/bundle.tar.gz');

/** The OpenTelemetry preload; the Dockerfile copies it to /app, where the CMD requires it. */
export const instrumentationFile = 'packages/backend/src/instrumentation.js';

/** Files the Dockerfile copies from the repository, in the order it needs them. */
export const yarnFiles = [
  '.yarn/releases',
  '.yarn/patches',
  '.yarnrc.yml',
  'backstage.json',
];
export const dependencyFiles = [
  'yarn.lock',
  'package.json',
  'packages/backend/dist/skeleton.tar.gz',
];
export const bundleFiles = [
  'packages/backend/dist/bundle.tar.gz',
  'app-config.yaml',
  'app-config.production.yaml',
  instrumentationFile,
];
export const imageFiles = [...yarnFiles, ...dependencyFiles, ...bundleFiles];

/** Bump when the steps below change, so cached folders from older steps are not reused. */
const RECIPE_VERSION = '4';
const cacheRoot = join(tmpdir(), 'portico-production-image');
const UNUSED_IMAGE_MAX_AGE_MS = 60 * 60_000;

/** Runs a command, failing with the end of its output. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (exit ${code}) in ${
        options.cwd
      }:\n${output}`,
    );
  }
}

async function yarnRelease(): Promise<string> {
  const yarnrc = await readFile(join(repoRoot, '.yarnrc.yml'), 'utf8');
  const match = yarnrc.match(/^yarnPath:\s*(\S+)\s*$/m);
  if (!match) throw new Error('.yarnrc.yml has no yarnPath');
  return match[1];
}

/** A folder with a `yarn` command for the repository's release, for tools that call `yarn`. */
async function yarnShimDir(): Promise<string> {
  const dir = join(cacheRoot, 'bin');
  await mkdir(dir, { recursive: true });
  const release = join(repoRoot, await yarnRelease());
  await writeFile(
    join(dir, 'yarn'),
    `#!/bin/sh\nexec "${process.execPath}" "${release}" "$@"\n`,
    { mode: 0o755 },
  );
  return dir;
}

/**
 * The Node the tests run on, with its headers when they ship beside it (the project's Node from
 * the npm registry does): native addons must build for this Node, and node-gyp must not try to
 * download headers.
 */
function nodeEnv(): NodeJS.ProcessEnv {
  const nodeRoot = resolvePath(dirname(process.execPath), '..');
  const hasHeaders = existsSync(join(nodeRoot, 'include/node/node.h'));
  return {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    ...(hasHeaders
      ? { npm_config_nodedir: nodeRoot }
      : { npm_config_nodedir: process.env.npm_config_nodedir }),
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Test code never reaches the bundle, so editing it does not make the bundle stale. */
function isBundleInput(path: string): boolean {
  const rel = relative(repoRoot, path);
  return !(
    /\.test\.[cm]?[jt]sx?$/.test(rel) ||
    /(^|\/)(__fixtures__|__testUtils__)(\/|$)/.test(rel) ||
    rel.startsWith('packages/backend/src/production/')
  );
}

/** Whether dist/ is missing or older than a source, manifest or lockfile the bundle is built from. */
async function bundleIsStale(): Promise<boolean> {
  if (!existsSync(skeletonPath) || !existsSync(bundlePath)) return true;
  const builtAt = Math.min(
    (await stat(skeletonPath)).mtimeMs,
    (await stat(bundlePath)).mtimeMs,
  );
  const { stdout } = await promisify(execFile)('tar', ['tzf', skeletonPath]);
  const workspaces = new Set(
    stdout
      .split('\n')
      .filter(line => line.endsWith('package.json'))
      .map(line => dirname(line)),
  );
  workspaces.add('packages/backend');
  workspaces.add('packages/app');
  const inputs = [join(repoRoot, 'yarn.lock'), join(repoRoot, 'package.json')];
  for (const workspace of workspaces) {
    const dir = join(repoRoot, workspace);
    inputs.push(join(dir, 'package.json'), join(dir, 'config.d.ts'));
    inputs.push(...(await listFiles(join(dir, 'src'))));
    inputs.push(...(await listFiles(join(dir, 'public'))));
  }
  for (const input of inputs.filter(isBundleInput)) {
    const info = await stat(input).catch(() => undefined);
    if (info && info.mtimeMs > builtAt) return true;
  }
  return false;
}

/**
 * The mark of a complete production build of the app from its current sources, which
 * scripts/build-app-if-changed.sh (`./portal start`, the browser tests) checks before building.
 */
const appBuildStamp = join(repoRoot, 'packages/app/dist/.built-from-sources');

/**
 * `yarn build:backend` on the host, unless dist/ is newer than everything it is built from.
 * The backend build also builds the app, whose static files go into the bundle; that build is
 * marked complete, so that the browser tests serve it instead of building it again.
 */
async function ensureBackendBundle(): Promise<void> {
  if (!(await bundleIsStale())) return;
  const startedAt = new Date();
  await run(
    process.execPath,
    [join(repoRoot, await yarnRelease()), 'workspace', 'backend', 'build'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...nodeEnv(),
        PATH: `${await yarnShimDir()}:${nodeEnv().PATH}`,
        NODE_ENV: 'production',
      },
    },
  );
  // Stamped with the build's start, so a source edited during the build still counts as newer.
  await writeFile(appBuildStamp, '');
  await utimes(appBuildStamp, startedAt, startedAt);
}

async function hashFiles(seed: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${RECIPE_VERSION}\0${process.version}\0${seed}\0`);
  for (const file of files) {
    const path = join(repoRoot, file);
    const paths = (await stat(path)).isDirectory()
      ? (await listFiles(path)).sort()
      : [path];
    for (const p of paths) {
      hash.update(`${relative(repoRoot, p)}\0`);
      hash.update(await readFile(p));
    }
  }
  return hash.digest('hex').slice(0, 20);
}

/** Copies a file or folder from the repository into the image folder, at the same path. */
async function copyIn(imageDir: string, file: string) {
  await mkdir(dirname(join(imageDir, file)), { recursive: true });
  await cp(join(repoRoot, file), join(imageDir, file), { recursive: true });
}

/**
 * How the Dockerfile unpacks the bundle: as root, into a folder that must stay readable by the
 * user that runs the backend, although the archive's root entry has mode 0700.
 */
export const bundleTarFlags = ['--no-same-owner', '--no-overwrite-dir'];

async function untar(imageDir: string, file: string, flags: string[] = []) {
  // GNU tar replaces an existing file by a new one (unlink first), so files hard-linked from
  // the dependency layer are never written through.
  await run('tar', ['xzf', join(repoRoot, file), ...flags], {
    cwd: imageDir,
    env: process.env,
  });
}

/** The Dockerfile's `dependencies` stage: yarn, the skeleton, and the production install. */
async function buildDependencyLayer(dir: string) {
  await mkdir(dir, { recursive: true });
  for (const file of [...yarnFiles, 'yarn.lock', 'package.json']) {
    await copyIn(dir, file);
  }
  await untar(dir, 'packages/backend/dist/skeleton.tar.gz');

  // yarn workspaces focus --all --production, as in the image: no CI (which would make yarn
  // refuse to touch the lockfile), NODE_ENV=production, and yarn's warm global cache in HOME.
  // Build scripts are off: the packages that have them are taken built from the repository's
  // own install below, for this same Node and machine, instead of compiled again (SQLite alone
  // takes two minutes of CPU).
  await run(
    process.execPath,
    [
      join(dir, await yarnRelease()),
      'workspaces',
      'focus',
      '--all',
      '--production',
    ],
    {
      cwd: dir,
      env: {
        HOME: process.env.HOME,
        ...nodeEnv(),
        NODE_ENV: 'production',
        YARN_ENABLE_PROGRESS_BARS: '0',
        YARN_ENABLE_TELEMETRY: '0',
        YARN_ENABLE_SCRIPTS: '0',
      },
    },
  );
  await rm(join(dir, '.yarn/install-state.gz'), { force: true });
  await takeBuiltPackagesFromRepository(dir);
}

/** Every package folder below `nodeModules`, nested node_modules included. */
async function packageFolders(nodeModules: string): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await readdir(nodeModules, { withFileTypes: true }).catch(
    () => [],
  )) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(nodeModules, entry.name);
    const candidates = entry.name.startsWith('@')
      ? (await readdir(path)).map(name => join(path, name))
      : [path];
    for (const folder of candidates) {
      if (!existsSync(join(folder, 'package.json'))) continue;
      folders.push(
        folder,
        ...(await packageFolders(join(folder, 'node_modules'))),
      );
    }
  }
  return folders;
}

const BUILD_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/**
 * Replaces each package of the layer that has a build step (a native addon, a postinstall) by the
 * same version from the repository's install, where it is built; fails when the repository has
 * no such package at the same place, rather than ship it unbuilt.
 */
async function takeBuiltPackagesFromRepository(dir: string) {
  for (const folder of await packageFolders(join(dir, 'node_modules'))) {
    const manifest = JSON.parse(
      await readFile(join(folder, 'package.json'), 'utf8'),
    );
    const hasBuildStep =
      BUILD_SCRIPTS.some(script => manifest.scripts?.[script]) ||
      existsSync(join(folder, 'binding.gyp'));
    if (!hasBuildStep) continue;
    const built = join(repoRoot, relative(dir, folder));
    const builtManifest = await readFile(join(built, 'package.json'), 'utf8')
      .then(text => JSON.parse(text))
      .catch(() => undefined);
    if (
      builtManifest?.name !== manifest.name ||
      builtManifest?.version !== manifest.version
    ) {
      throw new Error(
        `${manifest.name}@${
          manifest.version
        } has a build step, and the repository's install has no built copy of it at ${relative(
          dir,
          folder,
        )}`,
      );
    }
    // The package's own files; its nested node_modules are the layer's own install. A copy, not
    // links: nothing the image's tests do may reach the repository's install.
    for (const name of await readdir(folder)) {
      if (name !== 'node_modules') {
        await rm(join(folder, name), { recursive: true, force: true });
      }
    }
    for (const name of await readdir(built)) {
      if (name !== 'node_modules') {
        await cp(join(built, name), join(folder, name), { recursive: true });
      }
    }
  }
}

/** The final stage: the dependency layer, the bundle, the app-config files and the preload. */
async function buildImage(dependencyLayer: string, dir: string) {
  await run('cp', ['-al', dependencyLayer, dir], {
    cwd: cacheRoot,
    env: process.env,
  });
  await untar(dir, 'packages/backend/dist/bundle.tar.gz', bundleTarFlags);
  await copyIn(dir, 'app-config.yaml');
  await copyIn(dir, 'app-config.production.yaml');
  await cp(
    join(repoRoot, instrumentationFile),
    join(dir, 'instrumentation.js'),
  );
}

/**
 * Returns `dir`, built by `build` unless an earlier call finished it. A marker beside the folder
 * (so the folder itself stays untouched) says it is complete; its time records the last use.
 */
async function cachedFolder(
  dir: string,
  build: (dir: string) => Promise<void>,
): Promise<string> {
  const marker = `${dir}.ready`;
  if (!existsSync(marker)) {
    await rm(dir, { recursive: true, force: true });
    await build(dir);
    await writeFile(marker, new Date().toISOString());
  }
  const now = new Date();
  await utimes(marker, now, now);
  return dir;
}

/** Removes cached folders (and their markers) that no test has used for a while. */
async function pruneUnused(keep: string[]) {
  for (const name of await readdir(cacheRoot)) {
    const dir = join(cacheRoot, name);
    if (!/^(deps|image)-[0-9a-f]+$/.test(name) || keep.includes(dir)) continue;
    const lastUsed =
      (await stat(`${dir}.ready`).catch(() => undefined))?.mtimeMs ?? 0;
    if (Date.now() - lastUsed > UNUSED_IMAGE_MAX_AGE_MS) {
      await rm(dir, { recursive: true, force: true });
      await rm(`${dir}.ready`, { force: true });
    }
  }
}

/**
 * Returns a folder laid out like the image's /app for the current sources: built, unpacked and
 * installed. Safe to call from parallel test files.
 */
export async function prepareImage(): Promise<string> {
  await mkdir(cacheRoot, { recursive: true });
  return withFileLock(join(cacheRoot, 'lock'), async () => {
    await ensureBackendBundle();
    const depsKey = await hashFiles('', [...yarnFiles, ...dependencyFiles]);
    const dependencyLayer = await cachedFolder(
      join(cacheRoot, `deps-${depsKey}`),
      buildDependencyLayer,
    );
    const imageKey = await hashFiles(depsKey, bundleFiles);
    const imageDir = await cachedFolder(
      join(cacheRoot, `image-${imageKey}`),
      dir => buildImage(dependencyLayer, dir),
    );
    await pruneUnused([dependencyLayer, imageDir]);
    return imageDir;
  });
}
