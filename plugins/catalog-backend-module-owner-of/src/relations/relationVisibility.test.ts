import {
  entityResponseShape,
  namedRefs,
  stripAccessRelations,
  withoutHiddenRefs,
} from './relationVisibility';

const component = {
  kind: 'Component',
  metadata: { namespace: 'default', name: 'route-planner' },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/routing-squad' },
    { type: 'dependsOn', targetRef: 'component:default/secret-service' },
    { type: 'readableBy', targetRef: 'user:default/dana' },
    { type: 'readableBy', targetRef: 'owner-of.kind:default/component' },
  ],
};
const visible = new Set(['user:default/dana', 'group:default/routing-squad']);
const isVisible = (ref: string) => visible.has(ref);
const keptTargets = (entity: any) =>
  entity.relations.map((r: { targetRef: string }) => r.targetRef);

describe('entityResponseShape', () => {
  it.each([
    ['GET', '/entities', 'array'],
    ['GET', '/entities/by-query', 'items'],
    ['POST', '/entities/by-refs', 'items'],
    ['GET', '/entities/by-uid/1234', 'entity'],
    ['GET', '/entities/by-name/component/default/x', 'entity'],
    ['GET', '/entities/by-name/component/default/x/ancestry', 'ancestry'],
    ['GET', '/entity-facets', 'facets'],
    ['POST', '/entities/by-query', 'items'],
    ['POST', '/entity-facets', 'facets'],
    ['PUT', '/entities/by-query', undefined],
    ['DELETE', '/entities/by-uid/1234', undefined],
    ['GET', '/locations', undefined],
    ['POST', '/refresh', undefined],
  ])('%s %s is %s', (method, path, shape) => {
    expect(entityResponseShape(method, path)).toBe(shape);
  });
});

describe('namedRefs', () => {
  it('lists relation targets, lowercased', () => {
    expect(
      namedRefs('items', {
        items: [
          component,
          null,
          {
            kind: 'User',
            relations: [{ type: 'memberOf', targetRef: 'Group:default/Ops' }],
          },
        ],
      }).sort(),
    ).toEqual([
      'component:default/secret-service',
      'group:default/ops',
      'group:default/routing-squad',
      'owner-of.kind:default/component',
      'user:default/dana',
    ]);
  });

  it("leaves out the owner and system an entity's own spec names, unless another relation names them", () => {
    expect(
      namedRefs('items', {
        items: [
          {
            kind: 'Component',
            metadata: { name: 'freight-pipeline' },
            spec: { owner: 'data-team', system: 'analytics' },
            relations: [
              { type: 'ownedBy', targetRef: 'group:default/data-team' },
              { type: 'partOf', targetRef: 'system:default/analytics' },
              { type: 'dependsOn', targetRef: 'component:default/ledger' },
            ],
          },
          {
            kind: 'Component',
            metadata: { name: 'ledger' },
            spec: { owner: 'finance' },
            relations: [
              { type: 'ownedBy', targetRef: 'group:default/finance' },
              { type: 'dependencyOf', targetRef: 'system:default/analytics' },
            ],
          },
        ],
      }).sort(),
    ).toEqual(['component:default/ledger', 'system:default/analytics']);
  });

  it('lists the entities of an ancestry chain and relation facet values, not other facets', () => {
    expect(
      namedRefs('ancestry', {
        rootEntityRef: 'component:default/route-planner',
        items: [
          {
            entity: { ...component, relations: [] },
            parentEntityRefs: ['location:default/generated-1'],
          },
          {
            entity: {
              kind: 'Location',
              metadata: { name: 'generated-1' },
            },
            parentEntityRefs: [],
          },
        ],
      }).sort(),
    ).toEqual([
      'component:default/route-planner',
      'location:default/generated-1',
    ]);
    expect(
      namedRefs('facets', {
        facets: {
          kind: [{ value: 'Component', count: 2 }],
          'relations.ownedBy': [
            { value: 'group:default/routing-squad', count: 2 },
          ],
        },
      }),
    ).toEqual(['group:default/routing-squad']);
  });

  it('tolerates bodies of an unexpected shape', () => {
    expect(namedRefs('items', { items: 'nope' })).toEqual([]);
    expect(namedRefs('array', { not: 'an array' })).toEqual([]);
    expect(namedRefs('entity', null)).toEqual([]);
    expect(namedRefs('entity', { relations: [{ targetRef: 42 }] })).toEqual([]);
  });
});

