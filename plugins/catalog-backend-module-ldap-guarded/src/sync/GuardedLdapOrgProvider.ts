import {
  AuditorService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  GroupTransformer,
  LdapOrgEntityProvider,
  LdapProviderConfig,
  UserTransformer,
} from '@backstage/plugin-catalog-backend-module-ldap';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { SyncStatusStore, SyncRunRecord } from './SyncStatusStore';
import { classifyReadError, judgeSync, OrgSnapshot } from './syncGuard';
import { recordAppliedOrg, recordSyncRun } from './syncMetrics';

/** @public */
export type DirectorySyncSettings = {
  /** Share (0..1) of users or of groups one run may remove. */
  maxRemovedShare: number;
  /** Accept every large change (an operator's deliberate, lasting switch). */
  acceptLargeChanges: boolean;
};

function snapshotOf(entities: DeferredEntity[]): OrgSnapshot {
  const userRefs: string[] = [];
  const groupRefs: string[] = [];
  for (const { entity } of entities) {
    const ref = stringifyEntityRef(entity).toLowerCase();
    if (entity.kind.toLowerCase() === 'user') {
      userRefs.push(ref);
    } else if (entity.kind.toLowerCase() === 'group') {
      groupRefs.push(ref);
    }
  }
  return { userRefs, groupRefs };
}

/**
 * Syncs users and groups from one LDAP directory with Backstage's own
 * `LdapOrgEntityProvider`, but holds back each full replacement it produces
 * until `judgeSync` agrees: a read that fails, or that would empty or gut the
 * organization, never reaches the catalog, so the last good organization
 * (and everyone's access through it) stays.
 *
 * @public
 */
