import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the result of the first check that passes', async () => {
    let calls = 0;
    const result = await eventually(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`not yet (${calls})`);
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(result).toBe('ready');
    expect(calls).toBe(3);
  });

  it("throws the check's last error once the time is up", async () => {
    let calls = 0;
    await expect(
      eventually(
        async () => {
          calls += 1;
          throw new Error(`still missing after ${calls} tries`);
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(`still missing after`);
    expect(calls).toBeGreaterThan(1);
  });

  it('takes a bare number as the timeout', async () => {
    const started = Date.now();
    await expect(
      eventually(async () => {
        throw new Error('never');
      }, 20),
    ).rejects.toThrow('never');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
