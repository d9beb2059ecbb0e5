import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';
import { oidcAuthApi, oidcAuthApiRef } from './oidcAuthApi';

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => props =>
      (
        <SignInPage
          {...props}
          title="Portico"
          align="center"
          providers={[
            {
              id: 'oidc',
              title: 'Harborline SSO',
              message: 'Sign in with your company account',
              apiRef: oidcAuthApiRef,
            },
          ]}
        />
      ),
  },
});

/** Engineers are authenticated users: the portal only opens after OpenID Connect sign-in. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});
