/**
 * Catalog module that syncs the organization from LDAP or Active Directory
 * through Backstage's LdapOrgEntityProvider, refusing runs that would empty
 * or gut it, with the admins' organization health endpoint.
 *
 * @packageDocumentation
 */

export { catalogModuleLdapGuarded as default } from './module';
export { DirectorySync } from './DirectorySync';
export { GuardedLdapOrgProvider } from './sync/GuardedLdapOrgProvider';
export type { DirectorySyncSettings } from './sync/GuardedLdapOrgProvider';
export { judgeSync, classifyReadError } from './sync/syncGuard';
export type {
  OrgSnapshot,
  SyncJudgement,
  SyncRefusalReason,
} from './sync/syncGuard';
export { SyncStatusStore } from './sync/SyncStatusStore';
export type {
  ProviderSyncState,
  SyncRunRecord,
  SyncRunResult,
} from './sync/SyncStatusStore';
export { checkOrgWarnings, describeOrgWarnings } from './health/orgHealth';
export type { DanglingGrant, OrgWarnings } from './health/orgHealth';
export { readDirectorySyncSettings } from './settings';
