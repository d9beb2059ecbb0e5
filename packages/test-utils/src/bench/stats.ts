/** The median; the mean of the two middle values for an even count. NaN for none. */
export function median(values: number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds, rounded: `1234 ms`. */
export function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`;
}

/** How many times `value` is `baseline`, e.g. `1.25×`. */
export function formatRatio(value: number, baseline: number, digits = 2) {
  return `${(value / baseline).toFixed(digits)}×`;
}
