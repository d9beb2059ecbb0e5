import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createRequestMetricsMiddleware } from './requestMetrics';

/**
 * Backstage's root HTTP router, with every request measured by route template before the
 * defaults (helmet, CORS, compression, logging, the plugins' routes, error handling) run.
 * Without an OpenTelemetry SDK (metrics off), recording is a no-op.
 */
export const rootHttpRouterWithRequestMetrics = rootHttpRouterServiceFactory({
  configure({ app, applyDefaults }) {
    app.use(createRequestMetricsMiddleware());
    applyDefaults();
  },
});
