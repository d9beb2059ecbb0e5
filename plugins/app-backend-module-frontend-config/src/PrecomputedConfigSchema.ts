import { AppConfig } from '@backstage/config';
import {
  ConfigSchema,
  ConfigSchemaProcessingOptions,
} from '@backstage/config-loader';
import { JsonObject } from '@backstage/types';
import { isDeepStrictEqual } from 'node:util';
import {
  FrontendConfigInput,
  processOnWorkerSynchronously,
} from './frontendConfigWorker';

/**
 * The app bundle's configuration schema, with the answer to the one question the app backend
 * asks of it computed ahead on a worker thread. Any other question is answered on a worker thread
 * too, synchronously as `ConfigSchema.process` must, so every answer is the one the schema itself
 * gives.
 */
export class PrecomputedConfigSchema implements ConfigSchema {
  readonly #computed: FrontendConfigInput;
  readonly #result: AppConfig[];

  constructor(computed: FrontendConfigInput, result: AppConfig[]) {
    this.#computed = computed;
    this.#result = result;
  }

  process(
    configs: AppConfig[],
    options: ConfigSchemaProcessingOptions = {},
  ): AppConfig[] {
    if (
      isDeepStrictEqual(configs, this.#computed.configs) &&
      isDeepStrictEqual(options, this.#computed.options)
    ) {
      return structuredClone(this.#result);
    }
    if (options.valueTransform) {
      // A function cannot cross to a worker thread; the app backend never passes one.
      throw new Error(
        'This configuration schema processes on a worker thread and cannot apply a valueTransform',
      );
    }
    return processOnWorkerSynchronously({
      serialized: this.#computed.serialized,
      configs,
      options,
    });
  }

  serialize(): JsonObject {
    return this.#computed.serialized;
  }
}
