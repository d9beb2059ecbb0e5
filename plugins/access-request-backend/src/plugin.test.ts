/*
 * The access request route with the real notifications backend: the owning team's members get a
 * notification naming who asks, why and the grant annotation; the person asking gets the same
 * answer whether or not the entity exists; requests are limited per user and per entity.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import request from 'supertest';
import accessRequestPlugin from './index';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payment-gateway', namespace: 'default' },
    spec: { owner: 'group:default/payments-team', type: 'service' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/payments-team' }],
  },
  {
    apiVersion: 'backstage.io/v1',
    kind: 'Group',
    metadata: { name: 'payments-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [
      { type: 'hasMember', targetRef: 'user:default/bob' },
      { type: 'hasMember', targetRef: 'user:default/priya' },
    ],
  },
  ...['bob', 'priya', 'dave'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: name === 'dave' ? [] : ['payments-team'] },
    relations:
      name === 'dave'
        ? []
        : [{ type: 'memberOf', targetRef: 'group:default/payments-team' }],
  })),
];

describe('access requests', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const as = (user: string) =>
    mockCredentials.user.header(`user:default/${user}`);
  const ask = (user: string, body: object) =>
    request(backend.server)
      .post('/api/access-request/requests')
      .set('authorization', as(user))
      .send(body);
  const notificationsOf = async (user: string) =>
    (
      await request(backend.server)
        .get('/api/notifications/notifications')
        .set('authorization', as(user))
        .expect(200)
    ).body.notifications as Array<{
      payload: { title: string; description: string; link: string };
    }>;

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        accessRequestPlugin,
        notificationsBackend,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            permission: {
              ownerOf: { annotationPrefixes: ['backstage.tanzu.vmware.com'] },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it("notifies the owning team's members of who asks, why, and the annotation to add", async () => {
    const answer = await ask('dave', {
      entityRef: 'component:default/payment-gateway',
      reason: 'I answer shippers about failed card payments',
    }).expect(202);
    const [forBob] = await notificationsOf('bob');
    expect(forBob.payload).toEqual(
      expect.objectContaining({
        title:
          'user:default/dave asks for access to component:default/payment-gateway',
        description:
          'Reason: I answer shippers about failed card payments. To give it, add this annotation to component:default/payment-gateway: backstage.tanzu.vmware.com/user.dave: catalog.entity.read',
        link: '/catalog/default/component/payment-gateway',
      }),
    );
    expect(await notificationsOf('priya')).toHaveLength(1);
    expect(await notificationsOf('dave')).toHaveLength(0);

    // An entity that does not exist gets the same answer, and notifies nobody.
    const missing = await ask('dave', {
      entityRef: 'component:default/no-such-thing',
      reason: 'I answer shippers about failed card payments',
    }).expect(202);
    expect(missing.body).toEqual(answer.body);
    expect(await notificationsOf('bob')).toHaveLength(1);
  });

  it('names the permissions asked for in the annotation', async () => {
    await ask('priya', {
      entityRef: 'component:default/payment-gateway',
      permissions: ['catalog.entity.refresh', 'catalog.entity.delete'],
      reason: 'I rotate its keys',
    }).expect(202);
    const notifications = await notificationsOf('bob');
    expect(notifications.map(n => n.payload.description)).toContainEqual(
      expect.stringContaining(
        'backstage.tanzu.vmware.com/user.priya: catalog.entity.refresh, catalog.entity.delete',
      ),
    );
  });

  it('refuses bad input, naming what is wrong', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ reason: 'why not' }, /entityRef is required/],
      [{ entityRef: 'component:', reason: 'x' }, /Invalid entityRef/],
      [{ entityRef: 'component:default/x' }, /reason is required/],
      [
        { entityRef: 'component:default/x', reason: 'x'.repeat(501) },
        /at most 500/,
      ],
      [
        {
          entityRef: 'component:default/x',
          reason: 'x',
          permissions: ['catalog.entity.create'],
        },
        /permissions must be/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await ask('erin', body).expect(400);
      expect(res.body.error.message).toMatch(message);
    }
    await request(backend.server)
      .post('/api/access-request/requests')
      .set('authorization', mockCredentials.service.header())
      .send({ entityRef: 'component:default/x', reason: 'x' })
      .expect(403);
  });

  it('limits requests per entity and per user', async () => {
    // payment-gateway has had two requests above; the third within the hour is the last.
    await ask('tomas', {
      entityRef: 'component:default/payment-gateway',
      reason: 'one more',
    }).expect(202);
    const perEntity = await ask('wen', {
      entityRef: 'component:default/payment-gateway',
      reason: 'and another',
    }).expect(429);
    expect(perEntity.body.error.message).toMatch(/too often/);

    for (let i = 0; i < 5; i++) {
      await ask('zoe', {
        entityRef: `component:default/thing-${i}`,
        reason: 'curious',
      }).expect(202);
    }
    const perUser = await ask('zoe', {
      entityRef: 'component:default/thing-5',
      reason: 'curious',
    }).expect(429);
    expect(perUser.body.error.message).toMatch(
      /You have asked for access too often/,
    );
  });
});
