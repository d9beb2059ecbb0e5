/*
 * Benchmark of the organization sync at scale, on PostgreSQL, side by side with YAML.
 *
 *   yarn bench directory-sync [--users 10000] [--groups 1000]
 *
 * Generates an organization (one company, departments, teams and squads nested under each
 * other, users in the squads) and software owned by its groups, then brings the same
 * organization into a fresh catalog twice, each time on its own fresh PostgreSQL database:
 *
 *   ldap  written into a private slapd, synced by the guarded LDAP provider
 *   yaml  written into one catalog YAML file, registered as a file location
 *
 * and reports, for each: the sync itself (directory read plus the write of the provider's
 * mutation; for YAML, the location's registration), the time until the owner-of relations are
 * current (every user and group processed, and a member reads exactly their groups' software),
 * and a member's first catalog page (a member who has made no request yet, so their groups are
 * resolved cold). The software is in the catalog before the organization arrives, in both runs.
 * Databases and slapd are removed at the end. Results: docs/directory-sync-benchmark.md.
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
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  EntityProvider,
  EntityProviderConnection,
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import knexFactory, { Knex } from 'knex';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  actorPreservingAuthFactory,
  createBenchDatabase,
  freePort,
  median,
  parseBenchArgs,
} from '@portico/test-utils';
import { DirectorySync } from '../src/DirectorySync';
import {
  OrgGroup,
  OrgUser,
  Slapd,
  harborlineProviderConfig,
  orgToLdif,
} from '../src/testUtils';

const args = parseBenchArgs({
  usage: 'yarn bench directory-sync',
  description:
    'The organization sync at scale on PostgreSQL (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), LDAP side by side with YAML. Results: docs/directory-sync-benchmark.md.',
  options: {
    users: {
      type: 'integer',
      default: 10_000,
      description: 'Users to generate',
    },
    groups: {
      type: 'integer',
      default: 1_000,
      description: 'Groups to generate',
    },
  },
});
const USERS = args.users;
const GROUPS = args.groups;
const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  DEFAULT_BENCH_POSTGRES_URL;

// ------------------------------------------------------- the organization

/** harborline → departments → teams → squads, 1 : 9 : 10 per department : 10 per team. */
function generateOrg() {
  const groups: OrgGroup[] = [
    { name: 'harborline', type: 'organization', displayName: 'Harborline' },
  ];
  const departments = Math.max(1, Math.round((GROUPS - 1) / 111));
  const teamsPer = 10;
  const squadsPer = Math.max(
    1,
    Math.floor(
      (GROUPS - 1 - departments * (1 + teamsPer)) / (departments * teamsPer),
    ),
  );
  const squads: string[] = [];
  for (let d = 0; d < departments; d++) {
    groups.push({
      name: `dept-${d}`,
      type: 'department',
      parent: 'harborline',
    });
    for (let t = 0; t < teamsPer; t++) {
      const team = `team-${d}-${t}`;
      groups.push({ name: team, type: 'team', parent: `dept-${d}` });
      for (let s = 0; s < squadsPer && groups.length < GROUPS; s++) {
        const squad = `squad-${d}-${t}-${s}`;
        groups.push({ name: squad, type: 'squad', parent: team });
        squads.push(squad);
      }
    }
  }
  const users: OrgUser[] = Array.from({ length: USERS }, (_, i) => ({
    name: `user-${i}`,
    displayName: `User ${i}`,
    email: `user-${i}@harborline.example`,
    memberOf: [squads[i % squads.length]],
  }));
  return { groups, users, squads };
}

/** One component per group, owned by it. */
function software(groups: OrgGroup[]): Entity[] {
  return groups.map(group => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${group.name}`,
      annotations: {
        'backstage.io/managed-by-location': 'url:https://bench/software.yaml',
        'backstage.io/managed-by-origin-location':
          'url:https://bench/software.yaml',
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:default/${group.name}`,
    },
  }));
}

/** What a squad member reads: their squad's, team's, department's and company's software. */
function expectedFor(org: ReturnType<typeof generateOrg>, user: OrgUser) {
  const parents = new Map(org.groups.map(g => [g.name, g.parent]));
  const names: string[] = [];
  for (let g: string | undefined = user.memberOf[0]; g; g = parents.get(g)) {
    names.push(`svc-${g}`);
  }
  return names.sort();
}

