/**
 * Catalog module of the owner-of permission model: emits access relations
 * from ownership and grant annotations, registers the HAS_ACCESS_RELATION
 * permission rule, audits denied catalog mutations, and keeps the refs of
 * entities users may not read out of what they receive.
 *
 * @packageDocumentation
 */

export { catalogModuleOwnerOf as default } from './module';
export { AccessRelationsProcessor } from './processor/AccessRelationsProcessor';
export { hasAccessRelationRule } from './permissions/hasAccessRelationRule';
export { createDeniedMutationAuditMiddleware } from './audit/deniedMutationAudit';
export { createHideUnreadableRelationsMiddleware } from './relations/hideUnreadableRelations';
export { OwnerUnregister } from './unregister/OwnerUnregister';
export type { UnregisterPlan } from '@portico/plugin-owner-of-common';
