/**
 * Shared pieces of the owner-of access model: the grant annotation parser,
 * the access relation names and the permission rule's semantics.
 *
 * @packageDocumentation
 */

export * from './constants';
export * from './grants';
export * from './accessEntries';
export * from './accessRelation';
export * from './wireTypes';
export * from './entityRefInput';
export * from './config';
