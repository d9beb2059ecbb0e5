import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import useAsync from 'react-use/esm/useAsync';

/**
 * The outcome of a call to one of the owner-of endpoints. `hidden` means the
 * caller may not see the answer (401, 403, or 404 for an entity they cannot
 * read): the UI then shows nothing.
 */
export type OwnerOfEndpointState<T> =
  | { status: 'loading' }
  | { status: 'hidden' }
  | { status: 'error'; error: Error }
  | { status: 'loaded'; value: T };

const HIDDEN_STATUSES = new Set([401, 403, 404]);

/** What an owner-of endpoint is asked about: an entity, or (explain only) a scaffolder task. */
export type OwnerOfSubject = { entityRef: string } | { taskId: string };

/** GETs `/api/permission/owner-of/<endpoint>?entityRef=<ref>` (or `?taskId=<id>`). */
export function useOwnerOfEndpoint<T>(
  endpoint: 'access' | 'explain',
  subject: OwnerOfSubject,
): OwnerOfEndpointState<T> {
  const [name, id] =
    'taskId' in subject
      ? ['taskId', subject.taskId]
      : ['entityRef', subject.entityRef];
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);

  const { loading, value, error } = useAsync(async () => {
    const baseUrl = await discoveryApi.getBaseUrl('permission');
    const response = await fetchApi.fetch(
      `${baseUrl}/owner-of/${endpoint}?${name}=${encodeURIComponent(id)}`,
    );
    if (HIDDEN_STATUSES.has(response.status)) {
      return undefined;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return { answer: (await response.json()) as T };
  }, [discoveryApi, fetchApi, endpoint, name, id]);

  if (loading) {
    return { status: 'loading' };
  }
  if (error) {
    return { status: 'error', error };
  }
  return value
    ? { status: 'loaded', value: value.answer }
    : { status: 'hidden' };
}
