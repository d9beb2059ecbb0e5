/** Mounts under which a route template is trusted: a plugin's router at `/api/<pluginId>`. */
const PLUGIN_MOUNT = /^\/api\/[A-Za-z0-9_-]+/;

/** The label of requests whose route would exceed the limit of distinct routes. */
export const OTHER_ROUTE = 'other';

/**
 * Names the route template of a request for the `http.route` label, from where the router that
 * matched it was mounted (Express's `req.baseUrl` at that moment) and the matched route's path
 * (`req.route.path`). Never a raw URL: a mount deeper than a plugin's `/api/<pluginId>` may be
 * parametrised (then `baseUrl` holds real values, e.g. entity names), so it becomes `/*`. Distinct
 * routes beyond `limit` count as `other`, so the label's values stay bounded whatever is mounted.
 */
export class RouteLabels {
  readonly #seen = new Set<string>();

  constructor(private readonly limit = 300) {}

  /** The label, or undefined when no route matched (static files, unknown paths). */
  labelFor(mountPath: string, routePath: unknown): string | undefined {
    if (routePath === undefined) return undefined;
    const label = this.#template(mountPath, routePath);
    if (this.#seen.has(label)) return label;
    if (this.#seen.size >= this.limit) return OTHER_ROUTE;
    this.#seen.add(label);
    return label;
  }

  #template(mountPath: string, routePath: unknown): string {
    const pluginMount = PLUGIN_MOUNT.exec(mountPath)?.[0];
    let mount: string;
    if (mountPath === '' || mountPath === pluginMount) mount = mountPath;
    else mount = `${pluginMount ?? ''}/*`;
    // A route given as a pattern or a list is code, but not a template: name the mount only.
    if (typeof routePath !== 'string') return `${mount}/*`;
    return `${mount}${routePath}`;
  }
}
