/** The label of requests whose route would exceed the limit of distinct routes. */
export const OTHER_ROUTE = 'other';

/**
 * Bounds the `http.route` label: the template of each request's route, and beyond `limit`
 * distinct templates, `other`, so the label's values stay few whatever plugins mount.
 */
export class RouteLabels {
  readonly #seen = new Set<string>();

  constructor(private readonly limit = 300) {}

  /**
   * The label for a route (`req.route.path`) matched in a router mounted at `mountTemplate`
   * (see trackRouteTemplate), or undefined when no route matched (static files, unknown paths).
   */
  labelFor(mountTemplate: string, routePath: unknown): string | undefined {
    if (routePath === undefined) return undefined;
    // A route given as a pattern or a list is code, but not a template: name the mount only.
    const label =
      typeof routePath === 'string'
        ? `${mountTemplate}${routePath}`
        : `${mountTemplate}/*`;
    if (this.#seen.has(label)) return label;
    if (this.#seen.size >= this.limit) return OTHER_ROUTE;
    this.#seen.add(label);
    return label;
  }
}

/** The parts of an Express 4 request that routing sets. */
interface RoutedRequest {
  baseUrl: string;
  params?: Record<string, unknown>;
  route?: { path?: unknown };
}

/**
 * Follows Express's routing of one request, and returns a function giving the mount template and
 * path of the route that matched last. Express sets `req.baseUrl` to the real path of each router
 * it enters (with values, for a mount like `/owners/:owner`) and `req.route` when a route
 * matches; an error handler at the root later sees `baseUrl` reset. So both are watched as they
 * are set: a mount whose layer has parameters (`req.params` is that layer's when `baseUrl` is
 * set) becomes `/*`, a plain mount (a plugin's `/api/<pluginId>`, the auth plugin's `/oidc`)
 * stays as it is.
 */
export function trackRouteTemplate(
  req: RoutedRequest,
): () => { mountTemplate: string; routePath: unknown } | undefined {
  // The routers entered, outermost first: their real path and their template.
  const mounts = [{ url: req.baseUrl ?? '', template: req.baseUrl ?? '' }];
  let matched: { mountTemplate: string; routePath: unknown } | undefined;
  let route = req.route;
  Object.defineProperty(req, 'baseUrl', {
    configurable: true,
    enumerable: true,
    get: () => mounts[mounts.length - 1].url,
    set: (url: string) => {
      // Leaving routers: back to the one whose path this is.
      while (
        mounts.length > 1 &&
        !url.startsWith(mounts[mounts.length - 1].url)
      )
        mounts.pop();
      const parent = mounts[mounts.length - 1];
      if (url === parent.url) return;
      const hasParams = req.params && Object.keys(req.params).length > 0;
      mounts.push({
        url,
        template:
          parent.template + (hasParams ? '/*' : url.slice(parent.url.length)),
      });
    },
  });
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: value => {
      route = value;
      matched = {
        mountTemplate: mounts[mounts.length - 1].template,
        routePath: value?.path,
      };
    },
  });
  return () => matched;
}
