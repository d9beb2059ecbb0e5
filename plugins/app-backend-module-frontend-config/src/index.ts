/**
 * The app backend's frontend configuration, computed from the app bundle's schema on a worker
 * thread while the backend starts.
 *
 * @packageDocumentation
 */

export { appModuleFrontendConfig as default } from './module';
export { PrecomputedConfigSchema } from './PrecomputedConfigSchema';
export {
  processOnWorker,
  processOnWorkerSynchronously,
  type FrontendConfigInput,
} from './frontendConfigWorker';
