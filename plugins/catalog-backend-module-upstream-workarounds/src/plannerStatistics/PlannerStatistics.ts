/*
 * Keeps PostgreSQL's planner statistics of the catalog's tables current.
 *
 * Every list the catalog serves (by-query pages, counts, facets, the owner-of policy's relation
 * filter) joins `final_entities`, `search` and `relations`. PostgreSQL picks the join order from
 * its statistics of those tables. Right after a large ingestion they describe tables that were
 * empty or a tenth of their size, the planner estimates one row where there are ten thousand,
 * and a page of 50 becomes a nested loop over the whole catalog: measured at 10,000 components,
 * a member's first page took 160 ms of SQL with stale statistics and 3 ms after ANALYZE.
 *
 * Autovacuum refreshes statistics eventually, but only where it is enabled, within its naptime,
 * and after workers busy elsewhere get to the table. This task checks the catalog's tables every
 * minute and analyzes those whose rows changed by more than autovacuum's default threshold since
 * their last analysis, so the statistics follow a bulk ingestion within a minute whatever the
 * server's autovacuum settings. SQLite plans without such statistics; there the task does
 * nothing.
 *
 * An upstream workaround: see the table in this package's README for when it is deleted.
 */
import type { DatabaseService } from '@backstage/backend-plugin-api';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** The catalog tables its list queries read. */
export const CATALOG_QUERY_TABLES = [
  'final_entities',
  'search',
  'relations',
  'refresh_state',
  'refresh_state_references',
];

export interface TableActivity {
  table: string;
  liveRows: number;
  changedSinceAnalyze: number;
}

/**
 * Whether a table's statistics are stale: PostgreSQL's default autovacuum rule, more changed
 * rows than 50 plus a tenth of the table (`autovacuum_analyze_threshold`,
 * `autovacuum_analyze_scale_factor`). A table never analyzed counts every row as changed.
 */
export function needsAnalyze(activity: TableActivity): boolean {
  return activity.changedSinceAnalyze > 50 + 0.1 * activity.liveRows;
}

/** The planner statistics of the catalog's tables, in the catalog's database. */
export class PlannerStatistics {
  constructor(private readonly knex: Knex) {}

  /**
   * Analyzes the catalog tables whose statistics are stale. Returns what it analyzed; nothing on
   * databases other than PostgreSQL.
   */
  async refresh(): Promise<TableActivity[]> {
    const knex = this.knex;
    if (knex.client.config.client !== 'pg') {
      return [];
    }
    const { rows } = await knex.raw(
      `select relname, n_live_tup, n_mod_since_analyze
       from pg_stat_user_tables
      where schemaname = current_schema() and relname = any(?)`,
      [CATALOG_QUERY_TABLES],
    );
    const stale = (
      rows as Array<{
        relname: string;
        n_live_tup: string;
        n_mod_since_analyze: string;
      }>
    )
      .map(row => ({
        table: row.relname,
        liveRows: Number(row.n_live_tup),
        changedSinceAnalyze: Number(row.n_mod_since_analyze),
      }))
      .filter(needsAnalyze);
    for (const { table } of stale) {
      await knex.raw('analyze ??', [table]);
    }
    return stale;
  }
}
