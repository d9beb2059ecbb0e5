import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import express from 'express';
import { freePort } from '@portico/test-utils';
import request from 'supertest';
import { rootHttpRouterWithRequestMetrics } from './rootHttpRouter';

const inventoryPlugin = createBackendPlugin({
  pluginId: 'inventory',
  register({ registerInit }) {
    registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = express.Router();
        router.get('/items/:id', (req, res) => {
          res.json({ id: req.params.id });
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

jest.setTimeout(60_000);

describe('rootHttpRouterWithRequestMetrics', () => {
  const exporter = new InMemoryMetricExporter(
    AggregationTemporality.CUMULATIVE,
  );
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 60_000,
  });

  beforeAll(() => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });

  afterAll(async () => {
    await reader.shutdown();
    metrics.disable();
  });

  it("measures a backend's requests by route template, behind the plugin's mount", async () => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    // A backend of its own: the test backend of backend-test-utils brings its own root router.
    const backend = createBackend();
    backend.add(rootHttpRouterWithRequestMetrics);
    backend.add(inventoryPlugin);
    backend.add(
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl, listen: { port } } },
      }),
    );
    // Credentials without the database-backed keys of the default auth service.
    backend.add(mockServices.auth.factory());
    backend.add(mockServices.httpAuth.factory());
    await backend.start();
    try {
      for (const id of ['a', 'b', 'c']) {
        await request(baseUrl).get(`/api/inventory/items/${id}`).expect(200);
      }
    } finally {
      await backend.stop();
    }

    await reader.forceFlush();
    const histogram = exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap(scope => scope.metrics)
      .find(m => m.descriptor.name === 'http.server.request.duration') as
      | HistogramMetricData
      | undefined;
    expect(histogram?.descriptor.unit).toBe('s');
    expect(
      histogram?.dataPoints.map(point => ({
        attributes: point.attributes,
        count: point.value.count,
      })),
    ).toEqual([
      {
        attributes: {
          'http.request.method': 'GET',
          'http.response.status_code': 200,
          'http.route': '/api/inventory/items/:id',
        },
        count: 3,
      },
    ]);
  });
});
