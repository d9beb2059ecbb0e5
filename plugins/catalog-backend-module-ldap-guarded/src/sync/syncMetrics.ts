import { metrics } from '@opentelemetry/api';
import { SyncRunResult } from './SyncStatusStore';
import { SyncRefusalReason } from './syncGuard';

const meter = metrics.getMeter('portico-directory-sync');

const runs = meter.createCounter('portico.directory_sync.runs', {
  description:
    'Directory sync runs by result (applied, refused, failed) and reason',
});
const lastSuccess = meter.createObservableGauge(
  'portico.directory_sync.last_success',
  {
    description: 'When a directory sync run was last applied',
    unit: 's',
  },
);
const entities = meter.createObservableGauge(
  'portico.directory_sync.entities',
  { description: 'Users and groups the last applied directory sync wrote' },
);

const latest = new Map<
  string,
  { appliedAt: number; users: number; groups: number }
>();

meter.addBatchObservableCallback(
  observer => {
    for (const [provider, value] of latest) {
      observer.observe(lastSuccess, Math.floor(value.appliedAt / 1000), {
        provider,
      });
      observer.observe(entities, value.users, { provider, kind: 'user' });
      observer.observe(entities, value.groups, { provider, kind: 'group' });
    }
  },
  [lastSuccess, entities],
);

/** Counts a run; `reason` is `none` for a plain applied run. */
export function recordSyncRun(
  provider: string,
  result: SyncRunResult,
  reason: SyncRefusalReason | 'none' | 'accepted-large-change',
) {
  runs.add(1, { provider, result, reason });
}

/** Feeds the gauges from the last applied run. */
export function recordAppliedOrg(
  provider: string,
  appliedAt: number,
  users: number,
  groups: number,
) {
  latest.set(provider, { appliedAt, users, groups });
}