export class GuardedLdapOrgProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private running: Promise<unknown> = Promise.resolve();
  readonly taskId: string;

  constructor(
    private readonly options: {
      id: string;
      /** Read before every run, so the provider's settings are current. */
      readProvider: () => LdapProviderConfig;
      settings: DirectorySyncSettings;
      store: SyncStatusStore;
      logger: LoggerService;
      auditor: AuditorService;
      userTransformer?: UserTransformer;
      groupTransformer?: GroupTransformer;
      /** Called after every run, applied or not. */
      afterRun?: (run: SyncRunRecord) => Promise<void>;
    },
  ) {
    this.taskId = `${this.getProviderName()}:guarded-refresh`;
  }

  get id() {
    return this.options.id;
  }

  getProviderName() {
    // The stock provider's name, so moving from the stock module keeps the
    // entities it wrote instead of deleting and re-adding them.
    return `LdapOrgEntityProvider:${this.options.id}`;
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
  }

  /** Runs on the scheduler, once across replicas. */
  async schedule(
    scheduler: SchedulerService,
    schedule: SchedulerServiceTaskScheduleDefinition,
  ) {
    await scheduler.scheduleTask({
      ...schedule,
      id: this.taskId,
      fn: async () => {
        await this.run();
      },
    });
  }

  /** One sync run; never throws for directory problems, it records them. */
  run(): Promise<SyncRunRecord> {
    const next = this.running.then(() => this.runOnce());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async readDirectory(): Promise<DeferredEntity[]> {
    let captured: DeferredEntity[] | undefined;
    const inner = new LdapOrgEntityProvider({
      id: this.options.id,
      provider: this.options.readProvider(),
      logger: this.options.logger,
      userTransformer: this.options.userTransformer,
      groupTransformer: this.options.groupTransformer,
    });
    // The stock provider writes through this connection; we keep what it
    // would write and decide ourselves whether it reaches the catalog.
    await inner.connect({
      async applyMutation(mutation) {
        if (mutation.type !== 'full') {
          throw new Error(
            'The LDAP provider sent a delta; expected a full read',
          );
        }
        captured = mutation.entities;
      },
      async refresh() {},
    });
    await inner.read({ logger: this.options.logger });
    if (!captured) {
      throw new Error('The LDAP provider finished without a result');
    }
    return captured;
  }

  private async runOnce(): Promise<SyncRunRecord> {
    const { id, store, settings, logger } = this.options;
    if (!this.connection) {
      throw new Error(
        `Directory sync ${id} ran before the catalog connected it`,
      );
    }
    const startedAt = Date.now();
    const state = await store.load(id);
    const previous = state.lastApplied;
    const kept = previous
      ? `the catalog keeps the last applied organization (${previous.userRefs.length} users, ${previous.groupRefs.length} groups, from ${previous.at})`
      : 'the catalog keeps what it has';

    let entities: DeferredEntity[];
    try {
      entities = await this.readDirectory();
    } catch (error) {
      const reason = classifyReadError(error);
      const run: SyncRunRecord = {
        at: new Date().toISOString(),
        result: 'failed',
        reason,
        message: `reading the directory failed (${reason}): ${
          (error as Error)?.message ?? error
        }`,
        users: 0,
        groups: 0,
        removedUsers: 0,
        removedGroups: 0,
        durationMs: Date.now() - startedAt,
      };
      return this.finishProblem(run, kept);
    }

    const snapshot = snapshotOf(entities);
    const judgement = judgeSync({
      previous,
      next: snapshot,
      maxRemovedShare: settings.maxRemovedShare,
      acceptLargeChange:
        settings.acceptLargeChanges ||
        state.acceptNextLargeChange !== undefined,
    });
    const base = {
      at: new Date().toISOString(),
      users: snapshot.userRefs.length,
      groups: snapshot.groupRefs.length,
      removedUsers: judgement.removedUsers,
      removedGroups: judgement.removedGroups,
    };
    if (judgement.verdict === 'refuse') {
      return this.finishProblem(
        {
          ...base,
          result: 'refused',
          reason: judgement.reason,
          message: judgement.message,
          durationMs: Date.now() - startedAt,
        },
        kept,
      );
    }

    await this.connection.applyMutation({ type: 'full', entities });
    const run: SyncRunRecord = {
      ...base,
      result: 'applied',
      message: `applied ${base.users} users and ${base.groups} groups (${base.removedUsers} users and ${base.removedGroups} groups removed)`,
      acceptedLargeChange: judgement.acceptedLargeChange,
      durationMs: Date.now() - startedAt,
    };
    await store.recordRun(id, run, snapshot);
    recordSyncRun(
      id,
      'applied',
      judgement.acceptedLargeChange ? 'accepted-large-change' : 'none',
    );
    recordAppliedOrg(id, Date.parse(run.at), base.users, base.groups);
    if (judgement.acceptedLargeChange) {
      logger.warn(
        `Directory sync ${id} applied a large change an operator accepted: ${run.message}`,
      );
      const event = await this.options.auditor.createEvent({
        eventId: 'directory-sync',
        severityLevel: 'high',
        meta: { provider: id, ...run },
      });
      await event.success({ meta: { provider: id } });
    } else {
      logger.info(`Directory sync ${id} ${run.message}`);
    }
    await this.options.afterRun?.(run);
    return run;
  }

  private async finishProblem(
    run: SyncRunRecord,
    kept: string,
  ): Promise<SyncRunRecord> {
    const { id, store, logger, auditor } = this.options;
    await store.recordRun(id, run);
    recordSyncRun(id, run.result, run.reason!);
    logger.error(
      `Directory sync ${id} ${
        run.result === 'failed' ? 'failed' : 'refused'
      } (${run.reason}): ${run.message}; read ${run.users} users and ${
        run.groups
      } groups; ${kept}`,
    );
    const event = await auditor.createEvent({
      eventId: 'directory-sync',
      severityLevel: 'high',
      meta: { provider: id, ...run },
    });
    await event.fail({
      error: new Error(run.message),
      meta: { provider: id, result: run.result, reason: run.reason! },
    });
    await this.options.afterRun?.(run);
    return run;
  }

  /** Seeds the gauges from the stored state after a restart. */
  async restoreMetrics() {
    const state = await this.options.store.load(this.options.id);
    if (state.lastApplied) {
      recordAppliedOrg(
        this.options.id,
        Date.parse(state.lastApplied.at),
        state.lastApplied.userRefs.length,
        state.lastApplied.groupRefs.length,
      );
    }
  }
}
