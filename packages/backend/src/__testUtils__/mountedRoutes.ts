/*
 * Lists the HTTP routes a running backend serves, read from the Express router stacks reachable
 * from its HTTP server: the root router (health checks), each plugin's router mounted by the
 * httpRouter service under /api/<pluginId>, and the app plugin's router that also serves `/`.
 * Nothing here is a hand-kept list: a plugin that adds a route shows up in the next run.
 *
 * The httpRouter service mounts plugin handlers through express-promise-router, which wraps
 * every handler not named `router` (e.g. the scaffolder's Express app) in a closure that hides
 * its routes. recordingHttpRouterFactory keeps, next to the real service, the handlers and auth
 * policies each plugin registers, so those routes are read from the handlers themselves.
 */
import { Server } from 'node:http';
import {
  HttpRouterService,
  HttpRouterServiceAuthPolicy,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';

/** One route a plugin's router declares, or a handler it mounts on a path prefix. */
export interface MountedRoute {
  /** The plugin id of the router that serves it, or `root` for the root router's own routes. */
  owner: string;
  /** Upper-case HTTP method; `ALL` for `router.all` routes and handlers mounted with `use`. */
  method: string;
  /**
   * Express path pattern, e.g. `/api/catalog/entities/by-name/:kind/:namespace/:name`; for a
   * route declared with a regular expression, the mount prefix followed by `regexp`'s source.
   */
  path: string;
  /** The mount prefix of a route declared with a regular expression. */
  prefix?: string;
  /** The regular expression a route was declared with, matched against the rest of the path. */
  regexp?: RegExp;
  /** `route` for a method + path route; `mount` for a handler mounted on a path prefix. */
  kind: 'route' | 'mount';
}

interface ExpressLayer {
  handle: ExpressHandle;
  regexp?: RegExp & { fast_slash?: boolean; fast_star?: boolean };
  keys?: Array<{ name: string | number; optional: boolean }>;
  route?: {
    path: string | RegExp | Array<string | RegExp>;
    methods: Record<string, boolean>;
  };
}

type ExpressHandle = ((...args: unknown[]) => unknown) & {
  /** A router's layers. */
  stack?: ExpressLayer[];
  /** An Express app's router (a plugin may mount a whole app). */
  _router?: { stack: ExpressLayer[] };
  /** Set on Express apps, also before their router exists. */
  mountpath?: string | string[];
};

/** The layers of a router, or of an Express app mounted as a handler; undefined for handlers. */
function childStack(handle: ExpressHandle): ExpressLayer[] | undefined {
  if (Array.isArray(handle.stack)) return handle.stack;
  if (handle._router) return handle._router.stack;
  if (handle.mountpath !== undefined) return [];
  return undefined;
}

/**
 * The path prefix a `use` layer matches, read back from the regular expression Express 4
 * (path-to-regexp 0.1) compiled it into. Anything it cannot read back fails loudly, so a change
 * of router library breaks the enumeration instead of silently shrinking it.
 */
function mountPath(layer: ExpressLayer): string {
  const regexp = layer.regexp;
  if (!regexp || !layer.keys) {
    throw new Error(
      `Unsupported router layer (no Express 4 regexp): ${layer.handle?.name}`,
    );
  }
  if (regexp.fast_slash) return '';
  let source = regexp.source;
  if (!source.startsWith('^') || !source.endsWith('\\/?(?=\\/|$)')) {
    throw new Error(`Cannot read a mount path from ${regexp}`);
  }
  source = source.slice(1, -'\\/?(?=\\/|$)'.length);
  let param = 0;
  source = source.replace(/\(\?:\\\/\(\[\^\/\]\+\?\)\)(\?)?/g, () => {
    const key = layer.keys![param++];
    return `/:${key.name}${key.optional ? '?' : ''}`;
  });
  const path = source.replace(/\\(.)/g, '$1');
  if (/[()[\]^$*+|]/.test(path)) {
    throw new Error(`Cannot read a mount path from ${regexp}`);
  }
  return path;
}

function routePaths(
  route: NonNullable<ExpressLayer['route']>,
): Array<string | RegExp> {
  return Array.isArray(route.path) ? route.path : [route.path];
}

/** How Express 4 marks a layer mounted at `/` (it matches every path). */
const fastSlash = Object.assign(/^\/?(?=\/|$)/i, { fast_slash: true });

/** The request handler of a Node HTTP server, expected to be an Express app. */
function expressApp(server: Server): ExpressHandle {
  const [app] = server.listeners('request');
  if (typeof app !== 'function' || !('_router' in app)) {
    throw new Error('The server does not run an Express 4 app');
  }
  return app as ExpressHandle;
}

/** What each plugin registered with its httpRouter service. */
export type HttpRouterRecord = Map<
  string,
  { handlers: ExpressHandle[]; authPolicies: HttpRouterServiceAuthPolicy[] }
>;

/**
 * The real httpRouter service (@backstage/backend-defaults), recording into `record` what each
 * plugin registers before passing it on unchanged.
 */
export function recordingHttpRouterFactory(record: HttpRouterRecord) {
  const real = httpRouterServiceFactory as unknown as {
    factory(deps: unknown, context: unknown): Promise<HttpRouterService>;
  };
  if (typeof real.factory !== 'function') {
    throw new Error('httpRouterServiceFactory has no factory function');
  }
  return createServiceFactory({
    service: coreServices.httpRouter,
    initialization: 'always',
    deps: {
      plugin: coreServices.pluginMetadata,
      config: coreServices.rootConfig,
      lifecycle: coreServices.lifecycle,
      rootHttpRouter: coreServices.rootHttpRouter,
      auth: coreServices.auth,
      httpAuth: coreServices.httpAuth,
      logger: coreServices.logger,
    },
    async factory(deps) {
      const router = await real.factory(deps, undefined);
      const entry = {
        handlers: [] as ExpressHandle[],
        authPolicies: [] as HttpRouterServiceAuthPolicy[],
      };
      record.set(deps.plugin.getId(), entry);
      return {
        use(handler) {
          entry.handlers.push(handler as unknown as ExpressHandle);
          router.use(handler);
        },
        addAuthPolicy(policy) {
          entry.authPolicies.push(policy);
          router.addAuthPolicy(policy);
        },
        addWebSocketHandler(options) {
          // backend-defaults 0.18's router predates WebSocket routes
          if (typeof router.addWebSocketHandler !== 'function') {
            throw new Error(
              `httpRouter of ${deps.plugin.getId()} has no addWebSocketHandler`,
            );
          }
          router.addWebSocketHandler(options);
        },
      };
    },
  });
}

/**
 * Every route and mounted handler reachable from the server's Express app. Plugin routers are
 * recognized by their mount path `/api/<pluginId>`; a router mounted again elsewhere (the app
 * plugin's, serving `/`) keeps the owner it was first seen with.
 */
export function listMountedRoutes(
  server: Server,
  record?: HttpRouterRecord,
): MountedRoute[] {
  const app = expressApp(server);
  const ownerOfRouter = new Map<ExpressHandle, string>();
  const routes: MountedRoute[] = [];

  function walk(
    stack: ExpressLayer[],
    prefix: string,
    owner: string,
    ownerRoot: string,
  ) {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).map(m =>
          m === '_all' ? 'ALL' : m.toUpperCase(),
        );
        for (const path of routePaths(layer.route)) {
          for (const method of methods) {
            routes.push(
              typeof path === 'string'
                ? { owner, method, path: prefix + path, kind: 'route' }
                : {
                    owner,
                    method,
                    path: prefix + path.source,
                    prefix,
                    regexp: path,
                    kind: 'route',
                  },
            );
          }
        }
        continue;
      }
      const path = prefix + mountPath(layer);
      const children = childStack(layer.handle);
      if (children) {
        const pluginId = path.match(/^\/api\/([^/:]+)$/)?.[1];
        const knownOwner = ownerOfRouter.get(layer.handle);
        if (knownOwner) {
          walk(children, path, knownOwner, path);
        } else if (pluginId && owner === 'root') {
          ownerOfRouter.set(layer.handle, pluginId);
          walk(children, path, pluginId, path);
        } else {
          walk(children, path, owner, ownerRoot);
        }
      } else if (owner !== 'root' && path !== ownerRoot) {
        // A handler on a path below the plugin's root serves everything under that path.
        const seen = routes.some(
          r => r.owner === owner && r.kind === 'mount' && r.path === path,
        );
        if (!seen) routes.push({ owner, method: 'ALL', path, kind: 'mount' });
      }
    }
  }

  if (!app._router) throw new Error('The Express app has no router yet');
  walk(app._router.stack, '', 'root', '');
  // The handlers plugins registered, including those the server's stacks only show wrapped.
  for (const [pluginId, { handlers }] of record ?? []) {
    const root = `/api/${pluginId}`;
    const before = routes.length;
    walk(
      handlers.map(handle => ({ handle, regexp: fastSlash, keys: [] })),
      root,
      pluginId,
      root,
    );
    const added = routes.splice(before);
    for (const route of added) {
      const known = routes.some(
        r =>
          r.owner === route.owner &&
          r.method === route.method &&
          r.path === route.path,
      );
      if (!known) routes.push(route);
    }
  }
  return routes;
}

/**
 * A concrete request path for a route: each `:param` replaced by `values[param]` (or `fallback`),
 * each `*` by `fallback`; a regular-expression route gets a path built from its source with each
 * group replaced by `fallback`, checked to match the expression.
 */
export function concretePath(
  route: MountedRoute,
  values: Record<string, string>,
  fallback: string,
): string {
  if (route.regexp) {
    const sample = route.regexp.source
      .replace(/^\^/, '')
      .replace(/\$$/, '')
      .replace(/\((?:[^()\\]|\\.)*\)[?*+]?/g, fallback)
      .replace(/\\(.)/g, '$1');
    if (!route.regexp.test(sample)) {
      throw new Error(`No sample path for ${route.path} (tried ${sample})`);
    }
    return route.prefix + sample;
  }
  return route.path
    .replace(/:(\w+)(\([^)]*\))?\??/g, (_m, name: string) =>
      encodeURIComponent(values[name] ?? fallback),
    )
    .replace(/\*/g, fallback);
}
