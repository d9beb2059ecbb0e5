/*
 * The in-process search engine (Lunr), used when the search plugin's database is not PostgreSQL,
 * answering searches made before the first indexing has finished with a 503 that says so.
 *
 * Lunr keeps its indexes in memory, so after every start there is a window (the collators'
 * initial delay plus one indexing run) in which it has no index at all. Stock Backstage answers
 * searches in that window with a 500, as if the backend were broken. A 503 tells clients and
 * monitoring that the condition is temporary. On PostgreSQL the PostgreSQL engine module takes
 * over and this module does nothing.
 *
 * An upstream workaround: see the table in
 * plugins/catalog-backend-module-upstream-workarounds/README.md for when it is deleted.
 */
import { LunrSearchEngine } from '@backstage/plugin-search-backend-node';

/**
 * Lunr, with its missing-index error carrying a 503. The search router passes that error on
 * by name, and the backend's error handler answers with its `statusCode`.
 */
export class IndexingAwareLunrSearchEngine extends LunrSearchEngine {
  async query(query: Parameters<LunrSearchEngine['query']>[0]) {
    try {
      return await super.query(query);
    } catch (error) {
      if ((error as Error)?.name === 'MissingIndexError') {
        Object.assign(error as Error, {
          statusCode: 503,
          message: `${
            (error as Error).message
          } The search index is built shortly after the backend starts; try again in a minute.`,
        });
      }
      throw error;
    }
  }
}
