import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import express, { Router, type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { createRequestMetricsMiddleware } from './requestMetrics';
import { OTHER_ROUTE, RouteLabels } from './routeLabels';

/** An app mounted the way Backstage's root HTTP router mounts plugins, with the metrics first. */
function portalLikeApp(routeLabels?: RouteLabels) {
  const exporter = new InMemoryMetricExporter(
    AggregationTemporality.CUMULATIVE,
  );
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 60_000,
  });
  const histogram = new MeterProvider({ readers: [reader] })
    .getMeter('test')
    .createHistogram('http.server.request.duration');

  const catalog = Router();
  catalog.get('/entities/by-name/:kind/:namespace/:name', (req, res, next) => {
    if (req.params.name === 'missing') {
      // Like Backstage's NotFoundError: answered by the error handler at the root.
      next(Object.assign(new Error('not found'), { status: 404 }));
      return;
    }
    res.json({ name: req.params.name });
  });
  const entities = Router();
  entities.get('/:name', (_req, res) => {
    res.json({});
  });
  catalog.use('/nested', entities);
  const perEntity = Router({ mergeParams: true });
  perEntity.get('/facts', (_req, res) => {
    res.json({});
  });
  catalog.use('/owners/:owner', perEntity);
  // Reached after the router above was entered and left without a match.
  catalog.get('/owners/:owner/summary', (_req, res) => {
    res.json({});
  });

  const app = express();
  app.use(createRequestMetricsMiddleware({ histogram, routeLabels }));
  app.use('/api/catalog', catalog);
  app.get('/.backstage/health/v1/readiness', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use((_req, res) => {
    res.status(404).end();
  });
  const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(error.status ?? 500).end();
  };
  app.use(errorHandler);

  /** Requests recorded so far, as `METHOD route status` → count. */
  const recorded = async () => {
    await reader.forceFlush();
    const metrics = exporter.getMetrics().at(-1)?.scopeMetrics[0]?.metrics;
    const data = (metrics?.[0] as HistogramMetricData | undefined)?.dataPoints;
    return Object.fromEntries(
      (data ?? []).map(point => [
        [
          point.attributes['http.request.method'],
          point.attributes['http.route'] ?? '(none)',
          point.attributes['http.response.status_code'],
        ].join(' '),
        point.value.count,
      ]),
    );
  };
  return { app, recorded };
}

describe('request metrics', () => {
  it('labels requests by route template, the plugin mount included, never by values', async () => {
    const { app, recorded } = portalLikeApp();
    await request(app)
      .get('/api/catalog/entities/by-name/component/default/alice')
      .expect(200);
    await request(app)
      .get('/api/catalog/entities/by-name/user/default/bob')
      .expect(200);
    await request(app).get('/.backstage/health/v1/readiness').expect(200);
    expect(await recorded()).toEqual({
      'GET /api/catalog/entities/by-name/:kind/:namespace/:name 200': 2,
      'GET /.backstage/health/v1/readiness 200': 1,
    });
  });

  it('keeps the template of a route whose error the root error handler answers', async () => {
    const { app, recorded } = portalLikeApp();
    await request(app)
      .get('/api/catalog/entities/by-name/component/default/missing')
      .expect(404);
    expect(await recorded()).toEqual({
      'GET /api/catalog/entities/by-name/:kind/:namespace/:name 404': 1,
    });
  });

  it('names no route for requests no route matched', async () => {
    const { app, recorded } = portalLikeApp();
    await request(app).get('/api/catalog/no-such-thing/alice').expect(404);
    await request(app).get('/catalog/default/component/alice').expect(404);
    expect(await recorded()).toEqual({ 'GET (none) 404': 2 });
  });

  it('keeps plain mounts inside a plugin, and replaces mounts with parameters by *', async () => {
    const { app, recorded } = portalLikeApp();
    await request(app).get('/api/catalog/owners/alice/facts').expect(200);
    await request(app).get('/api/catalog/owners/bob/facts').expect(200);
    await request(app).get('/api/catalog/nested/carol').expect(200);
    await request(app).get('/api/catalog/owners/dave/summary').expect(200);
    expect(await recorded()).toEqual({
      'GET /api/catalog/*/facts 200': 2,
      'GET /api/catalog/nested/:name 200': 1,
      'GET /api/catalog/owners/:owner/summary 200': 1,
    });
  });

  it('counts methods outside the HTTP standard as _OTHER', async () => {
    const { app, recorded } = portalLikeApp();
    await request(app).search('/api/catalog/anything').expect(404);
    expect(await recorded()).toEqual({ '_OTHER (none) 404': 1 });
  });

  it('counts routes beyond the limit as other', async () => {
    const labels = new RouteLabels(2);
    expect(labels.labelFor('/api/a', '/x')).toBe('/api/a/x');
    expect(labels.labelFor('/api/b', '/y')).toBe('/api/b/y');
    expect(labels.labelFor('/api/c', '/z')).toBe(OTHER_ROUTE);
    // Routes seen before the limit keep their name.
    expect(labels.labelFor('/api/a', '/x')).toBe('/api/a/x');
    const { app, recorded } = portalLikeApp(new RouteLabels(1));
    await request(app).get('/.backstage/health/v1/readiness').expect(200);
    await request(app).get('/api/catalog/entities/by-name/a/b/c').expect(200);
    expect(await recorded()).toEqual({
      'GET /.backstage/health/v1/readiness 200': 1,
      'GET other 200': 1,
    });
  });

  it('names routes given as patterns by their mount only', () => {
    const labels = new RouteLabels();
    expect(labels.labelFor('/api/catalog', /^\/x\/(.*)$/)).toBe(
      '/api/catalog/*',
    );
    expect(labels.labelFor('', ['/a', '/b'])).toBe('/*');
    expect(labels.labelFor('/api/catalog', undefined)).toBeUndefined();
  });
});
