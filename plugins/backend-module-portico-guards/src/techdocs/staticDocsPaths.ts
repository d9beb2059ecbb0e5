import type { PublisherBase } from '@backstage/plugin-techdocs-node';

type DocsHandler = ReturnType<PublisherBase['docsRouter']>;

/**
 * An encoded `/` or `\` in a static docs path. TechDocs checks read access on
 * the entity named by the first three path segments, but decodes the rest with
 * `decodeURI`, which keeps `%2F` as is; the file server then decodes it to a
 * real separator. `.../component/<readable>/..%2F..%2Fcomponent%2F<hidden>/`
 * would pass the check on the readable entity and serve the hidden one's docs.
 * No published file name contains a separator, so refusing these is safe.
 */
const encodedSeparator = /%(2f|5c)/i;

/**
 * Why a static docs path (the part after `/static/docs`, still encoded) must
 * not be served, or undefined when it may be.
 *
 * TechDocs checks read access only when the path matches
 * `/:namespace/:kind/:name`, which needs three non-empty segments, while the
 * file server collapses empty segments: `/default//component/<hidden>/` skipped
 * the check and served the hidden entity's docs. Dot segments (browsers
 * resolve them before sending), NUL characters and malformed percent-encoding
 * (a 500 from TechDocs' own `decodeURI`) are refused as well.
 */
export function unsafeDocsPath(path: string): string | undefined {
  if (encodedSeparator.test(path)) {
    return 'an encoded path separator';
  }
  const segments = path.split('/').slice(1);
  let decoded: string[];
  try {
    decoded = segments.map(segment => decodeURIComponent(segment));
  } catch {
    return 'malformed percent-encoding';
  }
  const [namespace, kind, name, ...rest] = decoded;
  if (!namespace || !kind || !name) {
    return 'no namespace, kind and name';
  }
  if (rest.slice(0, -1).includes('')) {
    return 'an empty path segment';
  }
  if (decoded.some(s => s === '.' || s === '..')) {
    return 'a dot segment';
  }
  if (decoded.some(s => s.includes('\\') || s.includes('\u0000'))) {
    return 'a backslash or NUL character';
  }
  return undefined;
}

const notFound = {
  error: { name: 'NotFoundError', message: 'Content not found' },
};

/** Wraps a docs file handler so that unsafe paths are 404. */
export function guardDocsHandler(handler: DocsHandler): DocsHandler {
  return (req, res, next) => {
    if (unsafeDocsPath(req.path) !== undefined) {
      res.status(404).json(notFound);
      return;
    }
    handler(req, res, next);
  };
}

/**
 * Refuses unsafe static docs paths with a 404 before TechDocs' routes, so
 * neither its read check nor its file server sees them.
 */
export const guardStaticDocsRequests: DocsHandler = (req, res, next) => {
  const match = /^\/static\/docs(?=\/|$)/i.exec(req.path);
  if (match && unsafeDocsPath(req.path.slice(match[0].length)) !== undefined) {
    res.status(404).json(notFound);
    return;
  }
  next();
};

/** The configured publisher, with its static file handler guarded. */
export function guardPublisher(inner: PublisherBase): PublisherBase {
  return {
    getReadiness: () => inner.getReadiness(),
    publish: request => inner.publish(request),
    fetchTechDocsMetadata: entityName =>
      inner.fetchTechDocsMetadata(entityName),
    hasDocsBeenGenerated: entity => inner.hasDocsBeenGenerated(entity),
    migrateDocsCase: inner.migrateDocsCase
      ? request => inner.migrateDocsCase!(request)
      : undefined,
    docsRouter: () => guardDocsHandler(inner.docsRouter()),
  };
}
