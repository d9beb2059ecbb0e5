/*
 * Portico side by side with a stock Backstage backend of the same release.
 *
 *   yarn bench stock-compare [--entities 10000] [--ingestion-pairs 2] [--readiness-pairs 3]
 *                            [--rounds 3] [--repetitions 20] [--paging-repetitions 3]
 *                            [--idle 20] [--stock-dir folder] [--create-app-version 0.9.2]
 *                            [--profile folder] [--profile-requests 400]
 *                            [--startup-profile folder] [--maintenance analyze,vacuum]
 *
 * A script, not a test: the test suite never runs it. It
 *  1. builds a stock `@backstage/create-app` tree of the repository's Backstage release outside
 *     the repository (--stock-dir, by default a folder under the system's temporary folder named
 *     after the create-app version, reused by later runs), with the registry pins of the
 *     toolchain notes in its root `resolutions`, then `yarn install` and `yarn build:backend`,
 *     and lays out its backend bundle the way its Dockerfile does;
 *  2. builds Portico's production image folder (as the image tests do);
 *  3. starts each production backend (NODE_ENV=production) on PostgreSQL (LOAD_TEST_POSTGRES_URL,
 *     default postgresql://postgres@127.0.0.1:5432) under its own fresh database prefix, on a
 *     free loopback port, with the same generated catalog file (--entities Components) and the
 *     demo organization as file locations; stock with its guest provider allowed in production
 *     and its example locations replaced, Portico with the owner-of policy on. The catalog's
 *     processing interval and the search collators' schedules are pushed beyond the run on both,
 *     so that background work does not compete with the measured requests;
 *  4. measures, always one backend then the other with the order alternating:
 *     - ingestion: spawn on an empty database to every Component listed (stitched), one backend
 *       at a time, --ingestion-pairs pairs, then the backend's RSS after --idle seconds;
 *     - readiness: spawn on the ingested database to /.backstage/health/v1/readiness 200,
 *       --readiness-pairs pairs; with --startup-profile, one more start each under
 *       `node --cpu-prof`, its self time until ready summed by package;
 *     - latency of catalog reads, after each --maintenance step on both catalog databases
 *       (ANALYZE, then VACUUM (ANALYZE), by default) and a warm-up: the median of --repetitions
 *       requests per round, --rounds rounds, as Portico's member (Bob), Portico's admin (Alice,
 *       through permission.adminRefs) and stock's guest;
 *     - the size of a full entity in a response;
 *  5. prints a table with the ratios, the load average before and after each phase, and exits 1
 *     when a check fails (e.g. the two catalogs do not hold the same Components).
 *
 * Results and method: docs/stock-comparison.md.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import knexFactory from 'knex';
import { CpuProfiler } from './cpuProfiler';
import { requestCostByStage } from './requestCost';
import { staticAccessToken } from '../src/production/__testUtils__/imageBackend';
import {
  entityCount as countEntities,
  getCatalogJson as getJson,
  quietCatalog,
  quietSchedule,
  rssMiB,
  startPorticoImage,
} from './porticoImageBench';
import {
  prepareImage,
  repoRoot,
} from '../src/production/__testUtils__/imageRecipe';
import {
  compareStartupCost,
  databaseUrl,
  DEFAULT_BENCH_POSTGRES_URL,
  dropBenchDatabases,
  formatRatio,
  freePort,
  GeneratedComponent,
  harborlineTeams,
  median,
  parseBenchArgs,
  readStartupProfile,
  signInThroughIdp,
  startDevIdpProcess,
  startupCostByPackage,
  writeGeneratedCatalog,
} from '@portico/test-utils';

// ---------------------------------------------------------------- options

const backstageVersion: string = JSON.parse(
  readFileSync(join(repoRoot, 'backstage.json'), 'utf8'),
).version;

const args = parseBenchArgs({
  usage: 'yarn bench stock-compare',
  description: `Portico's production image side by side with a stock create-app backend of Backstage ${backstageVersion}, both on PostgreSQL (LOAD_TEST_POSTGRES_URL): ingestion, readiness, memory and catalog read latency. Results and method: docs/stock-comparison.md.`,
  options: {
    entities: {
      type: 'integer',
      default: 10_000,
      description: 'Generated components, besides the demo organization',
    },
    'ingestion-pairs': {
      type: 'integer',
      default: 2,
      description: 'Ingestions on an empty database, per backend',
    },
    'readiness-pairs': {
      type: 'integer',
      default: 3,
      description: 'Restarts on the ingested database, per backend',
    },
    rounds: {
      type: 'integer',
      default: 3,
      description: 'Rounds of latency measurements',
    },
    repetitions: {
      type: 'integer',
      default: 20,
      description: 'Requests per operation, backend and round',
    },
    'paging-repetitions': {
      type: 'integer',
      default: 3,
      description: 'Full pagings of all components per backend and round',
    },
    idle: {
      type: 'integer',
      default: 20,
      description: 'Seconds of idle after ingestion before the RSS is read',
    },
    // A CPU profile of Portico per reader and read, taken after the latency rounds (so it does
    // not slow what they measure), and each request's time split into the stages it passes
    // through (scripts/requestCost.ts).
    profile: {
      type: 'string',
      description:
        'A folder for CPU profiles of Portico serving each read, with the time per stage',
    },
    // One more restart of each backend under `node --cpu-prof`, after the measured ones, and the
    // self time until ready summed by package, side by side (startupCost in @portico/test-utils).
    'startup-profile': {
      type: 'string',
      description:
        "A folder for CPU profiles of each backend's start, with the time per package until ready",
    },
    'profile-requests': {
      type: 'integer',
      default: 400,
      description: 'Requests per profiled read',
    },
    'create-app-version': {
      type: 'string',
      // The create-app release whose template is Backstage 1.55.0 (its backstage.json).
      default: '0.9.2',
      description: '@backstage/create-app version of the stock tree',
    },
    'stock-dir': {
      type: 'string',
      description:
        'Folder of the stock tree, kept for later runs (default: <tmp>/portico-stock-create-app-<version>)',
    },
    // What is done to both catalog databases before the latency rounds, one set of rounds after
    // each in this order. `analyze` refreshes the planner statistics only, as on a server without
    // autovacuum (this machine's); `vacuum` is VACUUM (ANALYZE), which also sets the visibility
    // map that index-only scans read, as autovacuum does after a bulk insert on a default server.
    maintenance: {
      type: 'list',
      default: ['analyze', 'vacuum'],
      description:
        'analyze and/or vacuum: the catalog databases before each set of latency rounds',
    },
  },
});

const entityCount = args.entities;
const ingestionPairs = args['ingestion-pairs'];
const readinessPairs = args['readiness-pairs'];
const rounds = args.rounds;
const repetitions = args.repetitions;
const pagingRepetitions = args['paging-repetitions'];
const idleSeconds = args.idle;
const createAppVersion = args['create-app-version'];
const profileDir = args.profile ?? '';
const profileRequests = args['profile-requests'];
const startupProfileDir = args['startup-profile'] ?? '';
const MAINTENANCE_STATEMENTS: Record<string, string> = {
  analyze: 'analyze',
  vacuum: 'vacuum (analyze)',
};
const maintenanceSteps = args.maintenance;
for (const step of maintenanceSteps) {
  if (!MAINTENANCE_STATEMENTS[step]) {
    throw new Error(
      `--maintenance: '${step}' is not one of ${Object.keys(
        MAINTENANCE_STATEMENTS,
      ).join(', ')}`,
    );
  }
}
const stockDir =
  args['stock-dir'] ??
  join(os.tmpdir(), `portico-stock-create-app-${createAppVersion}`);
const postgresUrl =
  process.env.LOAD_TEST_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;

/** The registry pins of /work/shared/TOOLCHAIN.md: without them the stock tree does not install or start here. */
const STOCK_RESOLUTIONS: Record<string, string> = {
  '@swc/core': '1.16.18',
  'unrs-resolver': '1.12.2',
  rollup: '4.67.4',
  '@yarnpkg/core': '4.9.1',
  '@backstage/plugin-signals-backend': '0.3.19',
};

