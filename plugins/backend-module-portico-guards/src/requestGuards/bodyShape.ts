import { InputError } from '@backstage/errors';
import type { Handler } from './jsonBody';

/**
 * Refuses requests to one route whose JSON body lacks what the route reads, with a 400 that
 * says what is missing. For routes that would otherwise fail on the missing field with a 500.
 * `check` returns a description of the problem, or undefined when the body is fine.
 * Runs after `jsonBodyGuard`, which parses the body.
 */
export function bodyShapeGuard(route: {
  method: string;
  path: RegExp;
  check: (body: unknown) => string | undefined;
}): Handler {
  return (req, _res, next) => {
    if (req.method !== route.method || !route.path.test(req.path)) {
      next();
      return;
    }
    const problem = route.check(req.body);
    next(
      problem
        ? new InputError(
            `Invalid body for ${req.method} ${req.path}: ${problem}`,
          )
        : undefined,
    );
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The user-settings plugin's multiget: `{ items: [{ bucket, key }] }`. */
export function checkSettingsMultiget(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.items)) {
    return 'expected { "items": [{ "bucket": string, "key": string }, ...] }';
  }
  const bad = body.items.findIndex(
    item =>
      !isObject(item) ||
      typeof item.bucket !== 'string' ||
      typeof item.key !== 'string',
  );
  return bad === -1
    ? undefined
    : `items[${bad}] must be { "bucket": string, "key": string }`;
}

/** The Kubernetes plugin's services lookup: `{ entity: { kind, metadata: { name } } }`. */
export function checkKubernetesServiceQuery(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.entity)) {
    return 'expected { "entity": { "kind": string, "metadata": { "name": string } } }';
  }
  const { entity } = body;
  if (
    typeof entity.kind !== 'string' ||
    !isObject(entity.metadata) ||
    typeof entity.metadata.name !== 'string'
  ) {
    return 'entity must have a "kind" and a "metadata.name"';
  }
  return undefined;
}
