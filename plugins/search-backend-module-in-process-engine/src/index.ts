/**
 * Search module: the in-process (Lunr) search engine when the search plugin's database is not
 * PostgreSQL, answering searches made before the first indexing with a 503.
 *
 * @packageDocumentation
 */

export { searchModuleInProcessEngine as default } from './module';
export { IndexingAwareLunrSearchEngine } from './IndexingAwareLunrSearchEngine';
