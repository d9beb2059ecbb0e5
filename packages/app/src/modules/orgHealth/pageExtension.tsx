import { PageBlueprint, createRouteRef } from '@backstage/frontend-plugin-api';
import HealthIcon from '@material-ui/icons/VerifiedUser';

/** The route of the organization health page; its sidebar entry is shown to admins only. */
export const orgHealthRouteRef = createRouteRef();

export const orgHealthPage = PageBlueprint.make({
  name: 'org-health',
  params: {
    path: '/org-health',
    routeRef: orgHealthRouteRef,
    title: 'Org Health',
    icon: <HealthIcon />,
    loader: () => import('./OrgHealthPage').then(m => <m.OrgHealthPage />),
  },
});