function orgYaml(org: ReturnType<typeof generateOrg>) {
  const docs: object[] = [
    ...org.groups.map(g => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: g.name },
      spec: {
        type: g.type,
        ...(g.parent && { parent: g.parent }),
        children: [],
      },
    })),
    ...org.users.map(u => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: u.name },
      spec: {
        profile: { displayName: u.displayName, email: u.email },
        memberOf: u.memberOf,
      },
    })),
  ];
  return docs.map(doc => stringify(doc)).join('---\n');
}

// ------------------------------------------------------------ the backend

class SoftwareProvider implements EntityProvider {
  connection?: EntityProviderConnection;
  getProviderName() {
    return 'bench-software';
  }
  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }
}

async function freshDatabase(label: string) {
  const database = await createBenchDatabase(
    POSTGRES,
    `portico_bench_sync_${label}_${Date.now().toString(36)}`,
  );
  const knex = knexFactory({ client: 'pg', connection: database.url });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await database.drop();
    },
  };
}

async function startBackend(options: {
  knex: Knex;
  slapdUrl?: string;
  onSync?: (sync: DirectorySync) => void;
}) {
  const softwareProvider = new SoftwareProvider();
  const benchModule = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'bench',
    register({ registerInit }) {
      registerInit({
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.logger,
          auth: coreServices.auth,
          httpAuth: coreServices.httpAuth,
          auditor: coreServices.auditor,
          processing: catalogProcessingExtensionPoint,
          locations: catalogLocationsExtensionPoint,
          catalog: catalogServiceRef,
        },
        async init(deps) {
          deps.locations.setAllowedLocationTypes(['file']);
          deps.processing.addEntityProvider(softwareProvider);
          if (options.slapdUrl) {
            const sync = new DirectorySync({ ...deps, knex: options.knex });
            deps.processing.addEntityProvider(sync.providers);
            options.onSync?.(sync);
          }
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['User', 'Group', 'Component', 'Location'] }],
            ...(options.slapdUrl && {
              providers: {
                ldapOrg: { bench: harborlineProviderConfig(options.slapdUrl) },
              },
              directorySync: { maxRemovedShare: 0.2 },
            }),
          },
          permission: {
            enabled: true,
            adminRefs: ['group:default/harborline-admins'],
            ownerOf: { membershipRefresh: { seconds: 0 } },
          },
        },
      }),
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.database.factory({ knex: options.knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      actorPreservingAuthFactory,
      catalogPlugin,
      permissionPlugin,
      catalogModuleOwnerOf,
      permissionModuleOwnerOf,
      benchModule,
    ],
  });
  return { backend, softwareProvider };
}

// --------------------------------------------------------------- measuring

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function get(backend: TestBackend, path: string, token: string) {
  const address = backend.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${address.port}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

const serviceToken = mockCredentials.service.token();
const userToken = (name: string) =>
  mockCredentials.user.token(`user:default/${name}`);

async function totalOf(backend: TestBackend, kind: string) {
  const body = await get(
    backend,
    `/api/catalog/entities/by-query?filter=kind=${kind}&limit=1&fields=kind`,
    serviceToken,
  );
  return body.totalItems as number;
}

async function firstPage(backend: TestBackend, user: string) {
  const body = await get(
    backend,
    `/api/catalog/entities/by-query?filter=kind=component&limit=20&orderField=metadata.name,asc&fields=metadata.name`,
    userToken(user),
  );
  return (body.items as Entity[]).map(e => e.metadata.name).sort();
}

async function until(check: () => Promise<boolean>, timeoutMs = 30 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 250));
  }
}

type Result = {
  sync: number;
  current: number;
  firstPage: number;
  firstPageRows: number;
};

