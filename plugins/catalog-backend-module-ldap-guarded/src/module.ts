import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { DirectorySync } from './DirectorySync';

/**
 * Syncs users and groups from each `catalog.providers.ldapOrg` directory,
 * refusing runs that would empty or gut the organization, and serves the
 * admins' organization health at `/api/catalog/org-health`.
 *
 * @public
 */
export const catalogModuleLdapGuarded = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ldap-guarded',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        processing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const sync = new DirectorySync({
          ...deps,
          knex: await deps.database.getClient(),
        });
        deps.processing.addEntityProvider(sync.providers);
        deps.httpRouter.use(sync.router(sync.membershipResolver()));
        deps.lifecycle.addStartupHook(async () => {
          await sync.start();
          sync
            .logWarningsWhenCatalogHasUsers()
            .catch(error =>
              deps.logger.warn(`Organization warnings check failed: ${error}`),
            );
        });
        deps.lifecycle.addShutdownHook(() => sync.stop());
      },
    });
  },
});
