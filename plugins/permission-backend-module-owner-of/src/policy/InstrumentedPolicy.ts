import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { metrics } from '@opentelemetry/api';
import { BoundedLabel } from '../metrics/BoundedLabel';
import { SECONDS_BUCKETS } from '../metrics/buckets';

const RESULTS: Record<AuthorizeResult, string> = {
  [AuthorizeResult.ALLOW]: 'allow',
  [AuthorizeResult.DENY]: 'deny',
  [AuthorizeResult.CONDITIONAL]: 'conditional',
};

/**
 * Counts a policy's decisions by permission and result, and times them.
 * Wraps any policy, so the decision logic stays free of instrumentation.
 *
 * @public
 */
export class InstrumentedPolicy implements PermissionPolicy {
  private readonly meter = metrics.getMeter('portico.permission');
  private readonly decisions = this.meter.createCounter(
    'portico.permission.decisions',
    {
      description:
        'Decisions of the owner-of policy, by permission name and result (allow, deny, conditional)',
    },
  );
  private readonly duration = this.meter.createHistogram(
    'portico.permission.decision.duration',
    {
      description: 'Time the owner-of policy takes to decide, by result',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    },
  );
  // Callers choose the permission names they ask about; the registered ones are a few dozen.
  private readonly permissionNames = new BoundedLabel(200);

  constructor(private readonly policy: PermissionPolicy) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const startedAt = performance.now();
    let result = 'error';
    try {
      const decision = await this.policy.handle(request, user);
      result = RESULTS[decision.result] ?? 'error';
      return decision;
    } finally {
      this.decisions.add(1, {
        permission: this.permissionNames.of(request.permission.name),
        result,
      });
      this.duration.record((performance.now() - startedAt) / 1000, { result });
    }
  }
}
