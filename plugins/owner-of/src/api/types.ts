/*
 * The answer of the permission backend's owner-of access endpoint
 * (`GET /api/permission/owner-of/access?entityRef=<ref>`).
 */

import { AccessAction } from '@portico/plugin-owner-of-common';

/** Who else gets a group subject's access. */
export type AccessInheritance = 'none' | 'members' | 'nestedMembers';

/** One subject allowed to perform an action, and the rule that allows it. */
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

export type EntityAccess = {
  entityRef: string;
  owner: string | null;
  nestedGroups: boolean;
  actions: Record<AccessAction, AccessHolder[]>;
  grantProblems: string[];
};

/** The part of the explain endpoint's answer the card shows. */
export type MyAccessExplanation = {
  userRef: string;
  actions: Record<AccessAction, { allowed: boolean; reason: string }>;
  /** Only for templates: may the user run it, and who sees its runs. */
  template?: {
    run: { allowed: boolean; reason: string };
    tasks: string;
  };
};

export type {
  TaskExplanation,
  UnregisterPlan,
} from '@portico/plugin-owner-of-common';
