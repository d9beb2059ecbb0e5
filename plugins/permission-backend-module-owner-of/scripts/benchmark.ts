/*
 * Benchmark of the owner-of policy against the real catalog on PostgreSQL.
 *
 *   yarn bench owner-of [--entities 10000] [--repetitions 7]
 *
 * Seeds a scaled-up Harborline organization into a fresh database, then
 * measures the catalog's list endpoints for an admin and an ordinary member
 * under four backends running side by side on that database:
 *
 *   indexed   the policy as shipped: read is one HAS_ACCESS_RELATION lookup,
 *             and responses name no entity the user may not read
 *   unhidden  the same, without removing the refs of unreadable entities
 *   or        the policy sending read as anyOf[relation, isEntityKind]
 *   disabled  permission.enabled false (no policy, no permission call)
 *
 * Requests alternate between the backends (each repetition runs the same
 * operation on every backend, in rotating order), so a change of machine
 * load during the run affects every column alike. The processing interval is
 * far beyond the run, so no processing competes with the measured requests.
 * The database is dropped at the end. See docs/owner-of-benchmark.md.
 */

import { TestBackend, mockCredentials } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import knexFactory from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { TestEntityProvider } from '../src/__testUtils__/entityProviderModule';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  createBenchDatabase,
  formatRatio as ratio,
  median,
  parseBenchArgs,
} from '@portico/test-utils';
import {
  ADMIN,
  VARIANTS,
  Variant,
  organization,
  startBackend,
  waitForCatalog,
} from './harborlineCatalog';

// ---------------------------------------------------------------- options

const args = parseBenchArgs({
  usage: 'yarn bench owner-of',
  description:
    'The owner-of policy against the real catalog on PostgreSQL (BENCHMARK_POSTGRES_URL), four backends side by side. Results: docs/owner-of-benchmark.md.',
  options: {
    entities: {
      type: 'integer',
      default: 10_000,
      description: 'Components to seed',
    },
    repetitions: {
      type: 'integer',
      default: 7,
      description: 'Measured requests per operation and backend',
    },
  },
});
const COMPONENTS = args.entities;
const REPETITIONS = args.repetitions;
const WARMUPS = 2;
const PG_URL = process.env.BENCHMARK_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL;
const DATABASE = `owner_of_benchmark_${process.pid}`;

// ---------------------------------------------------------------- requests

type Timed = { ms: number; count: number };

function client(backend: TestBackend, userRef: string) {
  const address = backend.server.address();
  if (!address || typeof address === 'string') {
    throw new Error('The backend has no TCP address');
  }
  const base = `http://127.0.0.1:${address.port}/api/catalog`;
  const headers = {
    authorization: `Bearer ${mockCredentials.user.token(userRef)}`,
    'content-type': 'application/json',
  };
  async function call(path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method: body ? 'POST' : 'GET',
      headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) {
      throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    }
    return res.json();
  }
  return {
    async firstPage(): Promise<Timed> {
      const start = performance.now();
      const page = await call(
        '/entities/by-query?limit=50&filter=kind=component&orderField=metadata.name,asc',
      );
      return { ms: performance.now() - start, count: page.items.length };
    },
    async allPages(): Promise<Timed & { refs: string[] }> {
      const start = performance.now();
      const refs: string[] = [];
      // The cursor carries the filter and order but not the fields: each page asks for them.
      const fields = 'fields=kind,metadata.namespace,metadata.name';
      let page = await call(
        `/entities/by-query?limit=500&orderField=metadata.name,asc&${fields}`,
      );
      for (;;) {
        refs.push(...page.items.map((e: Entity) => stringifyEntityRef(e)));
        const cursor = page.pageInfo?.nextCursor;
        if (!cursor) {
          break;
        }
        page = await call(
          `/entities/by-query?limit=500&cursor=${encodeURIComponent(
            cursor,
          )}&${fields}`,
        );
      }
      return { ms: performance.now() - start, count: refs.length, refs };
    },
    async allPagesFull(): Promise<Timed> {
      const start = performance.now();
      let count = 0;
      let page = await call(
        '/entities/by-query?limit=500&orderField=metadata.name,asc',
      );
      for (;;) {
        count += page.items.length;
        const cursor = page.pageInfo?.nextCursor;
        if (!cursor) {
          break;
        }
        page = await call(
          `/entities/by-query?limit=500&cursor=${encodeURIComponent(cursor)}`,
        );
      }
      return { ms: performance.now() - start, count };
    },
    async facets(): Promise<Timed> {
      const start = performance.now();
      const res = await call('/entity-facets?facet=kind');
      const count = res.facets.kind.reduce(
        (sum: number, f: { count: number }) => sum + f.count,
        0,
      );
      return { ms: performance.now() - start, count };
    },
    async byRefs(refs: string[]): Promise<Timed> {
      const start = performance.now();
      const res = await call('/entities/by-refs', { entityRefs: refs });
      return {
        ms: performance.now() - start,
        count: res.items.filter(Boolean).length,
      };
    },
  };
}

