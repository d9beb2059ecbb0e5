/***/
/**
 * The owner-of module for @backstage/plugin-permission-backend
 *
 * @packageDocumentation
 */

export { permissionModuleOwnerOf as default } from './module';
