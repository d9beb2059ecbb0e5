import type { Knex } from 'knex';

type Pool = {
  numUsed(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
};

/**
 * Watches test database clients, so that a test can wait for a stopped backend's background
 * work to finish before its databases go away. Stopping a backend ends its loops but not the
 * step each one is in: a catalog processing task or a scheduler claim that already began goes on
 * to its next query, and after `TestDatabases` has destroyed the client that query fails
 * ("Unable to acquire a connection") outside any test, which fails the whole file.
 */
export class DatabaseActivity {
  readonly #clients: Knex[] = [];
  #lastQueryAt = Date.now();

  track(client: Knex): Knex {
    this.#clients.push(client);
    client.on('query', () => {
      this.#lastQueryAt = Date.now();
    });
    return client;
  }

  #busy(): boolean {
    return this.#clients.some(client => {
      const pool = (client as unknown as { client: { pool?: Pool } }).client
        .pool;
      return (
        pool !== undefined &&
        pool.numUsed() + pool.numPendingAcquires() + pool.numPendingCreates() >
          0
      );
    });
  }

  /**
   * Resolves once no client has held a connection or started a query for `quietMs`, or after
   * `timeoutMs` (then the databases are torn down anyway, as without this wait).
   */
  async settled(options: { quietMs?: number; timeoutMs?: number } = {}) {
    const quietMs = options.quietMs ?? 500;
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const now = Date.now();
      if (this.#busy()) {
        quietSince = now;
      }
      if (now - Math.max(quietSince, this.#lastQueryAt) >= quietMs) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 25));
    }
  }

  /**
   * Makes `backend.stop()` return only once the databases have settled. Stopping twice (the
   * test's own `afterAll` and the one `startTestBackend` registers) waits once.
   */
  settleOnStop<B extends { stop(): Promise<void> }>(backend: B): B {
    const stop = backend.stop.bind(backend);
    let stopped: Promise<void> | undefined;
    return Object.assign(backend, {
      stop: () =>
        (stopped ??= (async () => {
          await stop();
          await this.settled();
        })()),
    });
  }
}
