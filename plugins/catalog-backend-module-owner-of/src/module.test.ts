import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import request from 'supertest';
import catalogModuleOwnerOf from './index';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'routing-squad' },
    spec: { type: 'squad', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'depot-sync',
      annotations: {
        'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.read',
        'backstage.tanzu.vmware.com/group.support': 'catalog.entities.read',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'routing-squad' },
  },
];

describe.each(databases.eachSupportedId())(
  'catalog with owner-of on %s',
  databaseId => {
    it('ingests an entity with a bad grant, with its access relations and the problem in status', async () => {
      const directory = createMockDirectory({
        content: {
          'org.yaml': entities.map(e => JSON.stringify(e)).join('\n---\n'),
        },
      });
      const backend = await startTestBackend({
        features: [
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                locations: [
                  { type: 'file', target: directory.resolve('org.yaml') },
                ],
                rules: [{ allow: ['Component', 'Group'] }],
              },
            },
          }),
          mockServices.database.factory({
            knex: await databases.init(databaseId),
          }),
          catalogPlugin,
          catalogModuleOwnerOf,
        ],
      });
      try {
        const byName = (header: string) =>
          request(backend.server)
            .get('/api/catalog/entities/by-name/component/default/depot-sync')
            .set('authorization', header);
        let body: any;
        const deadline = Date.now() + 45_000;
        do {
          await new Promise(resolve => setTimeout(resolve, 200));
          const res = await byName(mockCredentials.service.header());
          body = res.status === 200 ? res.body : undefined;
        } while (!body && Date.now() < deadline);

        expect(body.relations).toEqual(
          expect.arrayContaining([
            { type: 'ownedBy', targetRef: 'group:default/routing-squad' },
            { type: 'readableBy', targetRef: 'group:default/routing-squad' },
            { type: 'deletableBy', targetRef: 'group:default/routing-squad' },
            { type: 'refreshableBy', targetRef: 'group:default/routing-squad' },
            { type: 'readableBy', targetRef: 'user:default/dana' },
          ]),
        );
        // dana's read grant makes the entity private even if its kind were public: no kind relation.
        expect(body.relations).toHaveLength(5);
        // The access relations are the policy's bookkeeping: users never receive them.
        const forUser = await byName(mockCredentials.user.header()).expect(200);
        expect(forUser.body.relations).toEqual([
          { type: 'ownedBy', targetRef: 'group:default/routing-squad' },
        ]);
        expect(body.status.items).toEqual([
          {
            type: 'backstage.io/catalog-processing',
            level: 'error',
            message: expect.stringContaining(
              "Grant annotation 'backstage.tanzu.vmware.com/group.support': unknown permission 'catalog.entities.read'",
            ),
            error: { name: 'InputError', message: expect.any(String) },
          },
        ]);

        // The relation is indexed: a plain filter on it finds the entity.
        const filtered = await request(backend.server)
          .get('/api/catalog/entities/by-query')
          .query({ filter: 'relations.readableby=user:default/dana' });
        expect(filtered.body.items.map((e: any) => e.metadata.name)).toEqual([
          'depot-sync',
        ]);
      } finally {
        await backend.stop();
      }
    });
  },
);
