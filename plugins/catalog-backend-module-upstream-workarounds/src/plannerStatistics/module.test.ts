import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import { Knex } from 'knex';
import {
  eventually,
  harborlineTeams,
  startUserScopedBackend,
  UserScopedBackend,
  writeGeneratedCatalog,
} from '@portico/test-utils';
import { catalogModulePlannerStatistics } from './module';
import { needsAnalyze, PlannerStatistics } from './PlannerStatistics';

jest.setTimeout(300_000);

describe('needsAnalyze', () => {
  it('follows PostgreSQL autovacuum’s default threshold: 50 rows plus a tenth of the table', () => {
    expect(
      needsAnalyze({ table: 'search', liveRows: 0, changedSinceAnalyze: 50 }),
    ).toBe(false);
    expect(
      needsAnalyze({ table: 'search', liveRows: 0, changedSinceAnalyze: 51 }),
    ).toBe(true);
    expect(
      needsAnalyze({
        table: 'search',
        liveRows: 200_000,
        changedSinceAnalyze: 20_050,
      }),
    ).toBe(false);
    expect(
      needsAnalyze({
        table: 'search',
        liveRows: 200_000,
        changedSinceAnalyze: 20_051,
      }),
    ).toBe(true);
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Starts the catalog with the module on a generated catalog, ingested. */
function catalogWithPlannerStatistics(databaseId: TestDatabaseId) {
  const dir = mkdtempSync(join(tmpdir(), 'portico-planner-statistics-'));
  const catalogFile = join(dir, 'catalog.yaml');
  const components = writeGeneratedCatalog(catalogFile, {
    count: 600,
    namePrefix: 'planned',
    owners: harborlineTeams,
  });
  const asService = { authorization: mockCredentials.service.header() };
  const setup = {
    components,
    t: undefined as unknown as UserScopedBackend,
    catalogDb: undefined as unknown as Knex,
    /** Runs the task now, as its schedule would. */
    trigger: async () => {
      const triggered = await setup.t
        .http()
        .post(
          '/api/catalog/.backstage/scheduler/v1/tasks/catalog-planner-statistics/trigger',
        )
        .set(asService);
      expect(triggered.status).toBe(200);
    },
  };

  beforeAll(async () => {
    setup.t = await startUserScopedBackend({
      databases,
      databaseId,
      features: [catalogBackend, catalogModulePlannerStatistics],
      overrides: {
        catalog: { locations: [{ type: 'file', target: catalogFile }] },
      },
    });
    setup.catalogDb = await setup.t.pluginDatabase('catalog');
    await eventually(async () => {
      const res = await setup.t
        .http()
        .get('/api/catalog/entities/by-query')
        .query({ filter: 'kind=component', limit: 0 })
        .set(asService);
      if (res.body.totalItems < components.length) {
        throw new Error(`${res.body.totalItems} of ${components.length} in`);
      }
    }, 180_000);
  });

  afterAll(async () => {
    await setup.t?.backend.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return setup;
}

const supported = databases.eachSupportedId().map(([id]) => id);

describe.each(supported.filter(id => id.startsWith('POSTGRES')))(
  'Planner statistics of the catalog on %s',
  databaseId => {
    const setup = catalogWithPlannerStatistics(databaseId);

    /** The planner's estimate of the search rows saying an entity is a component. */
    const estimatedComponentRows = async () => {
      const { rows } = await setup.catalogDb.raw(
        `explain (format json) select entity_id from search where key = 'kind' and value = 'component'`,
      );
      return Number(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
    };

    it('analyzes the tables a bulk ingestion changed, once, when its schedule runs', async () => {
      await setup.trigger();
      // The catalog's migrations analyzed `search` while it was empty; after the task the
      // planner knows how many components there are.
      await eventually(async () => {
        const estimate = await estimatedComponentRows();
        expect(estimate).toBeGreaterThan(setup.components.length / 2);
        expect(estimate).toBeLessThan(setup.components.length * 2);
      }, 60_000);
      await eventually(async () => {
        // Statistics counters reach the view with a delay of up to a second.
        expect(await new PlannerStatistics(setup.catalogDb).refresh()).toEqual(
          [],
        );
      }, 10_000);
    });
  },
);

describe.each(supported.filter(id => id.startsWith('SQLITE')))(
  'Planner statistics of the catalog on %s',
  databaseId => {
    const setup = catalogWithPlannerStatistics(databaseId);

    it('runs its schedule and changes nothing: SQLite plans without such statistics', async () => {
      await setup.trigger();
      expect(await new PlannerStatistics(setup.catalogDb).refresh()).toEqual(
        [],
      );
    });
  },
);
