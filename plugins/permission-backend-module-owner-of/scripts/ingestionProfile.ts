/*
 * Where ingestion's time goes as the catalog grows (yarn bench scale --ingestion-profile).
 *
 * Every statement the backend's knex runs is timed from its `query` to its `query-response`
 * event and summed per SQL text, with value lists collapsed (`?, ?, ?` → `?…`), per window of
 * ingestion progress. Beside it, PostgreSQL's block reads and hits per table over the same
 * windows (`pg_statio_user_tables`; a read is a block that was not in `shared_buffers`). The
 * summary compares the first third of the entities (the mean of processed and stitched) with
 * the last, per 1,000 entities and per call. Processing usually ends before stitching does, so
 * the thirds mix the two phases differently: a statement's time per call, not per entity, shows
 * whether it grows with the tables. Client-side times include the network and the event loop's
 * delay, which on a loaded machine add to every statement alike.
 */

import type { Knex } from 'knex';
import type { Client } from 'pg';

type StatementTotals = { calls: number; ms: number };

type TableBlocks = { read: number; hit: number };

type Window = {
  /** Entities processed and stitched at the window's start and end (the mean of the two). */
  fromDone: number;
  toDone: number;
  seconds: number;
  statements: Map<string, StatementTotals>;
  blocks: Map<string, TableBlocks>;
};

export type StatementGrowth = {
  sql: string;
  /** Share of all statement time over the whole ingestion. */
  share: number;
  early: { msPer1000: number; callsPer1000: number; msPerCall: number };
  late: { msPer1000: number; callsPer1000: number; msPerCall: number };
};

export type TableGrowth = {
  table: string;
  early: { readsPer1000: number; hitsPer1000: number };
  late: { readsPer1000: number; hitsPer1000: number };
};

