/*
 * Unregistering for owners (catalog-backend-module-owner-of's /owner-of/unregister): an owner
 * removes a registered location whose every entity they may delete, and nothing else; an orphan
 * alone, leaving its location; a user who may not read the entity learns nothing; an admin removes
 * any registered location. The real catalog (keeping orphans, as `catalog.orphanStrategy: keep`
 * does), permission backend and owner-of policy, as demo users.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Lets the test register files as locations (the portal registers URLs only). */
const fileLocationsForTests = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-file-locations',
  register({ registerInit }) {
    registerInit({
      deps: { locations: catalogLocationsExtensionPoint },
      async init({ locations }) {
        locations.setAllowedLocationTypes(['url', 'file']);
      },
    });
  },
});

const component = (name: string, owner: string) => `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: documentation
  lifecycle: production
  owner: ${owner}
`;

describe.each(databases.eachSupportedId())(
  'unregistering as an owner on %s',
  databaseId => {
    let t: UserScopedBackend;
    const dir = mkdtempSync(join(tmpdir(), 'portico-unregister-'));
    const runbooks = join(dir, 'payments-runbooks.yaml');
    const shared = join(dir, 'shared.yaml');
    const reorganised = join(dir, 'payments-reorganised.yaml');

    const as = (user: string) => ({
      plan: (entityRef: string) =>
        t
          .http()
          .get('/api/catalog/owner-of/unregister')
          .query({ entityRef })
          .set('authorization', userHeader(user)),
      unregister: (body: object) =>
        t
          .http()
          .post('/api/catalog/owner-of/unregister')
          .set('authorization', userHeader(user))
          .send(body),
    });
    const exists = async (name: string) =>
      (
        await t
          .http()
          .get(`/api/catalog/entities/by-name/component/default/${name}`)
          .set('authorization', mockCredentials.service.header())
      ).status === 200;
    const registeredTargets = async () => {
      const res = await t
        .http()
        .get('/api/catalog/locations')
        .set('authorization', mockCredentials.service.header())
        .expect(200);
      return (res.body as Array<{ data: { target: string } }>).map(
        l => l.data.target,
      );
    };

    beforeAll(async () => {
      writeFileSync(runbooks, component('payments-runbooks', 'payments-team'));
      writeFileSync(
        shared,
        component('payments-shared', 'payments-team') +
          component('freight-shared', 'data-team'),
      );
      writeFileSync(
        reorganised,
        component('payments-retired', 'payments-team') +
          component('payments-current', 'payments-team'),
      );
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          catalogBackend,
          fileLocationsForTests,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionBackendModuleOwnerOf,
        ],
        overrides: {
          catalog: {
            orphanStrategy: 'keep',
            processingInterval: { seconds: 5 },
          },
          permission: {
            enabled: true,
            adminRefs: ['group:default/platform-team'],
          },
        },
      });
      for (const target of [runbooks, shared, reorganised]) {
        await t
          .http()
          .post('/api/catalog/locations')
          .set('authorization', mockCredentials.service.header())
          .send({ type: 'file', target })
          .expect(201);
      }
      await eventually(async () => {
        for (const name of [
          'payments-runbooks',
          'payments-shared',
          'freight-shared',
          'payments-retired',
          'payments-current',
          'payment-gateway',
        ]) {
          if (!(await exists(name))) throw new Error(`${name} not yet there`);
        }
        // Access relations come with processing: bob must own what his team owns.
        await t
          .http()
          .get(
            '/api/catalog/entities/by-name/component/default/payments-runbooks',
          )
          .set('authorization', userHeader('bob'))
          .expect(200);
      }, 120_000);
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('shows an owner what unregistering removes, and tells others nothing', async () => {
      const plan = await as('bob')
        .plan('component:default/payments-runbooks')
        .expect(200);
      expect(plan.body).toEqual({
        entityRef: 'component:default/payments-runbooks',
        removes: 'location',
        location: `file:${runbooks}`,
        entityRefs: [
          'component:default/payments-runbooks',
          expect.stringMatching(/^location:default\/generated-/),
        ],
        allowed: true,
        reason: `You may delete every entity the location file:${runbooks} defines`,
      });

      // dave may not read it: the same 404 as for an entity that does not exist.
      const hidden = await as('dave').plan(
        'component:default/payments-runbooks',
      );
      const missing = await as('dave').plan('component:default/no-such-thing');
      expect([hidden.status, missing.status]).toEqual([404, 404]);
      expect(hidden.text.replaceAll('payments-runbooks', 'X')).toEqual(
        missing.text.replaceAll('no-such-thing', 'X'),
      );
      await as('dave')
        .unregister({ entityRef: 'component:default/payments-runbooks' })
        .expect(404);
      expect(await exists('payments-runbooks')).toBe(true);
    });

    it("refuses an owner a location that also defines others' entities, without naming them", async () => {
      const plan = await as('bob')
        .plan('component:default/payments-shared')
        .expect(200);
      expect(plan.body).toMatchObject({
        removes: 'none',
        location: null,
        entityRefs: [],
        allowed: false,
      });
      expect(plan.body.reason).toContain('1 entity you may not delete');
      expect(plan.text).not.toContain('freight-shared');
      expect(plan.text).not.toContain(shared);
      const refused = await as('bob')
        .unregister({ entityRef: 'component:default/payments-shared' })
        .expect(403);
      expect(refused.body.error.message).toContain(
        '1 entity you may not delete',
      );
      expect([
        await exists('payments-shared'),
        await exists('freight-shared'),
      ]).toEqual([true, true]);
    });

    it("refuses what the portal's configuration defines, and what the user may not delete", async () => {
      const configured = await as('bob')
        .plan('component:default/payment-gateway')
        .expect(200);
      expect(configured.body).toMatchObject({
        removes: 'none',
        allowed: false,
      });
      expect(configured.body.reason).toMatch(
        /comes from file:.*, which the catalog reads on its own/,
      );
      // dave reads the freight pipeline through a grant, but may not delete it.
      const granted = await as('dave')
        .plan('component:default/freight-analytics-pipeline')
        .expect(200);
      expect(granted.body).toMatchObject({ removes: 'none', allowed: false });
      expect(granted.body.reason).toContain(
        'You may not delete component:default/freight-analytics-pipeline',
      );
      await as('bob').unregister({}).expect(400);
    });

    it('removes the location and its entities for the owner, and any location for an admin', async () => {
      const done = await as('bob')
        .unregister({ entityRef: 'component:default/payments-runbooks' })
        .expect(200);
      expect(done.body.removes).toBe('location');
      expect(await exists('payments-runbooks')).toBe(false);
      expect(await registeredTargets()).not.toContain(runbooks);

      await as('alice')
        .unregister({ entityRef: 'component:default/payments-shared' })
        .expect(200);
      expect([
        await exists('payments-shared'),
        await exists('freight-shared'),
      ]).toEqual([false, false]);
      expect(await registeredTargets()).not.toContain(shared);
    });

    it('deletes an orphan on its own for its owner, leaving its location and what that still defines', async () => {
      // The file stops defining payments-retired; after the next read it is an orphan.
      writeFileSync(
        reorganised,
        component('payments-current', 'payments-team'),
      );
      const refresh = (entityRef: string) =>
        t
          .http()
          .post('/api/catalog/refresh')
          .set('authorization', mockCredentials.service.header())
          .send({ entityRef })
          .expect(200);
      // Refreshing what the file still defines re-reads the file. An orphan cannot be refreshed
      // (nothing leads to it); it is marked when the catalog next processes it, which this
      // backend's short processing interval makes seconds away.
      await refresh('component:default/payments-current');
      const plan = await eventually(async () => {
        const res = await as('bob')
          .plan('component:default/payments-retired')
          .expect(200);
        if (res.body.removes !== 'entity') {
          throw new Error(`not yet an orphan: ${res.text}`);
        }
        return res.body;
      }, 120_000);
      expect(plan).toEqual({
        entityRef: 'component:default/payments-retired',
        removes: 'entity',
        location: null,
        entityRefs: ['component:default/payments-retired'],
        allowed: true,
        reason:
          'component:default/payments-retired is an orphan (no location defines it any more); it is deleted from the catalog',
      });
      // dave may not read it: nothing changes, and he learns nothing.
      await as('dave')
        .unregister({ entityRef: 'component:default/payments-retired' })
        .expect(404);
      expect(await exists('payments-retired')).toBe(true);

      const done = await as('bob')
        .unregister({ entityRef: 'component:default/payments-retired' })
        .expect(200);
      expect(done.body.removes).toBe('entity');
      expect([
        await exists('payments-retired'),
        await exists('payments-current'),
      ]).toEqual([false, true]);
      expect(await registeredTargets()).toContain(reorganised);
    });
  },
);
