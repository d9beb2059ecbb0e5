/*
 * How fast the catalog page shows its first rows, paginated against unpaginated, in a real browser.
 *
 *   yarn workspace app build
 *   yarn bench catalog-first-rows [--components 10000] [--rounds 2] [--repetitions 3]
 *       [--users alice,bob] [--page-size 20]
 *       [--port 7207] [--idp-port 7211] [--postgres] [--postgres-url url] [--json results.json]
 *       [--work-dir dir] [--profile dir]
 *
 * Generates a catalog of Component entities owned by the Harborline demo groups, starts the real
 * backend serving the built app (as the browser tests do, on other ports, without the development
 * watcher) with the local OpenID Connect provider, waits until every component is ingested, then
 * signs in through the provider in Debian's Chromium and opens the catalog's "All" components list
 * several times per user:
 *
 *   paginated    page:catalog as app-config.yaml configures it: cursor pagination, 50 a page
 *   unpaginated  page:catalog with pagination: false, the stock behaviour of loading every entity
 *
 * The two modes differ only in frontend configuration, which the backend injects when it serves the
 * app, so the same backend and database are restarted with another --config. Each round starts the
 * backend once per mode and loads the page --repetitions times per user after one unmeasured load;
 * rounds alternate the modes so that both see the machine's changing load. It is a script, not a
 * test: nothing in the test suite runs it. Results: docs/catalog-performance.md.
 */

import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, chromium } from 'playwright-core';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  dropBenchDatabases,
  formatMs as ms,
  median,
  parseBenchArgs,
  demoDataLocation,
} from '@portico/test-utils';
import { chromiumLaunchOptions } from '../e2e-tests/chromium';

// ---------------------------------------------------------------- options

const args = parseBenchArgs({
  usage: 'yarn bench catalog-first-rows',
  description:
    "How fast the catalog page shows its first rows, paginated against unpaginated, in Debian's Chromium; needs `yarn workspace app build` first. Results: docs/catalog-performance.md.",
  options: {
    components: {
      type: 'integer',
      default: 10_000,
      description: 'Components to generate',
    },
    repetitions: {
      type: 'integer',
      default: 3,
      description: 'Measured loads per user, mode and round',
    },
    rounds: {
      type: 'integer',
      default: 2,
      description: 'Rounds, each starting the backend once per mode',
    },
    users: {
      type: 'list',
      default: ['alice', 'bob'],
      description: 'Users who open the catalog',
    },
    port: { type: 'integer', default: 7207, description: 'Backend port' },
    'idp-port': {
      type: 'integer',
      default: 7211,
      description: 'Port of the local identity provider',
    },
    postgres: {
      type: 'boolean',
      description: 'Run on PostgreSQL instead of SQLite',
    },
    'postgres-url': {
      type: 'string',
      default: DEFAULT_BENCH_POSTGRES_URL,
      description: 'The PostgreSQL server, with --postgres',
    },
    json: {
      type: 'string',
      description: 'Also write the results to this file',
    },
    'page-size': {
      type: 'integer',
      default: 20,
      description: 'Rows the paginated list asks for',
    },
    // Chrome DevTools' .cpuprofile, one per mode and user, of the first measured load, from
    // navigation to the first rows.
    profile: {
      type: 'string',
      description: 'A folder for CPU profiles of the page',
    },
    // A later run with the same folder (and --components) reuses the ingested SQLite catalog
    // instead of ingesting again.
    'work-dir': {
      type: 'string',
      description: 'A folder kept after the run, reused by the next',
    },
  },
});

const COMPONENTS = args.components;
const REPETITIONS = args.repetitions;
const ROUNDS = args.rounds;
const USERS = args.users;
const PORT = args.port;
const IDP_PORT = args['idp-port'];
const TARGET_MS = 1500;
/** The catalog table's page size in the paginated mode, as app-config.yaml sets it. */
const PAGE_LIMIT = args['page-size'];

