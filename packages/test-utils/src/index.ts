/**
 * Helpers shared by the portal's tests across packages.
 *
 * @packageDocumentation
 */
export { eventually } from './eventually';
export { waitForCatalogSettled } from './catalogSettled';
export { DatabaseActivity } from './databaseActivity';
export { writeTechDocsSite } from './techDocsSite';
export { freePort } from './freePort';
export { repoRoot, demoCatalogLocations, demoDataLocation } from './repository';
export { actorPreservingAuthFactory, userHeader } from './auth';
export { startUserScopedBackend } from './userScopedBackend';
export type { UserScopedBackend } from './userScopedBackend';
export {
  dropDatabases,
  listDatabases,
  portalTestDatabase,
  testDatabaseConfig,
} from './portalDatabase';
export {
  hasPostgresBinaries,
  postgresBinDir,
  startPrivatePostgres,
} from './privatePostgres';
export type { PrivatePostgres } from './privatePostgres';
export { recordingRootLogger } from './recordingLogger';
export type { RecordedLog } from './recordingLogger';
export {
  epochSeconds,
  generateSigningKey,
  signLimitedUserToken,
  signUserToken,
  staticKeyStore,
  unsignedUserToken,
} from './backstageTokens';
export type { TestSigningKey, UserTokenClaims } from './backstageTokens';
export { startDevIdpProcess } from './devIdp';
export { signInThroughIdp } from './oidcSignIn';
export type { SignedInUser, SignInOptions } from './oidcSignIn';
export { harborlineTeams, writeGeneratedCatalog } from './generatedCatalog';
export type { GeneratedComponent } from './generatedCatalog';
export { primeWebSocketUpgrades, webSocketStatus } from './webSocket';
export { startStandInKubernetesApi } from './standInKubernetesApi';
export type { StandInKubernetesApi } from './standInKubernetesApi';
// What the benchmark and load scripts share: their options, medians, their PostgreSQL databases
export * from './bench';
