import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readOwnerOfSettings } from './config';
import { MembershipResolver } from './membership/MembershipResolver';
import { OwnerOfPolicy } from './policy/OwnerOfPolicy';
import { InstrumentedPolicy } from './policy/InstrumentedPolicy';
import { createExplainRouter } from './explain/createExplainRouter';
import { TaskCreators } from './explain/TaskCreators';
import { createAccessRouter } from './access/createAccessRouter';

/**
 * Installs the owner-of permission policy and its explain and access
 * endpoints (`/api/permission/owner-of/explain`,
 * `/api/permission/owner-of/access`).
 *
 * @public
 */
export const permissionModuleOwnerOf = createBackendModule({
  pluginId: 'permission',
  moduleId: 'owner-of',
  register({ registerInit }) {
    registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
      },
      async init({
        policy,
        config,
        auth,
        httpAuth,
        httpRouter,
        logger,
        catalog,
        discovery,
      }) {
        const settings = readOwnerOfSettings(config);
        const membership = new MembershipResolver({
          catalog,
          auth,
          logger,
          nestedGroups: settings.nestedGroups,
          refreshMs: settings.membershipRefreshMs,
        });
        const ownerOfPolicy = new OwnerOfPolicy({
          settings,
          membership,
          logger,
        });
        policy.setPolicy(new InstrumentedPolicy(ownerOfPolicy));
        httpRouter.use(
          createExplainRouter({
            httpAuth,
            auth,
            catalog,
            membership,
            policy: ownerOfPolicy,
            annotationPrefixes: settings.annotationPrefixes,
            tasks: new TaskCreators({ auth, discovery }),
          }),
        );
        httpRouter.use(
          createAccessRouter({
            httpAuth,
            auth,
            catalog,
            membership,
            policy: ownerOfPolicy,
            settings,
          }),
        );
        logger.info(
          `Owner-of policy installed: ${
            settings.adminRefs.length
          } admin refs, public kinds [${settings.publicKinds.join(
            ', ',
          )}], nested groups ${
            settings.nestedGroups ? 'on' : 'off'
          }, membership refresh ${settings.membershipRefreshMs} ms`,
        );
      },
    });
  },
});
