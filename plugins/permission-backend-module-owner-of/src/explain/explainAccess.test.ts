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

  it('says who may run a template and who sees its runs', () => {
    const template = (
      annotations: Record<string, string>,
      relations: Entity['relations'],
    ): Entity => ({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'payments-incident-review', annotations },
      spec: { owner: 'group:default/payments-team', type: 'review', steps: [] },
      relations,
    });
    const explain = (e: Entity, who: ResolvedClaims) =>
      explainAccess({
        entity: e,
        claims: who,
        policy,
        annotationPrefixes: settings.annotationPrefixes,
      });

    const open = explain(
      template({}, [
        { type: 'readableBy', targetRef: 'group:default/payments-team' },
        { type: 'readableBy', targetRef: 'owner-of.kind:default/template' },
      ]),
      carol,
    );
    expect(open.template).toEqual({
      run: {
        allowed: true,
        reason:
          'user:default/carol may run this template because they may read it: kind Template is readable by every signed-in user',
      },
      tasks:
        'Each run of this template (a scaffolder task: its parameters, log, cancel and retry) is visible to the user who started it and to admins',
    });

    // A read grant restricts it: the kind relation is gone.
    const restricted = template(
      {
        'backstage.tanzu.vmware.com/group.payments-team': 'catalog.entity.read',
      },
      [{ type: 'readableBy', targetRef: 'group:default/payments-team' }],
    );
    const outsider = explain(restricted, carol);
    expect(outsider.actions.read.reason).toBe(
      'user:default/carol is not an admin, and template:default/payments-incident-review has no readableBy relation to any of their claims (user:default/carol, group:default/routing-squad, group:default/logistics-team); its kind Template is public, but its read grants restrict it to its owner and grantees',
    );
    expect(outsider.template!.run).toEqual({
      allowed: false,
      reason: `user:default/carol may not run this template: they may not read it (${outsider.actions.read.reason})`,
    });
    const bob = explain(
      restricted,
      claims([
        ['user:default/bob'],
        ['user:default/bob', 'group:default/payments-team'],
      ]),
    );
    expect(bob.template!.run.allowed).toBe(true);
    expect(bob.template!.run.reason).toContain(
      'user:default/bob → group:default/payments-team (owner); user:default/bob → group:default/payments-team (annotation backstage.tanzu.vmware.com/group.payments-team)',
    );
    const admin = explain(
      restricted,
      claims([
        ['user:default/alice'],
        ['user:default/alice', 'group:default/platform-team'],
      ]),
    );
    expect(admin.template!.run.allowed).toBe(true);
    expect(admin.template!.tasks).toMatch(
      /; user:default\/alice is an admin and sees every run$/,
    );
    expect(explain(entity, carol).template).toBeUndefined();
  });
});
