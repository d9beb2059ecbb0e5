import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import { Knex } from 'knex';
import {
  eventually,
  harborlineTeams,
  startUserScopedBackend,
  UserScopedBackend,
  writeGeneratedCatalog,
} from '@portico/test-utils';
import { catalogModuleStitchRepair } from './module';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'Repair of half-stitched entities on %s',
  databaseId => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-stitch-repair-'));
    const catalogFile = join(dir, 'catalog.yaml');
    const components = writeGeneratedCatalog(catalogFile, {
      count: 3,
      namePrefix: 'stitched',
      owners: harborlineTeams,
    });
    const victim = components[1].name;
    const victimRef = `component:default/${victim}`;
    let t: UserScopedBackend;
    let catalogDb: Knex;

    const asService = { authorization: mockCredentials.service.header() };
    const listedNames = async (): Promise<string[]> => {
      const res = await t
        .http()
        .get('/api/catalog/entities/by-query')
        .query({ filter: 'kind=component', fields: 'metadata.name' })
        .set(asService);
      expect(res.status).toBe(200);
      return res.body.items.map((e: { metadata: { name: string } }) =>
        String(e.metadata.name),
      );
    };
    const searchRowCount = async (entityId: string) =>
      Number(
        (
          await catalogDb('search')
            .where('entity_id', entityId)
            .count({ count: '*' })
        )[0].count,
      );

    /** Runs the repair task now, as its schedule would. */
    const triggerRepair = async () => {
      const triggered = await t
        .http()
        .post(
          '/api/catalog/.backstage/scheduler/v1/tasks/catalog-stitch-repair/trigger',
        )
        .set(asService);
      expect(triggered.status).toBe(200);
    };

    beforeAll(async () => {
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [catalogBackend, catalogModuleStitchRepair],
        overrides: {
          catalog: { locations: [{ type: 'file', target: catalogFile }] },
        },
      });
      catalogDb = await t.pluginDatabase('catalog');
      await eventually(async () => {
        const listed = await listedNames();
        if (listed.length !== components.length) {
          throw new Error(`${listed.length} of ${components.length} listed`);
        }
      }, 120_000);
    });

    afterAll(async () => {
      await t?.backend.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists an entity again whose search rows a crash left unwritten', async () => {
      const { entity_id: entityId, hash } = await catalogDb('final_entities')
        .where('entity_ref', victimRef)
        .first();
      expect(await searchRowCount(entityId)).toBeGreaterThan(0);

      // The state a process dying between the two writes of a stitch leaves: the entity's row
      // with its new hash, and no search rows.
      await catalogDb('search').where('entity_id', entityId).delete();
      expect(await listedNames()).not.toContain(victim);
      const byName = await t
        .http()
        .get(`/api/catalog/entities/by-name/component/default/${victim}`)
        .set(asService);
      expect(byName.status).toBe(200);

      // The catalog's own retry does not help: the stitch finds the hash unchanged and skips
      // the write.
      await catalogDb('stitch_queue')
        .insert({
          entity_ref: victimRef,
          stitch_ticket: randomUUID(),
          next_stitch_at: catalogDb.fn.now(),
        })
        .onConflict('entity_ref')
        .merge(['stitch_ticket', 'next_stitch_at']);
      await eventually(async () => {
        const queued = await catalogDb('stitch_queue').where(
          'entity_ref',
          victimRef,
        );
        expect(queued).toEqual([]);
      }, 60_000);
      expect(await searchRowCount(entityId)).toBe(0);
      expect(await listedNames()).not.toContain(victim);

      // The repair, as its schedule runs it.
      await triggerRepair();
      await eventually(async () => {
        expect((await listedNames()).sort()).toEqual(
          components.map(c => c.name),
        );
      }, 120_000);
      expect(await searchRowCount(entityId)).toBeGreaterThan(0);

      // The same entity, restitched: same id, same content hash, nothing else touched.
      const after = await catalogDb('final_entities')
        .where('entity_ref', victimRef)
        .first();
      expect(after.entity_id).toBe(entityId);
      expect(after.hash).toBe(hash);
    });

    it('serves an entity again that a crash left processed but never stitched', async () => {
      const unstitched = components[2].name;
      const ref = `component:default/${unstitched}`;
      const { entity_id: entityId } = await catalogDb('refresh_state')
        .where('entity_ref', ref)
        .first();

      // The state a process dying between processing and queueing the stitch leaves for a new
      // entity: processed, with no final row and nothing queued.
      await catalogDb('final_entities').where('entity_id', entityId).delete();
      await catalogDb('stitch_queue').where('entity_ref', ref).delete();
      const missing = await t
        .http()
        .get(`/api/catalog/entities/by-name/component/default/${unstitched}`)
        .set(asService);
      expect(missing.status).toBe(404);

      await triggerRepair();
      await eventually(async () => {
        const found = await t
          .http()
          .get(`/api/catalog/entities/by-name/component/default/${unstitched}`)
          .set(asService);
        expect(found.status).toBe(200);
        expect(found.body.metadata.uid).toBe(entityId);
      }, 120_000);
      await eventually(async () => {
        expect((await listedNames()).sort()).toEqual(
          components.map(c => c.name),
        );
      }, 60_000);
    });
  },
);
