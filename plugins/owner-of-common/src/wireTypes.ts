/*
 * Wire types of owner-of endpoints shared by the backend that answers and the frontend that asks.
 */

/**
 * The explain endpoint's answer for a scaffolder task (`?taskId=<id>`).
 *
 * @public
 */
export type TaskExplanation = {
  taskId: string;
  userRef: string;
  /** The user who started the task, as the scaffolder recorded it. */
  createdBy: string | null;
  visibleTo: string;
  actions: Record<'read' | 'cancel', { allowed: boolean; reason: string }>;
};

/**
 * What unregistering an entity does, as the signed-in user may do it
 * (`GET /api/catalog/owner-of/unregister?entityRef=<ref>`).
 *
 * @public
 */
export type UnregisterPlan = {
  entityRef: string;
  /**
   * `location`: the registered location the entity came from is removed with every entity it
   * defines; `entity`: the entity alone is deleted (an orphan: its location no longer defines it);
   * `none`: nothing may be unregistered here (see `reason`).
   */
  removes: 'location' | 'entity' | 'none';
  /** The location's `type:target`, shown only when the user may remove it. */
  location: string | null;
  /** The entities removed, when the user may remove them. */
  entityRefs: string[];
  allowed: boolean;
  reason: string;
};
