import { metrics, ValueType, type Histogram } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouteLabels, trackRouteTemplate } from './routeLabels';

/** The methods OpenTelemetry's semantic conventions name; any other is `_OTHER`. */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** OpenTelemetry's HTTP instrumentation's buckets, so the dashboard's quantiles stay the same. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Express middleware recording `http.server.request.duration` by method, route template and
 * status, under the names and attributes of OpenTelemetry's HTTP semantic conventions.
 * Our own because OpenTelemetry's HTTP and Express instrumentations find the route through an
 * async context manager, which costs the backend more CPU per request than the 5 % we allow.
 */
export function createRequestMetricsMiddleware(
  options: { histogram?: Histogram; routeLabels?: RouteLabels } = {},
) {
  const histogram =
    options.histogram ??
    metrics
      .getMeter('portico-backend')
      .createHistogram('http.server.request.duration', {
        description: 'Duration of HTTP server requests.',
        unit: 's',
        valueType: ValueType.DOUBLE,
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      });
  const routeLabels = options.routeLabels ?? new RouteLabels();

  return (
    req: IncomingMessage & Parameters<typeof trackRouteTemplate>[0],
    res: ServerResponse,
    next: () => void,
  ) => {
    const start = performance.now();
    const matchedRoute = trackRouteTemplate(req);
    res.once('finish', () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const attributes: Record<string, string | number> = {
        'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
        'http.response.status_code': res.statusCode,
      };
      const matched = matchedRoute();
      const label =
        matched &&
        routeLabels.labelFor(matched.mountTemplate, matched.routePath);
      if (label !== undefined) attributes['http.route'] = label;
      histogram.record((performance.now() - start) / 1000, attributes);
    });
    next();
  };
}
