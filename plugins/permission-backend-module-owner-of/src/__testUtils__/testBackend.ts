import {
  AuthService,
  BackendFeature,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogLocationsExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  ServiceMock,
  TestBackend,
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import permissionModuleOwnerOf from '../index';

/**
 * The mock auth service turns a plugin's on-behalf-of token into plain user
 * credentials, dropping the calling plugin. Real auth keeps it as the
 * `actor`, and the catalog's apply-conditions endpoint (used by every
 * single-entity permission check) refuses user credentials without one. This
 * factory keeps the actor, as production does.
 */
export const actorPreservingAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => inner.authenticate(token, options),
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: ((credentials: any, type: any) =>
        inner.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials =>
        inner.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        return inner.getPluginRequestToken(options);
      },
    };
  },
});

/** Lets tests register file locations through the API. */
const fileLocationsModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-file-locations',
  register({ registerInit }) {
    registerInit({
      deps: { locations: catalogLocationsExtensionPoint },
      async init({ locations }) {
        locations.setAllowedLocationTypes(['url', 'file']);
      },
    });
  },
});

export type OwnerOfTestBackend = {
  backend: TestBackend;
  auditor: ServiceMock<import('@backstage/backend-plugin-api').AuditorService>;
  /** supertest agent bound to the backend */
  http: () => ReturnType<typeof request>;
};

/**
 * Starts the real catalog and permission backends with both owner-of
 * modules, on the given test database, with permissions enabled.
 */
export async function startOwnerOfBackend(options: {
  databases: TestDatabases;
  databaseId: TestDatabaseId;
  config: JsonObject;
  features?: BackendFeature[];
}): Promise<OwnerOfTestBackend> {
  const knex = await options.databases.init(options.databaseId);
  const auditor = mockServices.auditor.mock();
  const backend = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data: options.config }),
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      actorPreservingAuthFactory,
      auditor.factory,
      catalogPlugin,
      scaffolderEntityModel,
      fileLocationsModule,
      permissionPlugin,
      catalogModuleOwnerOf,
      permissionModuleOwnerOf,
      ...(options.features ?? []),
    ],
  });
  return {
    backend,
    auditor,
    http: () => request(backend.server),
  };
}

/** Authorization header for a user's mock token. */
export function userHeader(userRef: string): string {
  return `Bearer ${mockCredentials.user.token(userRef)}`;
}

/** Authorization header for a service (an external static token). */
export function serviceHeader(): string {
  return `Bearer ${mockCredentials.service.token()}`;
}
