/*
 * Wire types of owner-of endpoints shared by the backend that answers and the frontend that asks.
 */

import { AccessAction } from './constants';

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

/**
 * One reason an action is allowed.
 *
 * @public
 */
export type AccessGrantExplanation =
  | { rule: 'admin'; subjectRef: string; via: string[] }
  | { rule: 'owner'; subjectRef: string; via: string[] }
  | { rule: 'self'; subjectRef: string; via: string[] }
  | {
      rule: 'annotation';
      subjectRef: string;
      via: string[];
      annotation: string;
    }
  | {
      /** The relation exists but no longer follows from the entity's current
       * definition; it goes away when the catalog reprocesses the entity. */
      rule: 'relation';
      subjectRef: string;
      via: string[];
      relation: string;
    }
  | { rule: 'publicKind'; kind: string };

/**
 * The explain endpoint's answer for an entity
 * (`GET /api/permission/owner-of/explain?entityRef=<ref>[&userRef=<ref>]`).
 *
 * @public
 */
export type AccessExplanation = {
  entityRef: string;
  userRef: string;
  claims: Array<{ ref: string; via: string[] }>;
  admin: { ref: string; via: string[] } | null;
  owner: string | null;
  actions: Record<
    AccessAction,
    { allowed: boolean; grants: AccessGrantExplanation[]; reason: string }
  >;
  grantProblems: string[];
  /** For a Template: whether the user may run it, and who sees its runs. */
  template?: {
    run: { allowed: boolean; reason: string };
    tasks: string;
  };
};

/**
 * Who else gets the access of a group subject: nobody for a user, the
 * group's members, or (with nested groups) also the members of all its
 * descendant groups.
 *
 * @public
 */
export type AccessInheritance = 'none' | 'members' | 'nestedMembers';

/**
 * One subject that may perform an action, and the rule that lets it.
 * `publicKind` has no subject: it stands for every signed-in user.
 *
 * @public
 */
export type AccessHolder =
  | { rule: 'admin'; subjectRef: string; inheritedBy: AccessInheritance }
  | { rule: 'owner'; subjectRef: string; inheritedBy: AccessInheritance }
  | { rule: 'self'; subjectRef: string; inheritedBy: AccessInheritance }
  | {
      rule: 'annotation';
      subjectRef: string;
      inheritedBy: AccessInheritance;
      annotation: string;
    }
  | {
      rule: 'relation';
      subjectRef: string;
      inheritedBy: AccessInheritance;
      relation: string;
    }
  | { rule: 'publicKind'; kind: string };

/**
 * The access endpoint's answer (`GET /api/permission/owner-of/access?entityRef=<ref>`): for each
 * action, everyone who may perform it on the entity, and why.
 *
 * @public
 */
export type EntityAccess = {
  entityRef: string;
  owner: string | null;
  nestedGroups: boolean;
  actions: Record<AccessAction, AccessHolder[]>;
  grantProblems: string[];
};