const repoRoot = resolve(__dirname, '..', '..', '..');
const backendUrl = `http://localhost:${PORT}`;
const idpUrl = `http://127.0.0.1:${IDP_PORT}`;
/** The "All" components list: every component the user may read, in both modes. */
const catalogPath = '/?filters%5Bkind%5D=component&filters%5Buser%5D=all';
/** A data row of the catalog table: it links to a component's page. */
const FIRST_ROW_SELECTOR =
  'table tbody tr a[href*="/catalog/default/component/"]';

// ---------------------------------------------------------------- catalog

/** Harborline's groups (demo-data/org.yaml): each owns an equal share of the components. */
const OWNER_GROUPS = [
  'harborline',
  'engineering',
  'platform-team',
  'payments-team',
  'logistics-team',
  'routing-squad',
  'data-team',
  'product',
  'mobile-team',
  'web-team',
  'operations',
  'sre-team',
  'support-team',
];
/** Harborline's systems (demo-data/systems.yaml). */
const SYSTEMS = [
  'shipment-tracking',
  'route-planning',
  'payments',
  'customer-portal',
  'developer-platform',
  'data-platform',
];
const TYPES = ['service', 'website', 'library'];
const LIFECYCLES = ['production', 'experimental', 'deprecated'];
const BENCHMARK_TAG = 'first-rows-benchmark';

function generatedId(index: number): string {
  return String(index + 1).padStart(5, '0');
}

function generatedNames(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `generated-service-${generatedId(i)}`,
  );
}

/** One YAML document per component; JSON is YAML. */
function generatedCatalog(count: number): string {
  const documents: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = generatedId(i);
    documents.push(
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: `generated-service-${id}`,
          title: `Generated Service ${id}`,
          description: `Generated component ${id} of the catalog first-rows benchmark: owned by one of Harborline's groups, part of one of its systems.`,
          tags: [BENCHMARK_TAG, TYPES[i % TYPES.length]],
          annotations: {
            'backstage.io/source-location': `url:https://git.harborline.example/generated/service-${id}`,
          },
        },
        spec: {
          type: TYPES[i % TYPES.length],
          lifecycle: LIFECYCLES[i % LIFECYCLES.length],
          owner: `group:default/${OWNER_GROUPS[i % OWNER_GROUPS.length]}`,
          system: SYSTEMS[i % SYSTEMS.length],
        },
      }),
    );
  }
  return `${documents.join('\n---\n')}\n`;
}

// ---------------------------------------------------------------- config

type Mode = 'paginated' | 'unpaginated';
const MODES: Mode[] = ['paginated', 'unpaginated'];

/** JSON is YAML, and the config loader reads YAML. */
function benchmarkConfig(options: {
  mode: Mode;
  catalogFile: string;
  postgres?: { url: string; prefix: string };
}) {
  return {
    app: {
      baseUrl: backendUrl,
      // Replaces app-config.yaml's list, so it repeats what the catalog page needs.
      extensions: [
        {
          'page:catalog': {
            config: {
              path: '/',
              pagination:
                options.mode === 'paginated'
                  ? { mode: 'cursor', limit: PAGE_LIMIT }
                  : false,
            },
          },
        },
        { 'page:home': { config: { path: '/home' } } },
      ],
    },
    backend: {
      baseUrl: backendUrl,
      listen: { port: PORT, host: '127.0.0.1' },
      cors: { origin: backendUrl },
      ...(options.postgres
        ? {
            database: {
              client: 'pg',
              connection: options.postgres.url,
              prefix: options.postgres.prefix,
            },
          }
        : {}),
    },
    catalog: {
      // Processed once; no reprocessing of 10,000 entities competes with the measurements.
      processingInterval: { hours: 24 },
      locations: [
        demoDataLocation(),
        { type: 'file', target: options.catalogFile },
      ],
    },
    // The search index is not measured; keep its collators from reading the catalog meanwhile.
    search: {
      collators: {
        catalog: { schedule: { initialDelay: { hours: 24 } } },
        techdocs: { schedule: { initialDelay: { hours: 24 } } },
      },
    },
  };
}

// ---------------------------------------------------------------- processes

function print(line = '') {
  process.stdout.write(`${line}\n`);
}

