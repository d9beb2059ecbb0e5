/*
 * The production image's memory after ingesting a catalog, as shipped and with other process
 * settings, side by side.
 *
 *   yarn bench memory [--entities 10000] [--pairs 2] [--idle 20]
 *                     [--env MALLOC_ARENA_MAX=2] [--node-options --max-semi-space-size=8]
 *
 * A script, not a test. It builds Portico's production image folder (as the image tests do) and
 * starts it on PostgreSQL (LOAD_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432)
 * under a fresh database prefix each time, with a generated catalog of --entities Components
 * and the demo organization, once as the image runs it and once with the variant's settings
 * (--env: comma-separated NAME=VALUE added to the environment; --node-options: space-separated
 * options before the entry point), alternating which goes first, --pairs times. Each run is
 * timed to every Component listed, then idles --idle seconds; the RSS is read then, with the
 * peak (VmHWM) of the whole run. Results: docs/stock-comparison.md ("Memory").
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { staticAccessToken } from '../src/production/__testUtils__/imageBackend';
import {
  prepareImage,
  repoRoot,
} from '../src/production/__testUtils__/imageRecipe';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  dropBenchDatabases,
  formatRatio,
  freePort,
  harborlineTeams,
  median,
  parseBenchArgs,
  startDevIdpProcess,
  writeGeneratedCatalog,
} from '@portico/test-utils';
import { entityCount, rssMiB, startPorticoImage } from './porticoImageBench';

const args = parseBenchArgs({
  usage: 'yarn bench memory',
  description:
    "The production image's RSS after ingesting a catalog on PostgreSQL (LOAD_TEST_POSTGRES_URL), as shipped and with the variant's environment or Node options, side by side.",
  options: {
    entities: {
      type: 'integer',
      default: 10_000,
      description: 'Generated components, besides the demo organization',
    },
    pairs: {
      type: 'integer',
      default: 2,
      description: 'Ingestions per setting, alternating which goes first',
    },
    idle: {
      type: 'integer',
      default: 20,
      description: 'Seconds of idle after ingestion before the RSS is read',
    },
    env: {
      type: 'string',
      default: 'MALLOC_ARENA_MAX=2',
      description: "The variant's extra environment, NAME=VALUE[,NAME=VALUE]",
    },
    'node-options': {
      type: 'string',
      default: '',
      description: "The variant's Node options, space-separated",
    },
  },
});

const postgresUrl =
  process.env.LOAD_TEST_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;
const log = (message: string) => process.stdout.write(`[memory] ${message}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const loadavg = () =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** NAME=VALUE[,NAME=VALUE], naming the entry that is not one. */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split(',').filter(e => e.trim())) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(entry);
    if (!match) {
      throw new Error(`--env: "${entry}" is not NAME=VALUE`);
    }
    env[match[1]] = match[2].trim();
  }
  return env;
}

function peakMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

interface Setting {
  label: string;
  env: Record<string, string>;
  nodeOptions: string[];
}

async function main() {
  const variant: Setting = {
    label: [args.env, args['node-options']].filter(Boolean).join(' '),
    env: parseEnv(args.env),
    nodeOptions: args['node-options'].split(' ').filter(Boolean),
  };
  const settings: Setting[] = [
    { label: 'as shipped', env: {}, nodeOptions: [] },
    variant,
  ];
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    log(
      `machine: ${os.cpus().length} cores, Node ${
        process.version
      }, load average ${loadavg()}`,
    );
    const imageDir = await prepareImage();
    const workDir = mkdtempSync(join(os.tmpdir(), 'portico-memory-'));
    cleanups.push(async () =>
      rmSync(workDir, { recursive: true, force: true }),
    );
    const catalogFile = join(workDir, 'generated-catalog.yaml');
    writeGeneratedCatalog(catalogFile, {
      count: args.entities,
      namePrefix: 'memory',
      owners: harborlineTeams,
    });
    const prefixRoot = `portico_memory_${randomBytes(4).toString('hex')}_`;
    cleanups.push(() => dropBenchDatabases(postgresUrl, prefixRoot));
    const access = staticAccessToken('memory-bench');
    const port = await freePort();
    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-memory-bench';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    const idp = await startDevIdpProcess(repoRoot, {
      productionStandIn: true,
      redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/handler/frame`],
    });
    cleanups.push(() => idp.stop());

    const results = new Map<
      string,
      { rss: number[]; peak: number[]; ms: number[] }
    >(settings.map(s => [s.label, { rss: [], peak: [], ms: [] }]));
    for (let pair = 0; pair < args.pairs; pair++) {
      const order = pair % 2 === 0 ? settings : [...settings].reverse();
      for (const setting of order) {
        const prefix = `${prefixRoot}${pair}_${
          setting === variant ? 'v' : 's'
        }_`;
        const started = performance.now();
        const { backend } = await startPorticoImage({
          imageDir,
          name: 'memory',
          port,
          prefix,
          postgresUrl,
          catalogFile,
          orgFile: join(repoRoot, 'demo-data/org.yaml'),
          access,
          idp,
          sessionSecret: randomBytes(24).toString('hex'),
          env: setting.env,
          nodeOptions: setting.nodeOptions,
        });
        try {
          const deadline = Date.now() + 30 * 60_000;
          while (
            (await entityCount(
              backend.baseUrl,
              access.token,
              'component',
            ).catch(() => -1)) !== args.entities
          ) {
            if (Date.now() > deadline) {
              throw new Error(`${setting.label} did not list every component`);
            }
            await sleep(500);
          }
          const ms = performance.now() - started;
          await sleep(args.idle * 1000);
          const result = results.get(setting.label)!;
          result.ms.push(ms);
          result.rss.push(rssMiB(backend.pid));
          result.peak.push(peakMiB(backend.pid));
          log(
            `pair ${pair + 1}, ${setting.label}: ${
              args.entities
            } components after ${(ms / 1000).toFixed(1)} s; RSS ${result.rss
              .at(-1)!
              .toFixed(0)} MiB after ${args.idle} s idle, peak ${result.peak
              .at(-1)!
              .toFixed(0)} MiB; load average ${loadavg()}`,
          );
        } finally {
          await backend.stop();
        }
      }
    }

    const shipped = results.get(settings[0].label)!;
    const rows = settings.map(setting => {
      const r = results.get(setting.label)!;
      return {
        setting: setting.label,
        'ingestion, s': r.ms.map(ms => (ms / 1000).toFixed(1)).join(', '),
        [`RSS after ${args.idle} s idle, MiB`]: r.rss
          .map(v => v.toFixed(0))
          .join(', '),
        'peak RSS, MiB': r.peak.map(v => v.toFixed(0)).join(', '),
        'RSS / as shipped (medians)': formatRatio(
          median(r.rss),
          median(shipped.rss),
        ),
      };
    });
    process.stdout.write(
      `\n${
        args.entities
      } components on PostgreSQL, load average ${loadavg()}\n`,
    );
    console.table(rows);
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  }
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