const sessionSecret = randomBytes(24).toString('hex');
/** A member without admin rights, and one of BENCH_ADMIN_GROUP's members, an admin. */
const MEMBER = 'bob';
const ADMIN = 'alice';

const log = (message: string) =>
  process.stdout.write(`[stock-compare] ${message}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const loadavg = () =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---------------------------------------------------------------- processes

/** Runs a command with its output shown, failing on a non-zero exit. */
async function runShown(
  command: string,
  commandArgs: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
) {
  log(`$ ${command} ${commandArgs.join(' ')}   (in ${options.cwd})`);
  const child = spawn(command, commandArgs, {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  const show = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', line =>
      process.stdout.write(`    ${line}\n`),
    );
  show(child.stdout!);
  show(child.stderr!);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} exited with ${code}`);
  }
}

/**
 * The environment without what `yarn bench` sets for this repository's yarn (npm_*, YARN_*,
 * BERRY_*, the project folders), so that the stock tree's own yarn release runs as if started
 * from a shell there.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|YARN_|BERRY_)/i.test(name)) continue;
    if (['INIT_CWD', 'PROJECT_CWD', 'NODE_OPTIONS'].includes(name)) continue;
    env[name] = value;
  }
  // The stock tree's native addons build against this Node's headers (TOOLCHAIN.md).
  env.npm_config_nodedir = dirname(dirname(process.execPath));
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  return env;
}

// ---------------------------------------------------------------- the stock tree

const stockImageDir = join(stockDir, 'image');
const stockReadyMarker = join(stockDir, '.portico-stock-ready.json');

/**
 * The stock tree, built once: create-app's template, the pins, install and the backend build.
 * The built backend is then laid out as its Dockerfile does (bundle unpacked beside the
 * app-config files, in `image/`), resolving its dependencies from the tree's node_modules.
 */
