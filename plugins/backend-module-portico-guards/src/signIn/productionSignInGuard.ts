import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { checkProductionSignIn, metadataReader } from './checkProductionSignIn';

const productionSignInGuardRef = createServiceRef<void>({
  id: 'portico.production-sign-in-guard',
  scope: 'root',
});

/**
 * Runs checkProductionSignIn as the backend starts. Root services are created before any plugin,
 * so a refused configuration never serves a plugin route.
 */
export const productionSignInGuard = createServiceFactory({
  service: productionSignInGuardRef,
  deps: {
    config: coreServices.rootConfig,
    logger: coreServices.rootLogger,
  },
  async factory({ config, logger }) {
    await checkProductionSignIn(config, metadataReader(logger));
  },
});
