import { catalogEntityPermissionResourceRef } from '@backstage/plugin-catalog-node/alpha';
import { createPermissionRule } from '@backstage/plugin-permission-node';
import {
  ACCESS_RELATIONS,
  HAS_ACCESS_RELATION_RULE,
  accessRelationQuery,
  entityHasAccessRelation,
} from '@portico/plugin-owner-of-common';
import { z } from 'zod';

const relationTypes = Object.values(ACCESS_RELATIONS) as [
  (typeof ACCESS_RELATIONS)['read'],
  ...(typeof ACCESS_RELATIONS)[keyof typeof ACCESS_RELATIONS][],
];

/**
 * Allows entities that have an access relation (`readableBy`, `deletableBy`
 * or `refreshableBy`) to one of the given claims. In SQL it is a single
 * `relations.<type> IN (claims)` lookup on the catalog's search index;
 * `apply` checks `entity.relations` with the same lowercasing and length
 * limit, so lists and single-entity checks always agree.
 *
 * @public
 */
export const hasAccessRelationRule = createPermissionRule({
  name: HAS_ACCESS_RELATION_RULE,
  description:
    'Allow entities that have the given access relation to one of the claims',
  resourceRef: catalogEntityPermissionResourceRef,
  paramsSchema: z.object({
    relation: z
      .enum(relationTypes)
      .describe(
        'Access relation type: readableBy, deletableBy or refreshableBy',
      ),
    claims: z
      .array(z.string())
      .min(1)
      .describe('Entity refs of the user and the groups they belong to'),
  }),
  apply: (entity, params) => entityHasAccessRelation(entity, params),
  toQuery: params => accessRelationQuery(params),
});
