import { AuthService, HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { MembershipResolver } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { explainAccess } from './explainAccess';
import { explainTask } from './explainTask';
import { TaskCreators } from './TaskCreators';

/** Scaffolder task ids are UUIDs. */
const TASK_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function normalizedRef(
  value: unknown,
  name: string,
  defaultKind?: string,
) {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(`Query parameter ${name} is required`);
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(value.trim(), defaultKind ? { defaultKind } : undefined),
    ).toLowerCase();
  } catch (error) {
    throw new InputError(`Invalid ${name} '${value}': ${error}`);
  }
}

/**
 * Serves `GET /owner-of/explain?entityRef=<ref>[&userRef=<ref>]` on the
 * permission plugin: which rule gives the user read, delete and refresh on
 * the entity, or why none does.
 *
 * Signed-in users may ask about themselves (the default) for entities they
 * can read; only admins may ask about other users or about entities hidden
 * from them. Service callers may ask about anyone and must name the user.
 *
 * @public
 */
export function createExplainRouter(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  membership: MembershipResolver;
  policy: OwnerOfPolicy;
  annotationPrefixes: readonly string[];
  /** Answers `?taskId=` questions when given. */
  tasks?: TaskCreators;
}): express.Router {
  const {
    httpAuth,
    auth,
    catalog,
    membership,
    policy,
    annotationPrefixes,
    tasks,
  } = options;
  const router = Router();

  router.get('/owner-of/explain', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const taskId = req.query.taskId;
    if (taskId !== undefined && req.query.entityRef !== undefined) {
      throw new InputError('Give entityRef or taskId, not both');
    }
    if (
      taskId !== undefined &&
      (!tasks || typeof taskId !== 'string' || !TASK_ID.test(taskId))
    ) {
      throw new InputError(
        `Invalid taskId '${String(taskId)}': expected a scaffolder task id`,
      );
    }
    const entityRef =
      taskId === undefined
        ? normalizedRef(req.query.entityRef, 'entityRef')
        : undefined;

    let callerIsAdmin = true;
    let userRef: string;
    if (auth.isPrincipal(credentials, 'user')) {
      const callerRef = credentials.principal.userEntityRef.toLowerCase();
      userRef =
        req.query.userRef === undefined
          ? callerRef
          : normalizedRef(req.query.userRef, 'userRef', 'user');
      callerIsAdmin = Boolean(
        policy.adminVia(await membership.resolve(callerRef)),
      );
      if (userRef !== callerRef && !callerIsAdmin) {
        throw new NotAllowedError(
          'Only admins may ask about the access of other users',
        );
      }
    } else {
      userRef = normalizedRef(req.query.userRef, 'userRef', 'user');
    }
    if (!userRef.startsWith('user:')) {
      throw new InputError(`userRef must refer to a User, got ${userRef}`);
    }

    if (typeof taskId === 'string' && tasks) {
      const createdBy = await tasks.creatorOf(taskId);
      const notFoundTask = new NotFoundError(
        `No task ${taskId} that you may read`,
      );
      if (createdBy === undefined) {
        throw notFoundTask;
      }
      const taskExplanation = explainTask({
        taskId,
        createdBy,
        claims: await membership.resolve(userRef),
        policy,
      });
      // As for entities: a non-admin learns nothing about tasks they may not read.
      if (!callerIsAdmin && !taskExplanation.actions.read.allowed) {
        throw notFoundTask;
      }
      res.json(taskExplanation);
      return;
    }

    const entity = await catalog.getEntityByRef(entityRef!, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    const notFound = new NotFoundError(
      `No entity ${entityRef} that you may read`,
    );
    if (!entity) {
      throw notFound;
    }

    const explanation = explainAccess({
      entity,
      claims: await membership.resolve(userRef),
      policy,
      annotationPrefixes,
    });
    // A non-admin learns nothing about entities they cannot read, not even
    // that they exist.
    if (!callerIsAdmin && !explanation.actions.read.allowed) {
      throw notFound;
    }
    res.json(explanation);
  });

  return router;
}
