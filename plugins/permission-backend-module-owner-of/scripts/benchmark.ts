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

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import { JsonObject } from '@backstage/types';
import { createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ACCESS_RELATIONS,
  CATALOG_ENTITY_RESOURCE_TYPE,
  ENTITY_PERMISSIONS,
  HasAccessRelationParams,
  createAccessRelationCondition,
  isKindSubjectRef,
} from '@portico/plugin-owner-of-common';
import knexFactory, { Knex } from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  TestEntityProvider,
  testEntityProviderModule,
} from '../src/__testUtils__/entityProviderModule';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  actorPreservingAuthFactory,
  createBenchDatabase,
  formatRatio as ratio,
  median,
  parseBenchArgs,
} from '@portico/test-utils';
import { readOwnerOfSettings } from '../src/config';
import { MembershipResolver } from '../src/membership/MembershipResolver';
import { OwnerOfPolicy } from '../src/policy/OwnerOfPolicy';

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
const ADMIN = 'user:default/admin-0';
const PUBLIC_KINDS = ['Template'];

// ---------------------------------------------------------- organization

/** Deterministic pseudo-random numbers, so runs seed the same catalog. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Harborline's shape scaled to `components`: organization → departments →
 * teams → squads, one user per ten components (each in one squad, every
 * fifth also in a second team), one system per fifty components. Components
 * are owned 60 % by squads, 30 % by teams and 10 % by departments; 3 % carry
 * a read grant for another team and 1 % a read and refresh grant for a user.
 */
function organization(components: number) {
  const next = random(20261123);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];

  const departments = Math.max(2, Math.round(components / 1000));
  const teamsPerDepartment = 10;
  const squadsPerTeam = 3;
  const entities: Entity[] = [];
  const group = (name: string, type: string, parent?: string) =>
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name },
      spec: { type, ...(parent && { parent }), children: [] },
    });

  group('harborline', 'organization');
  const teams: string[] = [];
  const squads: string[] = [];
  const departmentNames: string[] = [];
  for (let d = 0; d < departments; d++) {
    const department = `department-${d}`;
    departmentNames.push(department);
    group(department, 'department', 'harborline');
    for (let t = 0; t < teamsPerDepartment; t++) {
      const team = d === 0 && t === 0 ? 'platform-team' : `team-${d}-${t}`;
      teams.push(team);
      group(team, 'team', department);
      for (let s = 0; s < squadsPerTeam; s++) {
        const squad = `squad-${d}-${t}-${s}`;
        squads.push(squad);
        group(squad, 'squad', team);
      }
    }
  }

  const users: string[] = [];
  const userCount = Math.max(10, Math.round(components / 10));
  for (let u = 0; u < userCount; u++) {
    const name = u === 0 ? 'admin-0' : `user-${u}`;
    users.push(name);
    // user-1 is the measured member: one squad, nothing else.
    let memberOf: string[];
    if (u === 0) {
      memberOf = ['platform-team'];
    } else if (u === 1) {
      memberOf = [squads[squads.length - 1]];
    } else {
      memberOf = [pick(squads), ...(u % 5 === 0 ? [pick(teams)] : [])];
    }
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name },
      spec: { profile: { email: `${name}@harborline.example` }, memberOf },
    });
  }

  const systems: string[] = [];
  for (let s = 0; s < Math.max(1, Math.round(components / 50)); s++) {
    const name = `system-${s}`;
    systems.push(name);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name },
      spec: { owner: pick(teams) },
    });
  }

  for (let t = 0; t < 20; t++) {
    entities.push({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: `template-${t}` },
      spec: {
        type: 'service',
        owner: 'platform-team',
        parameters: [],
        steps: [],
      },
    });
  }

  for (let c = 0; c < components; c++) {
    const roll = next();
    let owner: string;
    if (roll < 0.6) {
      owner = pick(squads);
    } else if (roll < 0.9) {
      owner = pick(teams);
    } else {
      owner = pick(departmentNames);
    }
    const annotations: Record<string, string> = {};
    const grant = next();
    if (grant < 0.03) {
      annotations[`backstage.tanzu.vmware.com/group.${pick(teams)}`] =
        'catalog.entity.read';
    } else if (grant < 0.04) {
      annotations[`backstage.tanzu.vmware.com/user.${pick(users)}`] =
        'catalog.entity.read, catalog.entity.update';
    }
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `component-${c}`, annotations },
      spec: {
        type: pick(['service', 'website', 'library']),
        lifecycle: 'production',
        owner,
        system: pick(systems),
      },
    });
  }
  // What user-1 may read through ownership: components of its squad and of
  // the squad's team and department (nested groups).
  const memberSquad = squads[squads.length - 1];
  const [, d, t] = memberSquad.split('-');
  const memberOwners = new Set([
    memberSquad,
    `team-${d}-${t}`,
    `department-${d}`,
  ]);
  const memberComponents = entities
    .filter(
      e => e.kind === 'Component' && memberOwners.has(e.spec?.owner as string),
    )
    .map(e => stringifyEntityRef(e));
  return { entities, member: 'user:default/user-1', memberComponents };
}

