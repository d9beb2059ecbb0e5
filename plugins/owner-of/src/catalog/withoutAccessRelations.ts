import { FetchApi } from '@backstage/frontend-plugin-api';
import { ACCESS_RELATIONS } from '@portico/plugin-owner-of-common';

const accessRelationTypes = new Set<string>(Object.values(ACCESS_RELATIONS));

/** Removes the policy's access relations from an entity or a list of them, in place. */
export function stripAccessRelations(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(stripAccessRelations);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as { relations?: unknown; items?: unknown };
  if (Array.isArray(record.relations)) {
    record.relations = record.relations.filter(
      relation =>
        !accessRelationTypes.has((relation as { type?: string })?.type ?? ''),
    );
  }
  if (Array.isArray(record.items)) record.items.forEach(stripAccessRelations);
}

/**
 * The catalog indexes the owner-of policy's access relations (`readableBy`, ...) like any other
 * relation, so they are part of every entity it returns. They are bookkeeping for the permission
 * decision, pointing at subjects a user may not be able to read (or at no entity at all), and
 * would otherwise show on entity pages as relations to missing entities. This fetch wrapper drops
 * them from the catalog's JSON answers before any component sees them.
 */
export function withoutAccessRelations(fetchApi: FetchApi): FetchApi {
  return {
    async fetch(input, init) {
      const response = await fetchApi.fetch(input, init);
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.includes('application/json')) return response;
      const body = await response.json();
      stripAccessRelations(body);
      return new Response(JSON.stringify(body), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
}
