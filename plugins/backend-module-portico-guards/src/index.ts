/**
 * Guards of the Portico backend: request guards answering hostile input to Backstage's plugins
 * with a clear 4xx, the production sign-in guard, the TechDocs static path guard, and the
 * explanation of start-up failures.
 *
 * @packageDocumentation
 */

export {
  catalogModuleRequestGuards,
  kubernetesModuleRequestGuards,
  permissionModuleRequestGuards,
  scaffolderModuleRequestGuards,
  signalsModuleRequestGuards,
  userSettingsModuleRequestGuards,
} from './requestGuards/modules';
export {
  jsonBodyGuard,
  nulQueryGuard,
  type Handler,
} from './requestGuards/jsonBody';
export {
  bodyShapeGuard,
  checkKubernetesServiceQuery,
  checkSettingsMultiget,
} from './requestGuards/bodyShape';
export { anonymousWebSocketGuard } from './requestGuards/anonymousWebSocket';
export { productionSignInGuard } from './signIn/productionSignInGuard';
export {
  DEV_IDP_DEVELOPMENT_ONLY_MARKER,
  UnsafeProductionConfigError,
  checkProductionSignIn,
  metadataReader,
  type MetadataReader,
} from './signIn/checkProductionSignIn';
export { techdocsModuleStaticPathGuard } from './techdocs/module';
export {
  guardDocsHandler,
  guardPublisher,
  guardStaticDocsRequests,
  unsafeDocsPath,
} from './techdocs/staticDocsPaths';
export { explainStartupFailure } from './startup/explainStartupFailure';
