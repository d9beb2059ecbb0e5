/*
 * Monitoring of the production image: its command (the Dockerfile's CMD, with the OpenTelemetry
 * preload) runs with metrics enabled, a real Prometheus scrapes the metrics port every second
 * while the test signs users in and sends catalog traffic, and every assertion is a Prometheus
 * query. The chart's alert rules are loaded into that Prometheus, and the dashboard's queries
 * run against it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  dropDatabases,
  eventually,
  freePort,
  signInThroughIdp,
  startDevIdpProcess,
  demoDataLocation,
} from '@portico/test-utils';
import {
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from './__testUtils__/imageBackend';
import {
  instrumentationFile,
  prepareImage,
  repoRoot,
} from './__testUtils__/imageRecipe';
import { startPrometheus, TestPrometheus } from './__testUtils__/prometheus';
import {
  describeWithPostgres,
  postgresEnv,
  uniqueDatabasePrefix,
} from './__testUtils__/testPostgres';

jest.setTimeout(20 * 60_000);

const JOB = 'portico';
const ALERTS_FILE = join(repoRoot, 'charts/portico/monitoring/alerts.yaml');
const DASHBOARD_FILE = join(
  repoRoot,
  'charts/portico/monitoring/dashboard.json',
);

/** Metrics another module of the portal emits only while a directory sync is configured. */
const DIRECTORY_SYNC_METRICS = {
  portico_directory_sync_runs_total: 'portico.directory_sync.runs',
  portico_directory_sync_last_success: 'portico.directory_sync.last_success',
  portico_directory_sync_entities: 'portico.directory_sync.entities',
};

const PROMQL_WORDS = new Set([
  'sum',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'max',
  'min',
  'avg',
  'count',
  'deriv',
  'delta',
  'time',
  'absent',
  'absent_over_time',
  'max_over_time',
  'min_over_time',
  'avg_over_time',
  'clamp_min',
  'vector',
  'label_replace',
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'topk',
]);

/**
 * The metric names a PromQL expression reads. Expressions in the chart write every metric with
 * a label matcher (`name{...}`); any other word must be PromQL's own, so a bare metric name
 * (which this could miss) is refused too.
 */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = [
    ...withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g),
  ].map(m => m[1]);
  const rest = withoutStrings
    .replace(/[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{[^}]*\}/g, ' ')
    .replace(
      /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
      '$1',
    )
    .replace(/\[[^\]]*\]/g, ' ');
  for (const [word] of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    if (!PROMQL_WORDS.has(word) && !/^\d/.test(word)) {
      throw new Error(
        `"${word}" in ${expr} is neither PromQL nor a metric with {labels}`,
      );
    }
  }
  return names;
}

/** The names of the chart's alerts, as its rule file lists them. */
function alertNamesInFile(): string[] {
  const text = readFileSync(ALERTS_FILE, 'utf8');
  return [...text.matchAll(/^\s*- alert: (\S+)\s*$/gm)].map(m => m[1]);
}

/** Every query of the chart's Grafana dashboard, with its panel's title. */
function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
  return dashboard.panels
    .filter((p: any) => p.type !== 'row')
    .flatMap((p: any) =>
      (p.targets ?? []).map((t: any) => ({ panel: p.title, expr: t.expr })),
    );
}

/** Grafana's variables, replaced by what they stand for in this Prometheus. */
function withoutDashboardVariables(expr: string) {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$job/g, JOB)
    .replace(/\$instance/g, '.+');
}