async function ensureStockTree(): Promise<void> {
  const wanted = JSON.stringify({
    createAppVersion,
    resolutions: STOCK_RESOLUTIONS,
  });
  if (
    existsSync(stockReadyMarker) &&
    readFileSync(stockReadyMarker, 'utf8') === wanted
  ) {
    log(`reusing the stock tree in ${stockDir}`);
    return;
  }
  if (!relative(repoRoot, stockDir).startsWith('..')) {
    throw new Error(`--stock-dir must be outside the repository: ${stockDir}`);
  }
  log(
    `building a stock @backstage/create-app@${createAppVersion} tree in ${stockDir}; this takes several minutes`,
  );
  if (!existsSync(join(stockDir, 'package.json'))) {
    rmSync(stockDir, { recursive: true, force: true });
    mkdirSync(dirname(stockDir), { recursive: true });
    // create-app asks for the app's name on stdin.
    await runShown(
      'npx',
      [
        '--yes',
        `@backstage/create-app@${createAppVersion}`,
        '--skip-install',
        '--path',
        stockDir,
      ],
      { cwd: dirname(stockDir), input: 'stock\n' },
    );
  }
  const template = JSON.parse(
    readFileSync(join(stockDir, 'backstage.json'), 'utf8'),
  ).version;
  if (template !== backstageVersion) {
    throw new Error(
      `create-app ${createAppVersion} makes Backstage ${template}, the repository is on ${backstageVersion}`,
    );
  }
  const packageJsonPath = join(stockDir, 'package.json');
  const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  packageJson.resolutions = {
    ...packageJson.resolutions,
    ...STOCK_RESOLUTIONS,
  };
  writeFileSync(packageJsonPath, `${JSON.stringify(packageJson, null, 2)}\n`);
  await runShown('yarn', ['install'], { cwd: stockDir });
  await runShown('yarn', ['build:backend'], { cwd: stockDir });
  rmSync(stockImageDir, { recursive: true, force: true });
  mkdirSync(stockImageDir);
  await runShown(
    'tar',
    ['xzf', join(stockDir, 'packages/backend/dist/bundle.tar.gz')],
    { cwd: stockImageDir },
  );
  // As the image's production install links the workspaces: the backend finds the bundled app
  // (app-backend serves it) here, everything else in the tree's node_modules above.
  mkdirSync(join(stockImageDir, 'node_modules'));
  for (const workspace of ['app', 'backend']) {
    symlinkSync(
      join('..', 'packages', workspace),
      join(stockImageDir, 'node_modules', workspace),
    );
  }
  for (const file of ['app-config.yaml', 'app-config.production.yaml']) {
    copyFileSync(join(stockDir, file), join(stockImageDir, file));
  }
  writeFileSync(stockReadyMarker, wanted);
  log('stock tree ready');
}

/** The versions of every `@backstage` package a yarn lockfile resolves. */
function backstageVersions(lockfile: string): Map<string, string[]> {
  const versions = new Map<string, Set<string>>();
  let name: string | undefined;
  for (const line of readFileSync(lockfile, 'utf8').split('\n')) {
    if (!line.startsWith(' ')) {
      name = /^"?(@backstage\/[^@"]+)@/.exec(line)?.[1];
    } else if (name && line.startsWith('  version: ')) {
      const set = versions.get(name) ?? new Set();
      set.add(line.slice('  version: '.length).trim());
      versions.set(name, set);
      name = undefined;
    }
  }
  return new Map([...versions].map(([n, v]) => [n, [...v].sort()]));
}

/** Which `@backstage` packages the two trees resolve differently, before anything is measured. */
function logVersionDifferences() {
  const stock = backstageVersions(join(stockDir, 'yarn.lock'));
  const portico = backstageVersions(join(repoRoot, 'yarn.lock'));
  const differences: string[] = [];
  for (const name of [...stock.keys()].sort()) {
    const ours = portico.get(name);
    if (ours && ours.join() !== stock.get(name)!.join()) {
      differences.push(
        `${name}: stock ${stock.get(name)!.join(', ')}, Portico ${ours.join(
          ', ',
        )}`,
      );
    }
  }
  const shared = [...stock.keys()].filter(n => portico.has(n)).length;
  log(
    `@backstage packages in both trees: ${shared}, resolved differently: ${differences.length}`,
  );
  for (const difference of differences) log(`  ${difference}`);
}

