import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OwnerOfPolicy } from './policy/OwnerOfPolicy';

export const permissionModuleOwnerOf = createBackendModule({
  pluginId: 'permission',
  moduleId: 'owner-of',
  register({ registerInit }) {
    registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new OwnerOfPolicy(userInfo));
      },
    });
  },
});
