/*
 * Who gets in: every route of every plugin the portal backend runs, read from the running
 * backend's routers, answers 401 to callers without valid credentials, unless it is listed below
 * as public with the reason it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { startPortalBackend } from '../__testUtils__/portalBackend';
import {
  HttpRouterRecord,
  MountedRoute,
  concretePath,
  listMountedRoutes,
  recordingHttpRouterFactory,
} from '../__testUtils__/mountedRoutes';
import {
  epochSeconds,
  generateSigningKey,
  portalTestDatabase,
  primeWebSocketUpgrades,
  signLimitedUserToken,
  signUserToken,
  staticKeyStore,
  TestSigningKey,
  unsignedUserToken,
  webSocketStatus,
} from '@portico/test-utils';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/**
 * The plugins the backend runs (src/features.ts), each with the number of routes of its own API
 * the enumeration finds today (beyond the `/.backstage/...` and `/.well-known/backstage/...`
 * routes the backend adds to plugin routers), as a floor: an enumeration that stops seeing a
 * router, or a plugin whose routes vanish, fails here.
 */
const expectedPlugins: Record<string, { minApiRoutes: number; why?: string }> =
  {
    app: {
      minApiRoutes: 4,
      why: 'the app files and the index page, under /api/app and /; none when packages/app is not built',
    },
    proxy: {
      minApiRoutes: 0,
      why: 'app-config configures no proxy endpoint; each one added is mounted and checked here',
    },
    auth: { minApiRoutes: 11 },
    catalog: { minApiRoutes: 21 },
    permission: { minApiRoutes: 4 },
    scaffolder: { minApiRoutes: 13 },
    'local-git': { minApiRoutes: 4 },
    techdocs: { minApiRoutes: 5 },
    search: { minApiRoutes: 2 },
    kubernetes: { minApiRoutes: 5 },
    'user-settings': { minApiRoutes: 4 },
    notifications: { minApiRoutes: 13 },
    signals: { minApiRoutes: 1 },
    'access-request': { minApiRoutes: 1 },
    'mcp-actions': { minApiRoutes: 3 },
  };

/**
 * Plugins that take their whole router out of the credentials check
 * (`addAuthPolicy({ path: '/', allow: 'unauthenticated' })`), so that each route decides itself.
 * A request to a path they do not have is answered with `unknownPathStatus`.
 */
const openPlugins: Record<string, { unknownPathStatus: number; why: string }> =
  {
    app: {
      unknownPathStatus: 200,
      why: 'serves the app to browsers that have not signed in; every unknown path is the index page',
    },
    auth: {
      unknownPathStatus: 404,
      why: 'runs the sign-in flow, which starts without a token',
    },
    signals: {
      unknownPathStatus: 404,
      why: 'WebSocket upgrades authenticate in the handler (a token in Sec-WebSocket-Protocol)',
    },
  };

/** How a public route answers the credential variants below. */
type Answer =
  | number
  | {
      /** No credentials at all. */
      anonymous: number;
      /** Any bad token in the Authorization header. */
      badToken: number;
      /** Any bad token in the user cookie (read only where a plugin allows the cookie). */
      badCookie: number;
    };

interface PublicRoute {
  /** The plugin id, or `*` for a route every plugin router has. */
  owner: string;
  /** The method probed: a route's own, or GET and POST for `use` mounts and `all` routes. */
  method: string;
  /** The route's path below its plugin's mount point (`/api/<pluginId>`, or `/` for the app). */
  path: string;
  answer: Answer;
  why: string;
}

/**
 * Every route that may answer anything but 401 to a caller without valid credentials. Any other
 * route that does fails the test, and so does an entry here that matches no route.
 */
