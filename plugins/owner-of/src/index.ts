/**
 * Frontend for Portico's owner-of permission policy: an "Access" card on
 * entity pages.
 *
 * @packageDocumentation
 */
export { ownerOfPlugin as default } from './plugin';
export { ownerOfApiRef, OwnerOfClient, isHiddenFromCaller } from './api';
export type { OwnerOfApi, AccessRequest } from './api';
