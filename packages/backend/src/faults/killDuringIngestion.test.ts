/*
 * The backend is killed (SIGKILL: an OOM kill, a node lost) in the middle of ingesting a large
 * catalog file, then started again. The real backend process (the production image's command)
 * runs on PostgreSQL; the test watches ingestion in the catalog's database, kills the process
 * partway, starts a new one on the same database, and checks the finished catalog: exactly the
 * entities of the file, each once, with stable ids, and no processing errors left behind.
 *
 * A kill between two of the catalog's writes for one entity leaves it unserved or unlisted until
 * the backend's stitch repair
 * (plugins/catalog-backend-module-upstream-workarounds/src/stitchRepair) runs, 30 s after the restart and every minute; which
 * writes a kill splits is up to timing, so some runs need the repair and some do not.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import {
  dropDatabases,
  eventually,
  GeneratedComponent,
  harborlineTeams,
  startDevIdpProcess,
  writeGeneratedCatalog,
} from '@portico/test-utils';
import {
  DeploymentEnv,
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from '../production/__testUtils__/imageBackend';
import {
  prepareImage,
  repoRoot,
} from '../production/__testUtils__/imageRecipe';
import {
  describeWithPostgres,
  postgresConnectionString,
  postgresEnv,
  uniqueDatabasePrefix,
} from '../production/__testUtils__/testPostgres';

jest.setTimeout(15 * 60_000);

/** Large enough that ingestion takes a while on a 2-core machine, small enough for CI. */
const ENTITY_COUNT = 2000;

