import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import searchBackendModuleTechdocs from '@backstage/plugin-search-backend-module-techdocs';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const quickSchedule = {
  // minutes: 0 overrides app-config's one-minute frequency, which would otherwise add to the seconds.
  frequency: { minutes: 0, seconds: 5 },
  timeout: { minutes: 2 },
  initialDelay: { seconds: 1 },
};

type SearchResult = {
  type: string;
  document: { title: string; location: string; text: string };
};

// shipment-api belongs to logistics-team: alice (admin) and carol (routing-squad, nested) may
// read it, bob (payments-team) may not.
const hiddenFromBob =
  /\/(catalog|docs)\/default\/component\/shipment-api(\/|$)/;

/** Terms from the title, the description and the docs of shipment-api. */
const queries = [
  { what: 'title', term: 'Shipment API', types: ['software-catalog'] },
  {
    what: 'description',
    term: 'pickup windows milestones proof of delivery',
    types: ['software-catalog'],
  },
  // An alert named only in shipment-api's runbook.
  { what: 'doc text', term: 'ShipmentMilestoneLag', types: ['techdocs'] },
];

describe.each(databases.eachSupportedId())('Search on %s', databaseId => {
  let t: UserScopedBackend;
  let publishDirectory: string;

  const search = async (user: string, term: string, types: string[]) => {
    const res = await t
      .http()
      .get('/api/search/query')
      .query({ term, types, pageLimit: 100 })
      .set('authorization', userHeader(user));
    if (res.status !== 200) {
      throw new Error(`search failed with ${res.status}: ${res.text}`);
    }
    return res.body.results as SearchResult[];
  };

  beforeAll(async () => {
    publishDirectory = mkdtempSync(join(tmpdir(), 'portico-search-docs-'));
    t = await startUserScopedBackend({
      databases,
      databaseId,
      features: [
        catalogBackend,
        catalogBackendModuleScaffolderEntityModel,
        catalogBackendModuleOwnerOf,
        permissionBackend,
        permissionBackendModuleOwnerOf,
        techdocsBackend,
        searchBackend,
        searchBackendModulePg,
        searchBackendModuleCatalog,
        searchBackendModuleTechdocs,
      ],
      overrides: {
        techdocs: { publisher: { type: 'local', local: { publishDirectory } } },
        search: {
          collators: {
            catalog: { schedule: quickSchedule },
            techdocs: { schedule: quickSchedule },
          },
        },
      },
    });

    // TechDocs are built on first view; build shipment-api's so they get indexed.
    await eventually(async () => {
      const sync = await t
        .http()
        .get('/api/techdocs/sync/default/component/shipment-api')
        .set('authorization', userHeader('alice'))
        .buffer(true)
        .parse((res, callback) => {
          let text = '';
          res.on('data', chunk => (text += chunk));
          res.on('end', () => callback(null, text));
        })
        .expect(200);
      if (!String(sync.body).includes('event: finish')) {
        throw new Error(`TechDocs build did not finish: ${sync.body}`);
      }
    }, 120_000);

    // Wait until the index holds the entity and its docs.
    await eventually(async () => {
      for (const { term, types } of queries) {
        const results = await search('alice', term, types);
        if (!results.some(r => hiddenFromBob.test(r.document.location))) {
          throw new Error(`shipment-api is not indexed yet for "${term}"`);
        }
      }
    }, 120_000);
  });

  afterAll(async () => {
    await t?.backend.stop();
    if (publishDirectory) {
      rmSync(publishDirectory, { recursive: true, force: true });
    }
  });

  it.each(queries)(
    'finds shipment-api by $what only for users who may read it',
    async ({ term, types }) => {
      const forAlice = await search('alice', term, types);
      expect(
        forAlice.filter(r => hiddenFromBob.test(r.document.location)),
      ).not.toEqual([]);

      const forCarol = await search('carol', term, types);
      expect(
        forCarol.filter(r => hiddenFromBob.test(r.document.location)),
      ).not.toEqual([]);

      const forBob = await search('bob', term, types);
      expect(
        forBob.filter(r => hiddenFromBob.test(r.document.location)),
      ).toEqual([]);
      expect(JSON.stringify(forBob)).not.toContain('ShipmentMilestoneLag');
    },
  );

  it('still finds what bob may read', async () => {
    const results = await search('bob', 'Payment Gateway', [
      'software-catalog',
    ]);
    expect(results.map(r => r.document.location)).toContain(
      '/catalog/default/component/payment-gateway',
    );
  });

  it('finds nothing for a caller who is not signed in', async () => {
    const res = await t
      .http()
      .get('/api/search/query')
      .query({ term: 'Shipment API' });
    expect(res.status).toBe(401);
  });
});
