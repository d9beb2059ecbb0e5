import { CatalogClient } from '@backstage/catalog-client';
import {
  ApiBlueprint,
  createFrontendModule,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { coalesceConcurrentReads } from './coalesceConcurrentReads';
import { limitSecondaryReads } from './limitSecondaryReads';
import { withoutAccessRelations } from './withoutAccessRelations';

/**
 * Replaces the catalog plugin's API with one whose entities carry no access relations, and which
 * sends identical reads that are in flight at the same time only once, and the filters' facets
 * and counts a few at a time and after the table's rows have been shown.
 */
export const catalogModuleHideAccessRelations = createFrontendModule({
  pluginId: 'catalog',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: catalogApiRef,
          deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
          factory: ({ discoveryApi, fetchApi }) =>
            new CatalogClient({
              discoveryApi,
              fetchApi: coalesceConcurrentReads(
                limitSecondaryReads(withoutAccessRelations(fetchApi)),
              ),
            }),
        }),
    }),
  ],
});
