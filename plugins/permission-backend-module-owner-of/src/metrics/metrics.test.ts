import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPoint,
  Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { MembershipResolver } from '../membership/MembershipResolver';
import { InstrumentedPolicy } from '../policy/InstrumentedPolicy';
import { BoundedLabel, OTHER_LABEL_VALUE } from './BoundedLabel';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter,
  exportIntervalMillis: 60_000,
});

beforeAll(() => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(() => metrics.disable());

/** The data points of one metric, as the SDK reports them now. */
async function points(name: string): Promise<DataPoint<any>[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap(scope => scope.metrics)
    .filter(metric => metric.descriptor.name === name)
    .flatMap(metric => metric.dataPoints as DataPoint<any>[]);
}

async function count(name: string, attributes: Record<string, string>) {
  const point = (await points(name)).find(p =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
  return point ? (point.value as number) : 0;
}

const read = createPermission({
  name: 'test.thing.read',
  attributes: { action: 'read' },
});

function policyAnswering(decisions: PolicyDecision[]): PermissionPolicy {
  let next = 0;
  return {
    handle: async () => {
      const decision = decisions[next++];
      if (!decision) throw new Error('the policy failed');
      return decision;
    },
  };
}

describe('InstrumentedPolicy', () => {
  it('counts decisions by permission and result, times them, and returns them unchanged', async () => {
    const conditional: PolicyDecision = {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: [] },
      },
    };
    const policy = new InstrumentedPolicy(
      policyAnswering([
        { result: AuthorizeResult.ALLOW },
        { result: AuthorizeResult.DENY },
        { result: AuthorizeResult.DENY },
        conditional,
      ]),
    );
    const decide = () => policy.handle({ permission: read });

    expect(await decide()).toEqual({ result: AuthorizeResult.ALLOW });
    await decide();
    await decide();
    expect(await decide()).toBe(conditional);
    await expect(decide()).rejects.toThrow('the policy failed');

    const name = 'portico.permission.decisions';
    const permission = 'test.thing.read';
    expect(await count(name, { permission, result: 'allow' })).toBe(1);
    expect(await count(name, { permission, result: 'deny' })).toBe(2);
    expect(await count(name, { permission, result: 'conditional' })).toBe(1);
    expect(await count(name, { permission, result: 'error' })).toBe(1);
    const durations = await points('portico.permission.decision.duration');
    const total = durations.reduce(
      (sum, p) => sum + (p.value as Histogram).count,
      0,
    );
    expect(total).toBe(5);
  });
});

describe('BoundedLabel', () => {
  it('passes the first values up to its limit and names later new ones "other"', () => {
    const label = new BoundedLabel(2);
    expect(label.of('a')).toBe('a');
    expect(label.of('b')).toBe('b');
    expect(label.of('c')).toBe(OTHER_LABEL_VALUE);
    expect(label.of('a')).toBe('a');
  });
});

describe('MembershipResolver metrics', () => {
  it('counts cache hits and misses and times each resolution', async () => {
    const carol: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'carol' },
      spec: { memberOf: ['team-a'] },
      relations: [{ type: 'memberOf', targetRef: 'group:default/team-a' }],
    };
    let now = 0;
    const resolver = new MembershipResolver({
      catalog: catalogServiceMock({ entities: [carol] }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      nestedGroups: false,
      refreshMs: 1_000,
      now: () => now,
    });
    const lookups = 'portico.membership.cache.lookups';
    const misses = await count(lookups, { result: 'miss' });
    const hits = await count(lookups, { result: 'hit' });

    await resolver.resolve('user:default/carol');
    await resolver.resolve('user:default/carol');
    now = 1_000; // expired: the next lookup loads again
    await resolver.resolve('user:default/carol');

    expect(await count(lookups, { result: 'miss' })).toBe(misses + 2);
    expect(await count(lookups, { result: 'hit' })).toBe(hits + 1);
    const [duration] = await points('portico.membership.resolution.duration');
    expect((duration.value as Histogram).count).toBe(3);
  });
});
