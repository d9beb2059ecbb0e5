/*
 * OpenTelemetry for the backend, loaded with `node --require` before the backend itself (as
 * backstage.io "Setup OpenTelemetry" documents), so that every meter and tracer the backend and
 * its plugins create reaches the SDK. Both signals are off unless configured:
 *
 *   PORTICO_METRICS_ENABLED=true   Prometheus exposition on a port of its own (never the backend's)
 *   PORTICO_METRICS_PORT           that port, default 9464
 *   PORTICO_METRICS_HOST           the address it listens on, default 0.0.0.0 (every interface)
 *   OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 *                                  traces exported over OTLP/HTTP to that collector
 *
 * docs/monitoring.md lists the metrics; this file is plain CommonJS because it runs unbundled
 * in the image, before any transpiler.
 *
 * Request metrics (`http.server.request.duration` by route template) come from the backend's
 * root HTTP router (plugins/backend-module-request-metrics), not from OpenTelemetry's HTTP and
 * Express instrumentations: those name the route through an async context manager (AsyncLocalStorage),
 * which made each request cost about 20 % more CPU (x1.20, 11 to 15 % fewer requests per second).
 * So without traces, no context manager and no HTTP or Express instrumentation run: about 3 %
 * fewer requests per second and x1.05 CPU per request, at the edge of a shared machine's noise
 * (docs/monitoring.md "Overhead"). With traces they do, and their own duration histogram is
 * dropped so that requests are not counted twice.
 */
// Worker threads load this file too; the SDK belongs to the main thread only.
const { isMainThread } = require('node:worker_threads');

/** Reads the settings from the environment, naming the variable that is wrong. */
function readTelemetrySettings(env) {
  const enabled = (env.PORTICO_METRICS_ENABLED || 'false').trim().toLowerCase();
  if (enabled !== 'true' && enabled !== 'false') {
    throw new Error(
      `PORTICO_METRICS_ENABLED must be "true" or "false", got "${env.PORTICO_METRICS_ENABLED}"`,
    );
  }
  const portText = (env.PORTICO_METRICS_PORT ?? '9464').trim();
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new Error(
      `PORTICO_METRICS_PORT must be a port number from 1 to 65535, got "${env.PORTICO_METRICS_PORT}"`,
    );
  }
  const tracesEndpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    metrics: enabled === 'true',
    metricsPort: port,
    metricsHost: (env.PORTICO_METRICS_HOST ?? '').trim() || '0.0.0.0',
    traces: Boolean(tracesEndpoint && tracesEndpoint.trim()),
  };
}

/**
 * Instrumentations unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names others: Node's event loop and
 * heap; with traces, the HTTP, Express and PostgreSQL spans too.
 */
const METRICS_INSTRUMENTATIONS = 'runtime-node';
const TRACES_INSTRUMENTATIONS = 'http,express,pg,runtime-node';

function startTelemetry(settings, env) {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { AggregationType } = require('@opentelemetry/sdk-metrics');
  const {
    getNodeAutoInstrumentations,
  } = require('@opentelemetry/auto-instrumentations-node');

  const metricReaders = [];
  if (settings.metrics) {
    const {
      PrometheusExporter,
    } = require('@opentelemetry/exporter-prometheus');
    metricReaders.push(
      new PrometheusExporter(
        { host: settings.metricsHost, port: settings.metricsPort },
        error => {
          if (error) {
            // The backend keeps serving; the missing scrape target shows as "backend down".
            console.error(
              `Metrics endpoint could not listen on ${settings.metricsHost}:${settings.metricsPort}: ${error}`,
            );
          }
        },
      ),
    );
  }
  let traceExporter;
  if (settings.traces) {
    const {
      OTLPTraceExporter,
    } = require('@opentelemetry/exporter-trace-otlp-http');
    traceExporter = new OTLPTraceExporter();
  }

  env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ||= settings.traces
    ? TRACES_INSTRUMENTATIONS
    : METRICS_INSTRUMENTATIONS;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || 'portico-backend',
    metricReaders,
    // The backend's root HTTP router records this histogram, by route template, in every mode.
    views: [
      {
        meterName: '@opentelemetry/instrumentation-http',
        instrumentName: 'http.server.request.duration',
        aggregation: { type: AggregationType.DROP },
      },
    ],
    // Without an OTLP endpoint, no spans are recorded and nothing is sent anywhere; nor is a
    // context propagated, the cost of which would be most of what metrics cost.
    ...(traceExporter
      ? { traceExporter }
      : { spanProcessors: [], contextManager: null }),
    logRecordProcessors: [],
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-http': {
          // Scrapes of the metrics port are not traffic of the portal.
          ignoreIncomingRequestHook: request =>
            request.socket?.localPort === settings.metricsPort,
          // Outgoing calls only matter to carry a trace on; for metrics they are pure cost.
          disableOutgoingRequestInstrumentation: !settings.traces,
        },
      }),
    ],
  });
  sdk.start();
}

if (isMainThread) {
  const settings = readTelemetrySettings(process.env);
  if (settings.metrics || settings.traces)
    startTelemetry(settings, process.env);
}
