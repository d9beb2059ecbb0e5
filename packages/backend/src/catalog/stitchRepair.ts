/*
 * Repairs catalog entities that a stitch left half-written.
 *
 * The catalog stitches an entity in two writes: its `final_entities` row (with a hash of the
 * content), then its `search` rows, which every filtered, sorted or paged list (the catalog page,
 * `by-query`, facets) goes through. If the process dies between the two (a kill, an OOM, a node
 * lost) or the second write fails (a database restart), the entity keeps its row and new hash but
 * has no search rows. The retried stitch finds the hash unchanged and skips the write, so the
 * entity stays readable by name yet missing from every list, for good (upstream
 * backstage/backstage#35734; the fix writes both in one transaction).
 *
 * Until the catalog does that, this module finds stitched entities without a single search row
 * (every stitched entity has several: kind, name, namespace, ...), clears their hash and queues
 * them for stitching again, which rewrites the search rows. It runs shortly after start-up, which
 * covers a crash, and then every few minutes, which covers a failed write in a running process.
 */
import { randomUUID } from 'node:crypto';
import {
  coreServices,
  createBackendModule,
  DatabaseService,
} from '@backstage/backend-plugin-api';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const CHUNK_SIZE = 500;

/**
 * Finds stitched entities without search rows and queues each for a full stitch. Returns the
 * refs it queued.
 */
export async function repairHalfStitchedEntities(
  knex: Knex,
): Promise<string[]> {
  const rows: Array<{ entity_id: string; entity_ref: string }> = await knex(
    'final_entities',
  )
    .whereNotNull('final_entity')
    .whereNotExists(
      knex('search')
        .select(knex.raw('1'))
        .whereRaw('search.entity_id = final_entities.entity_id'),
    )
    .select('entity_id', 'entity_ref');

  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    const chunk = rows.slice(i, i + CHUNK_SIZE);
    await knex.transaction(async tx => {
      // An empty hash never matches a computed one, so the next stitch writes everything.
      await tx('final_entities')
        .whereIn(
          'entity_id',
          chunk.map(r => r.entity_id),
        )
        .update({ hash: '' });
      // A new ticket, due now: a stitch still holding the old ticket gives way to this one.
      await tx('stitch_queue')
        .insert(
          chunk.map(r => ({
            entity_ref: r.entity_ref,
            stitch_ticket: randomUUID(),
            next_stitch_at: tx.fn.now(),
          })),
        )
        .onConflict('entity_ref')
        .merge(['stitch_ticket', 'next_stitch_at']);
    });
  }
  return rows.map(r => r.entity_ref);
}

export const catalogModuleStitchRepair = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'stitch-repair',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ database, scheduler, logger }) {
        await scheduler.scheduleTask({
          id: 'catalog-stitch-repair',
          scope: 'global',
          frequency: { minutes: 5 },
          timeout: { minutes: 2 },
          // Late enough for the catalog's migrations on a first start.
          initialDelay: { seconds: 30 },
          fn: async () => {
            const repaired = await repairHalfStitchedEntities(
              await database.getClient(),
            );
            if (repaired.length > 0) {
              logger.warn(
                `Queued ${
                  repaired.length
                } half-stitched entities for stitching again, e.g. ${repaired
                  .slice(0, 5)
                  .join(', ')}`,
              );
            }
          },
        });
      },
    });
  },
});
