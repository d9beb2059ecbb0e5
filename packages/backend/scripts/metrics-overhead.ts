/*
 * What metrics cost: requests per second of the production image with metrics off and on,
 * measured side by side in one run.
 *
 *   yarn bench metrics-overhead [--rounds 4] [--duration 15] [--connections 10]
 *
 * A script, not a test: the test suite never runs it. It builds the production image folder (as
 * the image tests do) and starts its command twice on PostgreSQL (LOAD_TEST_POSTGRES_URL, default
 * postgresql://postgres@127.0.0.1:5432), each with its own database prefix (dropped at the end),
 * the demo catalog and the owner-of policy on: one backend without metrics, one with metrics on
 * and a real Prometheus scraping it every 5 s. Once both list the demo catalog, Bob signs in to
 * each, and autocannon sends the catalog page's first request (by-query, 20 components by name)
 * as Bob, to one backend then the other, alternating for --rounds rounds of --duration seconds,
 * so that drift of the machine hits both alike. It prints each round's requests per second and
 * the ratio of the medians (with / without) and the median of each round's own ratio; results
 * and method: docs/monitoring.md. Because other work on the machine moves requests per second
 * a lot, it also reports the backend's own CPU time per request (from /proc), with and without.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  dropBenchDatabases,
  eventually,
  freePort,
  median,
  parseBenchArgs,
  signInThroughIdp,
  startDevIdpProcess,
  demoDataLocation,
} from '@portico/test-utils';
import {
  postgresEnvFor,
  ImageBackend,
  startImageBackend,
} from '../src/production/__testUtils__/imageBackend';
import {
  prepareImage,
  repoRoot,
} from '../src/production/__testUtils__/imageRecipe';
import {
  startPrometheus,
  TestPrometheus,
} from '../src/production/__testUtils__/prometheus';

const args = parseBenchArgs({
  usage: 'yarn bench metrics-overhead',
  description:
    'Requests per second and CPU time per request of the production image on PostgreSQL (LOAD_TEST_POSTGRES_URL) with metrics off and on, side by side. Results and method: docs/monitoring.md.',
  options: {
    rounds: {
      type: 'integer',
      default: 4,
      description: 'Rounds, each measuring both backends',
    },
    duration: {
      type: 'integer',
      default: 15,
      description: 'Seconds per backend and round',
    },
    connections: {
      type: 'integer',
      default: 10,
      description: 'Concurrent connections',
    },
  },
});
const rounds = args.rounds;
const durationSeconds = args.duration;
const connections = args.connections;
const postgresUrl = new URL(
  process.env.LOAD_TEST_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL,
);
const PATH =
  '/api/catalog/entities/by-query?filter=kind=component&limit=20&orderField=metadata.name,asc';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, in milliseconds (user + system, from /proc). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function main() {
  const runId = randomBytes(4).toString('hex');
  const prefixes = [`overhead_off_${runId}_`, `overhead_on_${runId}_`];
  const imageDir = await prepareImage();
  process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-overhead';
  process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
  const ports = [await freePort(), await freePort()];
  const idp = await startDevIdpProcess(repoRoot, {
    productionStandIn: true,
    redirectUris: ports.map(
      port => `http://127.0.0.1:${port}/api/auth/oidc/handler/frame`,
    ),
  });
  const metricsPort = await freePort();
  let prometheus: TestPrometheus | undefined;
  const backends: ImageBackend[] = [];
  try {
    const start = (
      name: string,
      port: number,
      prefix: string,
      metrics: boolean,
    ) =>
      startImageBackend({
        imageDir,
        name,
        port,
        env: {
          ...postgresEnvFor(postgresUrl.href),
          AUTH_OIDC_METADATA_URL: idp.metadataUrl,
          AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID!,
          AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET!,
          AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
          ...(metrics
            ? {
                PORTICO_METRICS_ENABLED: 'true',
                PORTICO_METRICS_HOST: '127.0.0.1',
                PORTICO_METRICS_PORT: String(metricsPort),
              }
            : {}),
        },
        config: {
          backend: { database: { prefix } },
          catalog: {
            locations: [demoDataLocation()],
          },
        },
      });
    backends.push(await start('overhead-off', ports[0], prefixes[0], false));
    backends.push(await start('overhead-on', ports[1], prefixes[1], true));
    prometheus = await startPrometheus({
      job: 'portico',
      targets: [`127.0.0.1:${metricsPort}`],
      scrapeInterval: '5s',
    });

    const tokens = await Promise.all(
      backends.map(backend =>
        eventually(
          async () =>
            (
              await signInThroughIdp({
                backendUrl: backend.baseUrl,
                user: 'bob',
                environment: 'production',
              })
            ).token,
          300_000,
        ),
      ),
    );
    // Both lists must be complete before measuring: the same work on both sides.
    const totals = await Promise.all(
      backends.map((backend, i) =>
        eventually(async () => {
          const res = await fetch(`${backend.baseUrl}${PATH}`, {
            headers: { authorization: `Bearer ${tokens[i]}` },
          });
          const body = await res.json();
          if (!(body.totalItems > 0)) throw new Error('catalog not ready yet');
          return body.totalItems as number;
        }, 300_000),
      ),
    );
    if (totals[0] !== totals[1]) {
      await new Promise(r => setTimeout(r, 20_000));
    }

    const rps: [number[], number[]] = [[], []];
    const cpuPerRequest: [number[], number[]] = [[], []];
    const measure = async (i: number) => {
      const cpuBefore = cpuMs(backends[i].pid!);
      const result = await autocannon({
        url: `${backends[i].baseUrl}${PATH}`,
        connections,
        duration: durationSeconds,
        headers: { authorization: `Bearer ${tokens[i]}` },
      });
      if (result.errors || result.non2xx) {
        throw new Error(
          `${backends[i].name}: ${result.errors} errors, ${result.non2xx} non-2xx answers`,
        );
      }
      rps[i].push(result.requests.average);
      cpuPerRequest[i].push(
        (cpuMs(backends[i].pid!) - cpuBefore) / result.requests.total,
      );
      process.stdout.write(
        `round ${rps[i].length} ${
          i ? 'metrics on ' : 'metrics off'
        }: ${result.requests.average.toFixed(1)} req/s, p99 ${
          result.latency.p99
        } ms, ${cpuPerRequest[i][cpuPerRequest[i].length - 1].toFixed(
          2,
        )} ms of the backend's CPU a request\n`,
      );
    };
    // Warm both up, then alternate which one goes first in each round.
    for (const i of [0, 1]) {
      await autocannon({
        url: `${backends[i].baseUrl}${PATH}`,
        connections,
        duration: 5,
        headers: { authorization: `Bearer ${tokens[i]}` },
      });
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const i of order) await measure(i);
    }

    const requestsCounted = await prometheus.scalar(
      'sum(http_server_request_duration_count{http_route="/api/catalog/entities/by-query"})',
    );
    const off = median(rps[0]);
    const on = median(rps[1]);
    // Each round's two measurements ran back to back: their ratio is the least disturbed by
    // load that comes and goes on the machine.
    const pairedRatio = median(rps[1].map((value, i) => value / rps[0][i]));
    // CPU time per request: what the backend itself spent, whatever else runs on the machine.
    const cpuOff = median(cpuPerRequest[0]);
    const cpuOn = median(cpuPerRequest[1]);
    process.stdout.write(
      [
        '',
        `catalog list as bob, ${connections} connections, ${rounds} rounds of ${durationSeconds} s each`,
        `median without metrics: ${off.toFixed(1)} req/s`,
        `median with metrics:    ${on.toFixed(
          1,
        )} req/s (Prometheus counted ${requestsCounted} list requests)`,
        `ratio of the medians, with / without: ${(on / off).toFixed(3)}`,
        `median of each round's ratio:         ${pairedRatio.toFixed(
          3,
        )} (overhead ${((1 - pairedRatio) * 100).toFixed(1)} %)`,
        `backend CPU a request:  ${cpuOff.toFixed(
          2,
        )} ms without, ${cpuOn.toFixed(2)} ms with metrics (ratio ${(
          cpuOn / cpuOff
        ).toFixed(3)})`,

        '',
      ].join('\n'),
    );
  } finally {
    await prometheus?.stop();
    for (const backend of backends) await backend.stop();
    await idp.stop();
    await dropBenchDatabases(postgresUrl.toString(), prefixes);
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
