import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

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
 * The owner-of frontend plugin.
 *
 * @public
 */
export const ownerOfPlugin = createFrontendPlugin({
  pluginId: 'owner-of',
  extensions: [entityAccessCard],
});