function printError(line: string) {
  process.stderr.write(`${line}\n`);
}

const children = new Set<ChildProcess>();

async function assertPortFree(port: number) {
  await new Promise<void>((resolvePromise, reject) => {
    const server = net.createServer();
    server.once('error', () =>
      reject(
        new Error(
          `Port ${port} is in use; pick another with --port/--idp-port`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () =>
      server.close(() => resolvePromise()),
    );
  });
}

function startProcess(
  name: string,
  command: string,
  commandArgs: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): ChildProcess {
  const log = openSync(options.logFile, 'a');
  // Its own process group, so that stopping it also stops what yarn started.
  const child = spawn(command, commandArgs, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  print(`  started ${name} (pid ${child.pid}), log ${options.logFile}`);
  return child;
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
    return;
  }
  const exited = new Promise(resolvePromise =>
    child.once('exit', resolvePromise),
  );
  process.kill(-child.pid, 'SIGTERM');
  const stopped = await Promise.race([
    exited.then(() => true),
    sleep(20_000).then(() => false),
  ]);
  if (!stopped) {
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
}

function stopAllSync() {
  for (const child of children) {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function sleep(delayMs: number) {
  return new Promise(resolvePromise => setTimeout(resolvePromise, delayMs));
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  child?: ChildProcess,
  logFile?: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `${what}: the process exited with ${child.exitCode}\n${tail(logFile)}`,
      );
    }
    if (await check().catch(() => false)) {
      return;
    }
    await sleep(1000);
  }
  throw new Error(
    `${what}: not within ${timeoutMs / 1000} s\n${tail(logFile)}`,
  );
}

function tail(file?: string): string {
  if (!file || !existsSync(file)) {
    return '';
  }
  return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
}

// ---------------------------------------------------------------- browser

type Sample = {
  /** From navigation start to the first component row in the table. */
  firstRowsMs: number;
  /**
   * From navigation start to the end of DOMContentLoaded: the page's document has arrived and
   * the app's scripts (deferred) have been evaluated, which is when the app starts.
   */
  scriptsEvaluatedMs: number;
  /** From navigation start to the app's first catalog call: loading and starting the app. */
  firstCatalogCallMs: number;
  /** From navigation start to the end of the response the table's rows come from. */
  listLoadedMs: number;
  /** Catalog API bytes on the wire (headers included) received until the first rows. */
  wireBytesAtRows: number;
  /** The same once the page stopped calling the catalog, and that decoded. */
  wireBytesTotal: number;
  bodyBytesTotal: number;
  catalogRequests: string[];
  /** Each API request's start and end, from navigation start. */
  timeline: { path: string; startMs: number; endMs?: number }[];
};

/** The request the table's rows come from: the first page, or the list of every entity. */
function isListRequest(path: string): boolean {
  return (
    (path.startsWith('/api/catalog/entities/by-query') &&
      path.includes(`limit=${PAGE_LIMIT}`)) ||
    path.startsWith('/api/catalog/entities?') ||
    path === '/api/catalog/entities'
  );
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname + parsed.search);
}

/** Signs in through the provider's popup; returns the app build's main script. */
async function signIn(context: BrowserContext, user: string): Promise<string> {
  const page = await context.newPage();
  await page.goto(`${backendUrl}/`);
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const popup = await popupOpened;
  await popup
    .getByRole('button', { name: new RegExp(`${user}@harborline\\.example`) })
    .click();
  await popup.waitForEvent('close');
  await page.getByRole('heading', { name: 'Harborline Catalog' }).waitFor();
  const mainScript = await page.evaluate(
    () =>
      Array.from(document.scripts)
        .map(script => script.src.split('/').pop() ?? '')
        .find(name => name.startsWith('main.')) ?? 'unknown',
  );
  await page.close();
  return mainScript;
}

async function measure(
  context: BrowserContext,
  profileFile?: string,
): Promise<Sample> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (profileFile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const catalogUrls = new Map<string, string>();
  const inFlight = new Set<string>();
  let wireBytes = 0;
  let bodyBytes = 0;
  let lastActivity = Date.now();
  // CDP times are monotonic seconds; wallTime maps them to the page's clock.
  let wallOffset = 0;
  const startedAt: number[] = [];
  const listFinishedAt: number[] = [];
  const times = new Map<string, { start: number; end?: number }>();
  // Other API calls (the session refresh at start-up, say) only go into the timeline.
  const otherApiUrls = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', event => {
    const pathname = new URL(event.request.url).pathname;
    if (pathname.startsWith('/api/catalog/')) {
      catalogUrls.set(event.requestId, event.request.url);
      inFlight.add(event.requestId);
      lastActivity = Date.now();
      wallOffset = event.wallTime - event.timestamp;
      startedAt.push(event.timestamp);
      times.set(event.requestId, { start: event.timestamp });
    } else if (pathname.startsWith('/api/')) {
      otherApiUrls.set(event.requestId, event.request.url);
      times.set(event.requestId, { start: event.timestamp });
    }
  });
  cdp.on('Network.dataReceived', event => {
    if (catalogUrls.has(event.requestId)) {
      bodyBytes += event.dataLength;
    }
  });
  cdp.on('Network.loadingFinished', event => {
    if (otherApiUrls.has(event.requestId)) {
      times.get(event.requestId)!.end = event.timestamp;
    }
    if (catalogUrls.has(event.requestId)) {
      wireBytes += event.encodedDataLength;
      inFlight.delete(event.requestId);
      times.get(event.requestId)!.end = event.timestamp;
      if (isListRequest(pathOf(catalogUrls.get(event.requestId)!))) {
        listFinishedAt.push(event.timestamp);
      }
      lastActivity = Date.now();
    }
  });
  cdp.on('Network.loadingFailed', event => {
    inFlight.delete(event.requestId);
  });

  await page.goto(`${backendUrl}${catalogPath}`, { waitUntil: 'commit' });
  const firstRows = await page.waitForFunction(
    () => (window as unknown as { firstRowsAt?: number }).firstRowsAt,
    undefined,
    { timeout: 180_000, polling: 50 },
  );
  const firstRowsMs = Number(await firstRows.jsonValue());
  if (profileFile) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  const wireBytesAtRows = wireBytes;
  const { timeOrigin, scriptsEvaluatedMs } = await page.evaluate(() => ({
    timeOrigin: performance.timeOrigin,
    scriptsEvaluatedMs: (
      performance.getEntriesByType(
        'navigation',
      )[0] as PerformanceNavigationTiming
    ).domContentLoadedEventEnd,
  }));
  const sincePageStart = (timestamp: number) =>
    (timestamp + wallOffset) * 1000 - timeOrigin;

  // Whatever the page loads after its first rows (counts, facets, the rest of an unpaginated list).
  const settleDeadline = Date.now() + 30_000;
  while (
    (inFlight.size > 0 || Date.now() - lastActivity < 2000) &&
    Date.now() < settleDeadline
  ) {
    await sleep(200);
  }
  const sample: Sample = {
    firstRowsMs,
    scriptsEvaluatedMs,
    firstCatalogCallMs: sincePageStart(Math.min(...startedAt)),
    listLoadedMs: sincePageStart(Math.min(...listFinishedAt)),
    wireBytesAtRows,
    wireBytesTotal: wireBytes,
    bodyBytesTotal: bodyBytes,
    catalogRequests: [...catalogUrls.values()].map(pathOf),
    timeline: [...catalogUrls.entries(), ...otherApiUrls.entries()].map(
      ([id, url]) => {
        const { start, end } = times.get(id)!;
        return {
          path: pathOf(url),
          startMs: Math.round(sincePageStart(start)),
          endMs:
            end === undefined ? undefined : Math.round(sincePageStart(end)),
        };
      },
    ),
  };
  await page.close();
  return sample;
}

