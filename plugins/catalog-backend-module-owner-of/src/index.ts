/**
 * Catalog module of the owner-of permission model: emits access relations
 * from ownership and grant annotations, registers the HAS_ACCESS_RELATION
 * permission rule, and audits denied catalog mutations.
 *
 * @packageDocumentation
 */

export { catalogModuleOwnerOf as default } from './module';
export { AccessRelationsProcessor } from './processor/AccessRelationsProcessor';
export { hasAccessRelationRule } from './permissions/hasAccessRelationRule';
export { createDeniedMutationAuditMiddleware } from './audit/deniedMutationAudit';