describeWithPostgres(
  'the backend killed while ingesting a large catalog',
  () => {
    const prefix = uniqueDatabasePrefix('kill');
    const access = staticAccessToken('kill-tests');
    const namePrefix = `bulk-${randomBytes(3).toString('hex')}`;
    const refPattern = `component:default/${namePrefix}-%`;
    let workDir: string;
    let imageDir: string;
    let env: DeploymentEnv;
    let config: object;
    let components: GeneratedComponent[];
    let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;
    let backend: ImageBackend | undefined;
    let catalogDb: Knex;

    const log = (message: string) =>
      process.stderr.write(`[kill-during-ingestion] ${message}\n`);

    /** The generated entities the catalog serves (stitched), from its database. */
    async function servedCount(): Promise<number> {
      const [{ count }] = await catalogDb('final_entities')
        .whereLike('entity_ref', refPattern)
        .whereNotNull('final_entity')
        .count({ count: '*' });
      return Number(count);
    }

    /** How many generated components the catalog lists (what the catalog page counts). */
    async function listedCount(): Promise<number> {
      const response = await fetch(
        `${
          backend!.baseUrl
        }/api/catalog/entities/by-query?filter=kind=component&limit=0`,
        { headers: { authorization: `Bearer ${access.token}` } },
      );
      if (response.status !== 200) return -1;
      return (await response.json()).totalItems;
    }

    /**
     * Whether everything is processed, stitched, nothing is queued for stitching, and every
     * entity is listed.
     */
    async function ingestionFinished(): Promise<boolean> {
      const [{ pending }] = await catalogDb('refresh_state')
        .whereLike('entity_ref', refPattern)
        .whereNull('processed_entity')
        .count({ pending: '*' });
      const [{ queued }] = await catalogDb('stitch_queue').count({
        queued: '*',
      });
      return (
        Number(pending) === 0 &&
        Number(queued) === 0 &&
        (await servedCount()) === ENTITY_COUNT &&
        (await listedCount()) === ENTITY_COUNT
      );
    }

    beforeAll(async () => {
      imageDir = await prepareImage();
      workDir = mkdtempSync(join(tmpdir(), 'portico-kill-'));
      const catalogFile = join(workDir, 'bulk-catalog.yaml');
      components = writeGeneratedCatalog(catalogFile, {
        count: ENTITY_COUNT,
        namePrefix,
        owners: harborlineTeams,
      });

      process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-kill-test';
      process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
      idp = await startDevIdpProcess(repoRoot, { productionStandIn: true });
      env = {
        ...postgresEnv(),
        AUTH_OIDC_METADATA_URL: idp.metadataUrl,
        AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
        AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
        AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
      };
      config = {
        backend: {
          database: { prefix },
          auth: { externalAccess: [access.config] },
        },
        catalog: {
          locations: [{ type: 'file', target: catalogFile }],
          // Entities the killed process had claimed are processed again only when their claim
          // expires, one processing interval later (100 to 150 s by default). A shorter interval
          // keeps the test quick; the mechanism is the same.
          processingInterval: { seconds: 30 },
        },
      };
      catalogDb = knexFactory({
        client: 'pg',
        connection: `${postgresConnectionString}/${prefix}catalog`,
        pool: { min: 0, max: 2 },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await idp?.stop();
      await catalogDb?.destroy();
      await dropDatabases(prefix);
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('ends with exactly the catalog file, each entity once with its id, and no errors', async () => {
      const start = (name: string) =>
        startImageBackend({ imageDir, name, env, config });

      // Ingest until part of the file is served, then kill -9.
      backend = await start('ingesting');
      const startedAt = Date.now();
      let servedAtKill = 0;
      await eventually(async () => {
        servedAtKill = await servedCount();
        if (servedAtKill < ENTITY_COUNT * 0.2) {
          throw new Error(`only ${servedAtKill} served so far`);
        }
      }, 300_000);
      await backend.kill();
      expect(backend.isRunning()).toBe(false);
      log(
        `killed after ${Date.now() - startedAt} ms with ${servedAtKill} served`,
      );
      // The kill must have hit ingestion partway, or this test proves nothing.
      const [{ unprocessed }] = await catalogDb('refresh_state')
        .whereLike('entity_ref', refPattern)
        .whereNull('processed_entity')
        .count({ unprocessed: '*' });
      const servedAfterKill = await servedCount();
      expect(servedAfterKill).toBeLessThan(ENTITY_COUNT);
      log(`${servedAfterKill} served, ${unprocessed} unprocessed at the kill`);

      // What was served before the kill, with its ids.
      const before = new Map<string, string>(
        (
          await catalogDb('final_entities')
            .whereLike('entity_ref', refPattern)
            .whereNotNull('final_entity')
            .select('entity_ref', 'entity_id')
        ).map(row => [row.entity_ref, row.entity_id]),
      );

      // A new process on the same database finishes the job.
      backend = await start('restarted');
      const restartedAt = Date.now();
      await eventually(async () => {
        if (!(await ingestionFinished())) {
          throw new Error(
            `${await servedCount()} of ${ENTITY_COUNT} served, ${await listedCount()} listed`,
          );
        }
      }, 300_000);
      const repairs = backend
        .logEntries()
        .filter(e => /out of catalog lists/.test(String(e.message)))
        .map(e => e.message);
      log(
        `finished ${
          Date.now() - restartedAt
        } ms after the restart; stitch repairs: ${
          repairs.join('; ') || 'none'
        }`,
      );

      // Everything the API lists, page by page, as a client sees the catalog.
      const listed: Array<{ name: string; uid: string }> = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams(
          cursor
            ? { cursor }
            : {
                filter: 'kind=component',
                fields: 'metadata.name,metadata.uid',
                limit: '500',
              },
        );
        const response = await fetch(
          `${backend.baseUrl}/api/catalog/entities/by-query?${query}`,
          { headers: { authorization: `Bearer ${access.token}` } },
        );
        expect(response.status).toBe(200);
        const page = await response.json();
        listed.push(
          ...page.items.map(
            (e: { metadata: { name: string; uid: string } }) => e.metadata,
          ),
        );
        cursor = page.pageInfo.nextCursor;
      } while (cursor);

      const names = listed.map(e => e.name);
      const uids = listed.map(e => e.uid);
      // No duplicates, by name or by id; nothing lost; nothing extra.
      expect(new Set(names).size).toBe(names.length);
      expect(new Set(uids).size).toBe(uids.length);
      expect([...names].sort()).toEqual(components.map(c => c.name).sort());

      // Entities served before the kill kept their ids: none was deleted and created anew.
      const uidByRef = new Map(
        listed.map(e => [`component:default/${e.name}`, e.uid]),
      );
      const changed = [...before].filter(
        ([ref, uid]) => uidByRef.get(ref) !== uid,
      );
      expect(changed).toEqual([]);

      // The database agrees: one refresh state row per entity, each processed without errors.
      const states = await catalogDb('refresh_state')
        .whereLike('entity_ref', refPattern)
        .select('entity_ref', 'entity_id', 'errors', 'processed_entity');
      expect(states).toHaveLength(ENTITY_COUNT);
      expect(states.filter(s => s.errors !== '[]')).toEqual([]);
      expect(states.filter(s => s.processed_entity === null)).toEqual([]);
      expect(
        states.filter(s => uidByRef.get(s.entity_ref) !== s.entity_id),
      ).toEqual([]);
      // No processing errors anywhere in the catalog (the location entity included).
      const failing = await catalogDb('refresh_state')
        .whereNot('errors', '[]')
        .select('entity_ref', 'errors');
      expect(failing).toEqual([]);
    });
  },
);
