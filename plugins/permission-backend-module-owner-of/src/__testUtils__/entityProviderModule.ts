import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';

/** An entity provider that tests feed directly, skipping file reading. */
export class TestEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  getProviderName() {
    return 'owner-of-test-provider';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }

  async add(entities: Entity[]) {
    if (!this.connection) {
      throw new Error('The catalog has not connected the provider yet');
    }
    await this.connection.applyMutation({
      type: 'delta',
      added: entities.map(entity => ({
        entity: {
          ...entity,
          metadata: {
            ...entity.metadata,
            annotations: {
              ...entity.metadata.annotations,
              'backstage.io/managed-by-location':
                'url:https://harborline.example/org.yaml',
              'backstage.io/managed-by-origin-location':
                'url:https://harborline.example/org.yaml',
            },
          },
        },
        locationKey: this.getProviderName(),
      })),
      removed: [],
    });
  }
}

export function testEntityProviderModule(provider: TestEntityProvider) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'owner-of-test-provider',
    register({ registerInit }) {
      registerInit({
        deps: { processing: catalogProcessingExtensionPoint },
        async init({ processing }) {
          processing.addEntityProvider(provider);
        },
      });
    },
  });
}
