import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import request from 'supertest';
import { createDeniedMutationAuditMiddleware } from './deniedMutationAudit';

function app() {
  const auditor = mockServices.auditor.mock();
  const catalog = catalogServiceMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'route-planner', uid: 'uid-1' },
        spec: { owner: 'routing-squad' },
      },
    ],
  });
  const locations = new Map([
    [
      'loc-1',
      { id: 'loc-1', type: 'url', target: 'https://harborline.example/a.yaml' },
    ],
  ]);
  jest
    .spyOn(catalog, 'getLocationById')
    .mockImplementation((async (id: string) =>
      locations.get(id)) as typeof catalog.getLocationById);
  const server = express();
  server.use(express.json());
  server.use(
    createDeniedMutationAuditMiddleware({
      auditor,
      auth: mockServices.auth(),
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.user('user:default/oscar'),
      }),
      catalog,
      logger: mockServices.logger.mock(),
    }),
  );
  // Stands in for the catalog: refuses everything under /denied.
  server.use((req, res, next) => {
    if (req.headers['x-outcome'] === 'denied') {
      next(new NotAllowedError());
    } else {
      res.status(200).json({});
    }
  });
  server.use(mockErrorHandler());
  return { server, auditor };
}

async function settle() {
  await new Promise(resolve => setTimeout(resolve, 50));
}

describe('createDeniedMutationAuditMiddleware', () => {
  it.each([
    [
      'delete',
      (r: request.Agent) => r.delete('/entities/by-uid/uid-1'),
      'catalog.entity.delete',
      'component:default/route-planner',
    ],
    [
      'location delete',
      (r: request.Agent) => r.delete('/locations/loc-1'),
      'catalog.location.delete',
      'url:https://harborline.example/a.yaml',
    ],
    [
      'location analyze',
      (r: request.Agent) =>
        r.post('/analyze-location').send({
          location: {
            type: 'url',
            target: 'https://harborline.example/b.yaml',
          },
        }),
      'catalog.location.analyze',
      'url:https://harborline.example/b.yaml',
    ],
  ])('records a refused %s', async (_name, send, permission, resourceRef) => {
    const { server, auditor } = app();
    const res = await send(request.agent(server).set('x-outcome', 'denied'));
    expect(res.status).toBe(403);
    await settle();
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'access-denied',
        severityLevel: 'medium',
        meta: { actor: 'user:default/oscar', permission, resourceRef },
      }),
    );
    const event = await auditor.createEvent.mock.results[0].value;
    expect(event.fail).toHaveBeenCalledWith(
      expect.objectContaining({
        error: expect.objectContaining({
          message: `user:default/oscar was denied ${permission} on ${resourceRef}`,
        }),
      }),
    );
  });

  it('leaves refused refreshes and location creates and updates to the catalog, whose own events name them', async () => {
    const { server, auditor } = app();
    const denied = request.agent(server).set('x-outcome', 'denied');
    const responses = [
      await denied
        .post('/refresh')
        .send({ entityRef: 'component:default/route-planner' }),
      await denied
        .post('/locations')
        .send({ type: 'url', target: 'https://harborline.example/a.yaml' }),
      await denied
        .put('/locations/loc-1')
        .send({ type: 'url', target: 'https://harborline.example/a.yaml' }),
    ];
    expect(responses.map(res => res.status)).toEqual([403, 403, 403]);
    await settle();
    expect(auditor.createEvent).not.toHaveBeenCalled();
  });

  it('records nothing for allowed mutations and for reads', async () => {
    const { server, auditor } = app();
    await request(server).delete('/entities/by-uid/uid-1');
    await request(server)
      .get('/entities/by-uid/uid-1')
      .set('x-outcome', 'denied');
    await request(server)
      .post('/locations/by-query')
      .set('x-outcome', 'denied')
      .send({});
    await settle();
    expect(auditor.createEvent).not.toHaveBeenCalled();
  });
});
