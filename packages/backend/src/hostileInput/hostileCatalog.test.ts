import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleLogs from '@backstage/plugin-catalog-backend-module-logs';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  demoCatalogLocations,
  eventually,
  recordingRootLogger,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import { catalogModuleRequestGuards } from '@portico/plugin-backend-module-portico-guards';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MANY_ENTITIES = 2000;
const MANY_FIRST = 10;
const HUGE_DESCRIPTION_BYTES = 3 * 1024 * 1024;

/** A Component document; `extra` is merged into metadata. */
function component(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, ...extra },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:default/data-team',
    },
  };
}

/** YAML documents written as JSON, which YAML reads as flow style. */
const yamlDocuments = (...documents: unknown[]) =>
  documents
    .map(d => (typeof d === 'string' ? d : JSON.stringify(d)))
    .join('\n---\n');

/** `depth` levels of `{a: ...}` or `[...]` in YAML flow style, around a scalar. */
function nested(kind: 'map' | 'seq', depth: number) {
  const [open, close] = kind === 'map' ? ['{a: ', '}'] : ['[', ']'];
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** The classic "billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
const billionLaughs = [
  'apiVersion: backstage.io/v1alpha1',
  'kind: Component',
  'metadata:',
  '  name: hostile-bomb',
  '  lol0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'
    .split('')
    .map(
      (alias, i) =>
        `  lol${i + 1}: &${alias} [${new Array(9)
          .fill(`*${'abcdefghi'[i]}`)
          .join(',')}]`,
    ),
  'spec:',
  '  type: service',
  '  lifecycle: experimental',
  '  owner: group:default/data-team',
  '',
].join('\n');

describe.each(databases.eachSupportedId())(
  'hostile catalog files on %s',
  databaseId => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-hostile-catalog-'));
    const files = {
      bomb: join(dir, 'bomb.yaml'),
      malformed: join(dir, 'malformed.yaml'),
      invalid: join(dir, 'invalid.yaml'),
      grants: join(dir, 'grants.yaml'),
      deep: join(dir, 'deep.yaml'),
      first: join(dir, 'first-claim.yaml'),
      second: join(dir, 'second-claim.yaml'),
      huge: join(dir, 'huge.yaml'),
      many: join(dir, 'many.yaml'),
    };
    // Registered empty; each test writes its hostile content and refreshes the location.
    for (const file of Object.values(files)) writeFileSync(file, '');

    const logs = recordingRootLogger();
    /**
     * Per case: ms from the write to the outcome, the slowest health + catalog answer meanwhile,
     * and the longest the event loop was blocked (the backend runs in this process).
     */
    const timings: Record<
      string,
      { ms: number; slowestAnswerMs: number; maxLoopDelayMs: number }
    > = {};
    let t: UserScopedBackend;
    let demoBefore: Map<string, string>;

    const asAlice = (path: string) =>
      t.http().get(path).set('authorization', userHeader('alice'));

    async function getEntity(ref: string): Promise<AlphaEntity | undefined> {
      const [kind, rest] = ref.split(':');
      const [namespace, name] = rest.split('/');
      const res = await asAlice(
        `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      return res.status === 200 ? res.body : undefined;
    }

    /** Every entity the demo catalog (not this test) put in: ref to uid. */
    async function demoEntities(): Promise<Map<string, string>> {
      const res = await asAlice(
        '/api/catalog/entities?fields=kind,metadata.namespace,metadata.name,metadata.uid,metadata.annotations',
      ).expect(200);
      return new Map(
        (res.body as Entity[])
          .filter(
            e =>
              !e.metadata.annotations?.[
                'backstage.io/managed-by-origin-location'
              ]?.includes(dir),
          )
          .map(e => [stringifyEntityRef(e), e.metadata.uid!]),
      );
    }

    async function allEntityRefs(): Promise<string[]> {
      const res = await asAlice(
        '/api/catalog/entities?fields=kind,metadata.namespace,metadata.name',
      ).expect(200);
      return (res.body as Entity[]).map(e => stringifyEntityRef(e));
    }

    async function locationOf(file: string): Promise<AlphaEntity> {
      const res = await asAlice(
        '/api/catalog/entities/by-query?filter=kind=location&fields=metadata,spec,status',
      ).expect(200);
      const location = (res.body.items as AlphaEntity[]).find(
        e => e.spec?.target === file,
      );
      if (!location) throw new Error(`no location entity for ${file}`);
      return location;
    }

    async function locationErrors(file: string): Promise<string[]> {
      const location = await locationOf(file);
      const current = await getEntity(
        `location:default/${location.metadata.name}`,
      );
      return (
        current?.status?.items
          ?.filter(item => item.level === 'error')
          .map(item => item.message) ?? []
      );
    }

    /** What the catalog reported about a file: its location's errors and the logged ones. */
    async function reportedProblems(file: string): Promise<string> {
      const logged = logs.entries
        .filter(e => e.message.includes(file) || e.meta.includes(file))
        .map(e => e.message);
      return [...(await locationErrors(file)), ...logged].join('\n');
    }

    /**
     * Writes the file, has the catalog refresh its location and waits until `done` holds,
     * checking meanwhile that health and catalog calls keep being answered, and records how
     * long that took in `timings`.
     */
    async function ingest(
      name: string,
      file: string,
      content: string,
      done: () => Promise<boolean>,
      timeoutMs = 120_000,
    ) {
      const location = await locationOf(file);
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const started = Date.now();
      writeFileSync(file, content);
      const deadline = started + timeoutMs;
      let slowestAnswerMs = 0;
      for (;;) {
        await t
          .http()
          .post('/api/catalog/refresh')
          .set('authorization', userHeader('alice'))
          .send({ entityRef: `location:default/${location.metadata.name}` })
          .expect(200);
        if (await done()) break;
        if (Date.now() > deadline) {
          loopDelay.disable();
          const reported = (await reportedProblems(file)).slice(0, 4000);
          throw new Error(
            `${name}: not done within ${timeoutMs} ms; reported so far:\n${reported}`,
          );
        }
        const probeStart = Date.now();
        await t.http().get('/.backstage/health/v1/readiness').expect(200);
        await t
          .http()
          .get(
            '/api/catalog/entities/by-name/component/default/payment-gateway',
          )
          .set('authorization', userHeader('bob'))
          .expect(200);
        slowestAnswerMs = Math.max(slowestAnswerMs, Date.now() - probeStart);
        await new Promise(r => setTimeout(r, 250));
      }
      loopDelay.disable();
      timings[name] = {
        ms: Date.now() - started,
        slowestAnswerMs,
        maxLoopDelayMs: Math.round(loopDelay.max / 1e6),
      };
    }

    beforeAll(async () => {
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          logs.factory,
          catalogBackend,
          catalogModuleRequestGuards,
          catalogBackendModuleLogs,
          catalogBackendModuleScaffolderEntityModel,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionBackendModuleOwnerOf,
        ],
        overrides: {
          catalog: {
            locations: [
              ...demoCatalogLocations(),
              ...Object.values(files).map(target => ({ type: 'file', target })),
            ],
          },
        },
      });
      // The demo catalog is in once its last files' entities and every hostile location are.
      await eventually(async () => {
        for (const ref of [
          'user:default/wen',
          'group:default/support-team',
          'component:default/shipment-api',
          'component:default/payment-gateway',
          'template:default/docs-site',
          'resource:default/payments-db',
        ]) {
          if (!(await getEntity(ref))) throw new Error(`${ref} not ingested`);
        }
        for (const file of Object.values(files)) await locationOf(file);
      }, 120_000);
      demoBefore = await demoEntities();
    });

    afterAll(async () => {
      await t?.backend.stop();
      rmSync(dir, { recursive: true, force: true });
      // eslint-disable-next-line no-console
      console.log(
        `hostile catalog files on ${databaseId}: ${Object.entries(timings)
          .map(
            ([name, { ms, slowestAnswerMs, maxLoopDelayMs }]) =>
              `${name}: ${ms} ms (slowest answer meanwhile ${slowestAnswerMs} ms, event loop blocked up to ${maxLoopDelayMs} ms)`,
          )
          .join('; ')}`,
      );
    });

    it('refuses a YAML alias bomb without expanding it', async () => {
      await ingest('alias bomb refused', files.bomb, billionLaughs, async () =>
        /resource exhaustion|alias/i.test(await reportedProblems(files.bomb)),
      );
      expect(await reportedProblems(files.bomb)).toMatch(
        /Excessive alias count/,
      );
      expect(await getEntity('component:default/hostile-bomb')).toBeUndefined();
    });

    it('refuses a file with malformed documents as a whole, keeping what it held before', async () => {
      await ingest(
        'malformed file: first version ingested',
        files.malformed,
        yamlDocuments(component('hostile-malformed-neighbour')),
        async () =>
          !!(await getEntity('component:default/hostile-malformed-neighbour')),
      );
      const before = await getEntity(
        'component:default/hostile-malformed-neighbour',
      );
      const malformed = {
        'an empty kind': { ...component('no-kind'), kind: '' },
        'metadata that is text': {
          ...component('meta-not-object'),
          metadata: 'just text',
        },
        'a kind the location may not hold': {
          ...component('bad-kind'),
          kind: 'Com ponent',
        },
      };
      const expected = [
        '/kind must NOT have fewer than 1 characters',
        '/metadata must be object',
        'com ponent:default/bad-kind',
        'Expected object at root, got string',
        'Expected object at root, got object',
      ];
      const missing = async () => {
        const errors = (await locationErrors(files.malformed)).join('\n');
        return expected.filter(e => !errors.includes(e));
      };
      await ingest(
        'malformed documents reported',
        files.malformed,
        yamlDocuments(
          component('hostile-malformed-neighbour'),
          component('hostile-malformed-newcomer'),
          ...Object.values(malformed),
          'just a string',
          '[1, 2, 3]',
        ),
        async () => (await missing()).length === 0,
      );
      expect(await missing()).toEqual([]);
      // The catalog stores a location's entities only when all of its documents are valid.
      const after = await getEntity(
        'component:default/hostile-malformed-neighbour',
      );
      expect(after?.metadata.uid).toBe(before?.metadata.uid);
      expect(
        await getEntity('component:default/hostile-malformed-newcomer'),
      ).toBeUndefined();
    });

    it('refuses entities with invalid names, namespaces or API versions one by one, reporting each', async () => {
      const invalid = {
        'Not A Valid Name!': component('Not A Valid Name!'),
        'too-long-': component(`too-long-${'x'.repeat(70)}`),
        'Bad_Namespace!': component('bad-namespace', {
          namespace: 'Bad_Namespace!',
        }),
        'bad-api-version': {
          ...component('bad-api-version'),
          apiVersion: 'not a version',
        },
      };
      const missing = () => {
        const logged = logs.entries
          .filter(e => e.meta.includes(files.invalid))
          .map(e => e.message)
          .join('\n');
        return Object.keys(invalid).filter(name => !logged.includes(name));
      };
      await ingest(
        'invalid entities reported',
        files.invalid,
        yamlDocuments(
          component('hostile-invalid-neighbour'),
          ...Object.values(invalid),
        ),
        async () =>
          !!(await getEntity('component:default/hostile-invalid-neighbour')) &&
          missing().length === 0,
      );
      // Each is reported in the catalog's error log, naming the entity and its file.
      expect(missing()).toEqual([]);
      const refused = (await allEntityRefs()).filter(ref =>
        /not a valid name|too-long|bad-namespace|bad-api-version/i.test(ref),
      );
      expect(refused).toEqual([]);
      expect(await locationErrors(files.invalid)).toEqual([]);
    });

    it('reports malformed grant annotations on the entity and grants only what is valid', async () => {
      const prefix = 'backstage.tanzu.vmware.com';
      await ingest(
        'malformed grants reported',
        files.grants,
        yamlDocuments(
          component('hostile-grants', {
            annotations: {
              [`${prefix}/user.bob`]:
                'catalog.entity.read, catalog.entity.admin',
              [`${prefix}/group.support-team`]: 'catalog.entities.read',
              [`${prefix}/team.support-team`]: 'catalog.entity.read',
              [`${prefix}/user.-bad-.dave`]: 'catalog.entity.read',
              [`${prefix}/user.rosa`]: ' , ',
              [`${prefix}/group`]: 'catalog.entity.read',
            },
          }),
          component('hostile-grants-not-text', {
            annotations: { [`${prefix}/user.dave`]: 42 },
          }),
        ),
        async () => {
          const entity = await getEntity('component:default/hostile-grants');
          return (entity?.status?.items?.length ?? 0) > 0;
        },
      );
      const entity = await getEntity('component:default/hostile-grants');
      const reported = entity!.status!.items!.map(i => i.message).join('\n');
      const expectedProblems = [
        "'catalog.entity.admin'",
        "'catalog.entities.read'",
        "'team' is neither",
        "'-bad-' is not a valid namespace",
        `'${prefix}/user.rosa': empty value`,
        `'${prefix}/group': expected`,
      ];
      expect(expectedProblems.filter(p => !reported.includes(p))).toEqual([]);

      const read = (user: string) =>
        t
          .http()
          .get('/api/catalog/entities/by-name/component/default/hostile-grants')
          .set('authorization', userHeader(user));
      await eventually(async () => {
        await read('bob').expect(200);
      }, 30_000);
      for (const outsider of ['dave', 'rosa']) {
        await read(outsider).expect(404);
      }
      // A grant that is not text makes the entity invalid: it is refused and reported.
      expect(
        await getEntity('component:default/hostile-grants-not-text'),
      ).toBeUndefined();
      await eventually(async () => {
        expect(await reportedProblems(files.grants)).toMatch(
          /hostile-grants-not-text|annotations/,
        );
      }, 30_000);
    });

    it('refuses deeply nested documents without running out of stack, keeping what the file held before', async () => {
      const moderate = JSON.parse(nested('map', 100).replace(/a:/g, '"a":'));
      const firstVersion = yamlDocuments(
        component('hostile-deep-neighbour', { deep: moderate }),
      );
      await ingest(
        'deep nesting: first version ingested',
        files.deep,
        firstVersion,
        async () =>
          !!(await getEntity('component:default/hostile-deep-neighbour')),
      );
      const before = await getEntity(
        'component:default/hostile-deep-neighbour',
      );
      expect(before?.metadata.deep).toEqual(moderate);

      const deepMaps = yamlDocuments(component('hostile-deep-maps')).replace(
        '"name":"hostile-deep-maps"',
        `"name":"hostile-deep-maps","deep":${nested('map', 5000)}`,
      );
      const deepLists = yamlDocuments(component('hostile-deep-lists')).replace(
        '"name":"hostile-deep-lists"',
        `"name":"hostile-deep-lists","deep":${nested('seq', 20000)}`,
      );
      await ingest(
        'deep nesting reported',
        files.deep,
        [firstVersion, deepMaps, deepLists].join('\n---\n'),
        async () => (await locationErrors(files.deep)).length >= 2,
      );
      const errors = await locationErrors(files.deep);
      expect(errors).toEqual([
        expect.stringMatching(/YAML error .*Maximum call stack size exceeded/s),
        expect.stringMatching(/YAML error .*Maximum call stack size exceeded/s),
      ]);
      const after = await getEntity('component:default/hostile-deep-neighbour');
      expect(after?.metadata.uid).toBe(before?.metadata.uid);
      expect(
        await getEntity('component:default/hostile-deep-maps'),
      ).toBeUndefined();
      expect(
        await getEntity('component:default/hostile-deep-lists'),
      ).toBeUndefined();
    });

    it('keeps the first location as the owner of an entity two locations claim, reporting the conflict', async () => {
      await ingest(
        'first claim ingested',
        files.first,
        yamlDocuments(
          component('hostile-duplicate', { description: 'first claim' }),
        ),
        async () => !!(await getEntity('component:default/hostile-duplicate')),
      );
      await ingest(
        'second claim reported as a conflict',
        files.second,
        yamlDocuments(
          component('hostile-duplicate', { description: 'second claim' }),
          component('hostile-duplicate-neighbour'),
        ),
        async () =>
          !!(await getEntity(
            'component:default/hostile-duplicate-neighbour',
          )) &&
          logs.entries.some(e =>
            e.message.includes(
              'conflicting entityRef component:default/hostile-duplicate',
            ),
          ),
      );
      const conflict = logs.entries.find(e =>
        e.message.includes(
          'conflicting entityRef component:default/hostile-duplicate',
        ),
      )!;
      expect(conflict.message).toContain(
        `already referenced by file:${files.first} and now also file:${files.second}`,
      );
      const entity = await getEntity('component:default/hostile-duplicate');
      expect(entity?.metadata.description).toBe('first claim');
      expect(
        entity?.metadata.annotations?.[
          'backstage.io/managed-by-origin-location'
        ],
      ).toBe(`file:${files.first}`);
      const copies = await asAlice(
        '/api/catalog/entities/by-query?filter=metadata.name=hostile-duplicate&limit=10',
      ).expect(200);
      expect(copies.body.totalItems).toBe(1);
    });

    it('ingests an entity with a multi-megabyte description without stalling', async () => {
      const description = 'harbor '.repeat(HUGE_DESCRIPTION_BYTES / 7);
      await ingest(
        'huge description ingested',
        files.huge,
        yamlDocuments(component('hostile-huge', { description })),
        async () => !!(await getEntity('component:default/hostile-huge')),
      );
      const entity = await getEntity('component:default/hostile-huge');
      expect(entity?.metadata.description).toBe(description);
    });

    it(`accepts a file with ${MANY_ENTITIES} entities and ingests them while answering`, async () => {
      const count = async () =>
        (
          await asAlice(
            '/api/catalog/entities/by-query?filter=metadata.labels.hostile=many&limit=1',
          ).expect(200)
        ).body.totalItems as number;
      // The catalog stores a location's entities for processing all at once or not at all, so
      // the first of them in the catalog means the file was accepted whole; processing all of
      // them takes minutes on a small machine, which this does not wait for.
      await ingest(
        `first ${MANY_FIRST} of ${MANY_ENTITIES} entities ingested`,
        files.many,
        yamlDocuments(
          ...Array.from({ length: MANY_ENTITIES }, (_, i) =>
            component(`hostile-many-${i}`, { labels: { hostile: 'many' } }),
          ),
        ),
        async () => (await count()) >= MANY_FIRST,
      );
      expect(await locationErrors(files.many)).toEqual([]);
      expect(await count()).toBeGreaterThanOrEqual(MANY_FIRST);
    });

    it('keeps every entity of the demo catalog', async () => {
      expect(demoBefore.size).toBeGreaterThan(80);
      const after = await demoEntities();
      expect(after).toEqual(demoBefore);
    });
  },
);
