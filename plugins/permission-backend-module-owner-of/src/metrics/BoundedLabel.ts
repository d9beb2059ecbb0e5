/** The value other label values become once a label has seen its limit of distinct values. */
export const OTHER_LABEL_VALUE = 'other';

/**
 * Keeps a metric label's distinct values under a limit, so values a caller chooses can never
 * grow the number of series without bound: the first `limit` values pass, later new ones
 * become `other`. (OpenTelemetry's cardinality limit applies per metric, not per label.)
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return OTHER_LABEL_VALUE;
    this.seen.add(value);
    return value;
  }
}