const publicRoutes: PublicRoute[] = [
  {
    owner: 'root',
    method: 'GET',
    path: '/.backstage/health/v1/readiness',
    answer: 200,
    why: 'readiness probe for Kubernetes and load balancers; says only whether the backend serves',
  },
  {
    owner: 'root',
    method: 'GET',
    path: '/.backstage/health/v1/liveness',
    answer: 200,
    why: 'liveness probe',
  },
  {
    owner: '*',
    method: 'GET',
    path: '/.backstage/auth/v1/jwks.json',
    answer: 200,
    why: "public keys that verify the plugin's own service tokens; served before the credentials check by design",
  },
  // The plugins that opt out of the credentials check answer sign-out without credentials: it
  // replaces the user cookie by an empty one.
  ...['app', 'auth', 'signals'].map(owner => ({
    owner,
    method: 'DELETE',
    path: '/.backstage/auth/v1/cookie',
    answer: 204,
    why: 'sign-out clears the user cookie; it grants nothing',
  })),

  // app: the frontend itself.
  {
    owner: 'app',
    method: 'GET',
    path: '/*',
    answer: 200,
    why: 'the index page (its injected config holds no secret: see secrets.test.ts)',
  },
  {
    owner: 'app',
    method: 'GET',
    path: '/static',
    answer: 404,
    why: 'the static app files; a file that does not exist is 404',
  },
  {
    owner: 'app',
    method: 'POST',
    path: '/static',
    answer: 404,
    why: 'static files take no POST',
  },

  // auth: the OIDC sign-in flow and the token verification keys.
  {
    owner: 'auth',
    method: 'GET',
    path: '/oidc/start',
    answer: 400,
    why: 'starts the sign-in; without its `env` query it is refused',
  },
  ...['GET', 'POST'].map(method => ({
    owner: 'auth',
    method,
    path: '/oidc/handler/frame',
    answer: 400,
    why: "the IdP's callback; without the state the sign-in started with it is refused",
  })),
  ...['GET', 'POST'].map(method => ({
    owner: 'auth',
    method,
    path: '/oidc/refresh',
    answer: 400,
    why: 'renews a session from its cookie; refused without the X-Requested-With header browsers send (CSRF guard)',
  })),
  {
    owner: 'auth',
    method: 'POST',
    path: '/oidc/logout',
    answer: 400,
    why: 'ends the session of its cookie; refused without the X-Requested-With header (CSRF guard)',
  },
  {
    owner: 'auth',
    method: 'GET',
    path: '/.well-known/openid-configuration',
    answer: 200,
    why: "OpenID discovery document of the backend's user tokens",
  },
  {
    owner: 'auth',
    method: 'GET',
    path: '/.well-known/jwks.json',
    answer: 200,
    why: 'public keys that verify user tokens',
  },
  {
    owner: 'auth',
    method: 'GET',
    path: '/.well-known/oauth-client/cli.json',
    answer: 404,
    why: 'client metadata for the Backstage CLI; not enabled',
  },
  ...['GET', 'POST'].map(method => ({
    owner: 'auth',
    method,
    path: '/:provider',
    answer: 404,
    why: 'unknown auth provider',
  })),
  {
    owner: 'auth',
    method: 'GET',
    path: '/.well-known/backstage/permissions/metadata',
    answer: 200,
    why: "names of the auth plugin's permissions and rules, public with the rest of its router",
  },
  ...['GET', 'POST'].flatMap(method => [
    {
      owner: 'auth',
      method,
      path: '/.well-known/backstage/permissions',
      answer: 404,
      why: 'only a body parser for the routes below it',
    },
    {
      owner: 'auth',
      method,
      path: '/.backstage/actions',
      answer: 404,
      why: 'only a body parser for the routes below it',
    },
  ]),
  {
    owner: 'auth',
    method: 'GET',
    path: '/.backstage/actions/v1/actions',
    answer: { anonymous: 200, badToken: 401, badCookie: 200 },
    why: "lists the auth plugin's actions to anonymous callers (a cookie is not read, so it is anonymous too): none, since backend.actions.pluginSources leaves auth out",
  },
  ...['v1', 'v2'].map(version => ({
    owner: 'auth',
    method: 'POST',
    path: `/.backstage/actions/${version}/actions/:actionId/invoke`,
    answer: { anonymous: 403, badToken: 401, badCookie: 403 },
    why: 'invoking an action needs an authenticated caller: anonymous ones (a cookie is not read) are refused',
  })),

  // Health checks of plugins that exempt them from the credentials check.
  ...['permission', 'signals'].map(owner => ({
    owner,
    method: 'GET',
    path: '/health',
    answer: 200,
    why: 'plugin health check',
  })),
];

