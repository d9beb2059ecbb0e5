import { PageBlueprint } from '@backstage/frontend-plugin-api';

export const orgHealthPage = PageBlueprint.make({
  name: 'org-health',
  params: {
    path: '/org-health',
    title: 'Organization health',
    loader: () => import('./OrgHealthPage').then(m => <m.OrgHealthPage />),
  },
});
