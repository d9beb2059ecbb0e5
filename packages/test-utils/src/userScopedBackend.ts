import { join, resolve as resolvePath } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { demoCatalogLocations, repoRoot } from './repository';
import { actorPreservingAuthFactory } from './auth';
import { waitForCatalogSettled } from './catalogSettled';
import { DatabaseActivity } from './databaseActivity';
import { randomBytes } from 'node:crypto';
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { urlReaderServiceFactory } from '@backstage/backend-defaults/urlReader';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';

/** One fresh test database per plugin, as the real database service gives. */
function perPluginDatabaseFactory(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  clients: Map<string, Promise<Knex>>,
  activity: DatabaseActivity,
) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const pluginId = plugin.getId();
      return {
        getClient() {
          if (!clients.has(pluginId)) {
            clients.set(
              pluginId,
              databases.init(databaseId).then(client => activity.track(client)),
            );
          }
          return clients.get(pluginId)!;
        },
      };
    },
  });
}

export type UserScopedBackend = {
  backend: TestBackend;
  http: () => ReturnType<typeof request>;
  /** The database a plugin uses, for tests that inspect or damage its tables. */
  pluginDatabase: (pluginId: string) => Promise<Knex>;
};

/**
 * Starts the given real plugins on the real app-config.yaml (owner-of policy,
 * demo catalog, TechDocs, search, Kubernetes settings) with `overrides` on top.
 * Authentication is mocked so tests can act as any demo user: the policy, the
 * catalog and every plugin's checks are the real ones.
 *
 * With the catalog among the features, it returns once the catalog has
 * processed and stitched everything it was given (`waitForCatalog: false` for
 * tests of what happens before): a test's first read then sees the whole demo
 * catalog, and no membership the policy keeps (app-config's
 * `membershipRefresh`, 30 s) was read from a half-ingested organization.
 */
export async function startUserScopedBackend(options: {
  databases: TestDatabases;
  databaseId: TestDatabaseId;
  features: BackendFeature[];
  overrides?: JsonObject;
  waitForCatalog?: boolean;
}): Promise<UserScopedBackend> {
  process.env.AUTH_SESSION_SECRET ??= randomBytes(24).toString('hex');
  process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
  process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-test';
  process.env.AUTH_OIDC_METADATA_URL ??= 'http://127.0.0.1:9/unused';
  // app-config's relative paths assume packages/backend as the working directory; tests run from
  // anywhere, so data goes to a temporary folder and the demo catalog is named absolutely.
  process.env.PORTICO_DATA_DIR ??= mkdtempSync(
    join(tmpdir(), 'portico-test-data-'),
  );
  const { appConfigs } = await loadConfig({
    configRoot: repoRoot,
    configTargets: [{ path: resolvePath(repoRoot, 'app-config.yaml') }],
  });
  const config = ConfigReader.fromConfigs([
    ...appConfigs,
    {
      context: 'test',
      data: {
        backend: { baseUrl: 'http://localhost:0', listen: { port: 0 } },
        catalog: { locations: demoCatalogLocations() },
      },
    },
    { context: 'test-overrides', data: options.overrides ?? {} },
  ]);
  const clients = new Map<string, Promise<Knex>>();
  const activity = new DatabaseActivity();
  const backend = await startTestBackend({
    features: [
      createServiceFactory({
        service: coreServices.rootConfig,
        deps: {},
        factory: () => config,
      }),
      perPluginDatabaseFactory(
        options.databases,
        options.databaseId,
        clients,
        activity,
      ),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      actorPreservingAuthFactory,
      schedulerServiceFactory,
      urlReaderServiceFactory,
      ...options.features,
    ],
  });
  const catalogDb = clients.get('catalog');
  if (catalogDb && options.waitForCatalog !== false) {
    await waitForCatalogSettled(await catalogDb);
  }
  activity.settleOnStop(backend);
  return {
    backend,
    http: () => request(backend.server),
    pluginDatabase: async pluginId => {
      const client = clients.get(pluginId);
      if (!client) throw new Error(`plugin ${pluginId} has no database`);
      return client;
    },
  };
}
