/*
 * The catalog at scale on PostgreSQL, with the owner-of policy on.
 *
 *   yarn bench scale [--entities 100000] [--repetitions 7] [--json out.json] [--keep-database]
 *                    [--ingestion-profile]
 *
 * Seeds Harborline's organization scaled to --entities components (the same
 * generator as yarn bench owner-of) into a fresh database through one catalog
 * + permission backend running the policy as shipped, and reports:
 *
 *   - ingestion: backend start and insert, then the time until every entity
 *     is processed and stitched, with the progress and load average over time;
 *   - rows, table size, index size and TOAST per catalog table, the size of
 *     every index, and the process's RSS after ingestion;
 *   - over HTTP with user tokens, medians of --repetitions: an ordinary
 *     member's (one squad; nested groups) by-query first page (components by
 *     name, 50) and second page (its cursor), facets (spec.type of components) and by-name of one of their
 *     components, and the admin's first page;
 *   - EXPLAIN (ANALYZE, BUFFERS) of every statement the catalog ran for one
 *     call of each of those requests, captured from knex's query events;
 *   - with --ingestion-profile, each statement's time and each table's block
 *     reads per 1,000 entities in the first and the last third of the
 *     ingestion (scripts/ingestionProfile.ts).
 *
 * It is a script, never part of the test suite. The database is dropped at
 * the end, unless --keep-database. See docs/scale.md.
 */

import { TestBackend, mockCredentials } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { TestEntityProvider } from '../src/__testUtils__/entityProviderModule';
import { IngestionProfile } from './ingestionProfile';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  createBenchDatabase,
  median,
  parseBenchArgs,
} from '@portico/test-utils';
import {
  ADMIN,
  IngestionSample,
  organization,
  startBackend,
  waitForCatalog,
} from './harborlineCatalog';

const args = parseBenchArgs({
  usage: 'yarn bench scale',
  description:
    "The catalog at scale on PostgreSQL (BENCHMARK_POSTGRES_URL) with the owner-of policy: ingestion time, rows and sizes per table and index, RSS, a member's and an admin's read latency and the plan of every statement behind them. Results: docs/scale.md.",
  options: {
    entities: {
      type: 'integer',
      default: 100_000,
      description: 'Components to seed',
    },
    repetitions: {
      type: 'integer',
      default: 7,
      description: 'Measured requests per operation',
    },
    json: {
      type: 'string',
      description: 'Also write every result, plans included, to this file',
    },
    'ingestion-profile': {
      type: 'boolean',
      description:
        "Time every statement of the ingestion and read PostgreSQL's block reads per table, and compare the first third of the entities with the last (scripts/ingestionProfile.ts)",
    },
    'keep-database': {
      type: 'boolean',
      description:
        'Leave the ingested database in place (its name is printed) to study its plans with psql; drop it yourself',
    },
  },
});
const WARMUPS = 2;
const PG_URL = process.env.BENCHMARK_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;
const DATABASE = `owner_of_scale_${process.pid}`;

