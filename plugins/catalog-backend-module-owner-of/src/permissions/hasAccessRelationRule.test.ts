import { Entity } from '@backstage/catalog-model';
import fc from 'fast-check';
import { hasAccessRelationRule } from './hasAccessRelationRule';

/**
 * A model of how the catalog evaluates `{ key, values }` filters: it stores
 * one search row per relation, with the key `relations.<type>` and the value
 * the target ref, both lowercased, values over 200 characters as null, and
 * tests `key = ? AND value IN (lowercased values)`.
 */
function searchRows(entity: Entity) {
  return (entity.relations ?? []).map(r => {
    const value = r.targetRef.toLowerCase();
    return {
      key: `relations.${r.type}`.toLowerCase(),
      value: value.length <= 200 ? value : null,
    };
  });
}

function matchesInDatabase(
  entity: Entity,
  filter: { key: string; values?: string[] },
) {
  const values = filter.values?.map(v => v.toLowerCase());
  return searchRows(entity).some(
    row =>
      row.key === filter.key.toLowerCase() &&
      (values === undefined ||
        (row.value !== null && values.includes(row.value))),
  );
}

const relationTypes = ['readableBy', 'deletableBy', 'refreshableBy'] as const;

describe('hasAccessRelationRule', () => {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'route-planner' },
    relations: [
      { type: 'readableBy', targetRef: 'group:default/routing-squad' },
      { type: 'ownedBy', targetRef: 'group:default/platform' },
    ],
  };

  it('compiles to a single indexed relations lookup', () => {
    expect(
      hasAccessRelationRule.toQuery({
        relation: 'readableBy',
        claims: ['user:default/Carol', 'group:default/routing-squad'],
      }),
    ).toEqual({
      key: 'relations.readableby',
      values: ['user:default/carol', 'group:default/routing-squad'],
    });
  });

  it('applies to the entity relations', () => {
    expect(
      hasAccessRelationRule.apply(entity, {
        relation: 'readableBy',
        claims: ['group:default/Routing-Squad'],
      }),
    ).toBe(true);
    expect(
      hasAccessRelationRule.apply(entity, {
        relation: 'deletableBy',
        claims: ['group:default/routing-squad'],
      }),
    ).toBe(false);
    // Other relation types never count, even with a matching target.
    expect(
      hasAccessRelationRule.apply(entity, {
        relation: 'readableBy',
        claims: ['group:default/platform'],
      }),
    ).toBe(false);
  });

  it('validates its parameters', () => {
    const schema = hasAccessRelationRule.paramsSchema as any;
    const validate = (params: unknown) =>
      schema['~standard'].validate(params).issues === undefined;
    expect(
      validate({ relation: 'readableBy', claims: ['user:default/a'] }),
    ).toBe(true);
    expect(validate({ relation: 'ownedBy', claims: ['user:default/a'] })).toBe(
      false,
    );
    expect(validate({ relation: 'readableBy', claims: [] })).toBe(false);
  });

  it('agrees with its query on arbitrary entities and claims', () => {
    const ref = fc.oneof(
      fc.constantFrom(
        'user:default/carol',
        'User:Default/Carol',
        'group:default/routing-squad',
        'group:ops/routing-squad',
        `group:default/${'a'.repeat(190)}`,
        `GROUP:default/${'a'.repeat(190)}`,
      ),
      fc.string({ maxLength: 8 }),
      fc.string({ minLength: 195, maxLength: 210 }),
    );
    const relationType = fc.oneof(
      fc.constantFrom(...relationTypes, 'ReadableBy', 'ownedBy'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: relationType, targetRef: ref }), {
          maxLength: 6,
        }),
        fc.constantFrom(...relationTypes),
        fc.array(ref, { minLength: 1, maxLength: 4 }),
        (relations, relation, claims) => {
          const subject: Entity = { ...entity, relations };
          const params = { relation, claims };
          const query = hasAccessRelationRule.toQuery(params) as {
            key: string;
            values: string[];
          };
          expect(hasAccessRelationRule.apply(subject, params)).toBe(
            matchesInDatabase(subject, query),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
