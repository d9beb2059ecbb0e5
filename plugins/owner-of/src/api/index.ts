export { ownerOfApiRef } from './OwnerOfApi';
export type { OwnerOfApi, AccessRequest } from './OwnerOfApi';
export { OwnerOfClient, isHiddenFromCaller } from './OwnerOfClient';
