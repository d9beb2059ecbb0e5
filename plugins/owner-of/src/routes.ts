import { createExternalRouteRef } from '@backstage/frontend-plugin-api';

/** The catalog's index page, where a user lands after unregistering an entity. */
export const catalogIndexRouteRef = createExternalRouteRef({
  defaultTarget: 'catalog.catalogIndex',
});
