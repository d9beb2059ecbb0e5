import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { ResolvedClaims } from '../membership/MembershipResolver';
import { OwnerOfPolicy } from '../policy/OwnerOfPolicy';
import { TaskExplanation } from '@portico/plugin-owner-of-common';

/**
 * Whether a user may see (parameters, log, retry) and cancel a scaffolder task, and why, from
 * the policy's own decision for the user's claims: admins may, and the user who started it.
 *
 * @public
 */
export function explainTask(options: {
  taskId: string;
  createdBy: string | null;
  claims: ResolvedClaims;
  policy: OwnerOfPolicy;
}): TaskExplanation {
  const { taskId, createdBy, claims, policy } = options;
  const admin = policy.adminVia(claims);
  const explain = (permission: typeof taskReadPermission) => {
    const decision = policy.decide(permission, claims);
    if (decision.result === AuthorizeResult.ALLOW) {
      return {
        allowed: true,
        reason: admin
          ? `${claims.userRef} is an admin through ${admin.ref}: admins see every task`
          : `${permission.name} is allowed for everyone`,
      };
    }
    const creators =
      decision.result === AuthorizeResult.CONDITIONAL &&
      'rule' in decision.conditions &&
      decision.conditions.rule === 'IS_TASK_OWNER'
        ? (decision.conditions.params as { createdBy: string[] }).createdBy
        : [];
    const started =
      createdBy !== null &&
      creators.some(ref => ref.toLowerCase() === createdBy.toLowerCase());
    return started
      ? { allowed: true, reason: `${claims.userRef} started this task` }
      : {
          allowed: false,
          reason: `${
            claims.userRef
          } is not an admin and did not start this task (${
            createdBy ? `${createdBy} did` : 'its author is not recorded'
          })`,
        };
  };
  return {
    taskId,
    userRef: claims.userRef,
    createdBy,
    visibleTo: `the user who started it${
      createdBy ? ` (${createdBy})` : ''
    } and admins`,
    actions: {
      read: explain(taskReadPermission),
      cancel: explain(taskCancelPermission),
    },
  };
}
