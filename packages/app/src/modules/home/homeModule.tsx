import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Welcome to Portico

Harborline's developer portal: every service, API, library and team in one place.

- **Find software** in the [catalog](/): filter by owner, kind and lifecycle.
- **Start something new** from a [software template](/create): it lands in the catalog,
  owned by your team.
- **Read the docs** of any component on its *Docs* tab, or search them from the sidebar.

You see what your teams own and what others have shared with you. Ask the platform team in
\`#portico\` for access to something you cannot find.
`;

const welcomeWidget = HomePageWidgetBlueprint.make({
  name: 'welcome',
  params: {
    name: 'Welcome',
    title: 'Welcome',
    description: 'What Portico offers and where to start',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget],
});
