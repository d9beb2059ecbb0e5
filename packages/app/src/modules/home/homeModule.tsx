import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Welcome to Portico

Harborline's developer portal: every service, API, library and team in one place.

- **Find software** in the [catalog](/): filter by owner, kind and lifecycle.
- **Start something new** from a [software template](/create): it lands in the catalog,
  owned by your team.
- **Read the docs** of any component on its *TechDocs* tab, or search them from the sidebar.

You see what your teams own and what others have shared with you. Everyone sees the
organization, so you can always find who owns something: a page you may not read offers
**Ask the owners for access**.

**Need help?** Ask the platform team in \`#portico\` or at portico@harborline.example.
`;

const welcomeWidget = HomePageWidgetBlueprint.make({
  name: 'welcome',
  params: {
    name: 'Welcome',
    title: 'Welcome',
    description: 'What Portico offers and where to ask for help',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

const yourTeamsWidget = HomePageWidgetBlueprint.make({
  name: 'your-teams',
  params: {
    name: 'YourTeams',
    title: 'Your teams',
    description: 'Your teams and what they own',
    components: () =>
      import('./YourTeams').then(m => ({ Content: m.YourTeams })),
  },
});

const templateRunsWidget = HomePageWidgetBlueprint.make({
  name: 'template-runs',
  params: {
    name: 'TemplateRuns',
    title: 'Your template runs',
    description: 'Your latest software template runs',
    components: () =>
      import('./TemplateRuns').then(m => ({ Content: m.TemplateRuns })),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget, yourTeamsWidget, templateRunsWidget],
});
