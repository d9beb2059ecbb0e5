/**
 * A sliding-window count of events per key, in memory: at most `limit` events
 * per key within `windowMs`. Each backend replica counts its own.
 */
export class RateLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records an event for `key` and returns 0, or, when the key is at its
   * limit, records nothing and returns the milliseconds until it frees up.
   */
  take(key: string): number {
    const now = this.now();
    const recent = (this.events.get(key) ?? []).filter(
      at => at > now - this.windowMs,
    );
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      return recent[0] + this.windowMs - now;
    }
    recent.push(now);
    this.events.set(key, recent);
    return 0;
  }
}
