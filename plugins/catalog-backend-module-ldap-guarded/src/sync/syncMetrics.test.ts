import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

describe('directory sync metrics', () => {
  it('counts runs by result and reason and observes the last applied organization', async () => {
    const reader = new CollectingReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    // Loaded after the SDK is in place, as the backend's instrumentation does
    const { recordSyncRun, recordAppliedOrg } =
      require('./syncMetrics') as typeof import('./syncMetrics');

    recordSyncRun('corp', 'applied', 'none');
    recordSyncRun('corp', 'refused', 'too-many-users-removed');
    recordSyncRun('corp', 'refused', 'too-many-users-removed');
    recordSyncRun('corp', 'failed', 'bind-failed');
    recordAppliedOrg('corp', 1_767_225_600_000, 23, 13);

    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics
      .filter(scope => scope.scope.name === 'portico-directory-sync')
      .flatMap(scope => scope.metrics);
    const points = (name: string) =>
      all
        .find(metric => metric.descriptor.name === name)!
        .dataPoints.map(point => ({
          attributes: point.attributes,
          value: point.value,
        }));

    expect(points('portico.directory_sync.runs')).toEqual(
      expect.arrayContaining([
        {
          attributes: { provider: 'corp', result: 'applied', reason: 'none' },
          value: 1,
        },
        {
          attributes: {
            provider: 'corp',
            result: 'refused',
            reason: 'too-many-users-removed',
          },
          value: 2,
        },
        {
          attributes: {
            provider: 'corp',
            result: 'failed',
            reason: 'bind-failed',
          },
          value: 1,
        },
      ]),
    );
    expect(points('portico.directory_sync.last_success')).toEqual([
      { attributes: { provider: 'corp' }, value: 1_767_225_600 },
    ]);
    expect(points('portico.directory_sync.entities')).toEqual([
      { attributes: { provider: 'corp', kind: 'user' }, value: 23 },
      { attributes: { provider: 'corp', kind: 'group' }, value: 13 },
    ]);
  });
});