async function measure(
  label: 'ldap' | 'yaml',
  org: ReturnType<typeof generateOrg>,
  components: Entity[],
  work: string,
): Promise<Result> {
  const { knex, drop } = await freshDatabase(label);
  let slapd: Slapd | undefined;
  let sync: DirectorySync | undefined;
  try {
    if (label === 'ldap') {
      const t = performance.now();
      slapd = await Slapd.start({
        ldif: orgToLdif(org),
        port: await freePort(),
      });
      process.stdout.write(
        `  slapd seeded with ${org.users.length} users and ${
          org.groups.length
        } groups in ${seconds(performance.now() - t)} s\n`,
      );
    }
    const { backend, softwareProvider } = await startBackend({
      knex,
      slapdUrl: slapd?.url,
      onSync: s => {
        sync = s;
      },
    });
    try {
      await softwareProvider.connection!.applyMutation({
        type: 'full',
        entities: components.map(entity => ({
          entity,
          locationKey: 'bench-software',
        })),
      });
      await until(
        async () => (await totalOf(backend, 'component')) === components.length,
      );

      const member = org.users[org.users.length - 1];
      const expected = expectedFor(org, member);
      const started = performance.now();
      if (label === 'ldap') {
        const run = await sync!.providers[0].run();
        if (run.result !== 'applied') {
          throw new Error(`sync ${run.result}: ${run.message}`);
        }
      } else {
        const file = join(work, 'org.yaml');
        writeFileSync(file, orgYaml(org));
        const address = backend.server.address() as { port: number };
        const response = await fetch(
          `http://127.0.0.1:${address.port}/api/catalog/locations`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${serviceToken}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ type: 'file', target: file }),
          },
        );
        if (response.status !== 201) {
          throw new Error(
            `location: ${response.status} ${await response.text()}`,
          );
        }
      }
      const syncMs = performance.now() - started;
      await until(
        async () =>
          (await totalOf(backend, 'user')) === org.users.length &&
          (await totalOf(backend, 'group')) === org.groups.length &&
          JSON.stringify(await firstPage(backend, member.name)) ===
            JSON.stringify(expected),
      );
      const currentMs = performance.now() - started;
      // Members who have made no request yet: their groups are resolved cold. The median of 7.
      const times: number[] = [];
      let rowCount = 0;
      for (let i = 1; i <= 7; i++) {
        const fresh = org.users[Math.floor((org.users.length * i) / 9)];
        const pageStarted = performance.now();
        const rows = await firstPage(backend, fresh.name);
        times.push(performance.now() - pageStarted);
        if (JSON.stringify(rows) !== JSON.stringify(expectedFor(org, fresh))) {
          throw new Error(`${fresh.name} read ${rows.join(', ')}`);
        }
        rowCount = rows.length;
      }
      const firstPageMs = median(times);
      const rows = { length: rowCount };
      return {
        sync: syncMs,
        current: currentMs,
        firstPage: firstPageMs,
        firstPageRows: rows.length,
      };
    } finally {
      await backend.stop();
    }
  } finally {
    await slapd?.destroy();
    await drop();
  }
}

async function main() {
  const org = generateOrg();
  const components = software(org.groups);
  const work = mkdtempSync(join(os.tmpdir(), 'portico-sync-bench-'));
  process.stdout.write(
    `Organization: ${org.users.length} users, ${
      org.groups.length
    } groups (4 levels), ${components.length} components; PostgreSQL; ${
      os.cpus().length
    } CPUs\n`,
  );
  try {
    const results: Record<string, Result> = {};
    for (const label of ['ldap', 'yaml'] as const) {
      process.stdout.write(`${label}:\n`);
      results[label] = await measure(label, org, components, work);
      process.stdout.write(`  ${JSON.stringify(results[label])}\n`);
    }
    const { ldap, yaml } = results;
    const row = (name: string, a: number, b: number, unit = 's') =>
      `| ${name} | ${unit === 's' ? seconds(a) : a.toFixed(0)} ${unit} | ${
        unit === 's' ? seconds(b) : b.toFixed(0)
      } ${unit} | ${(a / b).toFixed(2)} |`;
    process.stdout.write(
      [
        '',
        '| | LDAP (guarded sync) | YAML (file location) | LDAP / YAML |',
        '| --- | --- | --- | --- |',
        row('sync (read + write; YAML: registration)', ldap.sync, yaml.sync),
        row('until owner-of relations are current', ldap.current, yaml.current),
        row(
          `a member's first catalog page (${ldap.firstPageRows} rows, median of 7 members)`,
          ldap.firstPage,
          yaml.firstPage,
          'ms',
        ),
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
