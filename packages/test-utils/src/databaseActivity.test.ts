import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseActivity } from './databaseActivity';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('DatabaseActivity', () => {
  it('settles only after work that holds a connection between its queries has ended', async () => {
    const activity = new DatabaseActivity();
    const knex = activity.track(await databases.init('SQLITE_3'));
    const steps: string[] = [];
    const work = knex.transaction(async trx => {
      await trx.raw('select 1');
      steps.push('first query');
      await sleep(400);
      await trx.raw('select 2');
      steps.push('second query');
    });
    await sleep(50);
    await activity.settled({ quietMs: 100 });
    expect(steps).toEqual(['first query', 'second query']);
    await work;
  });

  it('settles only after a pause between queries longer than the quiet time', async () => {
    const activity = new DatabaseActivity();
    const knex = activity.track(await databases.init('SQLITE_3'));
    let done = false;
    const work = (async () => {
      for (let i = 0; i < 4; i++) {
        await knex.raw('select 1');
        await sleep(60);
      }
      done = true;
    })();
    await activity.settled({ quietMs: 200 });
    expect(done).toBe(true);
    await work;
  });

  it('gives up after the timeout while a connection stays held', async () => {
    const activity = new DatabaseActivity();
    const knex = activity.track(await databases.init('SQLITE_3'));
    let release!: () => void;
    const held = knex.transaction(trx =>
      new Promise<void>(resolve => (release = resolve)).then(() =>
        trx.raw('select 1'),
      ),
    );
    await sleep(50);
    const startedAt = Date.now();
    await activity.settled({ quietMs: 50, timeoutMs: 300 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    release();
    await held;
  });

  it('makes a backend stop once, then wait for the databases', async () => {
    const activity = new DatabaseActivity();
    const knex = activity.track(await databases.init('SQLITE_3'));
    let stops = 0;
    let queried = false;
    const backend = activity.settleOnStop({
      stop: async () => {
        stops += 1;
        // Work the stop does not wait for, as a processing task's next query.
        setTimeout(() => {
          knex.raw('select 1').then(() => (queried = true));
        }, 100);
      },
    });
    await Promise.all([backend.stop(), backend.stop()]);
    await backend.stop();
    expect(stops).toBe(1);
    expect(queried).toBe(true);
  });
});
