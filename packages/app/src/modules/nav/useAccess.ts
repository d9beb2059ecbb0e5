import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/**
 * Whether the signed-in user is an admin of the owner-of policy
 * (`permission.adminRefs`), as the policy's explain endpoint answers for the
 * user's own User entity. False while loading and when the answer is missing,
 * so admin-only entries never flash for other users.
 */
export function useIsAdmin(): boolean {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const { userEntityRef } = await identityApi.getBackstageIdentity();
    const baseUrl = await discoveryApi.getBaseUrl('permission');
    const response = await fetchApi.fetch(
      `${baseUrl}/owner-of/explain?entityRef=${encodeURIComponent(
        userEntityRef,
      )}`,
    );
    if (!response.ok) return false;
    const answer = (await response.json()) as { admin?: unknown };
    return Boolean(answer.admin);
  }, [discoveryApi, fetchApi, identityApi]);
  return value ?? false;
}
