import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  AccessExplanation,
  EntityAccess,
  TaskExplanation,
  UnregisterPlan,
} from '@portico/plugin-owner-of-common';

/**
 * A request for access, sent to the access request backend, which notifies the entity's
 * owners.
 *
 * @public
 */
export type AccessRequest = {
  entityRef: string;
  /** Catalog permissions asked for; read when omitted. */
  permissions?: string[];
  reason: string;
};

/**
 * The owner-of endpoints, as the frontend calls them. Every method rejects with a
 * `ResponseError` from `@backstage/errors` when the backend answers with an error status
 * (see {@link isHiddenFromCaller} for the answers that mean "not for you").
 *
 * @public
 */
export interface OwnerOfApi {
  /** Who may read, delete and refresh the entity, and why (`/api/permission/owner-of/access`). */
  getAccess(entityRef: string): Promise<EntityAccess>;
  /** The signed-in user's own access to the entity (`/api/permission/owner-of/explain`). */
  explainEntity(entityRef: string): Promise<AccessExplanation>;
  /** Who may see and cancel a scaffolder task (`/api/permission/owner-of/explain?taskId=`). */
  explainTask(taskId: string): Promise<TaskExplanation>;
  /** What unregistering the entity would remove, and whether the user may (`/api/catalog/owner-of/unregister`). */
  getUnregisterPlan(entityRef: string): Promise<UnregisterPlan>;
  /** Unregisters the entity as planned; rejects with 403 when the user may not. */
  unregister(entityRef: string): Promise<UnregisterPlan>;
  /** Asks the entity's owners for access (`/api/access-request/requests`); resolves to the message to show. */
  requestAccess(request: AccessRequest): Promise<{ message: string }>;
}

/**
 * The {@link OwnerOfApi}.
 *
 * @public
 */
export const ownerOfApiRef = createApiRef<OwnerOfApi>().with({
  id: 'plugin.owner-of',
  pluginId: 'owner-of',
});
