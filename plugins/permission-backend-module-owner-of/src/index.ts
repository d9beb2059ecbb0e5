/**
 * The owner-of permission policy for the permission backend, with its
 * explain endpoint.
 *
 * @packageDocumentation
 */

export { permissionModuleOwnerOf as default } from './module';
export { ownerOfPermissionsServiceFactory } from './decisionReuse/permissionsServiceFactory';
export {
  DecisionReusingPermissions,
  MAX_DECISION_REUSE_MS,
} from './decisionReuse/DecisionReusingPermissions';
export { OwnerOfPolicy } from './policy/OwnerOfPolicy';
export type { ClaimsResolver } from './policy/OwnerOfPolicy';
export { MembershipResolver } from './membership/MembershipResolver';
export type { ResolvedClaims } from './membership/MembershipResolver';
export { readOwnerOfSettings } from './config';
export type { OwnerOfSettings } from './config';
export { explainAccess } from './explain/explainAccess';
export type {
  AccessExplanation,
  AccessGrantExplanation,
  AccessHolder,
  AccessInheritance,
  EntityAccess,
} from '@portico/plugin-owner-of-common';
export { createExplainRouter } from './explain/createExplainRouter';
export { explainTask } from './explain/explainTask';
export type { TaskExplanation } from '@portico/plugin-owner-of-common';
export { TaskCreators } from './explain/TaskCreators';
export { describeAccess } from './access/describeAccess';
export { createAccessRouter } from './access/createAccessRouter';
export {
  PERMISSION_TABLE,
  permissionTableEntry,
} from './policy/permissionTable';
export type {
  PermissionAccess,
  PermissionTableEntry,
} from './policy/permissionTable';
export { RESTRICTED_TEMPLATE_PART_TAG } from './policy/OwnerOfPolicy';