describe('withoutHiddenRefs', () => {
  it('drops relations to hidden entities and the virtual subjects, keeping the rest of the entity', () => {
    const result: any = withoutHiddenRefs('entity', component, isVisible);
    expect(keptTargets(result)).toEqual([
      'group:default/routing-squad',
      'user:default/dana',
    ]);
    expect(result.metadata).toEqual(component.metadata);
    expect(keptTargets(component)).toHaveLength(4); // the input is not changed
  });

  it('filters every entity of lists and by-refs answers, leaving nulls', () => {
    const [first, missing]: any = withoutHiddenRefs(
      'array',
      [component, null],
      isVisible,
    );
    expect(keptTargets(first)).toHaveLength(2);
    expect(missing).toBeNull();
    const answer: any = withoutHiddenRefs(
      'items',
      { items: [null, component], totalItems: 2, pageInfo: {} },
      isVisible,
    );
    expect(answer.items[0]).toBeNull();
    expect(keptTargets(answer.items[1])).toHaveLength(2);
    expect(answer.totalItems).toBe(2);
  });

  it('names the parents of an ancestry chain that have no item of their own', () => {
    const body = {
      rootEntityRef: 'component:default/route-planner',
      items: [
        {
          entity: { ...component, relations: [] },
          parentEntityRefs: ['location:default/harborline-demo'],
        },
      ],
    };
    expect(namedRefs('ancestry', body).sort()).toEqual([
      'component:default/route-planner',
      'location:default/harborline-demo',
    ]);
    const result: any = withoutHiddenRefs(
      'ancestry',
      body,
      ref => ref === 'component:default/route-planner',
    );
    expect(result.items[0].parentEntityRefs).toEqual([]);
  });

  it('drops hidden ancestors and the parent refs naming them', () => {
    const result: any = withoutHiddenRefs(
      'ancestry',
      {
        rootEntityRef: 'component:default/route-planner',
        items: [
          {
            entity: component,
            parentEntityRefs: ['location:default/generated-1'],
          },
          {
            entity: { kind: 'Location', metadata: { name: 'generated-1' } },
            parentEntityRefs: [],
          },
        ],
      },
      ref => ref === 'component:default/route-planner' || isVisible(ref),
    );
    expect(result.items).toHaveLength(1);
    expect(result.items[0].parentEntityRefs).toEqual([]);
    expect(keptTargets(result.items[0].entity)).toHaveLength(2);
  });

  it("keeps the owner and system the entity's own spec names, even when hidden, and only those", () => {
    const granted = {
      kind: 'Component',
      metadata: { namespace: 'default', name: 'freight-pipeline' },
      spec: { owner: 'data-team', system: 'Analytics' },
      relations: [
        { type: 'ownedBy', targetRef: 'group:default/data-team' },
        { type: 'partOf', targetRef: 'system:default/analytics' },
        // Hidden targets the spec does not name in that role are still dropped.
        { type: 'dependsOn', targetRef: 'system:default/analytics' },
        { type: 'ownedBy', targetRef: 'group:default/secret-team' },
        { type: 'dependsOn', targetRef: 'component:default/secret-service' },
      ],
    };
    const result: any = withoutHiddenRefs('entity', granted, () => false);
    expect(result.relations).toEqual([
      { type: 'ownedBy', targetRef: 'group:default/data-team' },
      { type: 'partOf', targetRef: 'system:default/analytics' },
    ]);
  });

  it('drops relation facet values naming hidden entities, other facets untouched', () => {
    const result: any = withoutHiddenRefs(
      'facets',
      {
        facets: {
          kind: [{ value: 'Component', count: 3 }],
          'relations.ownedBy': [
            { value: 'group:default/routing-squad', count: 1 },
            { value: 'group:default/secret-team', count: 2 },
          ],
        },
      },
      isVisible,
    );
    expect(result.facets).toEqual({
      kind: [{ value: 'Component', count: 3 }],
      'relations.ownedBy': [{ value: 'group:default/routing-squad', count: 1 }],
    });
  });
});

describe('stripAccessRelations', () => {
  it('removes readableBy, deletableBy and refreshableBy from every entity, whatever the case', () => {
    const body = {
      items: [
        {
          ...component,
          relations: [
            ...component.relations,
            { type: 'DeletableBy', targetRef: 'group:default/routing-squad' },
            { type: 'refreshableBy', targetRef: 'group:default/routing-squad' },
          ],
        },
        null,
      ],
    };
    expect(stripAccessRelations('items', body)).toBe(true);
    expect(keptTargets(body.items[0])).toEqual([
      'group:default/routing-squad',
      'component:default/secret-service',
    ]);
    expect(stripAccessRelations('items', body)).toBe(false);
  });

  it('reaches the entities of an ancestry chain and leaves facets alone', () => {
    const ancestry = {
      items: [{ entity: { ...component }, parentEntityRefs: [] }],
    };
    expect(stripAccessRelations('ancestry', ancestry)).toBe(true);
    expect(keptTargets(ancestry.items[0].entity)).toHaveLength(2);
    const facets = {
      facets: {
        'relations.readableBy': [{ value: 'user:default/dana', count: 1 }],
      },
    };
    expect(stripAccessRelations('facets', facets)).toBe(false);
    expect(facets.facets['relations.readableBy']).toHaveLength(1);
  });
});
