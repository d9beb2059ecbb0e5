import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { readOwnerOfConfig } from '@portico/plugin-owner-of-common';
import { AccessRelationsProcessor } from './processor/AccessRelationsProcessor';
import { hasAccessRelationRule } from './permissions/hasAccessRelationRule';
import { createDeniedMutationAuditMiddleware } from './audit/deniedMutationAudit';
import { createHideUnreadableRelationsMiddleware } from './relations/hideUnreadableRelations';
import { OwnerUnregister } from './unregister/OwnerUnregister';
import { createUnregisterRouter } from './unregister/createUnregisterRouter';

/**
 * The owner-of catalog module: the access relations processor, the
 * HAS_ACCESS_RELATION permission rule, the audit of denied mutations,
 * unregistering for owners, and the removal from what users receive of the
 * access relations and, with permissions on, of unreadable entities' refs.
 *
 * @public
 */
export const catalogModuleOwnerOf = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'owner-of',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        processing: catalogProcessingExtensionPoint,
        permissionsRegistry: coreServices.permissionsRegistry,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        database: coreServices.database,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        processing,
        permissionsRegistry,
        httpRouter,
        httpAuth,
        auth,
        auditor,
        logger,
        permissions,
        database,
        catalog,
      }) {
        const ownerOf = readOwnerOfConfig(config);
        processing.addProcessor(
          new AccessRelationsProcessor({
            annotationPrefixes: ownerOf.annotationPrefixes,
          }),
        );
        permissionsRegistry.addPermissionRules([hasAccessRelationRule]);
        httpRouter.use(
          createDeniedMutationAuditMiddleware({
            auditor,
            auth,
            httpAuth,
            catalog,
            logger,
          }),
        );
        httpRouter.use(
          createUnregisterRouter({
            httpAuth,
            auditor,
            unregister: new OwnerUnregister({ catalog, auth, permissions }),
          }),
        );
        // Access relations never reach users; with permissions on, neither do the names of
        // entities they may not read.
        httpRouter.use(
          createHideUnreadableRelationsMiddleware({
            auth,
            httpAuth,
            catalog,
            permissions,
            logger,
            // The catalog plugin's own database: a module shares its plugin's.
            db: await database.getClient(),
            hideUnreadable:
              config.getOptionalBoolean('permission.enabled') === true &&
              ownerOf.hideUnreadableRelations,
          }),
        );
      },
    });
  },
});
