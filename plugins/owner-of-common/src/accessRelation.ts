import { Entity } from '@backstage/catalog-model';
import { PermissionCondition } from '@backstage/plugin-permission-common';
import {
  CATALOG_ENTITY_RESOURCE_TYPE,
  HAS_ACCESS_RELATION_RULE,
  HasAccessRelationParams,
  KIND_SUBJECT_KIND,
  SEARCH_VALUE_MAX_LENGTH,
} from './constants';

/*
 * The semantics of the HAS_ACCESS_RELATION rule, in both of the forms the
 * catalog needs: `accessRelationQuery` for SQL (lists, by-refs, facets,
 * delete) and `entityHasAccessRelation` for single entities. Both compare
 * the same lowercased strings under the same length limit as the catalog's
 * search table, so they agree on every entity.
 */

/**
 * The catalog search filter for the rule: the entity has a
 * `relations.<relation>` row whose value is one of the claims.
 *
 * @public
 */
export function accessRelationQuery(params: HasAccessRelationParams): {
  key: string;
  values: string[];
} {
  return {
    key: `relations.${params.relation}`.toLowerCase(),
    values: [...new Set(params.claims.map(claim => claim.toLowerCase()))],
  };
}

/**
 * The subjects among `claims` that the entity has a `relation` relation to,
 * lowercased. Empty when the rule does not match.
 *
 * @public
 */
export function matchingAccessSubjects(
  entity: Entity,
  params: HasAccessRelationParams,
): string[] {
  const relationType = params.relation.toLowerCase();
  const claims = new Set(params.claims.map(claim => claim.toLowerCase()));
  const matches = new Set<string>();
  for (const relation of entity.relations ?? []) {
    if (
      typeof relation?.type !== 'string' ||
      typeof relation.targetRef !== 'string' ||
      relation.type.toLowerCase() !== relationType
    ) {
      continue;
    }
    const target = relation.targetRef.toLowerCase();
    // The search table stores longer values as null, which never match.
    if (target.length <= SEARCH_VALUE_MAX_LENGTH && claims.has(target)) {
      matches.add(target);
    }
  }
  return [...matches];
}

/**
 * Whether the entity has a `relation` relation to one of `claims`.
 *
 * @public
 */
export function entityHasAccessRelation(
  entity: Entity,
  params: HasAccessRelationParams,
): boolean {
  return matchingAccessSubjects(entity, params).length > 0;
}

/**
 * Builds the permission condition that refers to the rule, for use in a
 * policy's conditional decision.
 *
 * @public
 */
export function createAccessRelationCondition(
  params: HasAccessRelationParams,
): PermissionCondition<'catalog-entity', HasAccessRelationParams> {
  return {
    rule: HAS_ACCESS_RELATION_RULE,
    resourceType: CATALOG_ENTITY_RESOURCE_TYPE,
    params: {
      relation: params.relation,
      claims: [...new Set(params.claims.map(claim => claim.toLowerCase()))],
    },
  };
}

/**
 * The virtual subject every entity of `kind` is `readableBy`. A policy that
 * makes a kind public adds this ref to each signed-in user's read claims, so
 * "owned by one of my claims, or of a public kind" stays a single indexed
 * `relations.readableby IN (...)` lookup instead of an OR of two filters.
 * Because every entity carries it whatever the configuration, changing the
 * public kinds takes effect at once, without reprocessing.
 *
 * @public
 */
export function kindSubjectRef(kind: string): string {
  return `${KIND_SUBJECT_KIND}:default/${kind.toLowerCase()}`;
}

/**
 * The kind a {@link kindSubjectRef} stands for, or undefined for any other
 * ref.
 *
 * @public
 */
export function kindOfSubjectRef(ref: string): string | undefined {
  const prefix = `${KIND_SUBJECT_KIND}:default/`;
  return ref.toLowerCase().startsWith(prefix)
    ? ref.slice(prefix.length).toLowerCase()
    : undefined;
}

/**
 * Whether `ref` is one of the virtual kind subjects (see {@link kindSubjectRef}), which name no
 * entity, in any namespace.
 *
 * @public
 */
export function isKindSubjectRef(ref: string): boolean {
  return ref.toLowerCase().startsWith(`${KIND_SUBJECT_KIND}:`);
}
