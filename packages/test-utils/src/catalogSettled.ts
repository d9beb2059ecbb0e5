import type { Knex } from 'knex';
import { eventually } from './eventually';

/**
 * Waits until the catalog in `catalogDb` knows at least one entity, has processed every entity it
 * knows of and stitched every change: no `refresh_state` row waits for its first processing (its
 * result hash is set once processed, with or without errors) and the stitch queue is empty, on
 * two checks a second apart (the marks for stitching follow a processing's commit). Reads the
 * tables directly, so that no read through the API (and no membership the policy would keep)
 * happens before.
 */
export async function waitForCatalogSettled(
  catalogDb: Knex,
  timeoutMs = 180_000,
): Promise<void> {
  let settledOnce = false;
  await eventually(
    async () => {
      const [{ known }] = await catalogDb('refresh_state').count({
        known: '*',
      });
      const [{ unprocessed }] = await catalogDb('refresh_state')
        .whereNull('result_hash')
        .count({ unprocessed: '*' });
      const [{ unstitched }] = await catalogDb('stitch_queue').count({
        unstitched: '*',
      });
      const settled =
        Number(known) > 0 &&
        Number(unprocessed) === 0 &&
        Number(unstitched) === 0;
      if (!settled || !settledOnce) {
        settledOnce = settled;
        throw new Error(
          `the catalog is not settled: ${known} entities, ${unprocessed} to process, ${unstitched} to stitch`,
        );
      }
    },
    { timeoutMs, intervalMs: 1000 },
  );
}