const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function rss() {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

// ---------------------------------------------------------------- requests

type Operation = {
  name: string;
  user: string;
  path: string;
  count: (body: any) => number;
};

function operations(member: string, memberComponent: string): Operation[] {
  const [, name] = memberComponent.split('/');
  const firstPage =
    '/entities/by-query?limit=50&filter=kind=component&orderField=metadata.name,asc';
  return [
    {
      name: 'member by-query first page',
      user: member,
      path: firstPage,
      count: b => b.items.length,
    },
    {
      name: 'member facets (spec.type of components)',
      user: member,
      path: '/entity-facets?facet=spec.type&filter=kind=component',
      count: b =>
        b.facets['spec.type'].reduce(
          (sum: number, f: { count: number }) => sum + f.count,
          0,
        ),
    },
    {
      name: 'member by-name (own component)',
      user: member,
      path: `/entities/by-name/component/default/${name}`,
      count: b => (b.metadata ? 1 : 0),
    },
    {
      name: 'admin by-query first page',
      user: ADMIN,
      path: firstPage,
      count: b => b.items.length,
    },
  ];
}

async function call(backend: TestBackend, op: Operation) {
  const address = backend.server.address();
  if (!address || typeof address === 'string') {
    throw new Error('The backend has no TCP address');
  }
  const start = performance.now();
  const res = await fetch(
    `http://127.0.0.1:${address.port}/api/catalog${op.path}`,
    {
      headers: {
        authorization: `Bearer ${mockCredentials.user.token(op.user)}`,
      },
    },
  );
  if (!res.ok) {
    throw new Error(`${op.path}: HTTP ${res.status} ${await res.text()}`);
  }
  const body = await res.json();
  return { ms: performance.now() - start, count: op.count(body), body };
}

// ---------------------------------------------------------------- database

async function tableStats(client: Client) {
  const { rows: tables } = await client.query(`
    select c.relname as table,
           pg_total_relation_size(c.oid)::bigint as total,
           pg_relation_size(c.oid)::bigint as heap,
           pg_indexes_size(c.oid)::bigint as indexes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r'
     order by pg_total_relation_size(c.oid) desc`);
  const result = [];
  for (const t of tables) {
    const {
      rows: [{ n }],
    } = await client.query(`select count(*)::bigint as n from "${t.table}"`);
    result.push({
      table: t.table as string,
      rows: Number(n),
      total: Number(t.total),
      heap: Number(t.heap),
      indexes: Number(t.indexes),
      // TOAST and the free-space and visibility maps.
      other: Number(t.total) - Number(t.heap) - Number(t.indexes),
    });
  }
  const { rows: indexes } = await client.query(`
    select relname as table, indexrelname as index,
           pg_relation_size(indexrelid)::bigint as bytes
      from pg_stat_user_indexes
     order by pg_relation_size(indexrelid) desc`);
  const {
    rows: [{ bytes }],
  } = await client.query(
    'select pg_database_size(current_database())::bigint as bytes',
  );
  const { rows: settings } = await client.query(
    `select name, setting, unit from pg_settings
      where name in ('shared_buffers', 'effective_cache_size', 'work_mem', 'random_page_cost', 'max_connections')`,
  );
  return {
    tables: result,
    indexes: indexes.map(i => ({ ...i, bytes: Number(i.bytes) })) as Array<{
      table: string;
      index: string;
      bytes: number;
    }>,
    databaseBytes: Number(bytes),
    settings,
  };
}

type Captured = { sql: string; bindings: unknown[]; ms: number };

/** Records what the backend's knex runs while `capturing` is set. */
function captureQueries(knex: ReturnType<typeof knexFactory>) {
  let current: Captured[] | undefined;
  const started = new Map<string, { at: number; entry: Captured }>();
  knex.on('query', (q: any) => {
    if (!current) return;
    const entry = { sql: q.sql, bindings: q.bindings ?? [], ms: NaN };
    current.push(entry);
    started.set(q.__knexQueryUid, { at: performance.now(), entry });
  });
  knex.on('query-response', (_r: unknown, q: any) => {
    const s = started.get(q.__knexQueryUid);
    if (s) {
      s.entry.ms = performance.now() - s.at;
      started.delete(q.__knexQueryUid);
    }
  });
  return {
    async during<T>(fn: () => Promise<T>) {
      current = [];
      try {
        await fn();
        return current;
      } finally {
        current = undefined;
      }
    },
  };
}

function printIngestionProfile(
  summary: ReturnType<IngestionProfile['summary']>,
) {
  const n = (x: number, digits = 0) => x.toFixed(digits);
  const growth = (late: number, early: number) =>
    early > 0 ? `${n(late / early, 2)}×` : '–';
  console.log('');
  console.log(
    `Ingestion profile: first third ${n(summary.earlyEntities)} entities at ${n(
      summary.earlyRate,
    )}/s, last third ${n(summary.lateEntities)} at ${n(summary.lateRate)}/s`,
  );
  console.log(
    '| statement | share | ms per 1,000 (first → last third) | growth | calls per 1,000 | ms per call |\n| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const st of summary.statements) {
    console.log(
      `| \`${st.sql.slice(0, 160)}\` | ${n(st.share * 100, 1)} % | ${n(
        st.early.msPer1000,
      )} → ${n(st.late.msPer1000)} | ${growth(
        st.late.msPer1000,
        st.early.msPer1000,
      )} | ${n(st.early.callsPer1000)} → ${n(st.late.callsPer1000)} | ${n(
        st.early.msPerCall,
        2,
      )} → ${n(st.late.msPerCall, 2)} |`,
    );
  }
  console.log(
    '\n| table | block reads per 1,000 (first → last third) | hits per 1,000 |\n| --- | ---: | ---: |',
  );
  for (const t of summary.tables) {
    console.log(
      `| ${t.table} | ${n(t.early.readsPer1000)} → ${n(
        t.late.readsPer1000,
      )} | ${n(t.early.hitsPer1000)} → ${n(t.late.hitsPer1000)} |`,
    );
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const database = await createBenchDatabase(PG_URL, DATABASE);
  const knex = knexFactory({
    client: 'pg',
    connection: database.url,
    pool: { min: 0, max: 30, acquireTimeoutMillis: 120_000 },
  });
  const probe = knexFactory({
    client: 'pg',
    connection: database.url,
    pool: { min: 0, max: 2 },
  });
  const pg = new Client({ connectionString: database.url });
  await pg.connect();
  let backend: TestBackend | undefined;
  const report: Record<string, unknown> = {
    components: args.entities,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: os.totalmem() / 2 ** 30,
      node: process.version,
    },
  };
  const write = () => {
    if (args.json) {
      fs.writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    }
  };
  try {
    let generated: ReturnType<typeof organization> | undefined = organization(
      args.entities,
    );
    const { member, memberComponents } = generated;
    const total = generated.entities.length;
    const kinds = generated.entities.reduce<Record<string, number>>(
      (acc, e) => {
        acc[e.kind] = (acc[e.kind] ?? 0) + 1;
        return acc;
      },
      {},
    );
    report.entities = total;
    report.kinds = kinds;
    console.log(
      `Seeding ${total} entities (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}) into ${DATABASE}; load ${load()}`,
    );

    const provider = new TestEntityProvider();
    const startAt = performance.now();
    backend = await startBackend(knex, 'indexed', provider);
    const startedSeconds = (performance.now() - startAt) / 1000;
    for (let i = 0; i < generated.entities.length; i += 1000) {
      await provider.add(generated.entities.slice(i, i + 1000));
    }
    generated = undefined; // only the catalog holds the entities from here on
    const insertSeconds = (performance.now() - startAt) / 1000 - startedSeconds;
    console.log(
      `Backend started in ${startedSeconds.toFixed(
        0,
      )} s, entities inserted in ${insertSeconds.toFixed(0)} s; load ${load()}`,
    );
    const samples: IngestionSample[] = [];
    const profile = args['ingestion-profile']
      ? new IngestionProfile(knex, pg)
      : undefined;
    await profile?.start();
    const ingestSeconds = await waitForCatalog(probe, total, {
      intervalMs: args.entities >= 50_000 ? 30_000 : 10_000,
      onSample: s => samples.push(s),
      beforeNextSample: s => profile?.mark(s),
    });
    profile?.stop();
    const memoryAfterIngestion = rss();
    report.ingestion = {
      startedSeconds,
      insertSeconds,
      processedAndStitchedSeconds: ingestSeconds,
      totalSeconds: (performance.now() - startAt) / 1000,
      samples,
      memoryAfterIngestion,
    };
    if (profile) {
      const summary = profile.summary(total);
      report.ingestionProfile = summary;
      printIngestionProfile(summary);
    }
    console.log(
      `Processed and stitched in ${ingestSeconds.toFixed(0)} s (${(
        (performance.now() - startAt) /
        1000
      ).toFixed(0)} s from backend start); RSS ${mib(
        memoryAfterIngestion.rss,
      )}, heap ${mib(memoryAfterIngestion.heapUsed)}; load ${load()}`,
    );
    write();

    const vacuumStart = performance.now();
    await probe.raw('vacuum analyze');
    const stats = await tableStats(pg);
    report.vacuumAnalyzeSeconds = (performance.now() - vacuumStart) / 1000;
    report.storage = stats;
    console.log('');
    console.log(
      `| table | rows | total | heap | indexes | TOAST etc. |\n| --- | ---: | ---: | ---: | ---: | ---: |`,
    );
    for (const t of stats.tables) {
      console.log(
        `| ${t.table} | ${t.rows} | ${mib(t.total)} | ${mib(t.heap)} | ${mib(
          t.indexes,
        )} | ${mib(t.other)} |`,
      );
    }
    console.log(`\nDatabase: ${mib(stats.databaseBytes)}\n`);
    console.log('| index | table | size |\n| --- | --- | ---: |');
    for (const i of stats.indexes) {
      console.log(`| ${i.index} | ${i.table} | ${mib(i.bytes)} |`);
    }
    write();

    // ------------------------------------------------------------ latency
    const memberComponent = memberComponents[0];
    const ops = operations(member, memberComponent);
    // The member's second page, through the cursor their first page returns.
    const firstPage = await call(backend, ops[0]);
    ops.splice(1, 0, {
      name: 'member by-query second page (cursor)',
      user: member,
      path: `/entities/by-query?limit=50&cursor=${encodeURIComponent(
        firstPage.body.pageInfo.nextCursor,
      )}`,
      count: b => b.items.length,
    });
    const measureLoad = [load()];
    for (let w = 0; w < WARMUPS; w++) {
      for (const op of ops) await call(backend, op);
    }
    const times = ops.map(() => [] as number[]);
    const counts = ops.map(() => 0);
    for (let rep = 0; rep < args.repetitions; rep++) {
      for (let k = 0; k < ops.length; k++) {
        const index = (rep + k) % ops.length;
        const r = await call(backend, ops[index]);
        times[index].push(r.ms);
        counts[index] = r.count;
      }
    }
    measureLoad.push(load());
    const memoryAfterRequests = rss();
    const latency = ops.map((op, i) => ({
      operation: op.name,
      path: op.path,
      user: op.user,
      medianMs: median(times[i]),
      minMs: Math.min(...times[i]),
      maxMs: Math.max(...times[i]),
      items: counts[i],
    }));
    report.latency = { load: measureLoad, operations: latency };
    report.memoryAfterRequests = memoryAfterRequests;
    console.log(
      `\nMedian of ${
        args.repetitions
      } after ${WARMUPS} warm-ups, load ${measureLoad.join(
        ' → ',
      )}; member ${member} (component ${memberComponent})\n`,
    );
    console.log(
      '| operation | median | min | max | items |\n| --- | ---: | ---: | ---: | ---: |',
    );
    for (const l of latency) {
      console.log(
        `| ${l.operation} | ${l.medianMs.toFixed(1)} ms | ${l.minMs.toFixed(
          1,
        )} ms | ${l.maxMs.toFixed(1)} ms | ${l.items} |`,
      );
    }
    console.log(
      `\nRSS after the requests ${mib(memoryAfterRequests.rss)}, heap ${mib(
        memoryAfterRequests.heapUsed,
      )}`,
    );
    write();

    // ------------------------------------------------------------ plans
    const capture = captureQueries(knex);
    const running = backend;
    const plans = [];
    for (const op of ops) {
      const queries = await capture.during(() => call(running, op));
      const explained = [];
      for (const q of queries) {
        // Transactions and the processing loop's claim of due rows run
        // beside the request; only the request's reads are explained.
        if (
          !/^\s*(select|with)\b/i.test(q.sql) ||
          /for update skip locked/i.test(q.sql)
        ) {
          explained.push({ ...q, plan: undefined });
          continue;
        }
        const { rows } = await pg.query(
          `explain (analyze, buffers) ${q.sql}`,
          q.bindings as unknown[],
        );
        explained.push({
          ...q,
          plan: rows.map(r => r['QUERY PLAN']).join('\n'),
        });
      }
      plans.push({ operation: op.name, queries: explained });
      console.log(`\n## ${op.name}: ${queries.length} statements\n`);
      for (const q of explained) {
        console.log(`-- ${q.ms.toFixed(1)} ms in the request\n${q.sql}`);
        console.log(`-- bindings: ${JSON.stringify(q.bindings)}`);
        if (q.plan) console.log(q.plan);
        console.log('');
      }
    }
    report.plans = plans;
    write();

    await backend.stop();
    backend = undefined;
  } finally {
    await backend?.stop();
    await pg.end();
    await probe.destroy();
    await knex.destroy();
    if (args['keep-database']) {
      console.log(`Kept database ${DATABASE} on ${PG_URL}`);
    } else {
      await database.drop();
    }
  }
}

process.on('exit', code => {
  if (code !== 0) {
    console.error(`Exiting with code ${code}; database ${DATABASE} may remain`);
  }
});

main().then(
  // Exit explicitly: a backend that failed to start keeps handles open.
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
