/*
 * Test-only: preloaded into a backend started from an image folder, as
 *   node --require <this file> packages/backend --config ...
 * It adds one small plugin to the backend that the image's own entry point creates, so the
 * replica tests can watch the scheduler without changing what the image runs otherwise.
 *
 * The plugin schedules a global task every second that takes RUN_MS and logs a JSON line when a
 * run starts and one when it finishes, with the replica's name and times. The scheduler's
 * database lock should let exactly one replica run it per interval, never two at once.
 */
const { createRequire } = require('node:module');
const { join } = require('node:path');

// Resolve packages exactly as the image's backend does.
const fromBackend = createRequire(
  join(process.cwd(), 'packages/backend/package.json'),
);
const backendDefaults = fromBackend('@backstage/backend-defaults');
const { coreServices, createBackendPlugin } = fromBackend(
  '@backstage/backend-plugin-api',
);

const RUN_MS = 300;

const replicaProbe = createBackendPlugin({
  pluginId: 'replicaprobe',
  register(env) {
    env.registerInit({
      deps: {
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ scheduler, logger }) {
        await scheduler.scheduleTask({
          id: 'replica-probe',
          frequency: { seconds: 1 },
          timeout: { seconds: 10 },
          scope: 'global',
          fn: async () => {
            const startedAt = Date.now();
            logger.info('replica probe run started', {
              replica: process.env.PORTICO_REPLICA_NAME,
              probeRunStartedAt: startedAt,
            });
            await new Promise(resolve => setTimeout(resolve, RUN_MS));
            logger.info('replica probe run finished', {
              replica: process.env.PORTICO_REPLICA_NAME,
              probeRunStartedAt: startedAt,
              probeRunFinishedAt: Date.now(),
            });
          },
        });
      },
    });
  },
});

const createBackend = backendDefaults.createBackend;
backendDefaults.createBackend = (...args) => {
  const backend = createBackend(...args);
  backend.add(replicaProbe);
  return backend;
};
