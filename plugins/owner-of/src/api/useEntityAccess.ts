import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import useAsync from 'react-use/esm/useAsync';
import { EntityAccess } from './types';

/**
 * The outcome of asking who has access to an entity. `hidden` means the
 * caller may not see it (not an admin nor a member of the owner, or the
 * entity is not theirs to read): the card then shows nothing.
 */
export type EntityAccessState =
  | { status: 'loading' }
  | { status: 'hidden' }
  | { status: 'error'; error: Error }
  | { status: 'loaded'; access: EntityAccess };

const HIDDEN_STATUSES = new Set([401, 403, 404]);

export function useEntityAccess(entityRef: string): EntityAccessState {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);

  const { loading, value, error } = useAsync(async () => {
    const baseUrl = await discoveryApi.getBaseUrl('permission');
    const response = await fetchApi.fetch(
      `${baseUrl}/owner-of/access?entityRef=${encodeURIComponent(entityRef)}`,
    );
    if (HIDDEN_STATUSES.has(response.status)) {
      return undefined;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as EntityAccess;
  }, [discoveryApi, fetchApi, entityRef]);

  if (loading) {
    return { status: 'loading' };
  }
  if (error) {
    return { status: 'error', error };
  }
  return value ? { status: 'loaded', access: value } : { status: 'hidden' };
}
