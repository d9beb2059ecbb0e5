import { metrics } from '@opentelemetry/api';
import { SECONDS_BUCKETS } from './buckets';

/** The membership resolver's instruments, from the meter provider installed at the time. */
export function createMembershipMetrics() {
  const meter = metrics.getMeter('portico.permission.membership');
  return {
    /** Lookups of a user's direct groups in the resolver's cache: result=hit or miss. */
    cacheLookups: meter.createCounter('portico.membership.cache.lookups', {
      description:
        "Lookups of a user's groups in the membership cache, by result (hit, miss)",
    }),
    /** Time to resolve a user's claims (direct groups and, with nested groups, ancestors). */
    resolutionDuration: meter.createHistogram(
      'portico.membership.resolution.duration',
      {
        description: "Time to resolve a user's group claims, cached or not",
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      },
    ),
  };
}
