/*
 * The Portico backend. What it runs is listed, by group, in ./features.ts; plugins added with
 * `yarn new` are added below.
 */
import { createBackend } from '@backstage/backend-defaults';
import { portalFeatures } from './features';
import { explainStartupFailure } from './startupFailure';

const backend = createBackend();

for (const feature of Object.values(portalFeatures).flat()) {
  backend.add(feature);
}

backend.start().catch(error => {
  process.stderr.write(`\n${explainStartupFailure(error)}\n`);
  process.exit(1);
});
