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

/**
 * Replaces the catalog plugin's API with a stock `CatalogClient` that sends identical reads in
 * flight at the same time only once, and the filters' facets and counts a few at a time and
 * after the table's rows have been shown (docs/catalog-performance.md).
 */
export const catalogClientModule = createFrontendModule({
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
              fetchApi: coalesceConcurrentReads(limitSecondaryReads(fetchApi)),
            }),
        }),
    }),
  ],
});
