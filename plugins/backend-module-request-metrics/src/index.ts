/**
 * Backstage's root HTTP router, measuring every request by route template under OpenTelemetry's
 * HTTP metric name and attributes.
 *
 * @packageDocumentation
 */

export { rootHttpRouterWithRequestMetrics as default } from './rootHttpRouter';
export { rootHttpRouterWithRequestMetrics } from './rootHttpRouter';
export { createRequestMetricsMiddleware } from './requestMetrics';
export { OTHER_ROUTE, RouteLabels, trackRouteTemplate } from './routeLabels';
