import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { overridePackagePathResolution } from '@backstage/backend-plugin-api/testUtils';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigSchema } from '@backstage/config-loader';
import { configSchemaExtensionPoint } from '@backstage/plugin-app-node';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appModuleFrontendConfig } from './module';
import { serialized } from './__fixtures__/appBundleSchema';

jest.setTimeout(30_000);

/** The app backend's side of the extension point: what the module hands it. */
function appPluginCapturingSchema() {
  const captured: { schema?: ConfigSchema } = {};
  const plugin = createBackendPlugin({
    pluginId: 'app',
    register(env) {
      env.registerExtensionPoint(configSchemaExtensionPoint, {
        setConfigSchema(schema) {
          captured.schema = schema;
        },
      });
      env.registerInit({ deps: {}, async init() {} });
    },
  });
  return { plugin, captured };
}

const data = {
  app: { title: 'Portico', packageName: 'frontend-config-test-app' },
  backend: { listenPort: 7007 },
};

describe('appModuleFrontendConfig', () => {
  let appDir: string;
  let override: { restore(): void };

  beforeEach(() => {
    appDir = mkdtempSync(join(tmpdir(), 'frontend-config-'));
    override = overridePackagePathResolution({
      packageName: 'frontend-config-test-app',
      path: appDir,
    });
  });
  afterEach(() => {
    override.restore();
    rmSync(appDir, { recursive: true, force: true });
  });

  it('hands the app backend the frontend configuration computed from the bundle’s schema', async () => {
    mkdirSync(join(appDir, 'dist'));
    writeFileSync(
      join(appDir, 'dist', '.config-schema.json'),
      JSON.stringify(serialized),
    );
    const { plugin, captured } = appPluginCapturingSchema();

    await startTestBackend({
      features: [
        plugin,
        appModuleFrontendConfig,
        mockServices.rootConfig.factory({ data }),
      ],
    });

    // The question the app backend asks (readFrontendConfig), with no APP_CONFIG_ variables.
    expect(
      captured.schema!.process([{ data, context: 'app' }], {
        visibility: ['frontend'],
        withDeprecatedKeys: true,
      }),
    ).toEqual([
      {
        context: 'app',
        data: { app: { title: 'Portico' } },
        deprecatedKeys: [],
      },
    ]);
    expect(captured.schema!.serialize()).toEqual(serialized);
  });

  it('leaves the app backend to itself without a bundle schema, or when the worker fails', async () => {
    const withoutSchema = appPluginCapturingSchema();
    await startTestBackend({
      features: [
        withoutSchema.plugin,
        appModuleFrontendConfig,
        mockServices.rootConfig.factory({ data }),
      ],
    });
    expect(withoutSchema.captured.schema).toBeUndefined();

    mkdirSync(join(appDir, 'dist'));
    writeFileSync(
      join(appDir, 'dist', '.config-schema.json'),
      JSON.stringify({ backstageConfigSchemaVersion: 99 }),
    );
    const withBadSchema = appPluginCapturingSchema();
    const logger = mockServices.logger.mock();
    await startTestBackend({
      features: [
        withBadSchema.plugin,
        appModuleFrontendConfig,
        mockServices.rootConfig.factory({ data }),
        logger.factory,
      ],
    });
    expect(withBadSchema.captured.schema).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('as a worker thread failed'),
    );
  });
});
