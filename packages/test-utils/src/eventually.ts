/**
 * Runs `check` until it stops throwing and returns its result. After `timeoutMs` (60 s unless
 * given) it throws the check's last error, so a failing test says what was still wrong.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  options: number | { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 500 } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
  }
}