// ---------------------------------------------------------------- backends

interface Running {
  baseUrl: string;
  pid: number | undefined;
  stop(): Promise<unknown>;
  /** Milliseconds from spawn to readiness 200. */
  readyMs: number;
}

interface Contender {
  label: 'stock' | 'portico';
  port: number;
  start(prefix: string, nodeOptions?: string[]): Promise<Running>;
}

function stockContender(
  port: number,
  catalogFile: string,
  orgFile: string,
  access: { config: object },
  quiet: object,
): Contender {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    label: 'stock',
    port,
    async start(prefix, nodeOptions) {
      const tmp = mkdtempSync(join(os.tmpdir(), 'portico-stock-run-'));
      const configFile = join(tmp, 'app-config.bench.yaml');
      // JSON is YAML.
      writeFileSync(
        configFile,
        JSON.stringify({
          app: { baseUrl },
          backend: {
            baseUrl,
            listen: `127.0.0.1:${port}`,
            database: { prefix },
            auth: { externalAccess: [access.config] },
          },
          auth: {
            providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
          },
          catalog: {
            locations: [
              {
                type: 'file',
                target: orgFile,
                rules: [{ allow: ['User', 'Group'] }],
              },
              { type: 'file', target: catalogFile },
            ],
            ...quiet,
          },
          search: {
            collators: {
              catalog: { schedule: quietSchedule },
              techdocs: { schedule: quietSchedule },
            },
          },
        }),
      );
      const url = new URL(postgresUrl);
      const started = performance.now();
      const child: ChildProcess = spawn(
        process.execPath,
        [
          ...(nodeOptions ?? []),
          'packages/backend',
          '--config',
          'app-config.yaml',
          '--config',
          'app-config.production.yaml',
          '--config',
          configFile,
        ],
        {
          cwd: stockImageDir,
          env: {
            PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
            HOME: tmp,
            TMPDIR: tmp,
            NODE_ENV: 'production',
            POSTGRES_HOST: url.hostname,
            POSTGRES_PORT: url.port || '5432',
            POSTGRES_USER: decodeURIComponent(url.username) || 'postgres',
            POSTGRES_PASSWORD:
              decodeURIComponent(url.password) || 'unused-with-trust',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const lines: string[] = [];
      const keep = (l: string) => {
        lines.push(l);
        if (lines.length > 60) lines.shift();
      };
      createInterface({ input: child.stdout! }).on('line', keep);
      createInterface({ input: child.stderr! }).on('line', keep);
      const exited = new Promise(resolve => child.once('exit', resolve));
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(tmp, { recursive: true, force: true });
      };
      // Polled as startImageBackend polls Portico, every 250 ms.
      const deadline = Date.now() + 300_000;
      for (;;) {
        const status = await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
          .then(r => r.status)
          .catch(() => 0);
        if (status === 200) break;
        if (child.exitCode !== null || Date.now() > deadline) {
          await stop();
          throw new Error(
            `the stock backend did not become ready (exit code ${
              child.exitCode
            }):\n${lines.join('\n')}`,
          );
        }
        await sleep(250);
      }
      return {
        baseUrl,
        pid: child.pid,
        stop,
        readyMs: performance.now() - started,
      };
    },
  };
}

function porticoContender(
  port: number,
  imageDir: string,
  catalogFile: string,
  orgFile: string,
  access: { config: object },
  idp: { metadataUrl: string },
): Contender {
  return {
    label: 'portico',
    port,
    async start(prefix, nodeOptions) {
      const { backend, readyMs } = await startPorticoImage({
        imageDir,
        name: 'stock-compare',
        port,
        prefix,
        postgresUrl,
        catalogFile,
        orgFile,
        access,
        idp,
        sessionSecret,
        nodeOptions,
      });
      return {
        baseUrl: backend.baseUrl,
        pid: backend.pid,
        stop: () => backend.stop(),
        readyMs,
      };
    },
  };
}

// ---------------------------------------------------------------- requests

const componentCount = (baseUrl: string, token: string) =>
  countEntities(baseUrl, token, 'component');
const userCount = (baseUrl: string, token: string) =>
  countEntities(baseUrl, token, 'user');

/** A stock guest's token, as the sign-in page gets it. */
async function guestToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`guest sign-in: ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text).backstageIdentity.token;
}

// ---------------------------------------------------------------- main

async function main() {
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    cleanup().finally(() => process.exit(130));
  });
  try {
    return await run(cleanups);
  } finally {
    await cleanup();
  }
}

interface Phase {
  name: string;
  before: string;
  after: string;
}

async function run(cleanups: Array<() => Promise<unknown>>): Promise<boolean> {
  const failures: string[] = [];
  const phases: Phase[] = [];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const before = loadavg();
    log(`${name} (load average ${before})`);
    const result = await fn();
    phases.push({ name, before, after: loadavg() });
    return result;
  };
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(
      os.totalmem() /
      2 ** 30
    ).toFixed(1)} GiB, Node ${process.version}, load average ${loadavg()}`,
  );

  await phase('stock tree', ensureStockTree);
  logVersionDifferences();
  log("preparing Portico's production image folder");
  const imageDir = await phase('Portico image', () => prepareImage());

  const workDir = mkdtempSync(join(os.tmpdir(), 'portico-stock-compare-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  const catalogFile = join(workDir, 'generated-catalog.yaml');
  const components: GeneratedComponent[] = writeGeneratedCatalog(catalogFile, {
    count: entityCount,
    namePrefix: 'compare',
    owners: harborlineTeams,
  });
  const orgFile = join(repoRoot, 'demo-data/org.yaml');
  const orgUsers = (readFileSync(orgFile, 'utf8').match(/^kind: User$/gm) ?? [])
    .length;

  const runId = randomBytes(4).toString('hex');
  const prefixRoot = `portico_stockcmp_${runId}_`;
  cleanups.push(() => dropBenchDatabases(postgresUrl, prefixRoot));
  const pg = knexFactory({ client: 'pg', connection: postgresUrl });
  cleanups.push(() => pg.destroy());
  const postgresVersion = (await pg.raw('show server_version')).rows[0]
    .server_version;
  log(`PostgreSQL ${postgresVersion}, databases ${prefixRoot}*`);

  const access = staticAccessToken('stock-compare');
  const quiet = quietCatalog;
  const porticoPort = await freePort();
  const stockPort = await freePort();
  process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-stock-compare';
  process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
  const idp = await startDevIdpProcess(repoRoot, {
    productionStandIn: true,
    redirectUris: [
      `http://127.0.0.1:${porticoPort}/api/auth/oidc/handler/frame`,
    ],
  });
  cleanups.push(() => idp.stop());

  const stock = stockContender(stockPort, catalogFile, orgFile, access, quiet);
  const portico = porticoContender(
    porticoPort,
    imageDir,
    catalogFile,
    orgFile,
    access,
    idp,
  );
  const pair = (i: number) =>
    i % 2 === 0 ? [stock, portico] : [portico, stock];
  const running = new Set<Running>();
  cleanups.push(async () => {
    for (const r of running) await r.stop();
  });
  const start = async (
    c: Contender,
    prefix: string,
    nodeOptions?: string[],
  ) => {
    const r = await c.start(prefix, nodeOptions);
    running.add(r);
    return r;
  };
  const stop = async (r: Running) => {
    running.delete(r);
    await r.stop();
  };

  // ------------------------------------------------------------ ingestion and memory

  const ingestionMs: Record<string, number[]> = { stock: [], portico: [] };
  const rss: Record<string, number[]> = { stock: [], portico: [] };
  const finalPrefix: Record<string, string> = {};
  await phase('ingestion', async () => {
    for (let i = 0; i < ingestionPairs; i++) {
      for (const c of pair(i)) {
        const prefix = `${prefixRoot}${c.label}${i}_`;
        const started = performance.now();
        const r = await start(c, prefix);
        const deadline = Date.now() + 30 * 60_000;
        for (;;) {
          const count = await componentCount(r.baseUrl, access.token).catch(
            () => -1,
          );
          if (count === entityCount) break;
          if (Date.now() > deadline) {
            throw new Error(`${c.label} did not list every component`);
          }
          await sleep(500);
        }
        const ms = performance.now() - started;
        ingestionMs[c.label].push(ms);
        const users = await userCount(r.baseUrl, access.token);
        if (users !== orgUsers) {
          failures.push(
            `${c.label} lists ${users} users, the org file has ${orgUsers}`,
          );
        }
        await sleep(idleSeconds * 1000);
        rss[c.label].push(rssMiB(r.pid));
        log(
          `pair ${i + 1}: ${c.label} listed ${entityCount} components after ${(
            ms / 1000
          ).toFixed(1)} s (ready after ${(r.readyMs / 1000).toFixed(
            1,
          )} s); RSS ${rss[c.label]
            .at(-1)!
            .toFixed(
              0,
            )} MiB after ${idleSeconds} s idle; load average ${loadavg()}`,
        );
        await stop(r);
        if (finalPrefix[c.label]) {
          await dropBenchDatabases(postgresUrl, finalPrefix[c.label]);
        }
        finalPrefix[c.label] = prefix;
      }
    }
  });

  // ------------------------------------------------------------ readiness

  const readyMs: Record<string, number[]> = { stock: [], portico: [] };
  await phase('readiness', async () => {
    for (let i = 0; i < readinessPairs; i++) {
      for (const c of pair(i + 1)) {
        const r = await start(c, finalPrefix[c.label]);
        readyMs[c.label].push(r.readyMs);
        log(
          `restart ${i + 1}: ${c.label} ready after ${(
            r.readyMs / 1000
          ).toFixed(2)} s`,
        );
        await stop(r);
      }
    }
  });
  const startupCost: Record<string, Map<string, number>> = {};
  if (startupProfileDir) {
    await phase('startup profiles', async () => {
      for (const c of pair(1)) {
        const dir = join(startupProfileDir, c.label);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const r = await start(c, finalPrefix[c.label], [
          '--cpu-prof',
          `--cpu-prof-dir=${dir}`,
        ]);
        await stop(r);
        startupCost[c.label] = startupCostByPackage(
          readStartupProfile(dir),
          r.readyMs,
        );
        log(
          `profiled start: ${c.label} ready after ${(r.readyMs / 1000).toFixed(
            2,
          )} s; profile in ${dir}`,
        );
      }
    });
  }

  // ------------------------------------------------------------ latency

  const maintainCatalogs = async (step: string) => {
    const statement = MAINTENANCE_STATEMENTS[step];
    for (const label of ['stock', 'portico']) {
      const db = knexFactory({
        client: 'pg',
        connection: databaseUrl(postgresUrl, `${finalPrefix[label]}catalog`),
      });
      await db.raw(statement);
      await db.destroy();
    }
    log(`${statement.toUpperCase()} done on both catalog databases`);
  };
  const stockRun = await start(stock, finalPrefix.stock);
  // The inspector only listens until the profiles are taken, after the measured rounds.
  const inspectorPort = profileDir ? await freePort() : undefined;
  const porticoRun = await start(
    portico,
    finalPrefix.portico,
    inspectorPort ? [`--inspect=127.0.0.1:${inspectorPort}`] : undefined,
  );
  const asGuest = await guestToken(stockRun.baseUrl);
  const asMember = (
    await signInThroughIdp({
      backendUrl: porticoRun.baseUrl,
      user: MEMBER,
      environment: 'production',
    })
  ).token;
  const asAdmin = (
    await signInThroughIdp({
      backendUrl: porticoRun.baseUrl,
      user: ADMIN,
      environment: 'production',
    })
  ).token;

  const stockTotal = await componentCount(stockRun.baseUrl, asGuest);
  const adminTotal = await componentCount(porticoRun.baseUrl, asAdmin);
  const memberTotal = await componentCount(porticoRun.baseUrl, asMember);
  log(
    `components: stock guest ${stockTotal}, Portico admin ${adminTotal}, Portico member ${memberTotal}`,
  );
  if (stockTotal !== entityCount || adminTotal !== entityCount) {
    failures.push(
      `the catalogs differ: stock guest sees ${stockTotal}, Portico admin ${adminTotal}, the file has ${entityCount}`,
    );
  }
  if (memberTotal >= entityCount || memberTotal === 0) {
    failures.push(`Portico's member sees ${memberTotal} components`);
  }

  // The member's own components, so that every reader gets the same entities back.
  const memberTeam = 'payments-team';
  const mine = components.filter(c => c.owner === memberTeam);
  const oneName = mine[Math.floor(mine.length / 2)].name;
  const refs = mine.slice(0, 50).map(c => `component:default/${c.name}`);

  type Reader = { name: string; baseUrl: string; token: string };
  const readers: Reader[] = [
    { name: 'stock guest', baseUrl: stockRun.baseUrl, token: asGuest },
    { name: 'Portico member', baseUrl: porticoRun.baseUrl, token: asMember },
    { name: 'Portico admin', baseUrl: porticoRun.baseUrl, token: asAdmin },
  ];
  const firstPagePath =
    '/api/catalog/entities/by-query?filter=kind=component&limit=50&orderField=metadata.name,asc';
  const cursors = new Map<string, string>();
  for (const reader of readers) {
    const page = await getJson(reader.baseUrl, firstPagePath, reader.token);
    if (!page.pageInfo.nextCursor) {
      throw new Error(
        `${reader.name} has no second page: give more --entities (the member sees one team's share)`,
      );
    }
    cursors.set(reader.name, page.pageInfo.nextCursor);
  }

  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const request = async (
    reader: Reader,
    path: string,
    init?: RequestInit,
  ): Promise<unknown> => {
    const response = await fetch(`${reader.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${reader.token}`,
        ...(init?.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(
        `${reader.name} ${path}: ${response.status} ${text.slice(0, 200)}`,
      );
    }
    return JSON.parse(text);
  };
  /** Every component, 500 a page through the cursor; the entities and the bytes of their JSON. */
  const pageAll = async (reader: Reader) => {
    let path = `/api/catalog/entities/by-query?filter=kind=component&limit=500&orderField=metadata.name,asc`;
    let items = 0;
    let bytes = 0;
    for (;;) {
      const page = (await request(reader, path)) as {
        items: unknown[];
        pageInfo: { nextCursor?: string };
      };
      items += page.items.length;
      for (const item of page.items) {
        bytes += Buffer.byteLength(JSON.stringify(item));
      }
      if (!page.pageInfo.nextCursor) break;
      path = `/api/catalog/entities/by-query?limit=500&cursor=${encodeURIComponent(
        page.pageInfo.nextCursor,
      )}`;
    }
    return { items, bytes };
  };

  const operations: Array<{
    name: string;
    repetitions: number;
    run: (reader: Reader) => Promise<unknown>;
  }> = [
    {
      name: 'by-name (one component)',
      repetitions,
      run: r =>
        request(
          r,
          `/api/catalog/entities/by-name/component/default/${oneName}`,
        ),
    },
    {
      name: 'by-refs (50 components)',
      repetitions,
      run: async r => {
        const answer = (await request(r, '/api/catalog/entities/by-refs', {
          method: 'POST',
          body: JSON.stringify({ entityRefs: refs }),
        })) as { items: unknown[] };
        if (answer.items.filter(Boolean).length !== refs.length) {
          throw new Error(`${r.name}: by-refs did not return all 50`);
        }
      },
    },
    {
      name: 'first page (50 by name)',
      repetitions,
      run: r => request(r, firstPagePath),
    },
    {
      name: 'second page (cursor)',
      repetitions,
      run: r =>
        request(
          r,
          `/api/catalog/entities/by-query?limit=50&cursor=${encodeURIComponent(
            cursors.get(r.name)!,
          )}`,
        ),
    },
    {
      name: 'all components, 500 a page',
      repetitions: pagingRepetitions,
      run: r => pageAll(r),
    },
  ];

  /** Each operation twice per reader, not measured. */
  const warmUp = async () => {
    for (const op of operations) {
      for (const reader of readers) {
        for (let k = 0; k < 2; k++) await op.run(reader);
      }
    }
  };

  /** byOperation[operation][reader] = the median of each of --rounds rounds. */
  const measureRounds = async (label: string) => {
    const byOperation = new Map<string, Map<string, number[]>>();
    for (let round = 0; round < rounds; round++) {
      for (const op of operations) {
        // Alternate which backend goes first; Portico's two readers go together.
        const order =
          (round + operations.indexOf(op)) % 2 === 0
            ? readers
            : [readers[1], readers[2], readers[0]];
        for (const reader of order) {
          const samples: number[] = [];
          for (let k = 0; k < op.repetitions; k++) {
            samples.push(await timed(() => op.run(reader)));
          }
          const byReader = byOperation.get(op.name) ?? new Map();
          byOperation.set(op.name, byReader);
          byReader.set(reader.name, [
            ...(byReader.get(reader.name) ?? []),
            median(samples),
          ]);
        }
      }
      log(
        `${label}: round ${
          round + 1
        } of ${rounds} done, load average ${loadavg()}`,
      );
    }
    return byOperation;
  };

  /** latency[step] = the rounds measured after that maintenance step. */
  const latency = new Map<string, Map<string, Map<string, number[]>>>();
  for (const step of maintenanceSteps) {
    await maintainCatalogs(step);
    await phase(`warm-up after ${step}`, warmUp);
    latency.set(
      step,
      await phase(`latency after ${step}`, () =>
        measureRounds(`after ${step}`),
      ),
    );
  }

  // Memory once more, after the requests.
  const rssAfter = {
    stock: rssMiB(stockRun.pid),
    portico: rssMiB(porticoRun.pid),
  };

  // Where a read's time goes in Portico: one profile per reader and read.
  const costRows: Record<string, Record<string, string>> = {};
  if (inspectorPort) {
    await phase('profiles', async () => {
      mkdirSync(profileDir, { recursive: true });
      const profiler = await CpuProfiler.connect(inspectorPort);
      try {
        for (const op of operations.slice(0, 4)) {
          for (const reader of readers.slice(1)) {
            await profiler.start();
            const t = performance.now();
            for (let k = 0; k < profileRequests; k++) await op.run(reader);
            const wallMs = (performance.now() - t) / profileRequests;
            const file = join(
              profileDir,
              `${reader.name}-${op.name}`
                .replace(/[^a-z0-9]+/gi, '-')
                .toLowerCase()
                .concat('.cpuprofile'),
            );
            const profile = await profiler.stopAndWrite(file);
            const stages = requestCostByStage(profile, profileRequests);
            log(
              `${reader.name}, ${op.name}: ${wallMs.toFixed(
                2,
              )} ms per request seen by the client; profile ${file}\n${stages
                .map(
                  s =>
                    `  ${s.msPerRequest.toFixed(2).padStart(6)} ms ${(
                      s.share * 100
                    )
                      .toFixed(1)
                      .padStart(5)} %  ${s.stage}`,
                )
                .join('\n')}`,
            );
            costRows[`${reader.name}, ${op.name}`] = Object.fromEntries([
              ['client ms', wallMs.toFixed(2)],
              ...stages.map(s => [s.stage, s.msPerRequest.toFixed(2)]),
            ]);
          }
        }
      } finally {
        profiler.close();
      }
    });
  }

  // Size of a full entity, from one full paging per reader.
  const sizes = new Map<string, { items: number; bytes: number }>();
  for (const reader of readers) sizes.set(reader.name, await pageAll(reader));
  if (sizes.get('stock guest')!.items !== sizes.get('Portico admin')!.items) {
    failures.push('full paging returned different counts');
  }

  // ------------------------------------------------------------ report

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  for (const [step, byOperation] of latency) {
    const rows: Record<string, Record<string, string>> = {};
    for (const [op, byReader] of byOperation) {
      const m = (name: string) => median(byReader.get(name)!);
      const s = m('stock guest');
      rows[op] = {
        'stock guest': ms(s),
        'Portico member': ms(m('Portico member')),
        'Portico admin': ms(m('Portico admin')),
        'member/stock': formatRatio(m('Portico member'), s),
        'admin/stock': formatRatio(m('Portico admin'), s),
        'rounds (stock | member | admin)': [
          'stock guest',
          'Portico member',
          'Portico admin',
        ]
          .map(n =>
            byReader
              .get(n)!
              .map(v => v.toFixed(1))
              .join(' '),
          )
          .join(' | '),
      };
    }
    log(
      `catalog reads after ${MAINTENANCE_STATEMENTS[
        step
      ].toUpperCase()} of both catalog databases`,
    );
    console.table(rows);
  }

  const sec = (v: number[]) => v.map(x => (x / 1000).toFixed(2)).join(', ');
  const other: Record<string, Record<string, string>> = {
    'ingestion, s (each pair)': {
      stock: sec(ingestionMs.stock),
      Portico: sec(ingestionMs.portico),
      'Portico/stock (medians)': formatRatio(
        median(ingestionMs.portico),
        median(ingestionMs.stock),
      ),
    },
    'readiness after restart, s': {
      stock: sec(readyMs.stock),
      Portico: sec(readyMs.portico),
      'Portico/stock (medians)': formatRatio(
        median(readyMs.portico),
        median(readyMs.stock),
      ),
    },
    [`RSS after ingestion + ${idleSeconds} s idle, MiB`]: {
      stock: rss.stock.map(v => v.toFixed(0)).join(', '),
      Portico: rss.portico.map(v => v.toFixed(0)).join(', '),
      'Portico/stock (medians)': formatRatio(
        median(rss.portico),
        median(rss.stock),
      ),
    },
    'RSS after the latency rounds, MiB': {
      stock: rssAfter.stock.toFixed(0),
      Portico: rssAfter.portico.toFixed(0),
      'Portico/stock (medians)': formatRatio(rssAfter.portico, rssAfter.stock),
    },
  };
  console.table(other);

  const sizeRows: Record<string, Record<string, string>> = {};
  for (const [name, s] of sizes) {
    sizeRows[name] = {
      components: String(s.items),
      'bytes per entity (JSON, uncompressed)': (s.bytes / s.items).toFixed(0),
    };
  }
  console.table(sizeRows);
  if (startupCost.stock && startupCost.portico) {
    log(
      'start until ready: self time per package, ms (CPU profile; one start each)',
    );
    console.table(
      Object.fromEntries(
        compareStartupCost(startupCost.stock, startupCost.portico, 20).map(
          row => [
            row.package,
            {
              stock: row.a.toFixed(0),
              Portico: row.b.toFixed(0),
              'Portico − stock': row.difference.toFixed(0),
            },
          ],
        ),
      ),
    );
  }
  if (Object.keys(costRows).length > 0) {
    log('Portico: milliseconds per request in each stage (CPU profile)');
    console.table(costRows);
  }

  log(
    `entities: ${entityCount} generated components + the demo organization (${orgUsers} users); Portico's member ${MEMBER} sees ${memberTotal}`,
  );
  console.table(
    Object.fromEntries(
      phases.map(p => [
        p.name,
        { 'load average before': p.before, after: p.after },
      ]),
    ),
  );
  log(`load average at the end: ${loadavg()}; ${new Date().toISOString()}`);
  for (const failure of failures) log(`FAILED: ${failure}`);
  return failures.length === 0;
}

main().then(
  ok => process.exit(ok ? 0 : 1),
  error => {
    process.stderr.write(`[stock-compare] ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
