import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  CATALOG_ENTITY_RESOURCE_TYPE,
  HAS_ACCESS_RELATION_RULE,
  HasAccessRelationParams,
  accessRelationQuery,
} from '@portico/plugin-owner-of-common';
import type { Knex } from 'knex';

/** Refs per query, under every database's limit on bound parameters. */
const QUERY_BATCH = 500;

/**
 * The rule's parameters when a read decision is exactly one HAS_ACCESS_RELATION condition (the
 * owner-of policy's decision for every user who is not an admin); undefined for any other
 * decision, which then has to be evaluated by the catalog itself.
 */
export function singleAccessRelationCondition(
  decision: PolicyDecision,
): HasAccessRelationParams | undefined {
  if (decision.result !== AuthorizeResult.CONDITIONAL) return undefined;
  const condition = decision.conditions as {
    rule?: unknown;
    resourceType?: unknown;
    params?: Partial<HasAccessRelationParams>;
  };
  const params = condition.params;
  if (
    condition.rule !== HAS_ACCESS_RELATION_RULE ||
    condition.resourceType !== CATALOG_ENTITY_RESOURCE_TYPE ||
    typeof params?.relation !== 'string' ||
    !Array.isArray(params.claims) ||
    !params.claims.every(claim => typeof claim === 'string')
  ) {
    return undefined;
  }
  return { relation: params.relation, claims: params.claims };
}

/**
 * Which of `refs` (lowercase entity refs, as the catalog stores them) name a stitched entity
 * that the HAS_ACCESS_RELATION condition allows: the rule's own search filter
 * (`accessRelationQuery`) asked of the catalog's tables, as the catalog's by-refs endpoint would
 * apply it, in one query per batch instead of a second request through the catalog's API (which
 * would verify the token and ask the permission backend again).
 */
export async function readableRefsInCatalog(
  db: Knex,
  refs: string[],
  params: HasAccessRelationParams,
): Promise<Set<string>> {
  const readable = new Set<string>();
  const { key, values } = accessRelationQuery(params);
  if (values.length === 0) return readable;
  for (let i = 0; i < refs.length; i += QUERY_BATCH) {
    const rows: Array<{ entity_ref: string }> = await db('final_entities')
      .select('final_entities.entity_ref')
      .whereIn('final_entities.entity_ref', refs.slice(i, i + QUERY_BATCH))
      .whereNotNull('final_entities.final_entity')
      .whereExists(inner =>
        inner
          .select(db.raw('1'))
          .from('search')
          .whereRaw('search.entity_id = final_entities.entity_id')
          .where('search.key', key)
          .whereIn('search.value', values),
      );
    for (const row of rows) readable.add(row.entity_ref.toLowerCase());
  }
  return readable;
}
