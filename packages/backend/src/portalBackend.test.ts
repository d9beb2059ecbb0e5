import { join, resolve as resolvePath } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TestDatabases, TestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import { startPortalBackend } from './__testUtils__/portalBackend';
import {
  demoCatalogLocations,
  dropDatabases,
  testDatabaseConfig,
} from '@portico/test-utils';

jest.setTimeout(240_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Every plugin's API refuses callers without valid credentials. */
const protectedRoutes: Array<[method: 'get' | 'post', path: string]> = [
  ['get', '/api/catalog/entities'],
  ['get', '/api/catalog/entities/by-query'],
  ['get', '/api/catalog/entities/by-name/component/default/portico'],
  ['get', '/api/catalog/entity-facets?facet=kind'],
  ['get', '/api/catalog/locations'],
  ['post', '/api/catalog/locations'],
  ['post', '/api/catalog/refresh'],
  ['post', '/api/permission/authorize'],
  ['get', '/api/search/query?term=payments'],
  ['get', '/api/techdocs/metadata/entity/default/component/portico'],
  ['get', '/api/scaffolder/v2/actions'],
  ['get', '/api/scaffolder/v2/tasks'],
  ['get', '/api/kubernetes/clusters'],
  ['get', '/api/user-settings/buckets/default/keys/theme'],
  ['get', '/api/notifications/'],
  ['get', '/api/local-git/'],
];

describe.each(databases.eachSupportedId())(
  'the portal backend on %s',
  databaseId => {
    const prefix = `portico_test_${randomBytes(4).toString('hex')}_`;
    const malformedFixture = resolvePath(
      __dirname,
      '__fixtures__/malformed-catalog.yaml',
    );
    const teamDir = mkdtempSync(join(tmpdir(), 'portico-catalog-'));
    const teamFile = join(teamDir, 'inventory.yaml');
    writeFileSync(
      teamFile,
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: inventory-sync',
        'spec:',
        '  type: service',
        '  lifecycle: production',
        '  owner: group:default/logistics-team',
        '',
      ].join('\n'),
    );
    let backend: TestBackend;
    let serviceToken: string;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      // The databases earlier runs of this file left (the `portico_test_` prefix is no other
      // test's). A stopped backend can still run a pending timer against its database, so a run
      // never drops its own databases while its process lives.
      if (databaseId !== 'SQLITE_3') await dropDatabases('portico_test_');
      ({ backend, serviceToken, stop } = await startPortalBackend({
        backend: { database: testDatabaseConfig(databaseId, prefix) },
        catalog: {
          locations: [
            ...demoCatalogLocations(),
            { type: 'file', target: teamFile },
          ],
        },
      }));
    });

    afterAll(async () => {
      await stop?.();
      rmSync(teamDir, { recursive: true, force: true });
    });

    const asService = (req: request.Test) =>
      req.set('authorization', `Bearer ${serviceToken}`);

    async function waitForEntity(ref: string): Promise<Entity> {
      const [kind, rest] = ref.split(':');
      const [namespace, name] = rest.split('/');
      for (let attempt = 0; attempt < 120; attempt++) {
        const res = await asService(
          request(backend.server).get(
            `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
          ),
        );
        if (res.status === 200) return res.body;
        await new Promise(r => setTimeout(r, 500));
      }
      throw new Error(`${ref} was not ingested within 60 s`);
    }

    it('answers health checks without credentials', async () => {
      const readiness = await request(backend.server).get(
        '/.backstage/health/v1/readiness',
      );
      expect(readiness.status).toBe(200);
      const liveness = await request(backend.server).get(
        '/.backstage/health/v1/liveness',
      );
      expect(liveness.status).toBe(200);
    });

    it.each(protectedRoutes)(
      'refuses %s %s without credentials or with a bad token',
      async (method, path) => {
        const anonymous = await request(backend.server)[method](path);
        expect(anonymous.status).toBe(401);
        const malformed = await request(backend.server)
          [method](path)
          .set('authorization', 'Bearer not-a-token');
        expect(malformed.status).toBe(401);
      },
    );

    it('ingests the demo organization, software and APIs', async () => {
      const carol = await waitForEntity('user:default/carol');
      expect(carol.spec?.profile).toMatchObject({
        email: 'carol@harborline.example',
      });
      await waitForEntity('group:default/routing-squad');
      const gateway = await waitForEntity('component:default/payment-gateway');
      expect(gateway.spec?.owner).toBeDefined();
      await waitForEntity('component:default/portico');
    });

    it('reports a catalog file that breaks as a processing error on its location, keeping the rest', async () => {
      const before = await waitForEntity('component:default/inventory-sync');
      expect(before.spec?.owner).toBe('group:default/logistics-team');
      await waitForEntity('user:default/alice');

      // Someone commits a broken edit to the file behind a registered location.
      await writeFile(teamFile, await readFile(malformedFixture, 'utf8'));
      const locations = await asService(
        request(backend.server).get(
          '/api/catalog/entities/by-query?filter=kind=location&fields=metadata,spec',
        ),
      );
      const location = (locations.body.items as Entity[]).find(
        e => e.spec?.target === teamFile,
      );
      expect(location).toBeDefined();
      const locationRef = `location:default/${location!.metadata.name}`;

      let errors: string[] = [];
      for (let attempt = 0; attempt < 120 && errors.length === 0; attempt++) {
        await asService(
          request(backend.server)
            .post('/api/catalog/refresh')
            .send({ entityRef: locationRef }),
        ).expect(200);
        const res = await asService(
          request(backend.server).get(
            `/api/catalog/entities/by-name/location/default/${
              location!.metadata.name
            }`,
          ),
        );
        errors =
          (res.body as AlphaEntity).status?.items
            ?.filter(item => item.level === 'error')
            .map(item => item.message) ?? [];
        if (errors.length === 0) await new Promise(r => setTimeout(r, 500));
      }
      expect(errors.join('\n')).toMatch(/YAML error/);
      expect(errors.join('\n')).toContain(teamFile);

      // What the file held before stays, and the rest of the catalog is intact.
      const after = await waitForEntity('component:default/inventory-sync');
      expect(after.metadata.uid).toBe(before.metadata.uid);
      const components = await asService(
        request(backend.server).get(
          '/api/catalog/entities/by-query?filter=kind=component&limit=1',
        ),
      );
      expect(components.body.totalItems).toBeGreaterThanOrEqual(15);
    });
  },
);
