import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogLocationCreatePermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { ConfigReader } from '@backstage/config';
import { readOwnerOfSettings } from '../config';
import { MembershipResolver } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from './OwnerOfPolicy';
import {
  HasAccessRelationParams,
  entityHasAccessRelation,
  kindSubjectRef,
} from '@portico/plugin-owner-of-common';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform-team' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'sre' },
    spec: { type: 'team', parent: 'platform-team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'routing-squad' },
    spec: { type: 'team', parent: 'logistics-team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'logistics-team' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'sam' },
    spec: {},
    relations: [{ type: 'memberOf', targetRef: 'group:default/sre' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'carol' },
    spec: {},
    relations: [{ type: 'memberOf', targetRef: 'group:default/routing-squad' }],
  },
];

function policyWith(permission: object = {}) {
  const settings = readOwnerOfSettings(
    new ConfigReader({
      permission: {
        adminRefs: ['user:default/alice', 'group:default/platform-team'],
        ...permission,
      },
    }),
  );
  const membership = new MembershipResolver({
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    nestedGroups: settings.nestedGroups,
    refreshMs: settings.membershipRefreshMs,
  });
  return new OwnerOfPolicy({ settings, membership });
}

const asUser = (ref: string) => ({
  credentials: mockCredentials.user(ref),
  info: { userEntityRef: ref, ownershipEntityRefs: [ref] },
});

const carolClaims = [
  'user:default/carol',
  'group:default/routing-squad',
  'group:default/logistics-team',
];

describe('OwnerOfPolicy', () => {
  const policy = policyWith();

  it('denies everything to unauthenticated callers', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      catalogEntityValidatePermission,
      createPermission({ name: 'search.query', attributes: {} }),
    ]) {
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('allows everything to admins by user ref and through nested groups', async () => {
    for (const ref of ['user:default/alice', 'user:default/sam']) {
      for (const permission of [
        catalogEntityReadPermission,
        catalogEntityDeletePermission,
        catalogLocationCreatePermission,
      ]) {
        expect(await policy.handle({ permission }, asUser(ref))).toEqual({
          result: AuthorizeResult.ALLOW,
        });
      }
    }
  });

  it('sends read to the catalog as one relation lookup, public kinds as claims', async () => {
    expect(
      await policy.handle(
        { permission: catalogEntityReadPermission },
        asUser('user:default/Carol'),
      ),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'HAS_ACCESS_RELATION',
        resourceType: 'catalog-entity',
        params: {
          relation: 'readableBy',
          claims: [...carolClaims, 'owner-of.kind:default/template'],
        },
      },
    });
  });

  it('decides read in the one form the catalog receives, for explain too', async () => {
    const claims = await new MembershipResolver({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      nestedGroups: true,
      refreshMs: 0,
    }).resolve('user:default/carol');
    const decided = policy.decide(catalogEntityReadPermission, claims);
    expect(decided).toEqual(
      await policy.handle(
        { permission: catalogEntityReadPermission },
        asUser('user:default/carol'),
      ),
    );
    expect(decided).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        rule: 'HAS_ACCESS_RELATION',
        params: {
          relation: 'readableBy',
          claims: [...carolClaims, 'owner-of.kind:default/template'],
        },
      },
    });
  });

  it('allows through its one read condition exactly the owned and the public-kind processed entities', async () => {
    const claims = await new MembershipResolver({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      nestedGroups: true,
      refreshMs: 0,
    }).resolve('user:default/carol');
    const decision = policy.decide(catalogEntityReadPermission, claims);
    if (
      decision.result !== AuthorizeResult.CONDITIONAL ||
      !('rule' in decision.conditions)
    ) {
      throw new Error('expected a conditional read decision');
    }
    const params = decision.conditions.params as HasAccessRelationParams;
    const owners = ['group:default/logistics-team', 'group:default/marketing'];
    for (const kind of ['Component', 'Template', 'template', 'API', 'Group']) {
      for (const owner of owners) {
        // Relations as the catalog module's processor emits them: an entity with read
        // grants (a restricted template) has no kind relation.
        for (const restricted of [false, true]) {
          const entity: Entity = {
            apiVersion: 'backstage.io/v1alpha1',
            kind,
            metadata: { name: 'x' },
            spec: {},
            relations: [
              { type: 'readableBy', targetRef: owner },
              ...(restricted
                ? []
                : [{ type: 'readableBy', targetRef: kindSubjectRef(kind) }]),
            ],
          };
          expect(entityHasAccessRelation(entity, params)).toBe(
            owner === 'group:default/logistics-team' ||
              (!restricted && kind.toLowerCase() === 'template'),
          );
        }
      }
    }
  });

  it('uses the relation alone when there are no public kinds, and for delete and refresh', async () => {
    const noPublic = policyWith({ ownerOf: { publicKinds: [] } });
    expect(
      await noPublic.handle(
        { permission: catalogEntityReadPermission },
        asUser('user:default/carol'),
      ),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        rule: 'HAS_ACCESS_RELATION',
        params: { relation: 'readableBy' },
      },
    });
    for (const [permission, relation] of [
      [catalogEntityDeletePermission, 'deletableBy'],
      [catalogEntityRefreshPermission, 'refreshableBy'],
    ] as const) {
      expect(
        await policy.handle({ permission }, asUser('user:default/carol')),
      ).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        conditions: {
          rule: 'HAS_ACCESS_RELATION',
          params: { relation, claims: carolClaims },
        },
      });
    }
  });

  it('keeps basic catalog permissions for admins, allows validation', async () => {
    const carol = asUser('user:default/carol');
    for (const permission of [
      catalogEntityCreatePermission,
      catalogLocationCreatePermission,
      catalogLocationReadPermission,
      createPermission({ name: 'catalog.ingestion.manage', attributes: {} }),
    ]) {
      expect(await policy.handle({ permission }, carol)).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
    expect(
      await policy.handle(
        { permission: catalogEntityValidatePermission },
        carol,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('gives everyone the listed basic catalog permissions', async () => {
    const open = policyWith({
      ownerOf: { everyonePermissions: ['catalog.location.read'] },
    });
    const carol = asUser('user:default/carol');
    expect(
      await open.handle({ permission: catalogLocationReadPermission }, carol),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await open.handle({ permission: catalogLocationCreatePermission }, carol),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('denies a permission the table does not name, to admins too, and warns once by name', async () => {
    const logger = mockServices.logger.mock();
    const settings = readOwnerOfSettings(
      new ConfigReader({ permission: { adminRefs: ['user:default/alice'] } }),
    );
    const lookups = { resolve: jest.fn() };
    const closed = new OwnerOfPolicy({ settings, membership: lookups, logger });
    const future = createPermission({
      name: 'catalog.entity.archive',
      attributes: {},
      resourceType: 'catalog-entity',
    });
    const newPlugin = createPermission({
      name: 'new-plugin.secret.read',
      attributes: { action: 'read' },
    });
    for (const permission of [future, newPlugin, future]) {
      for (const user of ['user:default/alice', 'user:default/carol']) {
        expect(await closed.handle({ permission }, asUser(user))).toEqual({
          result: AuthorizeResult.DENY,
        });
      }
    }
    expect(lookups.resolve).not.toHaveBeenCalled();
    expect(logger.warn.mock.calls.map(([message]) => message)).toEqual([
      'Permission catalog.entity.archive is not in the owner-of permission table: denied to everyone until it is added',
      'Permission new-plugin.secret.read is not in the owner-of permission table: denied to everyone until it is added',
    ]);
  });

  it('decides other plugins by the table: everyone, admin only, or opened in config', async () => {
    const carol = asUser('user:default/carol');
    const alice = asUser('user:default/alice');
    const named = (name: string, resourceType?: string) =>
      resourceType
        ? createPermission({ name, attributes: {}, resourceType })
        : createPermission({ name, attributes: {} });
    for (const permission of [
      named('kubernetes.clusters.read'),
      named('kubernetes.resources.read'),
      named('scaffolder.task.create'),
      named('scaffolder.action.execute', 'scaffolder-action'),
    ]) {
      expect(await policy.handle({ permission }, carol)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    for (const permission of [
      named('kubernetes.proxy'),
      named('scaffolder.template.dry-run'),
      named('scaffolder.template.management'),
    ]) {
      expect(await policy.handle({ permission }, carol)).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(await policy.handle({ permission }, alice)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    const open = policyWith({
      ownerOf: { everyonePermissions: ['scaffolder.template.dry-run'] },
    });
    expect(
      await open.handle(
        { permission: named('scaffolder.template.dry-run') },
        carol,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets task creators and admins read and cancel scaffolder tasks', async () => {
    for (const name of ['scaffolder.task.read', 'scaffolder.task.cancel']) {
      const permission = createPermission({
        name,
        attributes: {},
        resourceType: 'scaffolder-task',
      });
      expect(
        await policy.handle({ permission }, asUser('user:default/Carol')),
      ).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-task',
        conditions: {
          rule: 'IS_TASK_OWNER',
          resourceType: 'scaffolder-task',
          params: { createdBy: ['user:default/carol', 'user:default/Carol'] },
        },
      });
      expect(
        await policy.handle({ permission }, asUser('user:default/alice')),
      ).toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('shows restricted template parameters and steps only to the subjects they are tagged with', async () => {
    const permission = createPermission({
      name: 'scaffolder.template.step.read',
      attributes: { action: 'read' },
      resourceType: 'scaffolder-template',
    });
    expect(
      await policy.handle({ permission }, asUser('user:default/carol')),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-template',
      conditions: {
        anyOf: [
          {
            not: {
              rule: 'HAS_TAG',
              resourceType: 'scaffolder-template',
              params: { tag: 'restricted' },
            },
          },
          ...carolClaims.map(tag => ({
            rule: 'HAS_TAG',
            resourceType: 'scaffolder-template',
            params: { tag },
          })),
        ],
      },
    });
  });
});
