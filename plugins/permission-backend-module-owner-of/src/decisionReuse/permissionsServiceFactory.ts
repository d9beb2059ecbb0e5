import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ServerPermissionClient } from '@backstage/plugin-permission-node';
import { readOwnerOfConfig } from '@portico/plugin-owner-of-common';
import { DecisionReusingPermissions } from './DecisionReusingPermissions';

/**
 * Every plugin's permissions service, as Backstage's default (`ServerPermissionClient`), reusing
 * a user's conditional decisions briefly (see DecisionReusingPermissions).
 *
 * @public
 */
export const ownerOfPermissionsServiceFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {
    auth: coreServices.auth,
    config: coreServices.rootConfig,
    discovery: coreServices.discovery,
  },
  async factory({ auth, config, discovery }) {
    return new DecisionReusingPermissions({
      inner: ServerPermissionClient.fromConfig(config, { auth, discovery }),
      auth,
      ttlMs: readOwnerOfConfig(config).membershipRefreshMs,
    });
  },
});
