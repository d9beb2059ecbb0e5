import { Entity } from '@backstage/catalog-model';
import {
  accessRelationQuery,
  createAccessRelationCondition,
  entityHasAccessRelation,
  kindOfSubjectRef,
  kindSubjectRef,
  matchingAccessSubjects,
} from './accessRelation';
import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { computeAccessEntries, resolveOwnerRef } from './accessEntries';

const component = (extra: Partial<Entity> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'route-planner', namespace: 'logistics' },
  spec: { owner: 'routing-squad', type: 'service', lifecycle: 'production' },
  ...extra,
});

describe('access relation semantics', () => {
  const entity = component({
    relations: [
      { type: 'readableBy', targetRef: 'group:logistics/routing-squad' },
      { type: 'deletableBy', targetRef: 'user:default/Carol' },
      { type: 'readableBy', targetRef: `group:default/${'x'.repeat(200)}` },
    ],
  });

  it('matches case-insensitively on relation type and target', () => {
    expect(
      entityHasAccessRelation(entity, {
        relation: 'readableBy',
        claims: ['GROUP:logistics/Routing-Squad'],
      }),
    ).toBe(true);
    expect(
      matchingAccessSubjects(entity, {
        relation: 'deletableBy',
        claims: ['user:default/carol', 'group:logistics/routing-squad'],
      }),
    ).toEqual(['user:default/carol']);
  });

  it('does not match other relation types', () => {
    expect(
      entityHasAccessRelation(entity, {
        relation: 'refreshableBy',
        claims: ['group:logistics/routing-squad', 'user:default/carol'],
      }),
    ).toBe(false);
  });

  it('ignores targets longer than the search table keeps', () => {
    expect(
      entityHasAccessRelation(entity, {
        relation: 'readableBy',
        claims: [`group:default/${'x'.repeat(200)}`],
      }),
    ).toBe(false);
  });

  it('builds the indexed query and the condition with lowercased claims', () => {
    const params = {
      relation: 'readableBy' as const,
      claims: ['User:Default/Carol', 'user:default/carol'],
    };
    expect(accessRelationQuery(params)).toEqual({
      key: 'relations.readableby',
      values: ['user:default/carol'],
    });
    expect(createAccessRelationCondition(params)).toEqual({
      rule: 'HAS_ACCESS_RELATION',
      resourceType: 'catalog-entity',
      params: { relation: 'readableBy', claims: ['user:default/carol'] },
    });
  });
});

describe('computeAccessEntries', () => {
  it('resolves the owner with default kind Group and the entity namespace', () => {
    expect(resolveOwnerRef(component())).toBe('group:logistics/routing-squad');
    expect(
      resolveOwnerRef(component({ spec: { owner: 'user:default/Carol' } })),
    ).toBe('user:default/carol');
    expect(resolveOwnerRef(component({ spec: { owner: 7 } }))).toBeUndefined();
    expect(resolveOwnerRef(component({ spec: {} }))).toBeUndefined();
  });

  it('lists owner, self and annotation entries with their sources', () => {
    const group: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'routing-squad',
        annotations: {
          'backstage.tanzu.vmware.com/user.dana':
            'catalog.entity.read, catalog.entity.update',
          'backstage.tanzu.vmware.com/group.nobody': 'catalog.entities.read',
        },
      },
      spec: { type: 'team', children: [] },
    };
    const { entries, problems } = computeAccessEntries(group);
    expect(entries).toEqual([
      {
        subjectRef: 'group:default/routing-squad',
        actions: ['read'],
        source: { type: 'self' },
      },
      {
        subjectRef: 'user:default/dana',
        actions: ['read', 'refresh'],
        source: {
          type: 'annotation',
          annotation: 'backstage.tanzu.vmware.com/user.dana',
        },
      },
    ]);
    expect(problems).toEqual([
      expect.stringContaining("'catalog.entities.read'"),
    ]);
  });

  it('gives the owner every action', () => {
    expect(computeAccessEntries(component()).entries).toEqual([
      {
        subjectRef: 'group:logistics/routing-squad',
        actions: ['read', 'delete', 'refresh'],
        source: { type: 'owner' },
      },
    ]);
  });
});

describe('kind subjects', () => {
  it('round-trips a kind through its lowercase subject ref', () => {
    expect(kindSubjectRef('Template')).toBe('owner-of.kind:default/template');
    expect(kindOfSubjectRef('Owner-Of.Kind:default/Template')).toBe('template');
    expect(kindOfSubjectRef('group:default/template')).toBeUndefined();
  });

  it('uses a kind no real entity can have', () => {
    const kind = kindSubjectRef('Template').split(':')[0];
    expect(KubernetesValidatorFunctions.isValidKind(kind)).toBe(false);
  });

  it('is matched by the rule like any other subject', () => {
    const entity = component({
      relations: [
        { type: 'readableBy', targetRef: kindSubjectRef('Component') },
      ],
    });
    const params = {
      relation: 'readableBy' as const,
      claims: ['user:default/erin', kindSubjectRef('component')],
    };
    expect(entityHasAccessRelation(entity, params)).toBe(true);
    expect(accessRelationQuery(params).values).toContain(
      'owner-of.kind:default/component',
    );
  });
});