/**
 * Records when the first component row is in the document and laid out: checked at most once per
 * animation frame after the document changed, so that measuring costs the page next to nothing
 * (a check on every mutation cost it about 120 ms of main thread per load).
 */
function firstRowsObserver(selector: string) {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const row = document.querySelector(selector);
      if (row && row.getBoundingClientRect().height > 0) {
        (window as unknown as { firstRowsAt?: number }).firstRowsAt =
          performance.now();
        observer.disconnect();
      }
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

function checkMode(mode: Mode, sample: Sample) {
  const firstPages = sample.catalogRequests.filter(
    url =>
      url.startsWith('/api/catalog/entities/by-query') &&
      url.includes(`limit=${PAGE_LIMIT}`),
  );
  const fullLists = sample.catalogRequests.filter(
    url =>
      url.startsWith('/api/catalog/entities?') ||
      url === '/api/catalog/entities',
  );
  const asExpected =
    mode === 'paginated'
      ? firstPages.length > 0 && fullLists.length === 0
      : fullLists.length > 0;
  if (!asExpected) {
    throw new Error(
      `The ${mode} page did not load as configured; its catalog requests:\n  ${sample.catalogRequests.join(
        '\n  ',
      )}`,
    );
  }
}

// ---------------------------------------------------------------- statistics

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function loadLine(): string {
  const [one, five, fifteen] = os.loadavg().map(value => value.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen} (${os.cpus().length} cores)`;
}

// ---------------------------------------------------------------- main

type Result = {
  round: number;
  mode: Mode;
  user: string;
  samples: Sample[];
};

async function main() {
  const appIndex = join(repoRoot, 'packages/app/dist/index.html');
  if (!existsSync(appIndex)) {
    throw new Error('No built app: run `yarn workspace app build` first');
  }
  await assertPortFree(PORT);
  await assertPortFree(IDP_PORT);

  const workDir = args['work-dir']
    ? resolve(args['work-dir'])
    : mkdtempSync(join(os.tmpdir(), 'portico-first-rows-'));
  mkdirSync(workDir, { recursive: true });
  if (args.profile) {
    mkdirSync(resolve(args.profile), { recursive: true });
  }
  const catalogFile = join(workDir, 'components.yaml');
  writeFileSync(catalogFile, generatedCatalog(COMPONENTS));
  const postgres = args.postgres
    ? {
        url: args['postgres-url'],
        prefix: `portico_first_rows_${randomBytes(4).toString('hex')}_`,
      }
    : undefined;
  const configFiles = Object.fromEntries(
    MODES.map(mode => {
      const file = join(workDir, `app-config.${mode}.yaml`);
      writeFileSync(
        file,
        JSON.stringify(
          benchmarkConfig({ mode, catalogFile, postgres }),
          null,
          2,
        ),
      );
      return [mode, file];
    }),
  ) as Record<Mode, string>;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
    AUTH_OIDC_CLIENT_SECRET: randomBytes(24).toString('hex'),
    AUTH_OIDC_CLIENT_ID: 'portico-first-rows',
    AUTH_OIDC_METADATA_URL: `${idpUrl}/.well-known/openid-configuration`,
    E2E_SERVICE_TOKEN: randomBytes(24).toString('hex'),
    PORTICO_DATA_DIR: workDir,
  };

  print(`Catalog first-rows benchmark: ${COMPONENTS} generated components`);
  print(`  working folder ${workDir}`);
  print(
    `  database ${postgres ? `PostgreSQL (${postgres.prefix}*)` : 'SQLite'}`,
  );
  print(`  ${loadLine()}`);

  const idp = startProcess(
    'identity provider',
    process.execPath,
    [
      'packages/dev-idp/src/main.mjs',
      '--users',
      'demo-data/org.yaml',
      '--port',
      String(IDP_PORT),
      '--redirect-uri',
      `${backendUrl}/api/auth/oidc/handler/frame`,
    ],
    { cwd: repoRoot, env, logFile: join(workDir, 'idp.log') },
  );
  await waitFor(
    'identity provider',
    30_000,
    async () => (await fetch(env.AUTH_OIDC_METADATA_URL!)).ok,
    idp,
    join(workDir, 'idp.log'),
  );

  const browser: Browser = await chromium.launch(chromiumLaunchOptions);

  const results: Result[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        print(`\n[round ${round}, ${mode}] starting the backend`);
        const logFile = join(workDir, `backend.${mode}.log`);
        const startedAt = Date.now();
        const backend = startProcess(
          'backend',
          process.execPath,
          [
            // What `yarn workspace backend start` runs, without its watcher: that restarts the
            // backend whenever a source file in the tree changes.
            '--enable-source-maps',
            '--require',
            require.resolve('@backstage/cli/config/nodeTransform.cjs'),
            'src/index.ts',
            '--config',
            '../../app-config.yaml',
            '--config',
            '../app/e2e-tests/app-config.e2e.yaml',
            '--config',
            configFiles[mode],
          ],
          {
            cwd: join(repoRoot, 'packages/backend'),
            env: { ...env, NODE_ENV: 'development' },
            logFile,
          },
        );
        try {
          await waitFor(
            'backend readiness',
            300_000,
            async () =>
              (
                await fetch(`${backendUrl}/.backstage/health/v1/readiness`)
              ).ok,
            backend,
            logFile,
          );
          print(`  ready after ${ms(Date.now() - startedAt)}`);
          await waitForIngestion(env.E2E_SERVICE_TOKEN!, backend, logFile);
          print(`  ${loadLine()}`);

          for (const user of USERS) {
            const context = await browser.newContext();
            await context.addInitScript(firstRowsObserver, FIRST_ROW_SELECTOR);
            const mainScript = await signIn(context, user);
            // One unmeasured load fills the browser's cache with the app's scripts.
            const warmUp = await measure(context);
            checkMode(mode, warmUp);
            const samples: Sample[] = [];
            for (let i = 0; i < REPETITIONS; i++) {
              const sample = await measure(
                context,
                args.profile && i === 0
                  ? join(
                      resolve(args.profile),
                      `round${round}-${mode}-${user}.cpuprofile`,
                    )
                  : undefined,
              );
              checkMode(mode, sample);
              samples.push(sample);
            }
            await context.close();
            results.push({ round, mode, user, samples });
            print(
              `  ${user}: first rows ${samples
                .map(s => ms(s.firstRowsMs))
                .join(', ')}; catalog bytes ${kib(
                median(samples.map(s => s.wireBytesAtRows)),
              )} to first rows, ${kib(
                median(samples.map(s => s.wireBytesTotal)),
              )} in all`,
            );
            print(
              `    app ${mainScript}; catalog requests: ${warmUp.catalogRequests.join(
                ' | ',
              )}`,
            );
          }
        } finally {
          await stopProcess(backend);
        }
      }
    }
  } finally {
    await browser.close();
    await stopProcess(idp);
    if (postgres) {
      await dropBenchDatabases(postgres.url, postgres.prefix).catch(error =>
        printError(
          `Could not drop the databases ${postgres.prefix}*: ${error.message}`,
        ),
      );
    }
    if (!args['work-dir']) {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  report(results);
  if (args.json) {
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          components: COMPONENTS,
          rounds: ROUNDS,
          repetitions: REPETITIONS,
          database: postgres ? 'postgres' : 'sqlite',
          loadAverage: os.loadavg(),
          results,
        },
        null,
        2,
      ),
    );
  }
}

async function waitForIngestion(
  token: string,
  backend: ChildProcess,
  logFile: string,
) {
  const headers = { authorization: `Bearer ${token}` };
  const startedAt = Date.now();
  let count = 0;
  let lastReport = 0;
  let lastProgress = { count: -1, at: Date.now() };
  await waitFor(
    `ingestion of ${COMPONENTS} components`,
    90 * 60_000,
    async () => {
      const response = await fetch(
        `${backendUrl}/api/catalog/entities/by-query?filter=kind=component,metadata.tags=${BENCHMARK_TAG}&limit=1`,
        { headers },
      );
      if (!response.ok) {
        return false;
      }
      count = ((await response.json()) as { totalItems: number }).totalItems;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        print(`  ${count} of ${COMPONENTS} components in the catalog`);
      }
      if (count !== lastProgress.count) {
        lastProgress = { count, at: Date.now() };
      } else if (count < COMPONENTS && Date.now() - lastProgress.at > 90_000) {
        await refreshMissing(headers);
        lastProgress = { count, at: Date.now() };
      }
      return count >= COMPONENTS;
    },
    backend,
    logFile,
  );
  print(`  all ${count} components in after ${ms(Date.now() - startedAt)}`);
}

/**
 * Entities whose processing was interrupted (a backend stopped mid-batch) wait for the next
 * processing interval, a day here: ask the catalog to process the missing ones now.
 */
async function refreshMissing(headers: Record<string, string>) {
  const present = new Set<string>();
  let cursor: string | undefined;
  do {
    const query = cursor
      ? `cursor=${encodeURIComponent(cursor)}`
      : `filter=kind=component,metadata.tags=${BENCHMARK_TAG}`;
    const response = await fetch(
      `${backendUrl}/api/catalog/entities/by-query?${query}&limit=1000&fields=metadata.name`,
      { headers },
    );
    const page = (await response.json()) as {
      items: { metadata: { name: string } }[];
      pageInfo: { nextCursor?: string };
    };
    page.items.forEach(item => present.add(item.metadata.name));
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
  const missing = generatedNames(COMPONENTS).filter(name => !present.has(name));
  for (const name of missing) {
    await fetch(`${backendUrl}/api/catalog/refresh`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ entityRef: `component:default/${name}` }),
    });
  }
  print(`  asked the catalog to process ${missing.length} stalled components`);
}

function report(results: Result[]) {
  print(
    `\nResults: ${COMPONENTS} components, median of ${
      ROUNDS * REPETITIONS
    } loads (${ROUNDS} rounds) of ${catalogPath}`,
  );
  print(`  ${loadLine()}`);
  for (const user of USERS) {
    const rows = MODES.map(mode => {
      const samples = results
        .filter(r => r.user === user && r.mode === mode)
        .flatMap(r => r.samples);
      return {
        mode,
        firstRows: median(samples.map(s => s.firstRowsMs)),
        min: Math.min(...samples.map(s => s.firstRowsMs)),
        max: Math.max(...samples.map(s => s.firstRowsMs)),
        scripts: median(samples.map(s => s.scriptsEvaluatedMs)),
        firstCall: median(samples.map(s => s.firstCatalogCallMs)),
        listLoaded: median(samples.map(s => s.listLoadedMs)),
        atRows: median(samples.map(s => s.wireBytesAtRows)),
        total: median(samples.map(s => s.wireBytesTotal)),
        body: median(samples.map(s => s.bodyBytesTotal)),
      };
    });
    print(`\n  ${user}`);
    print(
      '    mode          first rows (min-max)        scripts run  first catalog call  list loaded  catalog bytes to first rows / in all (decoded)',
    );
    for (const row of rows) {
      print(
        [
          `    ${row.mode.padEnd(13)}`,
          `${ms(row.firstRows)} (${ms(row.min)}-${ms(row.max)})`.padEnd(27),
          ms(row.scripts).padEnd(12),
          ms(row.firstCall).padEnd(19),
          ms(row.listLoaded).padEnd(12),
          `${kib(row.atRows)} / ${kib(row.total)} (${kib(row.body)})`,
        ].join(' '),
      );
    }
    const [paginated, unpaginated] = rows;
    print(
      `    unpaginated / paginated: ${(
        unpaginated.firstRows / paginated.firstRows
      ).toFixed(1)}x the time, ${(
        unpaginated.atRows / paginated.atRows
      ).toFixed(1)}x the bytes to first rows`,
    );
    print(
      `    target first rows < ${TARGET_MS} ms with pagination: ${
        paginated.firstRows < TARGET_MS ? 'met' : 'NOT met'
      } (${ms(paginated.firstRows)})`,
    );
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAllSync();
    process.exit(130);
  });
}
process.once('exit', stopAllSync);

main().catch(error => {
  printError(error instanceof Error ? error.stack ?? error.message : error);
  stopAllSync();
  process.exit(1);
});
