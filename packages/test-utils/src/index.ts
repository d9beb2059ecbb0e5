/**
 * Helpers shared by the portal's tests across packages.
 *
 * @packageDocumentation
 */
export { eventually } from './eventually';
export { writeTechDocsSite } from './techDocsSite';
