import { AppConfig } from '@backstage/config';
import { ConfigSchemaProcessingOptions } from '@backstage/config-loader';
import { JsonObject } from '@backstage/types';
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
} from 'node:worker_threads';

/** What `ConfigSchema.process` is given: the app bundle's serialized schema and the configs. */
export interface FrontendConfigInput {
  serialized: JsonObject;
  configs: AppConfig[];
  options: ConfigSchemaProcessingOptions;
}

/**
 * The worker: `@backstage/config-loader` compiles the serialized schema and processes the configs,
 * exactly as the app backend would on the main thread. It answers on a port and raises a shared
 * flag, so that a caller may either await the answer or block on the flag. Given as text so that
 * it needs no file of its own in the bundle and no TypeScript transform under Jest.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, done, input } = workerData;
// Everything inside the chain, so that even a failing require answers and raises the flag.
Promise.resolve()
  .then(() => require(workerData.configLoaderModule).loadConfigSchema({ serialized: input.serialized }))
  .then(schema => schema.process(input.configs, input.options))
  .then(result => port.postMessage({ result }), error => port.postMessage({ error: String(error) }))
  .finally(() => {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  });
`;

type Answer = { result: AppConfig[] } | { error: string };

function startWorker(input: FrontendConfigInput) {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the process's preloads (`--require ./instrumentation.js`): processing needs none.
    execArgv: [],
    workerData: {
      input,
      port: port2,
      done,
      configLoaderModule: require.resolve('@backstage/config-loader'),
    },
    transferList: [port2],
  });
  const answer = (message: Answer | undefined): AppConfig[] => {
    worker.terminate();
    port1.close();
    if (!message) {
      throw new Error('the worker thread ended without an answer');
    }
    if ('error' in message) {
      throw new Error(message.error);
    }
    return message.result;
  };
  return { port: port1, done, worker, answer };
}

/** Processes the frontend configuration on a worker thread. */
export function processOnWorker(
  input: FrontendConfigInput,
): Promise<AppConfig[]> {
  const { port, worker, answer } = startWorker(input);
  return new Promise((resolve, reject) => {
    port.once('message', (message: Answer) => {
      try {
        resolve(answer(message));
      } catch (error) {
        reject(error);
      }
    });
    worker.once('error', error => {
      port.close();
      reject(error);
    });
  });
}

/**
 * The same, blocking this thread until the worker answers: for `ConfigSchema.process`, which is
 * synchronous, when it is asked for something other than what was computed ahead.
 */
export function processOnWorkerSynchronously(
  input: FrontendConfigInput,
): AppConfig[] {
  const { port, done, answer } = startWorker(input);
  Atomics.wait(done, 0, 0);
  return answer(receiveMessageOnPort(port)?.message);
}
