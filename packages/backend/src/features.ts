/*
 * Every feature the Portico backend runs, grouped by what it gives engineers. Core services
 * (database, scheduler, logger, URL reader, cache, auditor) come from @backstage/backend-defaults
 * and are configured in the `backend:` block of app-config; ./index.ts replaces two of them (the
 * root HTTP router, measuring requests, and the root logger, finding secrets off the main thread).
 * The backend's tests start exactly this list, so what is tested is what runs.
 */
import appBackend from '@backstage/plugin-app-backend';
import appModuleFrontendConfig from '@portico/plugin-app-backend-module-frontend-config';
import proxyBackend from '@backstage/plugin-proxy-backend';
import authBackend from '@backstage/plugin-auth-backend';
import authBackendModuleOidcProvider from '@backstage/plugin-auth-backend-module-oidc-provider';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import catalogBackendModuleLogs from '@backstage/plugin-catalog-backend-module-logs';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import catalogBackendModuleLdapGuarded from '@portico/plugin-catalog-backend-module-ldap-guarded';
import catalogBackendModuleMetrics from '@portico/plugin-catalog-backend-module-metrics';
import {
  catalogModulePlannerStatistics,
  catalogModuleStitchRepair,
} from '@portico/plugin-catalog-backend-module-upstream-workarounds';
import permissionBackend from '@backstage/plugin-permission-backend';
import permissionBackendModuleOwnerOf, {
  ownerOfPermissionsServiceFactory,
} from '@portico/plugin-permission-backend-module-owner-of';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import scaffolderBackendModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderBackendModuleNotifications from '@backstage/plugin-scaffolder-backend-module-notifications';
import scaffolderLocalGit from '@portico/plugin-scaffolder-backend-module-local-git';
import localGitBackend from '@portico/plugin-local-git-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import techdocsModulePrebuild from '@portico/plugin-techdocs-backend-module-prebuild';
import {
  catalogModuleRequestGuards,
  kubernetesModuleRequestGuards,
  permissionModuleRequestGuards,
  productionSignInGuard,
  scaffolderModuleRequestGuards,
  signalsModuleRequestGuards,
  techdocsModuleStaticPathGuard,
  userSettingsModuleRequestGuards,
} from '@portico/plugin-backend-module-portico-guards';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import searchBackendModuleTechdocs from '@backstage/plugin-search-backend-module-techdocs';
import searchModuleInProcessEngine from '@portico/plugin-search-backend-module-in-process-engine';
import searchModuleTechdocsPrebuild from '@portico/plugin-search-backend-module-techdocs-prebuild';
import kubernetesBackend from '@backstage/plugin-kubernetes-backend';
import userSettingsBackend from '@backstage/plugin-user-settings-backend';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import accessRequestBackend from '@portico/plugin-access-request-backend';
import signalsBackend from '@backstage/plugin-signals-backend';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';

export const portalFeatures = {
  // Serving the frontend, and proxying to internal services
  frontend: [appBackend, appModuleFrontendConfig, proxyBackend],

  // Sign-in through OpenID Connect: the local dev IdP, or the company IdP in production. In
  // production the backend refuses to start with the guest provider or the local dev IdP.
  signIn: [authBackend, authBackendModuleOidcProvider, productionSignInGuard],

  // Software Catalog, with the owner-of grant relations and permission rules, refusing hostile
  // requests (NUL characters, oversized bodies, locations outside backend.reading.allow) clearly
  catalog: [
    catalogBackend,
    catalogModuleRequestGuards,
    catalogBackendModuleScaffolderEntityModel,
    catalogBackendModuleLogs,
    catalogBackendModuleOwnerOf,
    // Users and groups from LDAP or Active Directory (catalog.providers.ldapOrg), refusing runs
    // that would empty or gut the organization; admins' organization health at /org-health
    catalogBackendModuleLdapGuarded,
    // Lists every entity again after a crash between the two writes of a stitch
    catalogModuleStitchRepair,
    // Analyzes the catalog's tables after bulk changes, so list queries keep good plans
    catalogModulePlannerStatistics,
    // Processing and stitching backlog gauges for monitoring (docs/monitoring.md)
    catalogBackendModuleMetrics,
  ],

  // Permissions: the owner-of policy, consulted when `permission.enabled` is true; every
  // plugin reuses a user's list decision for a few seconds instead of asking on each request
  permissions: [
    permissionBackend,
    permissionModuleRequestGuards,
    permissionBackendModuleOwnerOf,
    ownerOfPermissionsServiceFactory,
  ],

  // Software Templates, refusing NUL characters and oversized bodies clearly
  templates: [
    scaffolderBackend,
    scaffolderModuleRequestGuards,
    scaffolderBackendModuleGithub,
    scaffolderBackendModuleNotifications,
    scaffolderLocalGit,
    // Hosts what publish:local-git publishes at /api/local-git, and reads it for the catalog
    localGitBackend,
  ],

  // TechDocs, refusing docs paths that would escape the entity checked for read access
  techdocs: [
    techdocsBackend,
    techdocsModuleStaticPathGuard,
    techdocsModulePrebuild,
  ],

  // Search: an in-process engine by default (a 503 until its first index is built),
  // PostgreSQL's when the database is PostgreSQL; TechDocs indexed as soon as they are prebuilt
  search: [
    searchBackend,
    searchBackendModulePg,
    searchModuleInProcessEngine,
    searchBackendModuleCatalog,
    searchBackendModuleTechdocs,
    searchModuleTechdocsPrebuild,
  ],

  // Kubernetes workloads of catalog entities; a lookup without its entity is a clear 400
  kubernetes: [kubernetesBackend, kubernetesModuleRequestGuards],

  // Per-user settings, notifications and live updates; malformed settings reads are a clear 400,
  // a live-update connection without a token a 401
  userServices: [
    userSettingsBackend,
    userSettingsModuleRequestGuards,
    notificationsBackend,
    signalsBackend,
    signalsModuleRequestGuards,
    // "Ask the owners for access": a notification to the owning team.
    accessRequestBackend,
  ],

  // Actions for AI assistants (MCP), limited to the plugins named in backend.actions
  actions: [mcpActionsBackend],
};
