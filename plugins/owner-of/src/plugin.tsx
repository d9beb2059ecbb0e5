import {
  ApiBlueprint,
  AppRootElementBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContextMenuItemBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { RiDeleteBinLine } from '@remixicon/react';
import { lazy, Suspense } from 'react';
import { OwnerOfClient, ownerOfApiRef } from './api';
import { useUnregisterMenuItem } from './components/Unregister/useUnregisterMenuItem';
import { catalogIndexRouteRef } from './routes';

const LazyHiddenEntityAccessRequest = lazy(() =>
  import('./components/AskForAccess').then(m => ({
    default: m.HiddenEntityAccessRequest,
  })),
);

/**
 * The owner-of API (`ownerOfApiRef`): the owner-of endpoints over the app's discovery and
 * fetch APIs.
 */
export const ownerOfApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: ownerOfApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new OwnerOfClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The "Access" card on entity overview pages: who may read, delete and
 * refresh the entity under the owner-of policy, and why.
 */
export const entityAccessCard = EntityCardBlueprint.make({
  name: 'access',
  params: {
    type: 'content',
    loader: () =>
      import('./components/EntityAccessCard').then(m => <m.EntityAccessCard />),
  },
});

/**
 * "Ask the owners for access" on the page of an entity the user may not read.
 */
export const hiddenEntityAccessRequest = AppRootElementBlueprint.make({
  name: 'hidden-entity-access-request',
  params: {
    element: (
      <Suspense fallback={null}>
        <LazyHiddenEntityAccessRequest />
      </Suspense>
    ),
  },
});

const LazyTaskAccess = lazy(() =>
  import('./components/TaskAccess').then(m => ({ default: m.TaskAccess })),
);

/**
 * On a scaffolder task's page: who may see and cancel the task, and why.
 */
export const taskAccess = AppRootElementBlueprint.make({
  name: 'task-access',
  params: {
    element: (
      <Suspense fallback={null}>
        <LazyTaskAccess />
      </Suspense>
    ),
  },
});

/**
 * The entity menu's "Unregister entity", in place of the catalog's: owners may remove what they
 * registered, not only admins (app-config disables the catalog's own item).
 */
export const unregisterEntityMenuItem = EntityContextMenuItemBlueprint.make({
  name: 'unregister-entity',
  params: {
    icon: <RiDeleteBinLine size={16} />,
    useProps: useUnregisterMenuItem,
  },
});

/**
 * The owner-of frontend plugin.
 *
 * @public
 */
export const ownerOfPlugin = createFrontendPlugin({
  pluginId: 'owner-of',
  extensions: [
    ownerOfApi,
    entityAccessCard,
    hiddenEntityAccessRequest,
    taskAccess,
    unregisterEntityMenuItem,
  ],
  externalRoutes: { catalogIndex: catalogIndexRouteRef },
});