/**
 * Runs one operation on every backend: warm-ups first, then the repetitions,
 * each visiting the backends in a rotating order. Returns each backend's
 * median.
 */
async function measureSideBySide(
  runs: Array<() => Promise<Timed>>,
): Promise<Array<{ ms: number; count: number }>> {
  for (let i = 0; i < WARMUPS; i++) {
    for (const run of runs) await run();
  }
  const times = runs.map(() => [] as number[]);
  const counts = runs.map(() => 0);
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (let k = 0; k < runs.length; k++) {
      const index = (rep + k) % runs.length;
      const result = await runs[index]();
      times[index].push(result.ms);
      counts[index] = result.count;
    }
  }
  return times.map((t, i) => ({ ms: median(t), count: counts[i] }));
}

const OPERATIONS = [
  'by-query first page (50 components)',
  'all visible, pages of 500 (refs only)',
  'all visible, pages of 500 (full entities)',
  'facets (kind)',
  'by-refs (50 refs, 25 readable by the member)',
] as const;
type Operation = (typeof OPERATIONS)[number];
type Column = Map<Operation, { ms: number; count: number }>;

/** Every operation for one user, side by side on the given backends. */
async function measureUser(
  backends: Array<{ title: string; backend: TestBackend }>,
  userRef: string,
  sampleRefs: string[],
): Promise<Array<{ title: string; column: Column }>> {
  const clients = backends.map(b => client(b.backend, userRef));
  const columns = backends.map(b => ({
    title: b.title,
    column: new Map() as Column,
  }));
  const operations: Record<
    Operation,
    (c: ReturnType<typeof client>) => Promise<Timed>
  > = {
    [OPERATIONS[0]]: c => c.firstPage(),
    [OPERATIONS[1]]: c => c.allPages(),
    [OPERATIONS[2]]: c => c.allPagesFull(),
    [OPERATIONS[3]]: c => c.facets(),
    [OPERATIONS[4]]: c => c.byRefs(sampleRefs),
  };
  for (const op of OPERATIONS) {
    const results = await measureSideBySide(
      clients.map(c => () => operations[op](c)),
    );
    results.forEach((result, i) => columns[i].column.set(op, result));
  }
  return columns;
}

// ---------------------------------------------------------------- main

