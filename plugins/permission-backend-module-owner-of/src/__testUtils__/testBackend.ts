import {
  BackendFeature,
  createBackendModule,
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
import {
  DatabaseActivity,
  actorPreservingAuthFactory,
} from '@portico/test-utils';
import permissionModuleOwnerOf from '../index';

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
  const activity = new DatabaseActivity();
  const knex = activity.track(await options.databases.init(options.databaseId));
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
  activity.settleOnStop(backend);
  return {
    backend,
    auditor,
    http: () => request(backend.server),
  };
}

/** Authorization header for a service (an external static token). */
export function serviceHeader(): string {
  return `Bearer ${mockCredentials.service.token()}`;
}
