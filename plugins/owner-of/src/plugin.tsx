import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';

import { rootRouteRef } from './routes';

export const page = PageBlueprint.make({
  params: {
    path: '/owner-of',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/TodoPage').then(m => (
        <m.TodoPage />
      )),
  },
});

export const ownerOfPlugin = createFrontendPlugin({
  pluginId: 'owner-of',
  extensions: [page],
  routes: {
    root: rootRouteRef,
  }
});
