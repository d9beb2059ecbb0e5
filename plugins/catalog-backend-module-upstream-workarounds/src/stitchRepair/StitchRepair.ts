/*
 * Repairs catalog entities that a crash left out of the catalog's lists.
 *
 * The catalog's writes for an entity are not one transaction. Processing commits the processed
 * entity, then queues it for stitching; stitching writes the entity's `final_entities` row (with
 * a hash of the content), then its `search` rows, which every filtered, sorted or paged list
 * (the catalog page, `by-query`, facets) goes through. If the process dies between two of these
 * writes (a kill, an OOM, a node lost) or the second one fails (a database restart):
 *
 * - between the stitch's writes, the entity keeps its row and new hash but has no search rows.
 *   The retried stitch finds the hash unchanged and skips the write, so the entity stays
 *   readable by name yet missing from every list, for good (upstream backstage/backstage#35734);
 * - between processing and queueing, a new entity is processed but never stitched: it is not
 *   served at all, and its next processing finds nothing changed (upstream #34686).
 *
 * Until the catalog makes these writes atomic, this module finds both kinds and queues them for
 * a full stitch. It runs shortly after start-up, which covers a crash, and then every few
 * minutes, which covers a failed write in a running process. An entity that already existed and
 * changed just before such a crash keeps its previous version until it changes again; that
 * cannot be told apart cheaply and is not repaired.
 *
 * An upstream workaround: see the table in this package's README for when it is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseService } from '@backstage/backend-plugin-api';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const CHUNK_SIZE = 500;

/** Queues entity refs for stitching with a new ticket, due now, as the catalog itself does. */
async function queueForStitching(knex: Knex, refs: string[]) {
  for (let i = 0; i < refs.length; i += CHUNK_SIZE) {
    // A new ticket: a stitch still holding an older one gives way to this one.
    await knex('stitch_queue')
      .insert(
        refs.slice(i, i + CHUNK_SIZE).map(ref => ({
          entity_ref: ref,
          stitch_ticket: randomUUID(),
          next_stitch_at: knex.fn.now(),
        })),
      )
      .onConflict('entity_ref')
      .merge(['stitch_ticket', 'next_stitch_at']);
  }
}

/** Finds the entities a crash left out of the catalog's lists, in the catalog's database. */
export class StitchRepair {
  constructor(private readonly knex: Knex) {}

  /**
   * Finds entities a crash left out of the catalog's lists and queues them for a full stitch:
   * stitched entities without search rows, and processed entities that were never stitched nor
   * queued (with the entities on the other side of their relations, whose stitch was lost with
   * theirs). Returns the refs of the entities it found.
   */
  async repair(): Promise<string[]> {
    const knex = this.knex;
    const withoutSearchRows: Array<{ entity_id: string; entity_ref: string }> =
      await knex('final_entities')
        .whereNotNull('final_entity')
        .whereNotExists(
          knex('search')
            .select(knex.raw('1'))
            .whereRaw('search.entity_id = final_entities.entity_id'),
        )
        .select('entity_id', 'entity_ref');
    for (let i = 0; i < withoutSearchRows.length; i += CHUNK_SIZE) {
      // An empty hash never matches a computed one, so the next stitch writes everything.
      await knex('final_entities')
        .whereIn(
          'entity_id',
          withoutSearchRows.slice(i, i + CHUNK_SIZE).map(r => r.entity_id),
        )
        .update({ hash: '' });
    }

    // Processing commits an entity, then queues its stitch in a separate write; a crash between
    // the two leaves it processed and never served (upstream backstage/backstage#34686).
    const neverStitched: Array<{ entity_id: string; entity_ref: string }> =
      await knex('refresh_state')
        .whereNotNull('processed_entity')
        .whereNotExists(
          knex('final_entities')
            .select(knex.raw('1'))
            .whereRaw('final_entities.entity_id = refresh_state.entity_id'),
        )
        .whereNotExists(
          knex('stitch_queue')
            .select(knex.raw('1'))
            .whereRaw('stitch_queue.entity_ref = refresh_state.entity_ref'),
        )
        .select('entity_id', 'entity_ref');
    const related = new Set<string>();
    for (let i = 0; i < neverStitched.length; i += CHUNK_SIZE) {
      const rows: Array<{ source_entity_ref: string }> = await knex('relations')
        .whereIn(
          'originating_entity_id',
          neverStitched.slice(i, i + CHUNK_SIZE).map(r => r.entity_id),
        )
        .distinct('source_entity_ref');
      rows.forEach(r => related.add(r.source_entity_ref));
    }

    const found = [...withoutSearchRows, ...neverStitched].map(
      r => r.entity_ref,
    );
    await queueForStitching(knex, [...new Set([...found, ...related])]);
    return found;
  }
}