/** Plausible values for path parameters; any other parameter gets FALLBACK. */
const pathValues: Record<string, string> = {
  kind: 'component',
  namespace: 'default',
  name: 'portico',
  uid: '0b3c1d5e-5f27-4c2a-9a8e-3d1f6a7b9c10',
  id: '6f1c7a52-3b8e-4a0d-9d65-2a7f4e8c1b93',
  taskId: '9a4e2c71-0d3b-4f58-8e16-7c5b3a9d2f04',
  actionId: 'catalog:get-catalog-entity',
  bucket: 'default',
  key: 'theme',
  repository: 'portico-docs',
  serviceId: 'portico',
};
const FALLBACK = 'portico';

const methodsToProbe = (route: MountedRoute) =>
  route.method === 'ALL' ? ['GET', 'POST'] : [route.method];

/** The request path for a route; handlers mounted on a prefix are asked for a path below it. */
const probePath = (route: MountedRoute) =>
  concretePath(route, pathValues, FALLBACK) +
  (route.kind === 'mount' ? `/${FALLBACK}` : '');

/** The route's path below its plugin's mount point. */
function relativePath(route: MountedRoute): string {
  const mount = `/api/${route.owner}`;
  return route.path.startsWith(`${mount}/`)
    ? route.path.slice(mount.length)
    : route.path;
}

function publicRouteFor(route: MountedRoute, method: string) {
  const path = relativePath(route);
  return publicRoutes.find(
    p =>
      (p.owner === route.owner || p.owner === '*') &&
      p.method === method &&
      p.path === path,
  );
}

interface Credentials {
  name: string;
  authorization?: string;
  cookie?: string;
}

function expectedStatus(expected: PublicRoute | undefined, c: Credentials) {
  if (expected === undefined) return 401;
  const { answer } = expected;
  if (typeof answer === 'number') return answer;
  if (c.authorization) return answer.badToken;
  if (c.cookie) return answer.badCookie;
  return answer.anonymous;
}

/**
 * The paths plugins take out of the credentials check, and why. The test fails when a plugin
 * opens another one.
 */
const authPolicies = [
  {
    plugin: 'app',
    path: '/',
    allow: 'unauthenticated',
    why: 'the frontend, for browsers that have not signed in',
  },
  { plugin: 'auth', path: '/', allow: 'unauthenticated', why: 'sign-in' },
  {
    plugin: 'signals',
    path: '/',
    allow: 'unauthenticated',
    why: 'WebSocket upgrades, which authenticate in the handler',
  },
  {
    plugin: 'permission',
    path: '/health',
    allow: 'unauthenticated',
    why: 'health check',
  },
  {
    plugin: 'notifications',
    path: '/health',
    allow: 'unauthenticated',
    why: 'health check (the plugin has no such route: its /:id route answers, and asks for a user)',
  },
  {
    plugin: 'techdocs',
    path: '/static',
    allow: 'user-cookie',
    why: 'docs pages load their files with the user cookie',
  },
  {
    plugin: 'local-git',
    path: '/',
    allow: 'user-cookie',
    why: 'links to repository files open with the user cookie',
  },
];

