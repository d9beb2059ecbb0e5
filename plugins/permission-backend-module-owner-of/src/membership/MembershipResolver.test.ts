import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MembershipResolver } from './MembershipResolver';

function group(
  name: string,
  spec: Record<string, unknown> = {},
  namespace = 'default',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace },
    spec: { type: 'team', children: [], ...spec },
  };
}

function user(name: string, memberOf: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name },
    spec: { memberOf },
    relations: memberOf.map(targetRef => ({ type: 'memberOf', targetRef })),
  };
}

const org = [
  group('harborline'),
  group('logistics', { parent: 'harborline' }),
  // Declared as a child by its parent rather than with spec.parent.
  group('routing-squad'),
  group('logistics-team', { parent: 'logistics', children: ['routing-squad'] }),
  group('a', { parent: 'b' }),
  group('b', { parent: 'a' }),
  group('elsewhere', { parent: 'group:default/harborline' }, 'ops'),
  user('carol', ['group:default/routing-squad']),
  user('erin', ['group:default/a', 'group:ops/elsewhere']),
];

function resolver(
  entities: Entity[],
  options: {
    nestedGroups?: boolean;
    refreshMs?: number;
    now?: () => number;
  } = {},
) {
  const catalog = catalogServiceMock({ entities });
  return {
    catalog,
    resolver: new MembershipResolver({
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      nestedGroups: options.nestedGroups ?? true,
      refreshMs: options.refreshMs ?? 30_000,
      now: options.now,
    }),
  };
}

describe('MembershipResolver', () => {
  it('follows parents transitively and records the chain to each group', async () => {
    const { resolver: r } = resolver(org);
    const claims = await r.resolve('user:default/Carol');
    expect(claims.claims).toEqual([
      'user:default/carol',
      'group:default/routing-squad',
      'group:default/logistics-team',
      'group:default/logistics',
      'group:default/harborline',
    ]);
    expect(claims.via.get('group:default/logistics')).toEqual([
      'user:default/carol',
      'group:default/routing-squad',
      'group:default/logistics-team',
      'group:default/logistics',
    ]);
  });

  it('survives cycles and crosses namespaces', async () => {
    const { resolver: r } = resolver(org);
    const claims = await r.resolve('user:default/erin');
    expect(claims.claims.sort()).toEqual([
      'group:default/a',
      'group:default/b',
      'group:default/harborline',
      'group:ops/elsewhere',
      'user:default/erin',
    ]);
  });

  it('stops at direct groups when nested groups are off', async () => {
    const { resolver: r } = resolver(org, { nestedGroups: false });
    expect((await r.resolve('user:default/carol')).claims).toEqual([
      'user:default/carol',
      'group:default/routing-squad',
    ]);
  });

  it('gives a user without an entity only their own ref', async () => {
    const { resolver: r } = resolver(org);
    expect((await r.resolve('user:default/ghost')).claims).toEqual([
      'user:default/ghost',
    ]);
  });

  it('caches for the refresh interval and then reloads', async () => {
    let now = 0;
    const { resolver: r, catalog } = resolver(org, {
      refreshMs: 1000,
      now: () => now,
    });
    const byRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
    const stream = jest.spyOn(catalog, 'streamEntities');
    await Promise.all([
      r.resolve('user:default/carol'),
      r.resolve('user:default/carol'),
    ]);
    now = 999;
    await r.resolve('user:default/carol');
    expect(byRefs).toHaveBeenCalledTimes(1);
    expect(stream).toHaveBeenCalledTimes(1);
    now = 1000;
    await r.resolve('user:default/carol');
    expect(byRefs).toHaveBeenCalledTimes(2);
    expect(stream).toHaveBeenCalledTimes(2);
  });

  it('keeps at most one entry per user, up to its bound, and none with a refresh of 0', async () => {
    const { resolver: r, catalog } = resolver(org, { refreshMs: 0 });
    const byRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
    await r.resolve('user:default/carol');
    await r.resolve('user:default/carol');
    expect(byRefs).toHaveBeenCalledTimes(2);
    const cached = resolver(org);
    for (const name of ['carol', 'erin', 'carol']) {
      await cached.resolver.resolve(`user:default/${name}`);
    }
    expect(
      (cached.resolver as unknown as { users: { size: number; max: number } })
        .users,
    ).toMatchObject({ size: 2, max: 10_000 });
  });

  it('does not cache failures', async () => {
    const { resolver: r, catalog } = resolver(org);
    jest
      .spyOn(catalog, 'getEntitiesByRefs')
      .mockRejectedValueOnce(new Error('catalog unavailable'));
    await expect(r.resolve('user:default/carol')).rejects.toThrow(
      'catalog unavailable',
    );
    expect((await r.resolve('user:default/carol')).claims).toHaveLength(5);
  });
});
