/*
 * The Portico backend: every feature the portal runs, grouped by what it gives engineers.
 * Core services (database, scheduler, logger, URL reader, cache, auditor) come from
 * @backstage/backend-defaults and are configured in the `backend:` block of app-config.
 */
import { createBackend } from '@backstage/backend-defaults';
import { explainStartupFailure } from './startupFailure';

const backend = createBackend();

// Serving the frontend and proxying to internal services
backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Sign-in: OpenID Connect (the local dev IdP, or the company IdP in production)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

// Software Catalog, with the owner-of grant relations and permission rules
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@portico/plugin-catalog-backend-module-owner-of'));

// Permissions: the owner-of policy (consulted only with `permission.enabled: true`)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@portico/plugin-permission-backend-module-owner-of'));

// Software Templates
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// TechDocs
backend.add(import('@backstage/plugin-techdocs-backend'));

// Search: in-process engine by default, PostgreSQL's when the database is PostgreSQL
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

// Kubernetes
backend.add(import('@backstage/plugin-kubernetes-backend'));

// Per-user settings, notifications and live signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// Actions for AI assistants (MCP), limited to the plugins named in backend.actions
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start().catch(error => {
  process.stderr.write(`\n${explainStartupFailure(error)}\n`);
  process.exit(1);
});
