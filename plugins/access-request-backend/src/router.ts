import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import {
  AccessRequests,
  REQUEST_SENT,
  TooManyRequestsError,
} from './AccessRequests';

/**
 * `POST /requests` with `{ entityRef, reason, permissions? }`: asks the
 * entity's owners for access on behalf of the signed-in user. Answers 202
 * with the same message whether or not the entity exists, 400 for bad input,
 * 429 when the user or the entity has had too many requests.
 */
export function createRouter(options: {
  httpAuth: HttpAuthService;
  accessRequests: AccessRequests;
}): express.Router {
  const { httpAuth, accessRequests } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  router.post('/requests', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body =
      typeof req.body === 'object' && req.body !== null ? req.body : {};
    try {
      await accessRequests.ask({
        userRef: credentials.principal.userEntityRef,
        entityRef: body.entityRef,
        permissions: body.permissions,
        reason: body.reason,
      });
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        res
          .status(429)
          .json({ error: { name: error.name, message: error.message } });
        return;
      }
      throw error;
    }
    res.status(202).json({ message: REQUEST_SENT });
  });

  return router;
}