/** Collapses value lists, so one statement with 3 or 300 values is one entry. */
export function statementKey(sql: string) {
  return sql
    .replace(/(\?|\$\d+)(\s*,\s*(\?|\$\d+))+/g, '?…')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Field-by-field sums per key over several windows' maps (statements by SQL, blocks by table). */
function sumPerKey<T extends Record<string, number>>(
  maps: Map<string, T>[],
): Map<string, T> {
  const sums = new Map<string, T>();
  for (const map of maps) {
    for (const [key, value] of map) {
      const sum = sums.get(key);
      sums.set(
        key,
        sum
          ? (Object.fromEntries(
              Object.entries(sum).map(([field, n]) => [
                field,
                n + value[field],
              ]),
            ) as T)
          : { ...value },
      );
    }
  }
  return sums;
}

export class IngestionProfile {
  private readonly windows: Window[] = [];
  private current: Window['statements'] = new Map();
  private readonly started = new Map<string, { at: number; key: string }>();
  private lastBlocks = new Map<string, TableBlocks>();
  private lastDone = 0;
  private lastSeconds = 0;

  constructor(private readonly knex: Knex, private readonly client: Client) {}

  async start() {
    this.knex.on('query', this.onQuery);
    this.knex.on('query-response', this.onResponse);
    this.knex.on('query-error', this.onResponse);
    this.lastBlocks = await this.readBlocks();
  }

  stop() {
    this.knex.off('query', this.onQuery);
    this.knex.off('query-response', this.onResponse);
    this.knex.off('query-error', this.onResponse);
  }

  /** Closes the current window at this point of the ingestion. */
  async mark(sample: { seconds: number; processed: number; stitched: number }) {
    const done = (sample.processed + sample.stitched) / 2;
    const blocks = await this.readBlocks();
    const delta = new Map<string, TableBlocks>();
    for (const [table, now] of blocks) {
      const before = this.lastBlocks.get(table) ?? { read: 0, hit: 0 };
      delta.set(table, {
        read: now.read - before.read,
        hit: now.hit - before.hit,
      });
    }
    this.windows.push({
      fromDone: this.lastDone,
      toDone: done,
      seconds: sample.seconds - this.lastSeconds,
      statements: this.current,
      blocks: delta,
    });
    this.current = new Map();
    this.lastBlocks = blocks;
    this.lastDone = done;
    this.lastSeconds = sample.seconds;
  }

  /**
   * The statements that take at least `minShare` of all statement time, and every table's
   * block reads, in the first and the last third of the entities.
   */
  summary(total: number, minShare = 0.01) {
    const early = this.windows.filter(w => w.toDone <= total / 3);
    const late = this.windows.filter(w => w.fromDone >= (2 * total) / 3);
    const entities = (ws: Window[]) =>
      ws.reduce((sum, w) => sum + (w.toDone - w.fromDone), 0);
    const earlyEntities = entities(early);
    const lateEntities = entities(late);
    if (earlyEntities === 0 || lateEntities === 0) {
      throw new Error(
        'The ingestion profile needs samples in its first and last third: run more entities or sample more often',
      );
    }
    const sumStatements = (ws: Window[]) =>
      sumPerKey(ws.map(w => w.statements));
    const all = sumStatements(this.windows);
    const allMs = [...all.values()].reduce((sum, t) => sum + t.ms, 0);
    const earlySums = sumStatements(early);
    const lateSums = sumStatements(late);
    const per = (t: StatementTotals | undefined, n: number) => ({
      msPer1000: ((t?.ms ?? 0) / n) * 1000,
      callsPer1000: ((t?.calls ?? 0) / n) * 1000,
      msPerCall: t?.calls ? t.ms / t.calls : 0,
    });
    const statements: StatementGrowth[] = [...all.entries()]
      .filter(([, t]) => t.ms >= allMs * minShare)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([sql, t]) => ({
        sql,
        share: t.ms / allMs,
        early: per(earlySums.get(sql), earlyEntities),
        late: per(lateSums.get(sql), lateEntities),
      }));
    const earlyBlocks = sumPerKey(early.map(w => w.blocks));
    const lateBlocks = sumPerKey(late.map(w => w.blocks));
    const perBlocks = (b: TableBlocks, n: number) => ({
      readsPer1000: (b.read / n) * 1000,
      hitsPer1000: (b.hit / n) * 1000,
    });
    const tables: TableGrowth[] = [...lateBlocks.keys()]
      .map(table => ({
        table,
        early: perBlocks(
          earlyBlocks.get(table) ?? { read: 0, hit: 0 },
          earlyEntities,
        ),
        late: perBlocks(lateBlocks.get(table)!, lateEntities),
      }))
      .filter(t => t.late.readsPer1000 + t.late.hitsPer1000 > 0)
      .sort((a, b) => b.late.readsPer1000 - a.late.readsPer1000);
    const rate = (ws: Window[], n: number) =>
      n / ws.reduce((sum, w) => sum + w.seconds, 0);
    return {
      earlyEntities,
      lateEntities,
      earlyRate: rate(early, earlyEntities),
      lateRate: rate(late, lateEntities),
      statementMs: allMs,
      statements,
      tables,
    };
  }

  private readonly onQuery = (q: { sql?: string; __knexQueryUid?: string }) => {
    if (!q.sql || !q.__knexQueryUid) return;
    this.started.set(q.__knexQueryUid, {
      at: performance.now(),
      key: statementKey(q.sql),
    });
  };

  private readonly onResponse = (
    _result: unknown,
    q: { __knexQueryUid?: string },
  ) => {
    const s = q?.__knexQueryUid
      ? this.started.get(q.__knexQueryUid)
      : undefined;
    if (!s) return;
    this.started.delete(q.__knexQueryUid!);
    const t = this.current.get(s.key) ?? { calls: 0, ms: 0 };
    t.calls += 1;
    t.ms += performance.now() - s.at;
    this.current.set(s.key, t);
  };

  private async readBlocks() {
    const { rows } = await this.client.query(`
      select relname as table,
             coalesce(heap_blks_read, 0) + coalesce(idx_blks_read, 0) + coalesce(toast_blks_read, 0)
               + coalesce(tidx_blks_read, 0) as read,
             coalesce(heap_blks_hit, 0) + coalesce(idx_blks_hit, 0) + coalesce(toast_blks_hit, 0)
               + coalesce(tidx_blks_hit, 0) as hit
        from pg_statio_user_tables`);
    return new Map<string, TableBlocks>(
      rows.map(r => [r.table, { read: Number(r.read), hit: Number(r.hit) }]),
    );
  }
}