describeWithPostgres('monitoring of the production image', () => {
  const prefix = uniqueDatabasePrefix('metrics');
  const access = staticAccessToken('monitoring-tests');
  let backend: ImageBackend;
  let prometheus: TestPrometheus;
  let metricsPort: number;
  let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;
  let bobToken: string;
  let exportedNames: Set<string>;

  const call = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${backend.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  /** Requests Prometheus has counted for a route template and status. */
  const requests = (route: string, status: number, method = 'GET') =>
    prometheus.scalar(
      `sum(http_server_request_duration_count{job="${JOB}",http_route="${route}",http_request_method="${method}",http_response_status_code="${status}"})`,
    );
  const decisions = (permission: string, result = '.+') =>
    prometheus.scalar(
      `sum(portico_permission_decisions_total{job="${JOB}",permission="${permission}",result=~"${result}"})`,
    );
  const loadedRules = async () => {
    const { groups } = await prometheus.api<{ groups: any[] }>('rules');
    return groups.flatMap(g => g.rules);
  };
  const signIn = (user: string) =>
    signInThroughIdp({
      backendUrl: backend.baseUrl,
      user,
      environment: 'production',
    });

  beforeAll(async () => {
    const imageDir = await prepareImage();
    const port = await freePort();
    metricsPort = await freePort();
    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-image-test';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    idp = await startDevIdpProcess(repoRoot, {
      productionStandIn: true,
      redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/handler/frame`],
    });
    [backend, prometheus] = await Promise.all([
      startImageBackend({
        imageDir,
        name: 'metrics',
        port,
        env: {
          ...postgresEnv(),
          AUTH_OIDC_METADATA_URL: idp.metadataUrl,
          AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
          AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
          AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
          PORTICO_METRICS_ENABLED: 'true',
          PORTICO_METRICS_HOST: '127.0.0.1',
          PORTICO_METRICS_PORT: String(metricsPort),
        },
        config: {
          backend: {
            database: { prefix },
            auth: { externalAccess: [access.config] },
          },
          // The demo organization and software: members, owners and what they own.
          catalog: {
            locations: [demoDataLocation()],
          },
        },
      }),
      startPrometheus({
        job: JOB,
        targets: [`127.0.0.1:${metricsPort}`],
        scrapeInterval: '1s',
        ruleFiles: [ALERTS_FILE],
      }),
    ]);
    // Bob (payments-team) signs in once the catalog knows him, and sees his team's software.
    bobToken = await eventually(async () => {
      const { token } = await signIn('bob');
      const res = await call(
        '/api/catalog/entities/by-query?filter=kind=component&limit=1',
        token,
      );
      const body = await res.json();
      if (!(body.totalItems > 0)) throw new Error('the catalog is still empty');
      return token;
    }, 180_000);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await backend?.stop();
    await idp?.stop();
    await dropDatabases(prefix);
  });

  it('is scraped on its own port, which serves nothing of the portal', async () => {
    await prometheus.nextScrape();
    expect(await prometheus.scalar(`up{job="${JOB}"}`)).toBe(1);
    // The portal's port does not serve metrics, and the metrics port serves nothing else.
    const portal = await fetch(`${backend.baseUrl}/metrics`);
    expect(await portal.text()).not.toMatch(/^# (HELP|TYPE) /m);
    const other = await fetch(
      `http://127.0.0.1:${metricsPort}/api/catalog/entities`,
    );
    expect(other.status).toBe(404);
    await other.body?.cancel();
    // Scrapes are not counted as portal traffic.
    const routes = await prometheus.api<string[]>('label/http_route/values');
    expect(routes).not.toContain('/metrics');
  });

  it('counts sign-ins through the identity provider', async () => {
    const callback = '/api/auth/oidc/handler/frame';
    await prometheus.nextScrape();
    const before = await requests(callback, 200);
    for (const user of ['carol', 'dave', 'erin']) {
      expect((await signIn(user)).userEntityRef).toBe(`user:default/${user}`);
    }
    await prometheus.nextScrape();
    expect(await requests(callback, 200)).toBe(before + 3);
  });

  it("counts a member's catalog list requests by route template, and the policy's decisions for them", async () => {
    const route = '/api/catalog/entities/by-query';
    // A member no request has been decided for yet: the backend's permissions service reuses a
    // user's decision for a few seconds, so their first list is decided by the policy and the
    // next ones reuse that decision.
    const { token: gustavoToken } = await signIn('gustavo');
    await prometheus.nextScrape();
    const listsBefore = await requests(route, 200);
    const readsBefore = await decisions('catalog.entity.read', 'conditional');
    const lookupsBefore = await prometheus.scalar(
      `sum(portico_membership_cache_lookups_total{job="${JOB}"})`,
    );
    const LISTS = 7;
    for (let i = 0; i < LISTS; i++) {
      const res = await call(
        `${route}?filter=kind=component&limit=5&fields=metadata.name`,
        gustavoToken,
      );
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    await prometheus.nextScrape();
    // The catalog's own background reads use this route too, with service credentials: those
    // never reach the policy, so only Gustavo's lists are conditional decisions.
    expect(await requests(route, 200)).toBeGreaterThanOrEqual(
      listsBefore + LISTS,
    );
    const reads =
      (await decisions('catalog.entity.read', 'conditional')) - readsBefore;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(LISTS);
    expect(
      await prometheus.scalar(
        `sum(portico_membership_cache_lookups_total{job="${JOB}"})`,
      ),
    ).toBeGreaterThanOrEqual(lookupsBefore + 1);
    expect(
      await prometheus.scalar(
        `sum(portico_permission_decision_duration_count{job="${JOB}"})`,
      ),
    ).toBeGreaterThan(0);
  });

  it('counts denied refreshes as 403 answers and as refresh decisions', async () => {
    const route = '/api/catalog/refresh';
    await prometheus.nextScrape();
    const deniedBefore = await requests(route, 403, 'POST');
    const decisionsBefore = await decisions('catalog.entity.refresh');
    const REFRESHES = 4;
    for (let i = 0; i < REFRESHES; i++) {
      // shipment-api belongs to logistics-team, not to Bob's payments-team.
      const res = await call(route, bobToken, {
        method: 'POST',
        body: JSON.stringify({ entityRef: 'component:default/shipment-api' }),
      });
      expect(res.status).toBe(403);
      await res.body?.cancel();
    }
    await prometheus.nextScrape();
    expect(await requests(route, 403, 'POST')).toBe(deniedBefore + REFRESHES);
    expect(await decisions('catalog.entity.refresh')).toBe(
      decisionsBefore + REFRESHES,
    );
  });

  it("reports the catalog's processing and stitching backlog", async () => {
    const backlog = await prometheus.query(
      `portico_catalog_backlog_entities{job="${JOB}"}`,
    );
    expect(backlog.map(s => s.metric.stage).sort()).toEqual([
      'processing',
      'stitching',
    ]);
    for (const sample of backlog)
      expect(sample.value).toBeGreaterThanOrEqual(0);
    const ages = await prometheus.query(
      `portico_catalog_backlog_oldest_age{job="${JOB}"}`,
    );
    expect(ages).toHaveLength(2);
  });

  it('keeps the number of series flat while 1,000 different entities are asked for', async () => {
    const get = async (name: string) => {
      const res = await call(
        `/api/catalog/entities/by-name/component/default/${name}`,
        access.token,
      );
      expect(res.status).toBe(404);
      await res.body?.cancel();
    };
    const seriesCount = () => prometheus.scalar(`count({job="${JOB}"})`);
    const byName = '/api/catalog/entities/by-name/:kind/:namespace/:name';
    // The route's 404 answers: the backend itself also reads entities by name (e.g. sign-ins
    // resolving users), and its first 200 may come at any moment.
    const routeSeries = () =>
      prometheus.scalar(
        `count(http_server_request_duration_count{job="${JOB}",http_route="${byName}",http_response_status_code="404"})`,
      );
    // A few first, so that the route's 404 series exist before counting.
    for (let i = 0; i < 5; i++) await get(`warm-up-${i}`);
    await prometheus.nextScrape();
    const before = await seriesCount();
    const routeBefore = await routeSeries();
    const names = Array.from(
      { length: 1000 },
      (_, i) => `cardinality-${i}-${randomBytes(3).toString('hex')}`,
    );
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(names.slice(i, i + 20).map(get));
    }
    await prometheus.nextScrape();
    expect(await requests(byName, 404)).toBeGreaterThanOrEqual(1005);
    // The 1,000 requests all land in the series the first five made.
    expect(await routeSeries()).toBe(routeBefore);
    // The backend's background work may add a few series meanwhile (a histogram is 17); one
    // series per name would add at least 1,000.
    expect((await seriesCount()) - before).toBeLessThan(200);
    for (const label of ['http_route', 'permission']) {
      const values = await prometheus.api<string[]>(`label/${label}/values`);
      expect(values.filter(v => v.includes('cardinality-'))).toEqual([]);
      expect(values.length).toBeLessThan(100);
    }
  });

  it("loads the chart's alert rules into Prometheus, all healthy and none firing", async () => {
    exportedNames = new Set(
      await prometheus.api<string[]>('label/__name__/values'),
    );
    const expected = alertNamesInFile().sort();
    expect(expected.length).toBeGreaterThanOrEqual(7);
    const loaded = await eventually(async () => {
      const rules = await loadedRules();
      if (rules.some(r => r.health !== 'ok')) {
        throw new Error(
          `rules not evaluated yet or failing: ${JSON.stringify(
            rules.filter(r => r.health !== 'ok'),
          )}`,
        );
      }
      return rules;
    }, 30_000);
    expect(loaded.map(r => r.name).sort()).toEqual(expected);
    const { alerts } = await prometheus.api<{ alerts: any[] }>('alerts');
    expect(alerts.filter(a => a.state === 'firing')).toEqual([]);
  });

  it('uses in every alert and dashboard query only metrics the backend exports', async () => {
    const queries = [
      // The rules as Prometheus loaded them from the chart's file.
      ...(await loadedRules()).map(r => ({
        where: `alert ${r.name}`,
        expr: r.query as string,
      })),
      ...dashboardQueries().map(q => ({
        where: `panel "${q.panel}"`,
        expr: withoutDashboardVariables(q.expr),
      })),
    ];
    expect(queries.length).toBeGreaterThan(20);
    const moduleSources = await promisify(execFile)('grep', [
      '-rhoE',
      'portico\\.directory_sync\\.[a-z_]+',
      join(repoRoot, 'plugins'),
    ]).then(r => r.stdout);
    const unknown: string[] = [];
    for (const { where, expr } of queries) {
      // Prometheus parses and runs each one.
      await prometheus.query(expr);
      for (const name of metricNames(expr)) {
        const declared =
          name in DIRECTORY_SYNC_METRICS &&
          moduleSources.includes(
            DIRECTORY_SYNC_METRICS[name as keyof typeof DIRECTORY_SYNC_METRICS],
          );
        if (!exportedNames.has(name) && !declared) {
          unknown.push(`${where}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('stops on SIGTERM with metrics on, as a pod does', async () => {
    expect(await backend.stop()).toBe(0);
  });
});

describe('the OpenTelemetry preload', () => {
  it('exports traces over OTLP/HTTP to the configured endpoint', async () => {
    // The collector's side of OTLP/HTTP: what arrives at /v1/traces.
    const received: Array<{ path: string; body: Buffer }> = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>(r => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as AddressInfo;
    try {
      // A server in a process started like the image's: one request to it makes one trace.
      const serve = `
        const server = require('node:http').createServer((q, r) => r.end('ok'));
        server.listen(0, '127.0.0.1', async () => {
          await fetch('http://127.0.0.1:' + server.address().port + '/traced');
          setTimeout(() => process.exit(0), 1500);
        });`;
      await promisify(execFile)(
        process.execPath,
        ['--require', join(repoRoot, instrumentationFile), '-e', serve],
        {
          env: {
            PATH: process.env.PATH,
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
            OTEL_BSP_SCHEDULE_DELAY: '100',
          },
        },
      );
      const traces = received.filter(r => r.path === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      const bodies = Buffer.concat(traces.map(t => t.body)).toString('latin1');
      expect(bodies).toContain('portico-backend');
      expect(bodies).toContain('/traced');
    } finally {
      await new Promise(r => collector.close(r));
    }
  });

  it.each([
    [
      { PORTICO_METRICS_ENABLED: 'yes' },
      /PORTICO_METRICS_ENABLED must be "true" or "false", got "yes"/,
    ],
    [
      { PORTICO_METRICS_ENABLED: 'true', PORTICO_METRICS_PORT: '70000' },
      /PORTICO_METRICS_PORT must be a port number from 1 to 65535, got "70000"/,
    ],
  ])('refuses %j, naming the variable', async (env, message) => {
    const result = await promisify(execFile)(
      process.execPath,
      ['--require', join(repoRoot, instrumentationFile), '-e', ''],
      { env: { PATH: process.env.PATH, ...env } },
    ).catch(error => error);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
