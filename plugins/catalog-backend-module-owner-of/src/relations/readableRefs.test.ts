import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { accessRelationQuery } from '@portico/plugin-owner-of-common';
import request from 'supertest';
import catalogModuleOwnerOf from '../index';
import {
  readableRefsInCatalog,
  singleAccessRelationCondition,
} from './readableRefs';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const group = (name: string, parent?: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
});
const component = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const entities = [
  group('payments'),
  group('routing'),
  component('ledger', 'payments'),
  component('payment-gateway', 'payments', {
    'backstage.tanzu.vmware.com/group.default.routing': 'catalog.entity.read',
  }),
  component('route-optimizer', 'routing'),
  // Mixed case in the file; the catalog stores and names it in lowercase.
  component('Depot-Sync', 'routing', {
    'backstage.tanzu.vmware.com/user.default.dana':
      'catalog.entity.read, catalog.entity.refresh',
  }),
];

const refs = [
  'group:default/payments',
  'group:default/routing',
  'component:default/ledger',
  'component:default/payment-gateway',
  'component:default/route-optimizer',
  'component:default/depot-sync',
  'component:default/does-not-exist',
];

describe('singleAccessRelationCondition', () => {
  const condition = {
    rule: 'HAS_ACCESS_RELATION',
    resourceType: 'catalog-entity',
    params: { relation: 'readableBy', claims: ['group:default/payments'] },
  };

  it('reads the owner-of policy’s conditional read decision', () => {
    expect(
      singleAccessRelationCondition({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: condition,
      }),
    ).toEqual({ relation: 'readableBy', claims: ['group:default/payments'] });
  });

  it('leaves every other decision to the catalog', () => {
    const conditional = (conditions: any) =>
      singleAccessRelationCondition({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions,
      });
    expect(
      singleAccessRelationCondition({ result: AuthorizeResult.ALLOW }),
    ).toBeUndefined();
    expect(
      singleAccessRelationCondition({ result: AuthorizeResult.DENY }),
    ).toBeUndefined();
    expect(conditional({ anyOf: [condition] })).toBeUndefined();
    expect(conditional({ not: condition })).toBeUndefined();
    expect(conditional({ ...condition, rule: 'IS_ENTITY_OWNER' })).toBe(
      undefined,
    );
    expect(
      conditional({ ...condition, params: { relation: 'readableBy' } }),
    ).toBeUndefined();
    expect(
      conditional({
        ...condition,
        params: { relation: 'readableBy', claims: [1] },
      }),
    ).toBeUndefined();
  });
});

describe.each(databases.eachSupportedId())(
  'readableRefsInCatalog on %s',
  databaseId => {
    it('answers exactly what the catalog’s own filter on the rule answers, in one query', async () => {
      const directory = createMockDirectory({
        content: {
          'catalog.yaml': entities.map(e => JSON.stringify(e)).join('\n---\n'),
        },
      });
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                locations: [
                  { type: 'file', target: directory.resolve('catalog.yaml') },
                ],
                rules: [{ allow: ['Component', 'Group'] }],
              },
            },
          }),
          mockServices.database.factory({ knex }),
          catalogPlugin,
          catalogModuleOwnerOf,
        ],
      });
      try {
        const deadline = Date.now() + 45_000;
        let stitched = 0;
        while (stitched < entities.length && Date.now() < deadline) {
          await new Promise(resolve => setTimeout(resolve, 200));
          const res = await request(backend.server)
            .get('/api/catalog/entities/by-query')
            .query({ fields: 'kind,relations' })
            .set('authorization', mockCredentials.service.header());
          stitched = (res.body.items ?? []).filter(
            (e: any) =>
              e.kind !== 'Location' &&
              e.relations?.some((r: any) => r.type === 'readableBy'),
          ).length;
        }
        expect(stitched).toBe(entities.length);

        const claimSets = [
          ['group:default/payments'],
          ['group:default/routing'],
          ['user:default/dana'],
          ['USER:default/Dana', 'group:default/payments'],
          ['group:default/nobody'],
        ];
        for (const relation of ['readableBy', 'refreshableBy'] as const) {
          for (const claims of claimSets) {
            const params = { relation, claims };
            // The oracle: the catalog's own by-refs, filtered by the rule's search filter (one
            // filter parameter per value: the catalog ORs them).
            const { key, values } = accessRelationQuery(params);
            const query = values
              .map(v => `filter=${encodeURIComponent(`${key}=${v}`)}`)
              .join('&');
            const res = await request(backend.server)
              .post(`/api/catalog/entities/by-refs?${query}`)
              .set('authorization', mockCredentials.service.header())
              .send({
                entityRefs: refs,
                fields: ['kind', 'metadata.namespace', 'metadata.name'],
              })
              .expect(200);
            const expected = res.body.items
              .filter(Boolean)
              .map((e: any) =>
                `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`.toLowerCase(),
              )
              .sort();
            const actual = [
              ...(await readableRefsInCatalog(knex, refs, params)),
            ].sort();
            expect({ relation, claims, readable: actual }).toEqual({
              relation,
              claims,
              readable: expected,
            });
          }
        }

        // Spelled out for one member of routing: its own, the granted one, and itself.
        const routing = await readableRefsInCatalog(knex, refs, {
          relation: 'readableBy',
          claims: ['group:default/routing'],
        });
        expect([...routing].sort()).toEqual([
          'component:default/depot-sync',
          'component:default/payment-gateway',
          'component:default/route-optimizer',
          'group:default/routing',
        ]);
      } finally {
        await backend.stop();
      }
    });
  },
);