async function main() {
  const database = await createBenchDatabase(PG_URL, DATABASE);
  // The backend's plugins share one pool, as they would share one database
  // server; the script's own progress queries use a second, small one.
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
  let backend: TestBackend | undefined;
  try {
    const { entities, member, memberComponents } = organization(COMPONENTS);
    const counts = entities.reduce<Record<string, number>>((acc, e) => {
      acc[e.kind] = (acc[e.kind] ?? 0) + 1;
      return acc;
    }, {});
    console.log(
      `Seeding ${entities.length} entities (${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}) into ${DATABASE}`,
    );

    const provider = new TestEntityProvider();
    const seedStart = performance.now();
    backend = await startBackend(knex, 'indexed', provider);
    for (let i = 0; i < entities.length; i += 1000) {
      await provider.add(entities.slice(i, i + 1000));
    }
    const seedSeconds = await waitForCatalog(probe, entities.length);
    const totalSeconds = (performance.now() - seedStart) / 1000;
    console.log(
      `Processed and stitched in ${seedSeconds.toFixed(
        0,
      )} s (${totalSeconds.toFixed(0)} s including backend start and insert)`,
    );
    const [{ relations }] = await probe('relations').select(
      probe.raw('count(*)::int as relations'),
    );
    const [{ searchRows }] = await probe('search').select(
      probe.raw('count(*)::int as "searchRows"'),
    );
    console.log(`${relations} relation rows, ${searchRows} search rows`);
    await probe.raw('vacuum analyze');

    // 50 component refs: 25 the member may read, 25 spread over the catalog.
    const componentRefs = entities
      .filter(e => e.kind === 'Component')
      .map(e => stringifyEntityRef(e));
    const step = Math.floor(componentRefs.length / 25);
    const sampleRefs = [
      ...memberComponents.slice(0, 25),
      ...Array.from({ length: 25 }, (_, i) => componentRefs[i * step]),
    ];

    const backends: Record<Variant, TestBackend> = {
      indexed: backend,
    } as Record<Variant, TestBackend>;
    for (const variant of VARIANTS.filter(v => v !== 'indexed')) {
      backends[variant] = await startBackend(
        knex,
        variant,
        new TestEntityProvider(),
      );
    }
    console.log(
      `Measuring side by side (load average ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')})`,
    );
    const withPolicy = VARIANTS.filter(v => v !== 'disabled');
    const columns = [
      ...(
        await measureUser(
          withPolicy.map(v => ({ title: v, backend: backends[v] })),
          ADMIN,
          sampleRefs,
        )
      ).map(c => ({ ...c, title: `admin ${c.title}` })),
      ...(
        await measureUser(
          VARIANTS.map(v => ({ title: v, backend: backends[v] })),
          member,
          sampleRefs,
        )
      ).map(c => ({ ...c, title: `member ${c.title}` })),
    ];
    console.log(
      `Measured (load average ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')})`,
    );

    const visibleBy: Record<string, string[]> = {};
    for (const variant of withPolicy) {
      visibleBy[variant] = (
        await client(backends[variant], member).allPages()
      ).refs.sort();
    }
    for (const variant of VARIANTS) {
      await backends[variant].stop();
    }
    backend = undefined;

    const same = withPolicy.every(
      v => JSON.stringify(visibleBy[v]) === JSON.stringify(visibleBy.indexed),
    );
    if (!same) {
      throw new Error(
        'The indexed, unhidden and OR read decisions show the member different entities',
      );
    }

    printTable(columns, {
      entities: entities.length,
      memberVisible: visibleBy.indexed.length,
      seedSeconds,
    });
  } finally {
    await backend?.stop();
    await probe.destroy();
    await knex.destroy();
    await database.drop();
  }
}

function printTable(
  columns: Array<{ title: string; column: Column }>,
  info: { entities: number; memberVisible: number; seedSeconds: number },
) {
  const get = (title: string, op: Operation) =>
    columns.find(c => c.title === title)!.column.get(op)!;
  const header = [
    'operation',
    'admin (owner-of)',
    'member indexed',
    'member unhidden',
    'member OR',
    'member disabled',
    'admin/disabled',
    'indexed/disabled',
    'unhidden/disabled',
    'OR/disabled',
    'OR/indexed',
  ];
  const rows = OPERATIONS.map(op => {
    const admin = get('admin indexed', op);
    const indexed = get('member indexed', op);
    const unhidden = get('member unhidden', op);
    const or = get('member or', op);
    const disabled = get('member disabled', op);
    const cell = (m: { ms: number; count: number }) =>
      `${m.ms.toFixed(1)} ms (${m.count})`;
    return [
      op,
      cell(admin),
      cell(indexed),
      cell(unhidden),
      cell(or),
      cell(disabled),
      // Disabled returns the whole catalog, as the admin's ALLOW does: the policy's full cost.
      ratio(admin.ms, disabled.ms),
      ratio(indexed.ms, disabled.ms),
      ratio(unhidden.ms, disabled.ms),
      ratio(or.ms, disabled.ms),
      ratio(or.ms, indexed.ms),
    ];
  });
  console.log('');
  console.log(
    `${
      info.entities
    } entities, processed and stitched in ${info.seedSeconds.toFixed(
      0,
    )} s; the member sees ${
      info.memberVisible
    }. Median of ${REPETITIONS} after ${WARMUPS} warm-ups; (n) = items returned.`,
  );
  console.log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(
      os.totalmem() /
      2 ** 30
    ).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log('');
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) {
    console.log(`| ${row.join(' | ')} |`);
  }
  const adminExtra = OPERATIONS.map(op => {
    const admin = get('admin indexed', op);
    const adminOr = get('admin or', op);
    return `${op}: ${admin.ms.toFixed(1)} / ${adminOr.ms.toFixed(1)} ms`;
  });
  console.log('');
  console.log(
    `Admin (ALLOW, no conditions) under the indexed / OR backends: ${adminExtra.join(
      '; ',
    )}`,
  );
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
