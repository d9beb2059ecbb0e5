import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { Handler, inputError } from './jsonBody';

/**
 * Refuses a `url` location whose target is not an http(s) URL the URL reader
 * may read (`backend.reading.allow`, the integrations, the local git
 * hosting) with a 400 naming the reason, before the catalog stores it.
 *
 * The catalog itself stores any `url` location and only reports the refusal
 * later, as a processing error on the location entity. To ask the URL
 * reader without reading, the target is requested with an already aborted
 * signal: the reader refuses targets outside its allowlist before doing
 * anything, and an allowed fetch is abandoned before it connects.
 *
 * Needs the parsed JSON body (see `jsonBodyGuard`).
 */
export function locationTargetGuard(urlReader: UrlReaderService): Handler {
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
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      next(inputError(`Location target '${target}' is not a URL`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      next(
        inputError(
          `Location target '${target}' must be an http or https URL, not ${url.protocol}`,
        ),
      );
      return;
    }
    const probe = new AbortController();
    probe.abort();
    try {
      await urlReader.readUrl(target, { signal: probe.signal });
    } catch (error) {
      if ((error as Error).name === 'NotAllowedError') {
        next(
          inputError(
            `Cannot register location ${target}: ${(error as Error).message}`,
          ),
        );
        return;
      }
    }
    next();
  };
}
