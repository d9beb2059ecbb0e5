/**
 * Builds TechDocs ahead of first view.
 *
 * @packageDocumentation
 */
export { techdocsModulePrebuild as default } from './module';
export { DocsPrebuilder } from './DocsPrebuilder';
export { DOCS_PREBUILT_TOPIC, type DocsPrebuiltEvent } from './events';
