import { join, resolve as resolvePath } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  BackendFeature,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { JsonObject } from '@backstage/types';
import { portalFeatures } from '../features';
import { repoRoot, startDevIdpProcess } from '@portico/test-utils';

/**
 * Starts the real Portico backend in-process for tests: every feature of ./features.ts, the real
 * app-config.yaml, and the real authentication services (not the test mocks), with `overrides`
 * merged on top. A static external-access token is configured for the test's own calls.
 * `features` are added last: service factories among them replace the defaults (e.g. a root
 * logger that captures what the backend logs).
 */
export async function startPortalBackend(
  overrides: JsonObject,
  options: { features?: BackendFeature[] } = {},
) {
  const serviceToken = randomBytes(24).toString('hex');
  process.env.AUTH_SESSION_SECRET ??= randomBytes(24).toString('hex');
  process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
  process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-test';
  process.env.PORTICO_DATA_DIR ??= mkdtempSync(
    join(tmpdir(), 'portico-test-data-'),
  );
  // The OIDC module reads the provider's metadata at start-up: run the real local provider.
  const idp = await startDevIdpProcess(repoRoot);

  const { appConfigs } = await loadConfig({
    configRoot: repoRoot,
    configTargets: [{ path: resolvePath(repoRoot, 'app-config.yaml') }],
  });
  const testConfig: JsonObject = {
    backend: {
      baseUrl: 'http://localhost:0',
      listen: { port: 0 },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: serviceToken, subject: 'backend-tests' },
          },
        ],
      },
    },
  };
  const config = ConfigReader.fromConfigs([
    ...appConfigs,
    { context: 'test', data: testConfig },
    { context: 'test-overrides', data: overrides },
  ]);

  const backend = await startTestBackend({
    features: [
      ...Object.values(portalFeatures).flat(),
      createServiceFactory({
        service: coreServices.rootConfig,
        deps: {},
        factory: () => config,
      }),
      authServiceFactory,
      httpAuthServiceFactory,
      ...(options.features ?? []),
    ],
  });
  return {
    backend,
    serviceToken,
    stop: async () => {
      await backend.stop();
      await idp.stop();
    },
  };
}
