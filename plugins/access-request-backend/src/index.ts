/**
 * Ask an entity's owners for access, through Backstage notifications.
 *
 * @packageDocumentation
 */
export { accessRequestPlugin as default } from './plugin';
