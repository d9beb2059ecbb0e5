/**
 * Indexes TechDocs for search as soon as they are prebuilt.
 *
 * @packageDocumentation
 */
export { searchModuleTechdocsPrebuild as default } from './module';
export { TechDocsIndexTrigger } from './TechDocsIndexTrigger';
