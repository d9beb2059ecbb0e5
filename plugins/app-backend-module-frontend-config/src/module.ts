import {
  coreServices,
  createBackendModule,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { readEnvConfig } from '@backstage/config-loader';
import { configSchemaExtensionPoint } from '@backstage/plugin-app-node';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JsonObject } from '@backstage/types';
import { FrontendConfigInput, processOnWorker } from './frontendConfigWorker';
import { PrecomputedConfigSchema } from './PrecomputedConfigSchema';

/**
 * The app backend's frontend configuration (what of app-config the browser receives), computed
 * from the app bundle's schema on a worker thread while the other plugins start, instead of on
 * the main thread when the app backend starts. The same inputs as the app backend's own
 * `readFrontendConfig`; without an app bundle schema, or if the worker fails, it sets nothing and
 * the app backend does its own work as usual.
 */
export const appModuleFrontendConfig = createBackendModule({
  pluginId: 'app',
  moduleId: 'frontend-config',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        configSchema: configSchemaExtensionPoint,
      },
      async init({ config, logger, configSchema }) {
        if (config.getOptionalBoolean('app.disableConfigInjection')) {
          return;
        }
        const appPackageName =
          config.getOptionalString('app.packageName') ?? 'app';
        let serialized;
        try {
          const appDistDir = resolvePackagePath(appPackageName, 'dist');
          serialized = JSON.parse(
            await readFile(resolve(appDistDir, '.config-schema.json'), 'utf8'),
          );
        } catch {
          return; // No app bundle schema: the app backend injects nothing either.
        }
        const input: FrontendConfigInput = {
          serialized,
          configs: [
            ...readEnvConfig(process.env),
            { data: config.get<JsonObject>(), context: 'app' },
          ],
          options: {
            visibility: ['frontend' as const],
            withDeprecatedKeys: true,
          },
        };
        try {
          const result = await processOnWorker(input);
          configSchema.setConfigSchema(
            new PrecomputedConfigSchema(input, result),
          );
        } catch (error) {
          logger.warn(
            `The frontend configuration is processed on the main thread, as a worker thread failed: ${error}`,
          );
        }
      },
    });
  },
});
