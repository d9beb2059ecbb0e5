import { Knex } from 'knex';

/** Entities waiting for one step of the catalog, and how long the first of them has waited. */
export type Backlog = {
  /** Entities whose turn has come (due now or earlier) and that are not yet done. */
  waiting: number;
  /** Seconds since the oldest of them became due; 0 when none waits. */
  oldestAgeSeconds: number;
};

/** @public */
export type CatalogBacklogReport = {
  processing: Backlog;
  stitching: Backlog;
};

/**
 * Reads the catalog's backlog from its tables: `refresh_state` rows due for
 * processing (`next_update_at` reached) and `stitch_queue` rows due for
 * stitching (`next_stitch_at` reached; rows being stitched are pushed into
 * the future by the catalog, so they do not count). The catalog's own
 * gauges give the stitch queue's length but not what is overdue or its age.
 *
 * @public
 */
export class CatalogBacklog {
  constructor(private readonly knex: Knex) {}

  async read(): Promise<CatalogBacklogReport> {
    const [processing, stitching] = await Promise.all([
      this.due('refresh_state', 'next_update_at'),
      this.due('stitch_queue', 'next_stitch_at'),
    ]);
    return { processing, stitching };
  }

  private async due(table: string, column: string): Promise<Backlog> {
    // The catalog writes these times with the database's clock, so they are compared with it.
    const age = this.knex.client.config.client.includes('sqlite')
      ? `(julianday('now') - julianday(min(??))) * 86400`
      : `extract(epoch from (now() - min(??)))`;
    const [row] = await this.knex(table)
      .where(column, '<=', this.knex.fn.now())
      .select(
        this.knex.raw('count(*) as waiting'),
        this.knex.raw(`${age} as oldest`, [column]),
      );
    return {
      waiting: Number(row?.waiting ?? 0),
      oldestAgeSeconds: Math.max(0, Number(row?.oldest ?? 0) || 0),
    };
  }
}
