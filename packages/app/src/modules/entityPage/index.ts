import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { catalogTranslationRef } from '@backstage/plugin-catalog/alpha';

/**
 * The page of an entity the user may not read says so plainly. The catalog answers the same for
 * an entity that is hidden and one that does not exist, so the page cannot tell which it is, and
 * must not.
 */
const hiddenEntityMessages = TranslationBlueprint.make({
  name: 'hidden-entity',
  params: {
    resource: createTranslationMessages({
      ref: catalogTranslationRef,
      messages: {
        'entityLabels.warningPanelTitle': 'Not visible to you',
        'entityPage.notFoundMessage':
          'This {{kind}} does not exist, or you may not see it: only its owners and the people they grant can. Find the owning team in the catalog (every team and person is visible to everyone) and ask them for access.',
      },
    }),
  },
});

// Translations attach to the app's own translations API, whose input only takes app modules.
export const entityPageModule = createFrontendModule({
  pluginId: 'app',
  extensions: [hiddenEntityMessages],
});
