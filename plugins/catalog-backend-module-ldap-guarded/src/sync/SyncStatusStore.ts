import { Knex } from 'knex';
import { OrgSnapshot, SyncRefusalReason } from './syncGuard';

/** @public */
export type SyncRunResult = 'applied' | 'refused' | 'failed';

/** One sync run as the admins' status shows it. @public */
export type SyncRunRecord = {
  at: string;
  result: SyncRunResult;
  reason?: SyncRefusalReason;
  message: string;
  users: number;
  groups: number;
  removedUsers: number;
  removedGroups: number;
  acceptedLargeChange?: boolean;
  durationMs: number;
};

/** What the store keeps per provider. @public */
export type ProviderSyncState = {
  providerId: string;
  /** The organization the last applied run wrote: the baseline for removals. */
  lastApplied?: OrgSnapshot & { at: string };
  lastRun?: SyncRunRecord;
  /** The most recent refused or failed runs, newest first. */
  recentProblems: SyncRunRecord[];
  /** An admin accepted the next large change once. */
  acceptNextLargeChange?: { by: string; at: string };
};

const TABLE = 'portico_directory_sync_state';
const MAX_PROBLEMS = 10;

/**
 * Keeps each provider's last applied organization and recent runs in the
 * catalog's database, so a restart or another replica still compares a run
 * against the last good organization. One JSON row per provider; our own
 * table because the catalog keeps no per-provider history.
 */
export class SyncStatusStore {
  private ready?: Promise<void>;

  constructor(private readonly knex: Knex) {}

  private ensureTable() {
    this.ready ??= (async () => {
      if (!(await this.knex.schema.hasTable(TABLE))) {
        await this.knex.schema
          .createTable(TABLE, table => {
            table.string('provider_id').primary();
            table.text('state').notNullable();
          })
          .catch(async error => {
            // Another replica created it first
            if (!(await this.knex.schema.hasTable(TABLE))) {
              throw error;
            }
          });
      }
    })();
    return this.ready;
  }

  async load(providerId: string): Promise<ProviderSyncState> {
    await this.ensureTable();
    const row = await this.knex(TABLE)
      .where({ provider_id: providerId })
      .first();
    return row
      ? (JSON.parse(row.state) as ProviderSyncState)
      : { providerId, recentProblems: [] };
  }

  async loadAll(): Promise<ProviderSyncState[]> {
    await this.ensureTable();
    const rows = await this.knex(TABLE).select();
    return rows.map(row => JSON.parse(row.state) as ProviderSyncState);
  }

  async save(state: ProviderSyncState) {
    await this.ensureTable();
    await this.knex(TABLE)
      .insert({ provider_id: state.providerId, state: JSON.stringify(state) })
      .onConflict('provider_id')
      .merge();
  }

  async recordRun(
    providerId: string,
    run: SyncRunRecord,
    applied?: OrgSnapshot,
  ): Promise<ProviderSyncState> {
    const state = await this.load(providerId);
    state.lastRun = run;
    if (applied) {
      state.lastApplied = { ...applied, at: run.at };
      if (run.acceptedLargeChange) {
        delete state.acceptNextLargeChange;
      }
    } else {
      state.recentProblems = [run, ...state.recentProblems].slice(
        0,
        MAX_PROBLEMS,
      );
    }
    await this.save(state);
    return state;
  }

  async acceptNextLargeChange(providerId: string, by: string) {
    const state = await this.load(providerId);
    state.acceptNextLargeChange = { by, at: new Date().toISOString() };
    await this.save(state);
  }
}
