import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { readOwnerOfSettings } from '../config';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { describeAccess } from './describeAccess';

function setup(ownerOf: object = {}) {
  const settings = readOwnerOfSettings(
    new ConfigReader({
      permission: {
        adminRefs: ['user:default/alice', 'group:default/platform-team'],
        ownerOf,
      },
    }),
  );
  const policy = new OwnerOfPolicy({
    settings,
    membership: { resolve: jest.fn() },
  });
  return { settings, policy };
}

const routePlanner: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'route-planner',
    annotations: {
      'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.read',
      'backstage.tanzu.vmware.com/group.support':
        'catalog.entity.read, catalog.entity.update',
      'backstage.tanzu.vmware.com/group.marketing': 'catalog.entities.read',
    },
  },
  spec: { owner: 'logistics-team' },
  relations: [
    { type: 'readableBy', targetRef: 'group:default/logistics-team' },
    { type: 'deletableBy', targetRef: 'group:default/logistics-team' },
    { type: 'refreshableBy', targetRef: 'group:default/logistics-team' },
    { type: 'readableBy', targetRef: 'user:default/dana' },
    { type: 'readableBy', targetRef: 'group:default/support' },
    { type: 'refreshableBy', targetRef: 'group:default/support' },
    { type: 'readableBy', targetRef: 'user:default/former-owner' },
    { type: 'readableBy', targetRef: 'owner-of.kind:default/component' },
  ],
};

const admins = [
  {
    rule: 'admin',
    subjectRef: 'user:default/alice',
    inheritedBy: 'none',
  },
  {
    rule: 'admin',
    subjectRef: 'group:default/platform-team',
    inheritedBy: 'nestedMembers',
  },
];

describe('describeAccess', () => {
  it('lists owner, grants, stale relations and admins per action', () => {
    const { settings, policy } = setup();
    const access = describeAccess({ entity: routePlanner, policy, settings });

    const owner = {
      rule: 'owner',
      subjectRef: 'group:default/logistics-team',
      inheritedBy: 'nestedMembers',
    };
    expect(access.entityRef).toBe('component:default/route-planner');
    expect(access.owner).toBe('group:default/logistics-team');
    expect(access.actions.read).toEqual([
      owner,
      {
        rule: 'annotation',
        subjectRef: 'user:default/dana',
        inheritedBy: 'none',
        annotation: 'backstage.tanzu.vmware.com/user.dana',
      },
      {
        rule: 'annotation',
        subjectRef: 'group:default/support',
        inheritedBy: 'nestedMembers',
        annotation: 'backstage.tanzu.vmware.com/group.support',
      },
      {
        rule: 'relation',
        subjectRef: 'user:default/former-owner',
        inheritedBy: 'none',
        relation: 'readableBy',
      },
      ...admins,
    ]);
    expect(access.actions.delete).toEqual([owner, ...admins]);
    expect(access.actions.refresh).toEqual([
      owner,
      expect.objectContaining({
        rule: 'annotation',
        subjectRef: 'group:default/support',
      }),
      ...admins,
    ]);
    expect(access.grantProblems).toEqual([
      expect.stringContaining('catalog.entities.read'),
    ]);
  });

  it('lists a grant only once its relation exists, as the policy decides', () => {
    const { settings, policy } = setup();
    const access = describeAccess({
      entity: { ...routePlanner, relations: [] },
      policy,
      settings,
    });
    expect(access.actions.read).toEqual(admins);
  });

  it('adds the public-kind rule for every signed-in user, for read only', () => {
    const { settings, policy } = setup({ nestedGroups: false });
    const template: Entity = {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'new-service' },
      spec: { owner: 'platform-team' },
      relations: [
        { type: 'readableBy', targetRef: 'group:default/platform-team' },
        { type: 'readableBy', targetRef: 'owner-of.kind:default/template' },
      ],
    };
    const access = describeAccess({ entity: template, policy, settings });
    expect(access.nestedGroups).toBe(false);
    expect(access.actions.read).toEqual([
      {
        rule: 'admin',
        subjectRef: 'group:default/platform-team',
        inheritedBy: 'members',
      },
      { rule: 'admin', subjectRef: 'user:default/alice', inheritedBy: 'none' },
      { rule: 'publicKind', kind: 'Template' },
    ]);
    expect(access.actions.delete).not.toContainEqual(
      expect.objectContaining({ rule: 'publicKind' }),
    );
  });
});
