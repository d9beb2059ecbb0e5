import { TestDatabases } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import kubernetesBackend from '@backstage/plugin-kubernetes-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  StandInKubernetesApi,
  startStandInKubernetesApi,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import { kubernetesModuleRequestGuards } from '@portico/plugin-backend-module-portico-guards';

jest.setTimeout(180_000);

// The Kubernetes backend loads the ES module @kubernetes/client-node through a
// dynamic import, which Jest runs only with Node's VM modules enabled.
if (!process.env.NODE_OPTIONS?.includes('--experimental-vm-modules')) {
  throw new Error(
    'Run the backend tests with NODE_OPTIONS=--experimental-vm-modules: the Kubernetes backend imports an ES module',
  );
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const features = [
  catalogBackend,
  catalogBackendModuleScaffolderEntityModel,
  catalogBackendModuleOwnerOf,
  permissionBackend,
  permissionBackendModuleOwnerOf,
  kubernetesBackend,
  kubernetesModuleRequestGuards,
];

// payment-gateway is owned by payments-team: bob is a member, dave (support-team) is not.
const paymentGateway = {
  kind: 'Component',
  metadata: { name: 'payment-gateway', namespace: 'default' },
};

type ObjectsByEntity = {
  items: {
    cluster: { name: string };
    errors: unknown[];
    resources: { type: string; resources: { metadata: { name: string } }[] }[];
    podMetrics: unknown[];
  }[];
};

const namesOf = (body: ObjectsByEntity, type: string) =>
  body.items.flatMap(item =>
    item.resources
      .filter(r => r.type === type)
      .flatMap(r => r.resources.map(o => o.metadata.name)),
  );

/** Waits until the user can read the entity, i.e. the demo catalog is in. */
async function waitForCatalog(t: UserScopedBackend) {
  await eventually(async () => {
    await t
      .http()
      .get('/api/catalog/entities/by-name/component/default/payment-gateway')
      .set('authorization', userHeader('bob'))
      .expect(200);
  }, 120_000);
}

describe.each(databases.eachSupportedId())(
  'Kubernetes objects of catalog entities on %s',
  databaseId => {
    describe('with a cluster configured', () => {
      const token = 'stand-in-service-account-token';
      let cluster: StandInKubernetesApi;
      let t: UserScopedBackend;

      beforeAll(async () => {
        cluster = await startStandInKubernetesApi({
          token,
          workloads: [
            { id: 'payment-gateway', namespace: 'payments' },
            { id: 'shipment-api', namespace: 'logistics' },
          ],
        });
        t = await startUserScopedBackend({
          databases,
          databaseId,
          features,
          overrides: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'harborline-dev',
                      url: cluster.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: token,
                      skipTLSVerify: true,
                    },
                  ],
                },
              ],
            },
          },
        });
        await waitForCatalog(t);
      });

      afterAll(async () => {
        await t?.backend.stop();
        await cluster?.close();
      });

      it('shows an owner the workloads labelled with the entity’s kubernetes-id', async () => {
        const res = await t
          .http()
          .post('/api/kubernetes/services/payment-gateway')
          .set('authorization', userHeader('bob'))
          .send({ entity: paymentGateway })
          .expect(200);
        const body = res.body as ObjectsByEntity;

        expect(body.items.map(i => i.cluster.name)).toEqual(['harborline-dev']);
        expect(body.items[0].errors).toEqual([]);
        expect(namesOf(body, 'pods').sort()).toEqual([
          'payment-gateway-7c9d8f6b5-q8w3z',
          'payment-gateway-7c9d8f6b5-x2k4p',
        ]);
        expect(namesOf(body, 'deployments')).toEqual(['payment-gateway']);
        expect(namesOf(body, 'replicasets')).toEqual([
          'payment-gateway-7c9d8f6b5',
        ]);
        expect(namesOf(body, 'services')).toEqual(['payment-gateway']);
        expect(body.items[0].podMetrics).toHaveLength(2);

        // Selected by the annotation's label, with the service account's token.
        const podList = cluster.requests.find(r =>
          r.path.startsWith('/api/v1/pods?'),
        );
        expect(podList?.path).toBe(
          '/api/v1/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dpayment-gateway',
        );
        expect(podList?.authorization).toBe(`Bearer ${token}`);
      });

      it('refuses a services lookup without its entity with a 400 that says so', async () => {
        const before = cluster.requests.length;
        for (const body of [undefined, {}, { entity: { kind: 'Component' } }]) {
          const req = t
            .http()
            .post('/api/kubernetes/services/payment-gateway')
            .set('authorization', userHeader('bob'));
          const res = await (body === undefined ? req : req.send(body));
          expect(res.status).toBe(400);
          expect(res.body.error.message).toMatch(/entity/);
        }
        expect(cluster.requests.length).toBe(before);
      });

      it('answers the workloads query by entity ref the same way', async () => {
        const res = await t
          .http()
          .post('/api/kubernetes/resources/workloads/query')
          .set('authorization', userHeader('bob'))
          .send({ entityRef: 'component:default/payment-gateway' })
          .expect(200);
        expect(namesOf(res.body, 'pods')).toHaveLength(2);
      });

      it('reveals nothing of an entity the user may not read', async () => {
        const before = cluster.requests.length;

        const byService = await t
          .http()
          .post('/api/kubernetes/services/payment-gateway')
          .set('authorization', userHeader('dave'))
          .send({ entity: paymentGateway });
        expect(byService.status).toBe(403);
        expect(JSON.stringify(byService.body)).not.toContain('7c9d8f6b5');

        const byRef = await t
          .http()
          .post('/api/kubernetes/resources/workloads/query')
          .set('authorization', userHeader('dave'))
          .send({ entityRef: 'component:default/payment-gateway' });
        expect(byRef.status).toBe(400);
        expect(JSON.stringify(byRef.body)).not.toContain('7c9d8f6b5');

        // A made-up entity carrying the annotation is looked up in the catalog, not trusted.
        const forged = await t
          .http()
          .post('/api/kubernetes/services/payment-gateway')
          .set('authorization', userHeader('dave'))
          .send({
            entity: {
              kind: 'Component',
              metadata: {
                name: 'not-in-the-catalog',
                annotations: {
                  'backstage.io/kubernetes-id': 'payment-gateway',
                },
              },
            },
          });
        expect(forged.status).toBe(403);

        const anonymous = await t
          .http()
          .post('/api/kubernetes/services/payment-gateway')
          .send({ entity: paymentGateway });
        expect(anonymous.status).toBe(401);

        // None of these reached the cluster.
        expect(cluster.requests.length).toBe(before);
      });
    });

    describe('without clusters (the default configuration)', () => {
      let t: UserScopedBackend;

      beforeAll(async () => {
        t = await startUserScopedBackend({ databases, databaseId, features });
        await waitForCatalog(t);
      });

      afterAll(async () => {
        await t?.backend.stop();
      });

      it('lists no clusters and no objects', async () => {
        const clusters = await t
          .http()
          .get('/api/kubernetes/clusters')
          .set('authorization', userHeader('bob'))
          .expect(200);
        expect(clusters.body.items).toEqual([]);

        const objects = await t
          .http()
          .post('/api/kubernetes/services/payment-gateway')
          .set('authorization', userHeader('bob'))
          .send({ entity: paymentGateway })
          .expect(200);
        expect(objects.body).toEqual({ items: [] });
      });
    });
  },
);
