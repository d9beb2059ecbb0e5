import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { Worker } from 'node:worker_threads';

/** A line the enumeration would have logged. */
export interface EnumerationMessage {
  level: 'error' | 'warn' | 'info';
  message: string;
}

/** The configuration's secrets, and what finding them logged. */
export interface SecretEnumeration {
  secrets: string[];
  messages: EnumerationMessage[];
}

/**
 * Runs Backstage's own secret enumerator (`createConfigSecretEnumerator`: it loads and compiles
 * the configuration schema of every package the backend depends on, then keeps the values marked
 * `@visibility secret`). The worker is given as text so that it needs no file of its own in the
 * bundle and no TypeScript transform under Jest; the modules it loads are resolved here.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createConfigSecretEnumerator } = require(workerData.rootConfigModule);
const { ConfigReader } = require(workerData.configModule);
const messages = [];
const record = level => message => messages.push({ level, message: String(message) });
const logger = {
  error: record('error'), warn: record('warn'), info: record('info'), debug() {},
  child: () => logger,
};
createConfigSecretEnumerator({ logger, dir: workerData.dir }).then(enumerate => {
  const secrets = [...enumerate(new ConfigReader(workerData.configData))];
  parentPort.postMessage({ secrets, messages });
});
`;

function enumerateOnWorker(
  configData: JsonObject,
  dir: string,
): Promise<SecretEnumeration> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the process's preloads (`--require ./instrumentation.js`): the enumeration needs none.
      execArgv: [],
      workerData: {
        configData,
        dir,
        rootConfigModule: require.resolve(
          '@backstage/backend-defaults/rootConfig',
        ),
        configModule: require.resolve('@backstage/config'),
      },
    });
    worker.once('message', (result: SecretEnumeration) => {
      resolve(result);
      worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', code =>
      reject(new Error(`the worker thread exited with code ${code}`)),
    );
  });
}

async function enumerateOnThisThread(
  config: Config,
  dir: string,
  messages: EnumerationMessage[],
): Promise<SecretEnumeration> {
  const record = (level: EnumerationMessage['level']) => (message: string) =>
    messages.push({ level, message });
  const logger = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug() {},
    child: () => logger,
  };
  const enumerate = await createConfigSecretEnumerator({ logger, dir });
  return { secrets: [...enumerate(config)], messages };
}

/**
 * The secrets in `config`, found on a worker thread so that compiling the schema (about a second
 * of CPU for Portico's backend) does not hold up the start; on this thread if a worker cannot
 * run, exactly as Backstage's root logger does it.
 */
export async function enumerateConfigSecrets(
  config: Config,
  options: { dir?: string } = {},
): Promise<SecretEnumeration> {
  const dir = options.dir ?? process.cwd();
  const configData = (config.getOptional() ?? {}) as JsonObject;
  try {
    return await enumerateOnWorker(configData, dir);
  } catch (error) {
    return enumerateOnThisThread(config, dir, [
      {
        level: 'warn',
        message: `Enumerating the configuration's secrets on the main thread, as a worker thread failed: ${error}`,
      },
    ]);
  }
}
