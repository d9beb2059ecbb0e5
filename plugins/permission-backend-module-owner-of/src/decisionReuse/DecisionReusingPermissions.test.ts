import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { DecisionReusingPermissions } from './DecisionReusingPermissions';

const templateRead = createPermission({
  name: 'scaffolder.template.parameter.read',
  attributes: { action: 'read' },
  resourceType: 'scaffolder-template',
});

function setUp(ttlMs: number, maxEntries?: number) {
  let calls = 0;
  const clock = { ms: 1_000 };
  const inner = {
    authorize: jest.fn(async () => [{ result: AuthorizeResult.DENY }]),
    authorizeConditional: jest.fn(
      async (requests: { permission: { name: string } }[], options: any) =>
        requests.map(r => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'HAS_ACCESS_RELATION',
            resourceType: 'catalog-entity',
            params: {
              relation: 'readableBy',
              claims: [
                options.credentials.principal.userEntityRef ?? 'service',
                r.permission.name,
                `call ${++calls}`,
              ],
            },
          },
        })),
    ),
  };
  const permissions = new DecisionReusingPermissions({
    inner: inner as any,
    auth: mockServices.auth(),
    ttlMs,
    maxEntries,
    now: () => clock.ms,
  });
  return { inner, permissions, clock };
}

const claimsOf = (decisions: any[]) =>
  decisions.map(d => d.conditions.params.claims);
const bob = mockCredentials.user('user:default/bob');
const carol = mockCredentials.user('user:default/carol');

describe('DecisionReusingPermissions', () => {
  it('reuses a user’s conditional decision, per user and permission, for its time', async () => {
    const { inner, permissions, clock } = setUp(30_000);
    const read = [{ permission: catalogEntityReadPermission }];
    const first = await permissions.authorizeConditional(read, {
      credentials: bob,
    });
    expect(
      await permissions.authorizeConditional(read, { credentials: bob }),
    ).toEqual(first);
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(1);

    // Another user, and another permission of the same user, are decisions of their own.
    expect(
      claimsOf(
        await permissions.authorizeConditional(read, { credentials: carol }),
      ),
    ).toEqual([['user:default/carol', 'catalog.entity.read', 'call 2']]);
    expect(
      claimsOf(
        await permissions.authorizeConditional(
          [
            { permission: catalogEntityReadPermission },
            { permission: templateRead },
          ],
          { credentials: bob },
        ),
      ),
    ).toEqual([
      ['user:default/bob', 'catalog.entity.read', 'call 1'],
      ['user:default/bob', 'scaffolder.template.parameter.read', 'call 3'],
    ]);
    // Only the missing decision was asked for.
    expect(inner.authorizeConditional.mock.calls[2][0]).toEqual([
      { permission: templateRead },
    ]);

    // Reused for at most 10 s, even when memberships are reused for longer.
    clock.ms += 9_000;
    expect(
      claimsOf(
        await permissions.authorizeConditional(read, { credentials: bob }),
      ),
    ).toEqual([['user:default/bob', 'catalog.entity.read', 'call 1']]);
    clock.ms += 1_001;
    expect(
      claimsOf(
        await permissions.authorizeConditional(read, { credentials: bob }),
      ),
    ).toEqual([['user:default/bob', 'catalog.entity.read', 'call 4']]);
  });

  it('keeps at most its number of decisions, dropping the least recently used', async () => {
    const { inner, permissions } = setUp(30_000, 2);
    const read = [{ permission: catalogEntityReadPermission }];
    const dave = mockCredentials.user('user:default/dave');
    for (const credentials of [bob, carol, bob, dave]) {
      await permissions.authorizeConditional(read, { credentials });
    }
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(3);
    // Carol's was the least recently used of the three: asked again; Bob's and Dave's are kept.
    await permissions.authorizeConditional(read, { credentials: carol });
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(4);
    await permissions.authorizeConditional(read, { credentials: dave });
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(4);
  });

  it('reuses nothing when memberships are not reused (a refresh of 0)', async () => {
    const { inner, permissions } = setUp(0);
    const read = [{ permission: catalogEntityReadPermission }];
    await permissions.authorizeConditional(read, { credentials: bob });
    await permissions.authorizeConditional(read, { credentials: bob });
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('passes services’ decisions and decisions on one resource through', async () => {
    const { inner, permissions } = setUp(30_000);
    const read = [{ permission: catalogEntityReadPermission }];
    const service = mockCredentials.service('plugin:search');
    await permissions.authorizeConditional(read, { credentials: service });
    await permissions.authorizeConditional(read, { credentials: service });
    expect(inner.authorizeConditional).toHaveBeenCalledTimes(2);

    const one = [
      {
        permission: catalogEntityReadPermission,
        resourceRef: 'component:default/ledger',
      },
    ];
    await permissions.authorize(one, { credentials: bob });
    await permissions.authorize(one, { credentials: bob });
    expect(inner.authorize).toHaveBeenCalledTimes(2);
  });
});
