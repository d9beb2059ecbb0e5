/***/
/**
 * The owner-of-processor module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleOwnerOf as default } from './module';
