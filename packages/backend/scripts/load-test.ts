/*
 * Load test of the portal backend as deployed, with ordinary users signed in.
 *
 *   yarn bench load-test [--entities 10000] [--duration 60] [--connections 50]
 *                         [--timeout 10] [--users bob,carol] [--term "shipment tracking"]
 *                         [--background shipped|quiet] [--profile folder]
 *
 * A script, not a test: the test suite never runs it. It
 *  1. builds the production image folder (as the image tests do) and starts the image's command
 *     (NODE_ENV=production) on PostgreSQL (LOAD_TEST_POSTGRES_URL, default
 *     postgresql://postgres@127.0.0.1:5432) under a fresh database prefix, dropped at the end,
 *     with the owner-of policy on, the demo organization and a generated catalog file of
 *     --entities Components owned round-robin by the demo teams;
 *  2. waits until the catalog lists every entity and the search index holds them;
 *  3. signs the users in through the local OpenID Connect provider, as the browser does, and
 *     checks that each sees their own filtered view: by-query's total is what the policy allows
 *     (computed from the catalog's groups and owners), and search results are entities they may
 *     read;
 *  4. runs autocannon on loopback against the catalog page's first request (by-query, first page
 *     of 50 components by name) and a search, --connections connections for --duration seconds
 *     each, the requests alternating between the users' tokens;
 *  5. prints requests/s, latency percentiles, errors and non-2xx answers, and exits 1 on any
 *     error, non-2xx answer or failed check.
 *
 * Results and method: docs/load-test.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import knexFactory from 'knex';
import {
  postgresEnvFor,
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from '../src/production/__testUtils__/imageBackend';
import {
  prepareImage,
  repoRoot,
} from '../src/production/__testUtils__/imageRecipe';
import { CpuProfiler } from './cpuProfiler';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  dropBenchDatabases,
  freePort,
  GeneratedComponent,
  harborlineTeams,
  parseBenchArgs,
  signInThroughIdp,
  startDevIdpProcess,
  writeGeneratedCatalog,
} from '@portico/test-utils';

// ---------------------------------------------------------------- options

const args = parseBenchArgs({
  usage: 'yarn bench load-test',
  description:
    'The production image on PostgreSQL (LOAD_TEST_POSTGRES_URL) under autocannon, with ordinary users signed in. Results and method: docs/load-test.md.',
  options: {
    entities: {
      type: 'integer',
      default: 10_000,
      description: 'Generated components',
    },
    duration: {
      type: 'integer',
      default: 60,
      description: 'Seconds each run of autocannon lasts',
    },
    connections: {
      type: 'integer',
      default: 50,
      description: 'Concurrent connections',
    },
    timeout: {
      type: 'integer',
      default: 10,
      description: 'Seconds without an answer that count as an error',
    },
    users: {
      type: 'list',
      default: ['bob', 'carol'],
      description: 'Demo users whose tokens the requests alternate between',
    },
    term: {
      type: 'string',
      default: 'shipment tracking',
      description: 'The search term',
    },
    // `shipped` keeps the shipped schedules: the catalog reprocesses every entity every 100 to
    // 150 s and search reindexes the catalog every minute, both while the requests are measured.
    // `quiet` pushes both beyond the run (after the first indexing), to see what the requests
    // cost alone.
    background: {
      type: 'string',
      default: 'shipped',
      description: 'shipped or quiet: the catalog and search schedules',
    },
    // One .cpuprofile per concurrent run (for Chrome DevTools or speedscope), recorded through
    // the inspector on loopback; the heaviest functions are printed too. Profiling slows the
    // backend a little, so leave it off when recording numbers.
    profile: {
      type: 'string',
      description: 'A folder for CPU profiles of the backend',
    },
  },
});

const entityCount = args.entities;
const durationSeconds = args.duration;
const connections = args.connections;
/** A request without an answer within this many seconds counts as an error (a timeout). */
const timeoutSeconds = args.timeout;
const users = args.users;
const searchTerm = args.term;
const background = args.background;
if (!['shipped', 'quiet'].includes(background)) {
  throw new Error('--background must be shipped or quiet');
}
const quietSchedule = {
  frequency: { hours: 24 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 15 },
};
const profileDir = args.profile ?? '';
const postgresUrl =
  process.env.LOAD_TEST_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;

