import {
  AuthService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ErrorResponseBody,
  NotFoundError,
  ServiceUnavailableError,
  serializeError,
} from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { isKindSubjectRef } from '@portico/plugin-owner-of-common';
import type { RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import {
  readableRefsInCatalog,
  singleAccessRelationCondition,
} from './readableRefs';
import {
  EntityResponseShape,
  entityResponseShape,
  namedRefs,
  stripAccessRelations,
  withoutHiddenRefs,
} from './relationVisibility';

/** by-refs batch size for the visibility lookup. */
const LOOKUP_BATCH = 500;

/**
 * Removes from every entity the catalog returns to a user the owner-of
 * policy's access relations (`readableBy`, ...), which are bookkeeping for its
 * SQL filter; with `hideUnreadable` (permissions on), also hides what the
 * catalog's responses say about entities the user may not read. The catalog
 * filters the entities it returns, but not what those entities name: a
 * readable component's `ownedBy` or `dependsOn` relations, a user's
 * `memberOf`, an ancestry chain or a relation facet would otherwise reveal the
 * refs of hidden groups, users and components (and the catalog graph would
 * draw them).
 *
 * For user callers, the response of every entity-returning route is held
 * back, the refs it names are checked against the user's read decision, and
 * what names an unreadable entity is removed. A user whose read decision is
 * an unconditional ALLOW (an admin) may read every entity, so no lookup is
 * made for them. The owner-of policy's decision for everyone else, one
 * HAS_ACCESS_RELATION condition, is evaluated in one query on the catalog's
 * own tables (`db`); any other decision through the catalog's by-refs with the
 * caller's own credentials, so the catalog applies it as for any read.
 * The ancestry of a hidden entity answers 404, as by-name does, instead of
 * the catalog's 403, which would confirm that the entity exists.
 * Service callers are trusted with the whole catalog and get it unchanged.
 * The lookup asks only for kind, namespace and name, so its own response
 * names nothing and is passed through.
 *
 * @public
 */
export function createHideUnreadableRelationsMiddleware(options: {
  auth: AuthService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  logger: LoggerService;
  /** The catalog's database, where a HAS_ACCESS_RELATION decision is evaluated. */
  db?: Knex;
  /** Also remove what names entities the user may not read. */
  hideUnreadable: boolean;
}): RequestHandler {
  const { auth, httpAuth, catalog, permissions, logger, db, hideUnreadable } =
    options;
  /**
   * The policy's decision on reading entities, as the catalog received it for this request (the
   * backend's permissions service reuses a user's decision briefly, so this is no second round
   * trip).
   */
  async function readDecision(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<PolicyDecision> {
    const [decision] = await permissions.authorizeConditional(
      [{ permission: catalogEntityReadPermission }],
      { credentials },
    );
    return decision;
  }

  async function readableRefs(
    refs: string[],
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Set<string>> {
    const decision = await readDecision(credentials);
    if (decision.result === AuthorizeResult.ALLOW) {
      return new Set(refs);
    }
    const condition = singleAccessRelationCondition(decision);
    if (db && condition) {
      return readableRefsInCatalog(db, refs, condition);
    }
    return readableRefsThroughCatalog(refs, credentials);
  }

  async function readableRefsThroughCatalog(
    refs: string[],
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Set<string>> {
    const readable = new Set<string>();
    for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: refs.slice(i, i + LOOKUP_BATCH),
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      );
      for (const entity of items) {
        if (entity) readable.add(stringifyEntityRef(entity).toLowerCase());
      }
    }
    return readable;
  }

  async function filtered(
    shape: EntityResponseShape,
    raw: Buffer,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Buffer> {
    // Nothing to do for a response without relations (e.g. refs only), unless it is an ancestry
    // chain, which names entities by itself.
    if (shape !== 'ancestry' && !raw.includes('relations')) {
      return raw;
    }
    const body = JSON.parse(raw.toString('utf8'));
    const stripped = stripAccessRelations(shape, body);
    const asIs = () =>
      stripped ? Buffer.from(JSON.stringify(body), 'utf8') : raw;
    if (!hideUnreadable) {
      return asIs();
    }
    const refs = namedRefs(shape, body);
    if (refs.length === 0) {
      return asIs();
    }
    // Kind subjects name no entity, so they are never readable (nor looked up).
    const real = refs.filter(ref => !isKindSubjectRef(ref));
    const readable =
      real.length > 0
        ? await readableRefs(real, credentials)
        : new Set<string>();
    if (refs.every(ref => readable.has(ref))) {
      return asIs();
    }
    return Buffer.from(
      JSON.stringify(withoutHiddenRefs(shape, body, ref => readable.has(ref))),
      'utf8',
    );
  }

  return async (req, res, next) => {
    const shape = entityResponseShape(req.method, req.path);
    if (!shape) {
      next();
      return;
    }
    let credentials: BackstageCredentials;
    try {
      credentials = await httpAuth.credentials(req);
    } catch (error) {
      next(error);
      return;
    }
    if (!auth.isPrincipal(credentials, 'user')) {
      next();
      return;
    }
    holdResponse(res, async raw => {
      if (hideUnreadable && shape === 'ancestry' && res.statusCode === 403) {
        // The catalog refuses the ancestry of an existing hidden entity with 403 but answers
        // 404 for one that does not exist; answer like by-name, so existence stays hidden.
        const [kind, namespace, name] = req.path
          .split('/')
          .slice(3, 6)
          .map(decodeURIComponent);
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        return errorResponseBody(
          new NotFoundError(
            `No entity named '${kind}:${namespace}/${name}' found`,
          ),
          404,
          { method: req.method, url: req.originalUrl },
        );
      }
      const isJson = /json/i.test(String(res.getHeader('content-type') ?? ''));
      if (res.statusCode !== 200 || !isJson || raw.length === 0) {
        return raw;
      }
      try {
        return await filtered(shape, raw, credentials);
      } catch (error) {
        // Never pass on what could not be checked.
        logger.error(
          `Could not check which entities ${req.method} ${req.path} names: ${error}`,
        );
        res.statusCode = 503;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        return errorResponseBody(
          new ServiceUnavailableError(
            'The catalog could not check which related entities you may read; try again',
          ),
          503,
        );
      }
    });
    next();
  };
}

/** The JSON body Backstage's error handler sends for an error, as a buffer. */
function errorResponseBody(
  error: Error,
  statusCode: number,
  request?: ErrorResponseBody['request'],
): Buffer {
  const body: ErrorResponseBody = {
    error: serializeError(error),
    ...(request ? { request } : {}),
    response: { statusCode },
  };
  return Buffer.from(JSON.stringify(body), 'utf8');
}

type Chunk = string | Buffer | Uint8Array;

function toBuffer(chunk: Chunk, encoding?: unknown): Buffer {
  if (typeof chunk === 'string') {
    return Buffer.from(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }
  return Buffer.from(chunk);
}

/**
 * Collects everything the route writes, and sends `transform`'s result in
 * its place once the route ends the response. Headers are only sent then, so
 * the status and length still reflect what is finally sent.
 */
function holdResponse(
  res: Response,
  transform: (raw: Buffer) => Promise<Buffer>,
): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);

  res.write = ((chunk: Chunk, encoding?: unknown, callback?: unknown) => {
    if (chunk !== undefined && chunk !== null) {
      chunks.push(toBuffer(chunk, encoding));
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as Response['write'];

  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      chunks.push(toBuffer(chunk as Chunk, encoding));
    }
    const done = [chunk, encoding, callback].find(
      (a): a is () => void => typeof a === 'function',
    );
    res.write = write;
    res.end = end;
    transform(Buffer.concat(chunks)).then(
      body => {
        if (!res.headersSent) {
          res.removeHeader('etag');
          res.setHeader('content-length', body.length);
        }
        end(body, done);
      },
      () => {
        // Never pass on what could not be checked.
        if (!res.headersSent) res.statusCode = 503;
        end(done);
      },
    );
    return res;
  }) as Response['end'];
}
