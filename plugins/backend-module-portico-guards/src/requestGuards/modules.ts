import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { locationTargetGuard } from '@portico/plugin-catalog-backend-module-upstream-workarounds';
import {
  bodyShapeGuard,
  checkKubernetesServiceQuery,
  checkSettingsMultiget,
} from './bodyShape';
import { Handler, jsonBodyGuard, nulQueryGuard } from './jsonBody';
import { anonymousWebSocketGuard } from './anonymousWebSocket';

/**
 * Catalog module: answers hostile requests with a clear 4xx before they reach
 * the catalog. NUL characters in URLs and bodies (a 500 on PostgreSQL),
 * bodies over the catalog's own 100 KiB JSON limit (413, not 400), and
 * locations the URL reader may not read (refused at registration, not only
 * reported later). Module middleware runs before the plugin's routes.
 */
export const catalogModuleRequestGuards = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'request-guards',
  register({ registerInit }) {
    registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        urlReader: coreServices.urlReader,
      },
      async init({ httpRouter, urlReader }) {
        httpRouter.use(nulQueryGuard());
        httpRouter.use(jsonBodyGuard({ limitBytes: 100 * 1024 }));
        httpRouter.use(locationTargetGuard(urlReader));
      },
    });
  },
});

/**
 * A module of `pluginId` whose guards run, in order, before the plugin's routes. They are made
 * when the module starts, so each backend gets its own.
 */
function requestGuardsModule(pluginId: string, guards: () => Handler[]) {
  return createBackendModule({
    pluginId,
    moduleId: 'request-guards',
    register({ registerInit }) {
      registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          for (const guard of guards()) httpRouter.use(guard);
        },
      });
    },
  });
}

/**
 * Scaffolder module: NUL characters in URLs and bodies are a 400 and bodies
 * over the scaffolder's own 10 MB JSON limit a 413 (it reports its limit as
 * a 400).
 */
export const scaffolderModuleRequestGuards = requestGuardsModule(
  'scaffolder',
  () => [nulQueryGuard(), jsonBodyGuard({ limitBytes: 10 * 1024 * 1024 })],
);

/**
 * Permission module: NUL characters in URLs and bodies are a 400. The
 * permission backend hands resource refs on to the catalog, where PostgreSQL
 * cannot compare them, and answered 500.
 */
export const permissionModuleRequestGuards = requestGuardsModule(
  'permission',
  () => [nulQueryGuard(), jsonBodyGuard({ limitBytes: 100 * 1024 })],
);

/**
 * User-settings module: a multiget whose body is not `{ items: [{ bucket, key }] }` is a 400
 * naming what is wrong (the plugin's own validation error surfaced as a 500).
 */
export const userSettingsModuleRequestGuards = requestGuardsModule(
  'user-settings',
  () => [
    nulQueryGuard(),
    jsonBodyGuard({ limitBytes: 100 * 1024 }),
    bodyShapeGuard({
      method: 'POST',
      path: /^\/multiget\/?$/,
      check: checkSettingsMultiget,
    }),
  ],
);

/**
 * Kubernetes module: a services lookup without the entity it is for is a 400 (the plugin
 * answered it with a 500 after failing on the missing entity). Only that route's body is read:
 * the plugin's `/proxy` streams request bodies on to the clusters as they come.
 */
export const kubernetesModuleRequestGuards = requestGuardsModule(
  'kubernetes',
  () => {
    const servicesLookup = /^\/services\/[^/]+\/?$/;
    const readBody = jsonBodyGuard({ limitBytes: 100 * 1024 });
    return [
      nulQueryGuard(),
      (req, res, next) =>
        servicesLookup.test(req.path) ? readBody(req, res, next) : next(),
      bodyShapeGuard({
        method: 'POST',
        path: servicesLookup,
        check: checkKubernetesServiceQuery,
      }),
    ];
  },
);

/**
 * Signals module: a WebSocket connection without a token is refused with a 401 (the plugin lets
 * it in as the guest, who receives every broadcast).
 */
export const signalsModuleRequestGuards = createBackendModule({
  pluginId: 'signals',
  moduleId: 'request-guards',
  register({ registerInit }) {
    registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
      },
      async init({ httpRouter, discovery }) {
        httpRouter.use(
          anonymousWebSocketGuard(() => discovery.getBaseUrl('signals')),
        );
      },
    });
  },
});
