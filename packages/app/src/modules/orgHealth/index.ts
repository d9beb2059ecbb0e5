import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { orgHealthPage } from './pageExtension';

/** The admins' organization health page at /org-health. */
export const orgHealthModule = createFrontendModule({
  pluginId: 'app',
  extensions: [orgHealthPage],
});