const log = (message: string) =>
  process.stdout.write(`[load-test] ${message}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2000);
  }
}

// ---------------------------------------------------------------- the policy, as a plain model

interface CatalogEntity {
  kind: string;
  metadata: { name: string };
  spec?: { owner?: string };
  relations?: Array<{ type: string; targetRef: string }>;
}

/**
 * The group refs the owner-of policy counts for a user with nestedGroups: the user's memberOf
 * relations, then every group's childOf relations, transitively (see the policy's README).
 */
function userClaims(
  user: string,
  groups: CatalogEntity[],
  userEntity: CatalogEntity,
) {
  const parents = new Map(
    groups.map(g => [
      `group:default/${g.metadata.name}`,
      (g.relations ?? [])
        .filter(r => r.type === 'childOf')
        .map(r => r.targetRef),
    ]),
  );
  const claims = new Set<string>([`user:default/${user}`]);
  const queue = (userEntity.relations ?? [])
    .filter(r => r.type === 'memberOf')
    .map(r => r.targetRef);
  while (queue.length) {
    const group = queue.shift()!;
    if (claims.has(group)) continue;
    claims.add(group);
    queue.push(...(parents.get(group) ?? []));
  }
  return claims;
}

// ---------------------------------------------------------------- main

interface Measurement {
  name: string;
  result: autocannon.Result;
}

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

async function run(cleanups: Array<() => Promise<unknown>>): Promise<boolean> {
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(
      os.totalmem() /
      2 ** 30
    ).toFixed(1)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`,
  );
  log('preparing the production image folder');
  const imageDir = await prepareImage();

  const workDir = mkdtempSync(join(os.tmpdir(), 'portico-load-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  const catalogFile = join(workDir, 'generated-catalog.yaml');
  const components: GeneratedComponent[] = writeGeneratedCatalog(catalogFile, {
    count: entityCount,
    namePrefix: 'load',
    owners: harborlineTeams,
  });
  const ownerByName = new Map(components.map(c => [c.name, c.owner]));

  const prefix = `portico_load_${randomBytes(4).toString('hex')}_`;
  const admin = knexFactory({ client: 'pg', connection: postgresUrl });
  cleanups.push(async () => {
    await admin.destroy();
    await dropBenchDatabases(postgresUrl, prefix);
  });
  const postgresVersion = (await admin.raw('show server_version')).rows[0]
    .server_version;

  const port = await freePort();
  process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-load-test';
  process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
  // The local provider stands in for the company IdP that production signs in through.
  const idp = await startDevIdpProcess(repoRoot, {
    productionStandIn: true,
    redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/handler/frame`],
  });
  cleanups.push(() => idp.stop());

  const access = staticAccessToken('load-test');
  log(
    `starting the backend on PostgreSQL ${postgresVersion} with ${entityCount} generated components, background work ${background}`,
  );
  const inspectorPort = profileDir ? await freePort() : undefined;
  const backend: ImageBackend = await startImageBackend({
    imageDir,
    name: 'load-test',
    port,
    nodeOptions: inspectorPort
      ? [`--inspect=127.0.0.1:${inspectorPort}`]
      : undefined,
    readyTimeoutMs: 300_000,
    env: {
      ...postgresEnvFor(postgresUrl),
      AUTH_OIDC_METADATA_URL: idp.metadataUrl,
      AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
      AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
    },
    config: {
      backend: {
        database: { prefix },
        auth: { externalAccess: [access.config] },
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: join(repoRoot, 'demo-data/org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: catalogFile },
        ],
        ...(background === 'quiet' && { processingInterval: { hours: 24 } }),
      },
      ...(background === 'quiet' && {
        search: {
          collators: {
            catalog: { schedule: quietSchedule },
            techdocs: { schedule: quietSchedule },
          },
        },
      }),
    },
  });
  cleanups.push(() => backend.stop());

  const asService = { authorization: `Bearer ${access.token}` };
  const getJson = async (path: string, headers: Record<string, string>) => {
    const response = await fetch(`${backend.baseUrl}${path}`, { headers });
    if (response.status !== 200) {
      throw new Error(`${path}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  };

  const ingestStart = Date.now();
  await until(
    'the catalog to list every component',
    async () => {
      const page = await getJson(
        '/api/catalog/entities/by-query?filter=kind=component&limit=0',
        asService,
      );
      return page.totalItems === entityCount ? true : undefined;
    },
    30 * 60_000,
  );
  log(
    `catalog lists ${entityCount} components after ${(
      (Date.now() - ingestStart) /
      1000
    ).toFixed(0)} s`,
  );
  if (background === 'quiet') {
    // The first indexing ran before the catalog was complete, and the next is a day away.
    const triggered = await fetch(
      `${backend.baseUrl}/api/search/.backstage/scheduler/v1/tasks/search_index_software_catalog/trigger`,
      { method: 'POST', headers: asService },
    );
    if (triggered.status !== 200) {
      throw new Error(`could not trigger indexing: ${triggered.status}`);
    }
  }
  await until(
    'the search index to hold every component',
    async () => {
      const answer = await getJson(
        `/api/search/query?${new URLSearchParams({
          term: 'generated component',
          'types[0]': 'software-catalog',
        })}`,
        asService,
      );
      return answer.numberOfResults >= entityCount ? true : undefined;
    },
    30 * 60_000,
  );
  log(
    `search index complete after ${((Date.now() - ingestStart) / 1000).toFixed(
      0,
    )} s`,
  );

  // ------------------------------------------------------------ sign-in and the filtered views

  const groups: CatalogEntity[] = (
    await getJson(
      '/api/catalog/entities/by-query?filter=kind=group&limit=500',
      asService,
    )
  ).items;
  const tokens: string[] = [];
  const checks: string[] = [];
  const failures: string[] = [];
  for (const user of users) {
    const signedIn = await signInThroughIdp({
      backendUrl: backend.baseUrl,
      user,
      environment: 'production',
    });
    tokens.push(signedIn.token);
    const asUser = { authorization: `Bearer ${signedIn.token}` };
    const userEntity: CatalogEntity = await getJson(
      `/api/catalog/entities/by-name/user/default/${user}`,
      asService,
    );
    const claims = userClaims(user, groups, userEntity);
    const allowed = components.filter(c =>
      claims.has(`group:default/${c.owner}`),
    );

    const firstPage = await getJson(
      '/api/catalog/entities/by-query?limit=50&orderField=metadata.name,asc&filter=kind=component',
      asUser,
    );
    const foreign = (firstPage.items as CatalogEntity[]).filter(
      e => !claims.has(String(e.spec?.owner)),
    );
    const search = await getJson(
      `/api/search/query?${new URLSearchParams({ term: searchTerm })}`,
      asUser,
    );
    const unreadable = (
      search.results as Array<{ document: { location: string } }>
    ).filter(r => {
      const name = r.document.location.split('/').pop()!;
      const owner = ownerByName.get(name);
      return owner !== undefined && !claims.has(`group:default/${owner}`);
    });
    const line = `${user} (${signedIn.userEntityRef}): by-query total ${firstPage.totalItems}, policy allows ${allowed.length} of ${entityCount}; first page ${firstPage.items.length} items, ${foreign.length} not theirs; search "${searchTerm}" ${search.results.length} results, ${unreadable.length} unreadable`;
    checks.push(line);
    log(line);
    if (
      firstPage.totalItems !== allowed.length ||
      allowed.length >= entityCount ||
      foreign.length > 0 ||
      unreadable.length > 0 ||
      search.results.length === 0
    ) {
      failures.push(`filtered view of ${user} is wrong: ${line}`);
    }
  }

  // ------------------------------------------------------------ load

  const targets = [
    {
      name: 'catalog list (by-query, first page)',
      path: '/api/catalog/entities/by-query?limit=50&orderField=metadata.name,asc&filter=kind=component',
    },
    {
      name: `search ("${searchTerm}")`,
      path: `/api/search/query?${new URLSearchParams({ term: searchTerm })}`,
    },
  ];
  const measurements: Measurement[] = [];
  const measure = async (
    target: { name: string; path: string },
    clients: number,
    seconds: number,
  ) => {
    let next = 0;
    const name = `${target.name}, ${clients} connection${
      clients > 1 ? 's' : ''
    }`;
    const loadBefore = os.loadavg()[0];
    log(`${name} for ${seconds} s`);
    const profiler =
      inspectorPort && clients > 1
        ? await CpuProfiler.connect(inspectorPort)
        : undefined;
    await profiler?.start();
    const result = await autocannon({
      url: `${backend.baseUrl}${target.path}`,
      connections: clients,
      duration: seconds,
      timeout: timeoutSeconds,
      // Alternate between the users, as several people would use the portal at once.
      requests: [
        {
          method: 'GET',
          setupRequest: request => ({
            ...request,
            headers: {
              ...request.headers,
              authorization: `Bearer ${tokens[next++ % tokens.length]}`,
            },
          }),
        },
      ],
    });
    measurements.push({ name, result });
    if (profiler) {
      mkdirSync(profileDir, { recursive: true });
      const file = join(
        profileDir,
        `${target.name.replace(/[^a-z0-9]+/gi, '-')}-${clients}.cpuprofile`,
      );
      log(`CPU profile of the backend: ${file}\n${await profiler.stop(file)}`);
      profiler.close();
    }
    log(
      `${name}: load average before ${loadBefore.toFixed(2)}, after ${os
        .loadavg()[0]
        .toFixed(2)}`,
    );
  };
  /**
   * The server keeps working on requests a client gave up on. Before each run, wait until it
   * has caught up: two requests in a row answered within the timeout.
   */
  const drain = async (target: { path: string }) => {
    const started = Date.now();
    let good = 0;
    while (good < 2) {
      const response = await fetch(`${backend.baseUrl}${target.path}`, {
        headers: { authorization: `Bearer ${tokens[0]}` },
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      }).catch(() => undefined);
      good = response?.status === 200 ? good + 1 : 0;
      await response?.body?.cancel();
      if (Date.now() - started > 15 * 60_000) {
        throw new Error('the backend did not catch up within 15 minutes');
      }
    }
    log(`caught up after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
  for (const target of targets) {
    // One request at a time first: the latency of a single user, and the capacity to compare
    // the concurrent run with.
    await drain(target);
    await measure(target, 1, Math.min(15, durationSeconds));
    await measure(target, connections, durationSeconds);
  }

  // ------------------------------------------------------------ report

  const rows = measurements.map(({ name, result }) => ({
    endpoint: name,
    'requests/s': result.requests.average.toFixed(1),
    requests: result.requests.total,
    'p50 ms': result.latency.p50,
    'p90 ms': result.latency.p90,
    'p99 ms': result.latency.p99,
    'max ms': result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  }));
  console.table(rows);
  for (const { name, result } of measurements) {
    if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
      failures.push(
        `${name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
      );
    }
  }
  log(
    `load average at the end: ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`,
  );
  for (const failure of failures) log(`FAILED: ${failure}`);
  return failures.length === 0;
}

main().then(
  ok => process.exit(ok ? 0 : 1),
  error => {
    process.stderr.write(`[load-test] ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
