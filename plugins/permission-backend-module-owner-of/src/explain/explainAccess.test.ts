import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { readOwnerOfSettings } from '../config';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { explainAccess } from './explainAccess';

const settings = readOwnerOfSettings(
  new ConfigReader({
    permission: { adminRefs: ['group:default/platform-team'] },
  }),
);
const policy = new OwnerOfPolicy({
  settings,
  membership: { resolve: jest.fn() },
});

function claims(chains: string[][]): ResolvedClaims {
  const via = new Map(chains.map(chain => [chain[chain.length - 1], chain]));
  return { userRef: chains[0][0], claims: [...via.keys()], via };
}

const carol = claims([
  ['user:default/carol'],
  ['user:default/carol', 'group:default/routing-squad'],
  [
    'user:default/carol',
    'group:default/routing-squad',
    'group:default/logistics-team',
  ],
]);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'route-planner',
    annotations: {
      'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.read',
      'backstage.tanzu.vmware.com/group.support': 'catalog.entities.read',
    },
  },
  spec: { owner: 'logistics-team' },
  relations: [
    { type: 'readableBy', targetRef: 'group:default/logistics-team' },
    { type: 'deletableBy', targetRef: 'group:default/logistics-team' },
    { type: 'refreshableBy', targetRef: 'group:default/logistics-team' },
    { type: 'readableBy', targetRef: 'user:default/dana' },
    { type: 'readableBy', targetRef: 'user:default/former-owner' },
  ],
};

describe('explainAccess', () => {
  it('names the owner rule and the group chain', () => {
    const result = explainAccess({
      entity,
      claims: carol,
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    expect(result.admin).toBeNull();
    expect(result.owner).toBe('group:default/logistics-team');
    for (const action of ['read', 'delete', 'refresh'] as const) {
      expect(result.actions[action]).toEqual({
        allowed: true,
        grants: [
          {
            rule: 'owner',
            subjectRef: 'group:default/logistics-team',
            via: [
              'user:default/carol',
              'group:default/routing-squad',
              'group:default/logistics-team',
            ],
          },
        ],
        reason:
          'user:default/carol → group:default/routing-squad → group:default/logistics-team (owner)',
      });
    }
    expect(result.grantProblems).toEqual([
      expect.stringContaining("'catalog.entities.read'"),
    ]);
  });

  it('names the annotation of a grant and explains a refusal', () => {
    const result = explainAccess({
      entity,
      claims: claims([['user:default/dana']]),
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    expect(result.actions.read.grants).toEqual([
      {
        rule: 'annotation',
        subjectRef: 'user:default/dana',
        via: ['user:default/dana'],
        annotation: 'backstage.tanzu.vmware.com/user.dana',
      },
    ]);
    expect(result.actions.delete).toEqual({
      allowed: false,
      grants: [],
      reason:
        'user:default/dana is not an admin, and component:default/route-planner has no deletableBy relation to any of their claims (user:default/dana)',
    });
  });

  it('reports relations that no longer follow from the entity', () => {
    const result = explainAccess({
      entity,
      claims: claims([['user:default/former-owner']]),
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    expect(result.actions.read.grants).toEqual([
      {
        rule: 'relation',
        subjectRef: 'user:default/former-owner',
        via: ['user:default/former-owner'],
        relation: 'readableBy',
      },
    ]);
  });

  it('explains admin access and public kinds', () => {
    const admin = explainAccess({
      entity,
      claims: claims([
        ['user:default/sam'],
        ['user:default/sam', 'group:default/sre'],
        [
          'user:default/sam',
          'group:default/sre',
          'group:default/platform-team',
        ],
      ]),
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    expect(admin.admin).toEqual({
      ref: 'group:default/platform-team',
      via: [
        'user:default/sam',
        'group:default/sre',
        'group:default/platform-team',
      ],
    });
    expect(admin.actions.delete.grants).toEqual([
      {
        rule: 'admin',
        subjectRef: 'group:default/platform-team',
        via: admin.admin!.via,
      },
    ]);

    const template = explainAccess({
      entity: {
        ...entity,
        kind: 'Template',
        relations: [
          { type: 'readableBy', targetRef: 'owner-of.kind:default/template' },
        ],
      },
      claims: claims([['user:default/erin']]),
      policy,
      annotationPrefixes: settings.annotationPrefixes,
    });
    expect(template.actions.read).toMatchObject({
      allowed: true,
      grants: [{ rule: 'publicKind', kind: 'Template' }],
    });
    expect(template.actions.refresh.allowed).toBe(false);
  });
});
