import { AuthService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { OwnerOfSettings } from '../config';
import { explainAccess } from '../explain/explainAccess';
import { normalizedRef } from '../explain/createExplainRouter';
import { MembershipResolver } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { describeAccess } from './describeAccess';

/**
 * Serves `GET /owner-of/access?entityRef=<ref>` on the permission plugin:
 * everyone who may read, delete and refresh the entity, and why.
 *
 * Answered for admins, for users whose claims include the entity's owner
 * (its members, nested groups included) and for service callers. Other users
 * get 403 for entities they can read and 404 for the rest, as the catalog
 * would answer.
 *
 * @public
 */
export function createAccessRouter(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  membership: MembershipResolver;
  policy: OwnerOfPolicy;
  settings: OwnerOfSettings;
}): express.Router {
  const { httpAuth, auth, catalog, membership, policy, settings } = options;
  const router = Router();

  router.get('/owner-of/access', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = normalizedRef(req.query.entityRef, 'entityRef');
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    const notFound = new NotFoundError(
      `No entity ${entityRef} that you may read`,
    );
    if (!entity) {
      throw notFound;
    }

    if (auth.isPrincipal(credentials, 'user')) {
      const claims = await membership.resolve(
        credentials.principal.userEntityRef,
      );
      if (!policy.adminVia(claims)) {
        const caller = explainAccess({
          entity,
          claims,
          policy,
          annotationPrefixes: settings.annotationPrefixes,
        });
        if (!caller.actions.read.allowed) {
          throw notFound;
        }
        if (!caller.owner || !claims.claims.includes(caller.owner)) {
          throw new NotAllowedError(
            `Only admins and members of the owner may see who has access to ${entityRef}`,
          );
        }
      }
    }

    res.json(describeAccess({ entity, policy, settings }));
  });

  return router;
}
