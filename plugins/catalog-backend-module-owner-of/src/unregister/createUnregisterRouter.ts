import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { OwnerUnregister } from './OwnerUnregister';

/**
 * Serves, on the catalog plugin:
 * `GET /owner-of/unregister?entityRef=<ref>`, what unregistering the entity would remove and
 * whether the signed-in user may, and `POST /owner-of/unregister` with `{ entityRef }`, which
 * does it (403 when not allowed, 404 for an entity the user may not read).
 */
export function createUnregisterRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  unregister: OwnerUnregister;
}): express.Router {
  const { httpAuth, auditor, unregister } = options;
  const router = Router();

  router.get('/owner-of/unregister', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { internal: _internal, ...plan } = await unregister.plan(
      req.query.entityRef,
      credentials,
    );
    res.json(plan);
  });

  router.post(
    '/owner-of/unregister',
    express.json({ limit: '16kb' }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const entityRef = req.body?.entityRef;
      const event = await auditor.createEvent({
        eventId: 'owner-unregister',
        severityLevel: 'medium',
        request: req,
        meta: { entityRef },
      });
      try {
        const plan = await unregister.unregister(entityRef, credentials);
        await event.success({
          meta: { removes: plan.removes, entityRefs: plan.entityRefs },
        });
        res.json(plan);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  return router;
}
