import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import { searchModuleInProcessEngine } from './module';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'search before its first indexing on %s',
  databaseId => {
    let t: UserScopedBackend;

    beforeAll(async () => {
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          catalogBackend,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionBackendModuleOwnerOf,
          searchBackend,
          searchBackendModulePg,
          searchModuleInProcessEngine,
          searchBackendModuleCatalog,
        ],
        overrides: {
          // The first indexing waits: the scheduler holds a task, triggers included, until its
          // initial delay has passed.
          search: {
            collators: {
              catalog: {
                schedule: {
                  frequency: { hours: 24 },
                  timeout: { minutes: 5 },
                  initialDelay: { seconds: 15 },
                },
              },
            },
          },
        },
      });
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    const search = () =>
      t
        .http()
        .get('/api/search/query')
        .query({ term: 'payment' })
        .set('authorization', userHeader('bob'));

    it('says the index is not built yet instead of failing, then finds entities once it is', async () => {
      const before = await search();
      const isPostgres = databaseId.startsWith('POSTGRES');
      // The PostgreSQL engine answers from its tables, empty until the first indexing; the
      // in-process one has no index at all until then.
      expect({
        status: before.status,
        body: isPostgres ? before.body.results : before.body.error?.name,
      }).toEqual(
        isPostgres
          ? { status: 200, body: [] }
          : { status: 503, body: 'MissingIndexError' },
      );
      expect(before.body.error?.message ?? 'try again in a minute').toMatch(
        /try again in a minute/,
      );
      expect(JSON.stringify(before.body)).not.toMatch(/\bat .*\.js:\d+/);

      // Index once the demo catalog is in.
      await eventually(async () => {
        const entity = await t
          .http()
          .get(
            '/api/catalog/entities/by-name/component/default/payment-gateway',
          )
          .set('authorization', mockCredentials.service.header());
        expect(entity.status).toBe(200);
      }, 120_000);
      await eventually(async () => {
        const triggered = await t
          .http()
          .post(
            '/api/search/.backstage/scheduler/v1/tasks/search_index_software_catalog/trigger',
          )
          .set('authorization', mockCredentials.service.header());
        expect(triggered.status).toBe(200);
      }, 60_000);
      await eventually(async () => {
        const after = await search();
        expect(after.status).toBe(200);
        expect(
          after.body.results.map(
            (r: { document: { location: string } }) => r.document.location,
          ),
        ).toContain('/catalog/default/component/payment-gateway');
      }, 120_000);
    });
  },
);
