import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessExplanation,
  EntityAccess,
  TaskExplanation,
  UnregisterPlan,
} from '@portico/plugin-owner-of-common';
import { AccessRequest, OwnerOfApi } from './OwnerOfApi';

/**
 * The {@link OwnerOfApi} over HTTP: the permission backend's access and explain endpoints, the
 * catalog module's unregistering and the access request backend.
 *
 * @public
 */
export class OwnerOfClient implements OwnerOfApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getAccess(entityRef: string): Promise<EntityAccess> {
    return this.request('permission', `/owner-of/access`, { entityRef });
  }

  explainEntity(entityRef: string): Promise<AccessExplanation> {
    return this.request('permission', `/owner-of/explain`, { entityRef });
  }

  explainTask(taskId: string): Promise<TaskExplanation> {
    return this.request('permission', `/owner-of/explain`, { taskId });
  }

  getUnregisterPlan(entityRef: string): Promise<UnregisterPlan> {
    return this.request('catalog', `/owner-of/unregister`, { entityRef });
  }

  unregister(entityRef: string): Promise<UnregisterPlan> {
    return this.request('catalog', `/owner-of/unregister`, undefined, {
      entityRef,
    });
  }

  requestAccess(request: AccessRequest): Promise<{ message: string }> {
    const { entityRef, permissions, reason } = request;
    return this.request('access-request', '/requests', undefined, {
      entityRef,
      permissions,
      reason,
    });
  }

  /** GETs with `query`, or POSTs `body` as JSON; the answer's JSON, or a ResponseError. */
  private async request<T>(
    pluginId: string,
    path: string,
    query?: Record<string, string>,
    body?: object,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(pluginId);
    const search = query ? `?${new URLSearchParams(query)}` : '';
    const url = `${baseUrl}${path}${search}`;
    const response = await (body
      ? this.fetchApi.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      : this.fetchApi.fetch(url));
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

const HIDDEN_STATUSES = new Set([401, 403, 404]);

/**
 * Whether an owner-of call failed because the caller may not see the answer (401, 403, or 404
 * for an entity or task they cannot read): the UI then shows nothing rather than an error.
 *
 * @public
 */
export function isHiddenFromCaller(error: unknown): boolean {
  return ResponseError.is(error) && HIDDEN_STATUSES.has(error.statusCode);
}
