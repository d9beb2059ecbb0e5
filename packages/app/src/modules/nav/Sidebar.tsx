import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { SidebarLogo } from './SidebarLogo';
import MenuIcon from '@material-ui/icons/Menu';
import SearchIcon from '@material-ui/icons/Search';
import { SidebarSearchModal } from '@backstage/plugin-search';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import { usePermission } from '@backstage/plugin-permission-react';
import { catalogEntityCreatePermission } from '@backstage/plugin-catalog-common/alpha';
import { ReactNode } from 'react';
import { useIsAdmin } from './useAccess';

/** Shorter titles where a plugin's own would be cut off in the open sidebar. */
const SHORT_TITLES: Record<string, string> = {
  'Register Existing Component': 'Register',
  // The sidebar's graph opens on the organization (app-config's page:catalog-graph).
  'Catalog Graph': 'Org Chart',
};

/** Shows its children only to users the catalog lets register entities. */
const IfMayRegister = ({ children }: { children: ReactNode }) => {
  const { allowed } = usePermission({
    permission: catalogEntityCreatePermission,
  });
  return allowed ? <>{children}</> : null;
};

/** Shows its children (organization health, developer tools) only to the policy's admins. */
const IfAdmin = ({ children }: { children: ReactNode }) =>
  useIsAdmin() ? <>{children}</> : null;

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => (
        <SidebarItem
          icon={() => item.icon}
          to={item.href}
          text={SHORT_TITLES[item.title] ?? item.title}
        />
      ));

      // Skipped items
      nav.take('page:search'); // Using search modal instead
      nav.take('page:notifications'); // Using NotificationsSidebarItem manually instead
      const register = nav.take('page:catalog-import');
      const visualizer = nav.take('page:app-visualizer');
      const orgHealth = nav.take('page:app/org-health');

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarGroup label="Search" icon={<SearchIcon />} to="/search">
            <SidebarSearchModal />
          </SidebarGroup>
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:home')}
            {nav.take('page:catalog')}
            {nav.take('page:scaffolder')}
            <IfMayRegister>{register}</IfMayRegister>
            <SidebarDivider />
            <SidebarScrollWrapper>
              {nav.rest({ sortBy: 'title' })}
            </SidebarScrollWrapper>
          </SidebarGroup>
          <SidebarSpace />
          <SidebarDivider />
          <NotificationsSidebarItem />
          <SidebarDivider />
          <SidebarGroup
            label="Settings"
            icon={<UserSettingsSignInAvatar />}
            to="/settings"
          >
            <IfAdmin>
              {orgHealth}
              {visualizer}
            </IfAdmin>
            {nav.take('page:user-settings')}
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