// ---------------------------------------------------------------- backends

const SETTINGS_CONFIG = {
  adminRefs: ['group:default/platform-team'],
  ownerOf: { publicKinds: PUBLIC_KINDS },
};

/** The shipped policy, but sending read in an OR form (the old decision): claims, or public kinds. */
class OrReadPolicy extends OwnerOfPolicy {
  decide(...decideArgs: Parameters<OwnerOfPolicy['decide']>): PolicyDecision {
    const decision = super.decide(...decideArgs);
    const [permission] = decideArgs;
    if (
      decision.result !== AuthorizeResult.CONDITIONAL ||
      permission.name !== ENTITY_PERMISSIONS.read.name ||
      !isResourcePermission(permission, CATALOG_ENTITY_RESOURCE_TYPE) ||
      !('rule' in decision.conditions)
    ) {
      return decision;
    }
    const { claims } = decision.conditions.params as HasAccessRelationParams;
    const branch = (subjects: string[]) =>
      createAccessRelationCondition({
        relation: ACCESS_RELATIONS.read,
        claims: subjects,
      });
    return createCatalogConditionalDecision(permission, {
      anyOf: [
        branch(claims.filter(claim => !isKindSubjectRef(claim))),
        branch(claims.filter(isKindSubjectRef)),
      ],
    });
  }
}

/** Installs OwnerOfPolicy (or its OR variant) the way the real module does. */
function policyModule(variant: 'indexed' | 'or') {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'owner-of-benchmark',
    register({ registerInit }) {
      registerInit({
        deps: {
          policy: policyExtensionPoint,
          config: coreServices.rootConfig,
          auth: coreServices.auth,
          logger: coreServices.logger,
          catalog: catalogServiceRef,
        },
        async init({ policy, config, auth, logger, catalog }) {
          const settings = readOwnerOfSettings(config);
          const membership = new MembershipResolver({
            catalog,
            auth,
            logger,
            nestedGroups: settings.nestedGroups,
            refreshMs: settings.membershipRefreshMs,
          });
          const Policy = variant === 'or' ? OrReadPolicy : OwnerOfPolicy;
          const ownerOf = new Policy({ settings, membership });
          policy.setPolicy({
            handle: (request: PolicyQuery, user?: PolicyQueryUser) =>
              ownerOf.handle(request, user),
          });
        },
      });
    },
  });
}

const VARIANTS = ['indexed', 'unhidden', 'or', 'disabled'] as const;
type Variant = (typeof VARIANTS)[number];

async function startBackend(
  knex: Knex,
  variant: Variant,
  provider: TestEntityProvider,
): Promise<TestBackend> {
  const config: JsonObject = {
    catalog: {
      // Process each seeded entity once; nothing is due again during the run.
      processingInterval: { hours: 24 },
      rules: [{ allow: ['Component', 'System', 'Group', 'User', 'Template'] }],
    },
    permission: {
      enabled: variant !== 'disabled',
      ...SETTINGS_CONFIG,
      ownerOf: {
        ...SETTINGS_CONFIG.ownerOf,
        hideUnreadableRelations: variant !== 'unhidden',
      },
    },
  };
  return startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data: config }),
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      // Keeps the catalog as the actor of its on-behalf-of permission calls,
      // as real auth does; the permission backend refuses them otherwise.
      actorPreservingAuthFactory,
      catalogPlugin,
      scaffolderEntityModel,
      catalogModuleOwnerOf,
      testEntityProviderModule(provider),
      // The permission backend refuses to start without a policy, and with
      // permission.enabled false nothing calls it.
      ...(variant === 'disabled'
        ? []
        : [
            permissionPlugin,
            policyModule(variant === 'or' ? 'or' : 'indexed'),
          ]),
    ],
  });
}

// ---------------------------------------------------------------- seeding

async function waitForCatalog(knex: Knex, expected: number) {
  const started = performance.now();
  for (;;) {
    const [{ total, unprocessed }] = await knex('refresh_state').select(
      knex.raw('count(*)::int as total'),
      knex.raw(
        'count(*) filter (where processed_entity is null)::int as unprocessed',
      ),
    );
    const [{ stitching }] = await knex('stitch_queue').select(
      knex.raw('count(*)::int as stitching'),
    );
    const [{ stitched }] = await knex('final_entities')
      .whereNotNull('final_entity')
      .select(knex.raw('count(*)::int as stitched'));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.error(
      `  ${seconds} s: ${
        total - unprocessed
      }/${expected} processed, ${stitched} stitched, ${stitching} to stitch`,
    );
    if (
      total === expected &&
      unprocessed === 0 &&
      stitching === 0 &&
      stitched === expected
    ) {
      return (performance.now() - started) / 1000;
    }
    await new Promise(resolve => setTimeout(resolve, 10_000));
  }
}

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
