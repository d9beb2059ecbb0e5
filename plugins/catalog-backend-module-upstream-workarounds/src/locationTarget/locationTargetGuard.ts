/*
 * Catalog middleware refusing `url` locations the URL reader may not read with a 400, using
 * ./LocationTargetProbe.ts. An upstream workaround: see the table in this package's README for
 * when it is deleted.
 */
import type {
  HttpRouterService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { LocationTargetProbe } from './LocationTargetProbe';

/** An Express request handler, as plugin routers take them. */
type Handler = Parameters<HttpRouterService['use']>[0];

/**
 * Refuses a `url` location whose target is not an http(s) URL the URL reader
 * may read (`backend.reading.allow`, the integrations, the local git
 * hosting) with a 400 naming the reason, before the catalog stores it.
 *
 * Needs the parsed JSON body: install it on the catalog's router after a body parser.
 */
export function locationTargetGuard(urlReader: UrlReaderService): Handler {
  const probe = new LocationTargetProbe(urlReader);
  return async (req, _res, next) => {
    const writesLocation =
      (req.method === 'POST' && req.path === '/locations') ||
      (req.method === 'PUT' && /^\/locations\/[^/]+$/.test(req.path));
    const { type, target } = (req.body ?? {}) as {
      type?: unknown;
      target?: unknown;
    };
    if (!writesLocation || type !== 'url' || typeof target !== 'string') {
      // The catalog validates the rest itself.
      next();
      return;
    }
    const refusal = await probe.refusal(target);
    next(refusal === undefined ? undefined : new InputError(refusal));
  };
}
