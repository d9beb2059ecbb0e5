/*
 * Mock authentication as tests across the portal need it: the mock auth service keeping the
 * calling plugin as the actor, and the headers of mock user tokens.
 */
import {
  AuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/**
 * The mock auth service turns a plugin's on-behalf-of token into plain user credentials,
 * dropping the calling plugin. Real auth keeps it as the `actor`, and the catalog's
 * apply-conditions endpoint (used by every single-entity permission check) refuses user
 * credentials without one. This factory keeps the actor, as production does.
 */
export const actorPreservingAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => inner.authenticate(token, options),
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: ((credentials: any, type: any) =>
        inner.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials =>
        inner.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        return inner.getPluginRequestToken(options);
      },
    };
  },
});

/**
 * Authorization header with a mock token of a user: a user entity ref
 * (`user:default/bob`) or the name of a user in the default namespace (`bob`).
 */
export function userHeader(user: string): string {
  const userRef = user.includes(':') ? user : `user:default/${user}`;
  return `Bearer ${mockCredentials.user.token(userRef)}`;
}