async function send(
  baseUrl: string,
  method: string,
  path: string,
  credentials: Credentials,
) {
  const headers: Record<string, string> = {};
  if (credentials.authorization) {
    headers.authorization = credentials.authorization;
  }
  if (credentials.cookie) headers.cookie = credentials.cookie;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return res;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function forEachLimited<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

describe.each(databases.eachSupportedId())(
  'who gets in: every route of the portal backend on %s',
  databaseId => {
    const keyDir = mkdtempSync(join(tmpdir(), 'portico-auth-keys-'));
    let backend: TestBackend;
    let serviceToken: string;
    let stop: () => Promise<void>;
    let baseUrl: string;
    let routes: MountedRoute[];
    let backendKey: TestSigningKey;
    let issuer: string;
    let badCredentials: Credentials[];
    let badTokens: Record<string, string>;
    let appBuilt: boolean;
    const httpRouters: HttpRouterRecord = new Map();

    beforeAll(async () => {
      // The auth plugin keeps its signing keys' private halves in memory only (the database
      // holds the public ones), and issues tokens valid for at least 10 minutes. To present a
      // token that the backend itself would have issued, but that has expired, the auth plugin
      // runs with its static key store, holding a key made here: it signs every user token with
      // that key, and the test signs one with the same key, issuer and claims whose exp has
      // passed. How the backend verifies user tokens (against the auth plugin's JWKS) does not
      // depend on the key store.
      backendKey = await generateSigningKey();
      ({ backend, serviceToken, stop } = await startPortalBackend(
        {
          backend: {
            database: await portalTestDatabase(
              databaseId,
              'portico_sec_routes_',
            ),
          },
          // The routes, not the data behind them, are under test.
          catalog: { locations: [] },
          auth: { keyStore: await staticKeyStore(backendKey, keyDir) },
        },
        { features: [recordingHttpRouterFactory(httpRouters)] },
      ));
      const server = backend.server as unknown as Server & {
        port(): number;
      };
      baseUrl = `http://localhost:${server.port()}`;
      // The issuer the auth plugin writes into its tokens: its external base URL.
      issuer = `${baseUrl}/api/auth`;
      routes = listMountedRoutes(server, httpRouters);
      // The app plugin serves files only when packages/app is built (./portal test builds it for
      // the browser tests; the production image always has it); when it is not, the plugin's
      // router is empty. What the plugin saw when it started counts, not packages/app/dist now.
      appBuilt = (httpRouters.get('app')?.handlers ?? []).some(
        handler => ((handler as { stack?: unknown[] }).stack ?? []).length > 0,
      );

      const now = epochSeconds();
      const alice = 'user:default/alice';
      const foreignKey = await generateSigningKey();
      const anAdmin = {
        issuer,
        sub: alice,
        ent: [alice, 'group:default/platform-team'],
        iat: now,
        exp: now + 3600,
      };
      const expired = {
        issuer,
        sub: alice,
        iat: now - 7200,
        exp: now - 3600,
      };
      const bearer = (token: string) => `Bearer ${token}`;
      const cookie = (token: string) => `backstage-auth=${token}`;
      const tokens = {
        malformed: 'not-a-token',
        foreignKeyUnknownKid: await signUserToken(foreignKey, anAdmin),
        foreignKeyBackendKid: await signUserToken(
          foreignKey,
          anAdmin,
          backendKey.kid,
        ),
        unsigned: unsignedUserToken(anAdmin),
        expired: await signUserToken(backendKey, expired),
      };
      badTokens = tokens;
      badCredentials = [
        { name: 'no credentials' },
        ...Object.entries(tokens).map(([name, token]) => ({
          name: `${name} token`,
          authorization: bearer(token),
        })),
        { name: 'malformed cookie', cookie: cookie(tokens.malformed) },
        {
          name: 'foreign-key cookie',
          cookie: cookie(
            await signLimitedUserToken(foreignKey, anAdmin, backendKey.kid),
          ),
        },
        {
          name: 'expired cookie',
          cookie: cookie(await signLimitedUserToken(backendKey, expired)),
        },
      ];
    });

    afterAll(async () => {
      await stop?.();
      rmSync(keyDir, { recursive: true, force: true });
    });

    /** A user token for alice, signed with the backend's own key and valid for 10 minutes. */
    const validUserToken = () => {
      const now = epochSeconds();
      return signUserToken(backendKey, {
        issuer,
        sub: 'user:default/alice',
        iat: now,
        exp: now + 600,
      });
    };

    it('finds the routes of every plugin the backend runs', () => {
      const owners = new Set(routes.map(r => r.owner));
      owners.delete('root');
      expect([...owners].sort()).toEqual(Object.keys(expectedPlugins).sort());
      expect(routes.filter(r => r.owner === 'root').length).toBeGreaterThan(0);

      const isBackendRoute = (r: MountedRoute) =>
        /^\/\.(backstage|well-known\/backstage)\//.test(relativePath(r));
      const found = Object.keys(expectedPlugins).map(owner => ({
        owner,
        apiRoutes: routes.filter(r => r.owner === owner && !isBackendRoute(r))
          .length,
        // Every plugin router has the auth integration routes in front of its own.
        cookieRoutes: routes.filter(
          r =>
            r.owner === owner &&
            relativePath(r) === '/.backstage/auth/v1/cookie',
        ).length,
      }));
      const short = found.filter(
        ({ owner, apiRoutes, cookieRoutes }) =>
          apiRoutes <
            (owner === 'app' && !appBuilt
              ? 0
              : expectedPlugins[owner].minApiRoutes) || cookieRoutes < 2,
      );
      expect(short).toEqual([]);
      expect(routes.length).toBeGreaterThan(150);
    });

    it('lets plugins take only the listed paths out of the credentials check', () => {
      const opened = [...httpRouters].flatMap(([plugin, { authPolicies: p }]) =>
        p.map(({ path, allow }) => ({ plugin, path, allow })),
      );
      const sortKey = (p: { plugin: string; path: string }) =>
        `${p.plugin} ${p.path}`;
      const byKey = (a: { plugin: string; path: string }, b: typeof a) =>
        sortKey(a).localeCompare(sortKey(b));
      expect(opened.sort(byKey)).toEqual(
        authPolicies
          .map(({ plugin, path, allow }) => ({ plugin, path, allow }))
          .sort(byKey),
      );
    });

    it('knows the key the backend signs user tokens with, and accepts a token it signs while unexpired', async () => {
      const jwks = await (
        await fetch(`${baseUrl}/api/auth/.well-known/jwks.json`)
      ).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([
        backendKey.kid,
      ]);
      // The same claims as the expired token, but unexpired: accepted. So the expired token is
      // refused for its expiry alone.
      const now = epochSeconds();
      const valid = await signUserToken(backendKey, {
        issuer,
        sub: 'user:default/alice',
        iat: now,
        exp: now + 600,
      });
      const res = await send(baseUrl, 'GET', '/api/catalog/entities', {
        name: 'valid',
        authorization: `Bearer ${valid}`,
      });
      expect(res.status).toBe(200);
    });

    it('answers 401 on every route to callers without valid credentials, except the public routes listed', async () => {
      const probes = routes.flatMap(route =>
        methodsToProbe(route).map(method => ({
          route,
          method,
          path: probePath(route),
          expected: publicRouteFor(route, method),
        })),
      );
      const wrong: string[] = [];
      const usedPublicRoutes = new Set<PublicRoute>();
      await forEachLimited(
        probes,
        4,
        async ({ route, method, path, expected }) => {
          if (expected) usedPublicRoutes.add(expected);
          for (const credentials of badCredentials) {
            const want = expectedStatus(expected, credentials);
            const { status } = await send(baseUrl, method, path, credentials);
            if (status !== want) {
              wrong.push(
                `${method} ${path} (${route.owner}, ${credentials.name}): ${status}, expected ${want}`,
              );
            }
          }
        },
      );
      expect(wrong.sort()).toEqual([]);
      // The list names only routes that exist, so that it cannot hide a route that appears.
      const appFiles = (p: PublicRoute) =>
        p.owner === 'app' && (p.path === '/*' || p.path === '/static');
      expect(
        publicRoutes.filter(
          p => !usedPublicRoutes.has(p) && (appBuilt || !appFiles(p)),
        ),
      ).toEqual([]);
      expect(probes.length).toBeGreaterThan(150);
    });

    it('answers the same routes when called with valid credentials, so the 401s come from the credentials', async () => {
      const user = await validUserToken();
      const valid: Credentials[] = [
        { name: 'user token', authorization: `Bearer ${user}` },
        { name: 'service token', authorization: `Bearer ${serviceToken}` },
      ];
      const protectedProbes = routes.flatMap(route =>
        methodsToProbe(route)
          .filter(method => !publicRouteFor(route, method))
          .map(method => ({ method, path: probePath(route) })),
      );
      const refused: string[] = [];
      await forEachLimited(protectedProbes, 4, async ({ method, path }) => {
        const statuses: number[] = [];
        for (const credentials of valid) {
          statuses.push(
            (await send(baseUrl, method, path, credentials)).status,
          );
        }
        if (statuses.every(status => status === 401)) {
          refused.push(`${method} ${path}`);
        }
      });
      expect(refused).toEqual([]);
    });

    it('answers every route called by a signed-in user, without a body or with an empty JSON one, never with a 500', async () => {
      const user = await validUserToken();
      const probes = routes.flatMap(route =>
        methodsToProbe(route).map(method => ({
          method,
          path: probePath(route),
        })),
      );
      const failures: string[] = [];
      await forEachLimited(probes, 4, async ({ method, path }) => {
        const bodies =
          method === 'GET' || method === 'HEAD' || method === 'DELETE'
            ? [undefined]
            : [undefined, '{}'];
        for (const body of bodies) {
          const res = await fetch(`${baseUrl}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${user}`,
              ...(body && { 'content-type': 'application/json' }),
            },
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          // 503 says "not yet" (the in-process search index before its first build); any
          // other 5xx is the backend failing on input it should have refused.
          if (res.status >= 500 && res.status !== 503) {
            failures.push(
              `${method} ${path}${body ? ` ${body}` : ''}: ${
                res.status
              } ${text.slice(0, 200)}`,
            );
          }
        }
      });
      expect(failures).toEqual([]);
      expect(probes.length).toBeGreaterThan(150);
    });

    it('opens signals WebSockets only to valid tokens', async () => {
      await primeWebSocketUpgrades(baseUrl, '/api/signals');
      const wrong: string[] = [];
      for (const [name, token] of Object.entries(badTokens)) {
        const status = await webSocketStatus(baseUrl, '/api/signals', token);
        if (status !== 401) wrong.push(`${name} token: ${status}`);
      }
      expect(wrong).toEqual([]);
      const now = epochSeconds();
      const valid = await signUserToken(backendKey, {
        issuer,
        sub: 'user:default/alice',
        iat: now,
        exp: now + 600,
      });
      expect(await webSocketStatus(baseUrl, '/api/signals', valid)).toBe(101);
      // Backstage lets a connection without a token in as the guest, who receives every
      // broadcast; Portico refuses it (signalsModuleRequestGuards).
      expect(await webSocketStatus(baseUrl, '/api/signals')).toBe(401);
    });

    it("lists no action to anonymous callers of the auth plugin's public router", async () => {
      const res = await fetch(
        `${baseUrl}/api/auth/.backstage/actions/v1/actions`,
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ actions: [] });
    });

    it('answers 401 to methods and paths a protected plugin does not have, so nothing tells which exist', async () => {
      const wrong: string[] = [];
      const unknown = `/no-such-route-${randomBytes(4).toString('hex')}`;
      for (const owner of Object.keys(expectedPlugins)) {
        const want = openPlugins[owner]?.unknownPathStatus ?? 401;
        for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
          const { status } = await send(
            baseUrl,
            method,
            `/api/${owner}${unknown}`,
            { name: 'no credentials' },
          );
          // The built app answers every unknown GET with its index page, all else with 404.
          const expected =
            owner === 'app' && (method !== 'GET' || !appBuilt) ? 404 : want;
          if (status !== expected) {
            wrong.push(`${method} /api/${owner}${unknown}: ${status}`);
          }
        }
      }
      // A method a protected route does not declare is refused before routing, too.
      for (const route of routes) {
        if (route.owner in openPlugins || route.kind === 'mount') continue;
        if (methodsToProbe(route).some(m => publicRouteFor(route, m))) continue;
        const path = probePath(route);
        const declared = new Set(
          routes
            .filter(r => probePath(r) === path)
            .flatMap(r => methodsToProbe(r)),
        );
        const undeclared = ['PATCH', 'PUT', 'DELETE', 'POST', 'GET'].find(
          m => !declared.has(m),
        );
        if (!undeclared) continue;
        const { status } = await send(baseUrl, undeclared, path, {
          name: 'no credentials',
        });
        if (status !== 401) wrong.push(`${undeclared} ${path}: ${status}`);
      }
      expect(wrong).toEqual([]);
    });
  },
);
