/*
 * The Portico backend. What it runs is listed, by group, in ./features.ts; plugins added with
 * `yarn new` are added below.
 */
import { createBackend } from '@backstage/backend-defaults';
import { portalFeatures } from './features';
import { rootHttpRouterWithRequestMetrics } from '@portico/plugin-backend-module-request-metrics';
import { explainStartupFailure } from '@portico/plugin-backend-module-portico-guards';
import {
  rootLoggerWithRedactionsOffThread,
  writeHeldLogLines,
} from '@portico/plugin-backend-module-root-logger';

const backend = createBackend();

// Backstage's root HTTP router, measuring requests by route template (docs/monitoring.md). A core
// service rather than a feature: the backend tests start the features on the test backend's own
// root router, and the production-image monitoring test checks this one.
backend.add(rootHttpRouterWithRequestMetrics);

// Backstage's root logger, finding the configuration's secrets to redact on a worker thread while
// the plugins start rather than before (about a second of a start; docs/stock-comparison.md).
backend.add(rootLoggerWithRedactionsOffThread);

for (const feature of Object.values(portalFeatures).flat()) {
  backend.add(feature);
}

backend.start().catch(async error => {
  await writeHeldLogLines();
  process.stderr.write(`\n${explainStartupFailure(error)}\n`);
  process.exit(1);
});
