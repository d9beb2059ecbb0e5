import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  it('allows the limit per key within the window, then says how long to wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.take('bob')).toBe(0);
    now += 10_000;
    expect(limiter.take('bob')).toBe(0);
    expect(limiter.take('bob')).toBe(50_000);
    // Other keys count on their own.
    expect(limiter.take('carol')).toBe(0);
    // A refused event is not counted: the first one leaves the window on time.
    now += 50_001;
    expect(limiter.take('bob')).toBe(0);
    expect(limiter.take('bob')).toBe(9_999);
  });
});
