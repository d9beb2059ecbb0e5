import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import request from 'supertest';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import {
  catalogModuleRequestGuards,
  permissionModuleRequestGuards,
  scaffolderModuleRequestGuards,
  techdocsModuleStaticPathGuard,
} from '@portico/plugin-backend-module-portico-guards';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

// Config objects merge key by key: app-config's `frequency: { minutes: 1 }` stays unless zeroed.
const quickSchedule = {
  frequency: { minutes: 0, seconds: 5 },
  timeout: { minutes: 2 },
  initialDelay: { seconds: 1 },
};

// bob (payments-team) reads payment-gateway; shipment-api belongs to logistics-team.
const bobsComponent = 'component:default/payment-gateway';
const hiddenFromBob = 'component:default/shipment-api';

/** Values that mean something to SQL, LIKE, JSON, shells or text rendering. */
const hostileValues = [
  "'; drop table final_entities; --",
  "' or '1'='1",
  '") or 1=1 --',
  '%',
  '_',
  '\\',
  '%_\\%',
  'payment%',
  'payment_gateway',
  'payment\\%',
  'a\u0000b',
  '\u0000',
  '🚢📦',
  '\u202Epayment-gateway',
  '\u200F\u200E',
  'ｐａｙｍｅｎｔ',
  'İ',
  '"\'`$(id)',
  '$1 :name ? ?? \\N',
  'x'.repeat(5000),
];

/** `'4xx'` for client errors, the status itself otherwise, for readable failures. */
const kindOf = (status: number) =>
  status >= 400 && status < 500 ? '4xx' : status;

const refOf = (e: Entity) => stringifyEntityRef(e).toLocaleLowerCase('en-US');

/** Refs of the entities a search result location points at, if any. */
function refOfSearchLocation(location: string): string | undefined {
  const match = /^\/(?:catalog|docs)\/([^/]+)\/([^/]+)\/([^/#?]+)/.exec(
    location,
  );
  return match
    ? `${match[2]}:${match[1]}/${match[3]}`.toLocaleLowerCase('en-US')
    : undefined;
}

describe.each(databases.eachSupportedId())(
  'hostile API input on %s',
  databaseId => {
    let t: UserScopedBackend;
    let workDir: string;
    let publishDirectory: string;
    // A loopback server the URL reader may not read from: it must never be asked.
    let forbidden: Server;
    let forbiddenRequests: string[];
    let forbiddenPort: number;
    let bobReadable: Set<string>;
    let everything: Set<string>;

    const as = (user: string) => (req: request.Test) =>
      req.set('authorization', userHeader(user));
    const asAlice = as('alice');
    const asBob = as('bob');

    async function readableBy(user: string): Promise<Set<string>> {
      const res = await as(user)(
        t
          .http()
          .get('/api/catalog/entities')
          .query({ fields: 'kind,metadata.namespace,metadata.name' }),
      ).expect(200);
      return new Set((res.body as Entity[]).map(refOf));
    }

    async function syncDocs(name: string) {
      const sync = await asAlice(
        t
          .http()
          .get(`/api/techdocs/sync/default/component/${name}`)
          .buffer(true)
          .parse((res, callback) => {
            let text = '';
            res.on('data', chunk => (text += chunk));
            res.on('end', () => callback(null, text));
          }),
      ).expect(200);
      if (!String(sync.body).includes('event: finish')) {
        throw new Error(`TechDocs build of ${name} failed: ${sync.body}`);
      }
    }

    beforeAll(async () => {
      forbiddenRequests = [];
      forbidden = createServer((req, res) => {
        forbiddenRequests.push(`${req.method} ${req.url}`);
        res.writeHead(200, { 'content-type': 'text/yaml' });
        res.end(
          'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: smuggled\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/payments-team\n',
        );
      });
      await new Promise<void>(resolve =>
        forbidden.listen(0, '127.0.0.1', resolve),
      );
      forbiddenPort = (forbidden.address() as AddressInfo).port;

      // A file next to the published docs, which no docs path may reach.
      workDir = mkdtempSync(join(tmpdir(), 'portico-hostile-api-'));
      publishDirectory = join(workDir, 'published');
      mkdirSync(publishDirectory);
      writeFileSync(join(workDir, 'secret.txt'), 'outside-the-docs-folder');

      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          catalogBackend,
          catalogModuleRequestGuards,
          catalogBackendModuleScaffolderEntityModel,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionModuleRequestGuards,
          permissionBackendModuleOwnerOf,
          scaffolderBackend,
          scaffolderModuleRequestGuards,
          techdocsBackend,
          techdocsModuleStaticPathGuard,
          searchBackend,
          searchBackendModulePg,
          searchBackendModuleCatalog,
        ],
        overrides: {
          techdocs: {
            publisher: { type: 'local', local: { publishDirectory } },
          },
          search: { collators: { catalog: { schedule: quickSchedule } } },
        },
      });
      await eventually(async () => {
        await asBob(
          t
            .http()
            .get(
              '/api/catalog/entities/by-name/component/default/payment-gateway',
            ),
        ).expect(200);
        await asAlice(
          t
            .http()
            .get(
              '/api/catalog/entities/by-name/component/default/shipment-api',
            ),
        ).expect(200);
      }, 120_000);
      bobReadable = await readableBy('bob');
      everything = await readableBy('alice');
    });

    afterAll(async () => {
      await t?.backend.stop();
      await new Promise(resolve => forbidden?.close(resolve));
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('starts from a policy that hides something from bob', () => {
      expect(bobReadable.has(bobsComponent)).toBe(true);
      expect(bobReadable.has(hiddenFromBob)).toBe(false);
      expect(everything.has(hiddenFromBob)).toBe(true);
    });

    describe('oversized and malformed request bodies', () => {
      // Larger than every JSON body limit in the backend (the scaffolder's is 10 MB).
      const huge = JSON.stringify({
        entityRefs: new Array(400_000).fill(
          'component:default/payment-gateway',
        ),
      });
      const jsonEndpoints = [
        '/api/catalog/entities/by-refs',
        '/api/catalog/locations',
        '/api/catalog/refresh',
        '/api/catalog/validate-entity',
        '/api/catalog/analyze-location',
        '/api/scaffolder/v2/tasks',
        '/api/scaffolder/v2/dry-run',
        '/api/permission/authorize',
      ];

      it('passes ordinary JSON requests through to the plugins', async () => {
        const byRefs = await asBob(
          t
            .http()
            .post('/api/catalog/entities/by-refs')
            .send({ entityRefs: [bobsComponent, hiddenFromBob] }),
        ).expect(200);
        expect(
          byRefs.body.items.map((e: Entity | null) => e && refOf(e)),
        ).toEqual([bobsComponent, null]);
        await asBob(
          t
            .http()
            .post('/api/catalog/refresh')
            .send({ entityRef: bobsComponent }),
        ).expect(200);
        const decision = await asBob(
          t
            .http()
            .post('/api/permission/authorize')
            .send({
              items: [
                {
                  id: 'own',
                  permission: {
                    type: 'resource',
                    name: 'catalog.entity.read',
                    attributes: { action: 'read' },
                    resourceType: 'catalog-entity',
                  },
                  resourceRef: bobsComponent,
                },
              ],
            }),
        ).expect(200);
        expect(decision.body.items).toEqual([{ id: 'own', result: 'ALLOW' }]);
        // Dry runs (the template editor) are for admins: see the owner-of permission table.
        const dryRun = await asAlice(
          t
            .http()
            .post('/api/scaffolder/v2/dry-run')
            .send({
              template: {
                apiVersion: 'scaffolder.backstage.io/v1beta3',
                kind: 'Template',
                metadata: { name: 'ordinary' },
                spec: {
                  type: 'service',
                  steps: [
                    {
                      id: 'log',
                      action: 'debug:log',
                      input: { message: 'ordinary' },
                    },
                  ],
                },
              },
              values: {},
              directoryContents: [],
            }),
        ).expect(200);
        expect(dryRun.body.steps).toEqual([
          expect.objectContaining({ id: 'log' }),
        ]);
      });

      it.each(jsonEndpoints)(
        'refuses an oversized body to %s with 413',
        async path => {
          expect(huge.length).toBeGreaterThan(12 * 1024 * 1024);
          const res = await asAlice(t.http().post(path))
            .set('content-type', 'application/json')
            .send(huge);
          expect({ path, status: res.status }).toEqual({ path, status: 413 });
          expect(res.body.error?.message).toEqual(expect.any(String));
        },
      );

      it.each(jsonEndpoints)(
        'refuses malformed JSON to %s with 400',
        async path => {
          const res = await asAlice(t.http().post(path))
            .set('content-type', 'application/json')
            .send('{"entityRefs": ["component:default/payment-gateway"');
          expect({ path, status: res.status }).toEqual({ path, status: 400 });
          expect(res.body.error?.message).toEqual(expect.any(String));
        },
      );

      it.each(jsonEndpoints)(
        'answers wrong content types and charsets to %s with a 4xx',
        async path => {
          for (const [contentType, body] of [
            ['text/plain', '{"entityRefs": []}'],
            ['application/x-www-form-urlencoded', 'entityRefs=x'],
            ['application/json; charset=latin1', '{"entityRefs": []}'],
            ['application/json', '"just a string"'],
            ['application/json', 'null'],
          ]) {
            const res = await asAlice(t.http().post(path))
              .set('content-type', contentType)
              .send(body);
            expect({
              path,
              contentType,
              body,
              status: kindOf(res.status),
            }).toEqual({
              path,
              contentType,
              body,
              status: '4xx',
            });
            expect(res.body.error?.message).toEqual(expect.any(String));
          }
        },
      );

      it('answers NUL characters in JSON bodies with a 4xx or a normal answer, never a 500', async () => {
        const nul = 'a\u0000b';
        const requests: Array<[user: string, path: string, body: object]> = [
          [
            'alice',
            '/api/catalog/entities/by-refs',
            { entityRefs: [`component:default/${nul}`] },
          ],
          [
            'alice',
            '/api/catalog/refresh',
            { entityRef: `component:default/${nul}` },
          ],
          [
            'alice',
            '/api/catalog/validate-entity',
            {
              location: `url:http://localhost:7007/${nul}`,
              entity: {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: { name: 'nul-probe', description: nul },
                spec: { type: 'service', lifecycle: nul, owner: nul },
              },
            },
          ],
          [
            'bob',
            '/api/catalog/locations?dryRun=true',
            { type: 'url', target: `http://localhost:7007/${nul}.yaml` },
          ],
          [
            'bob',
            '/api/permission/authorize',
            {
              items: [
                {
                  id: 'nul-probe',
                  permission: {
                    type: 'resource',
                    name: 'catalog.entity.read',
                    attributes: { action: 'read' },
                    resourceType: 'catalog-entity',
                  },
                  resourceRef: `component:default/${nul}`,
                },
              ],
            },
          ],
          [
            'bob',
            '/api/scaffolder/v2/tasks',
            {
              templateRef: 'template:default/docs-site',
              values: {
                name: 'nul-probe',
                title: `Title ${nul}`,
                description: `Description ${nul}`,
                owner: 'group:default/payments-team',
              },
            },
          ],
        ];
        const answers = [];
        for (const [user, path, body] of requests) {
          const res = await as(user)(t.http().post(path).send(body));
          answers.push({
            path,
            status: kindOf(res.status),
            message: typeof res.body.error?.message,
          });
        }
        expect(answers).toEqual(
          requests.map(([, path]) => ({
            path,
            status: '4xx',
            message: 'string',
          })),
        );
      });

      it('answers a request with huge headers with 431 and keeps serving', async () => {
        const res = await asBob(t.http().get('/api/catalog/entities'))
          .set('x-padding', 'p'.repeat(64 * 1024))
          .ok(() => true);
        expect(res.status).toBe(431);
        await asBob(
          t
            .http()
            .get(
              '/api/catalog/entities/by-name/component/default/payment-gateway',
            ),
        ).expect(200);
      });
    });

    describe('SQL metacharacters and unicode in filters and search', () => {
      const cases = hostileValues.map(value => [
        JSON.stringify(value).slice(0, 40),
        value,
      ]);

      beforeAll(async () => {
        // Search answers 500 until its first index is built; hostile terms go to a built one.
        await eventually(async () => {
          const res = await asBob(
            t
              .http()
              .get('/api/search/query')
              .query({ term: 'Payment Gateway' }),
          );
          const locations: string[] = (res.body.results ?? []).map(
            (r: { document: { location: string } }) => r.document.location,
          );
          if (
            !locations.includes('/catalog/default/component/payment-gateway')
          ) {
            throw new Error(`search is not ready: ${res.status} ${res.text}`);
          }
        }, 120_000);
      });

      /** 200 with only what bob may read, or a 400 with a message. */
      async function expectSafe(path: string, query: Record<string, string>) {
        const res = await asBob(t.http().get(path).query(query));
        if (res.status === 400) {
          expect(res.body.error?.message).toEqual(expect.any(String));
          return undefined;
        }
        // The message names the cause when the answer is anything else.
        const message =
          res.status === 200 ? undefined : res.body.error?.message;
        expect({ path, query, status: res.status, message }).toEqual({
          path,
          query,
          status: 200,
          message: undefined,
        });
        return res.body;
      }

      it.each(cases)(
        'finds nothing by the exact value %s',
        async (_, value) => {
          for (const filter of [
            `metadata.name=${value}`,
            `kind=component,metadata.name=${value}`,
            `metadata.annotations.backstage.io/managed-by-location=${value}`,
          ]) {
            for (const path of [
              '/api/catalog/entities/by-query',
              '/api/catalog/entities',
            ]) {
              const body = await expectSafe(path, { filter });
              const items: Entity[] = body?.items ?? body ?? [];
              // No entity has these characters in a name, owner or annotation.
              expect({ filter, path, items }).toEqual({
                filter,
                path,
                items: [],
              });
            }
          }
        },
      );

      it.each(cases)(
        'matches %s in full-text filters and field names, within what bob may read',
        async (_, value) => {
          const byName = await expectSafe('/api/catalog/entities/by-query', {
            fullTextFilterTerm: value,
            fullTextFilterFields: 'metadata.name',
          });
          // The catalog matches the term with SQL LIKE without escaping it, so % and _ are
          // wildcards: a term matches a name that contains it as a LIKE pattern.
          const pattern = new RegExp(
            value
              .trim()
              .toLocaleLowerCase('en-US')
              .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
              .replace(/%/g, '.*')
              .replace(/_/g, '.'),
            's',
          );
          for (const item of (byName?.items ?? []) as Entity[]) {
            expect(bobReadable.has(refOf(item))).toBe(true);
            expect(item.metadata.name.toLocaleLowerCase('en-US')).toMatch(
              pattern,
            );
          }
          const readable = bobReadable;
          for (const query of [
            { fullTextFilterTerm: value },
            { filter: `${value}=x` },
            { filter: `metadata.annotations.${value}` },
            { orderField: `${value},asc` },
            { fields: value },
          ] as Record<string, string>[]) {
            const body = await expectSafe(
              '/api/catalog/entities/by-query',
              query,
            );
            const unreadable = ((body?.items ?? []) as Entity[])
              .filter(item => item.kind && item.metadata?.name)
              .map(refOf)
              .filter(ref => !readable.has(ref));
            expect({ query, unreadable }).toEqual({ query, unreadable: [] });
          }
          const facets = await expectSafe('/api/catalog/entity-facets', {
            facet: value,
          });
          expect(
            facets === undefined || typeof facets.facets === 'object',
          ).toBe(true);
        },
      );

      it.each(cases)(
        'searches for %s within what bob may read',
        async (_, value) => {
          const body = await expectSafe('/api/search/query', { term: value });
          for (const result of (body?.results ?? []) as Array<{
            document: { location: string };
          }>) {
            const ref = refOfSearchLocation(result.document.location);
            expect({
              location: result.document.location,
              readable: ref && bobReadable.has(ref),
            }).toEqual({
              location: result.document.location,
              readable: true,
            });
          }
        },
      );

      it('keeps the whole catalog after the hostile queries', async () => {
        expect(await readableBy('alice')).toEqual(everything);
        expect(await readableBy('bob')).toEqual(bobReadable);
      });
    });

    describe('absurd limits, offsets and cursors', () => {
      const byQuery = (user: string, query: Record<string, string>) =>
        as(user)(t.http().get('/api/catalog/entities/by-query').query(query));

      const b64 = (value: unknown) =>
        Buffer.from(
          typeof value === 'string' ? value : JSON.stringify(value),
        ).toString('base64');

      it.each<{ what: string; query: Record<string, string> }>([
        { what: 'a negative limit', query: { limit: '-1' } },
        { what: 'a zero limit', query: { limit: '0' } },
        { what: 'a huge limit', query: { limit: '1e12' } },
        { what: 'an overflowing limit', query: { limit: '9'.repeat(30) } },
        { what: 'a non-numeric limit', query: { limit: 'abc' } },
        { what: 'a fractional limit', query: { limit: '1.5' } },
        { what: 'an empty limit', query: { limit: '' } },
        { what: 'a negative offset', query: { offset: '-5' } },
        { what: 'a huge offset', query: { offset: '1e12' } },
        { what: 'a non-numeric offset', query: { offset: 'abc' } },
        { what: 'a garbage cursor', query: { cursor: 'garbage' } },
        { what: 'a cursor of percent signs', query: { cursor: '%%%' } },
        {
          what: 'a base64 non-JSON cursor',
          query: { cursor: b64('not json') },
        },
        { what: 'an empty JSON cursor', query: { cursor: b64({}) } },
        { what: 'an array cursor', query: { cursor: b64([1, 2, 3]) } },
        {
          what: 'a cursor with SQL in wrongly typed fields',
          query: {
            cursor: b64({
              orderFields: 'metadata.name',
              orderFieldValues: "'; drop table final_entities; --",
              isPrevious: 'yes',
            }),
          },
        },
        {
          what: 'a cursor with a forged sort field and filter',
          query: {
            cursor: b64({
              orderFields: [{ field: "metadata.name'--", order: 'sideways' }],
              orderFieldValues: [{}, null],
              isPrevious: false,
              totalItems: -1,
              filter: { key: 'kind', values: [{}] },
            }),
          },
        },
        {
          what: 'a well-formed forged cursor sorting by a hostile field',
          query: {
            cursor: b64({
              orderFields: [
                { field: "metadata.name') or ('1'='1", order: 'asc' },
              ],
              orderFieldValues: ["'; drop table final_entities; --"],
              isPrevious: false,
              filter: { key: 'kind', values: ['component'] },
            }),
          },
        },
        { what: 'a 10 kB cursor', query: { cursor: 'x'.repeat(10_000) } },
      ])(
        'answers $what with a 400 or a bounded page of what bob may read',
        async ({ query }) => {
          const res = await byQuery('bob', query);
          const items = (res.body.items ?? []) as Entity[];
          const outcome =
            res.status === 200
              ? {
                  status: 200,
                  bounded: items.length <= bobReadable.size,
                  unreadable: items.map(refOf).filter(r => !bobReadable.has(r)),
                }
              : {
                  status: kindOf(res.status),
                  message: typeof res.body.error?.message,
                };
          expect({ query, outcome }).toEqual({
            query,
            outcome:
              res.status === 200
                ? { status: 200, bounded: true, unreadable: [] }
                : { status: '4xx', message: 'string' },
          });
        },
      );

      it('answers a cursor longer than the request line limit with 414 or 431', async () => {
        const res = await byQuery('bob', { cursor: 'x'.repeat(100_000) });
        expect([414, 431]).toContain(res.status);
      });

      it("gives bob only his own entities when he pages with alice's cursor", async () => {
        const first = await byQuery('alice', {
          limit: '3',
          orderField: 'metadata.name,asc',
        }).expect(200);
        let cursor: string | undefined = first.body.pageInfo.nextCursor;
        expect(cursor).toEqual(expect.any(String));
        const seen: string[] = [];
        for (let page = 0; cursor && page < 200; page++) {
          const res = await byQuery('bob', { cursor, limit: '7' }).expect(200);
          seen.push(...(res.body.items as Entity[]).map(refOf));
          // totalItems is alice's: the catalog keeps the count the cursor carries, in plain
          // base64 JSON that whoever holds the cursor can read anyway.
          cursor = res.body.pageInfo.nextCursor;
        }
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.filter(ref => !bobReadable.has(ref))).toEqual([]);
      });
    });

    describe('path traversal in TechDocs paths', () => {
      const docs = '/api/techdocs/static/docs/default/component';

      /** Sends the path exactly as written, without the client normalizing dot segments. */
      function rawGet(path: string, user: string) {
        return new Promise<{ status: number; body: string }>(
          (resolve, reject) => {
            const req = httpRequest(
              {
                host: '127.0.0.1',
                port: t.backend.server.port(),
                path,
                headers: { authorization: userHeader(user) },
              },
              res => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', chunk => (body += chunk));
                res.on('end', () => resolve({ status: res.statusCode!, body }));
              },
            );
            req.on('error', reject);
            req.end();
          },
        );
      }

      beforeAll(async () => {
        await eventually(() => syncDocs('shipment-api'), 120_000);
      });

      it('serves the docs to a reader through every ordinary path', async () => {
        for (const path of [
          'index.html',
          '',
          'runbook/',
          'runbook/index.html',
          'search/search_index.json',
          'techdocs_metadata.json',
        ]) {
          const res = await rawGet(`${docs}/shipment-api/${path}`, 'alice');
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
        }
        const page = await rawGet(`${docs}/shipment-api/index.html`, 'alice');
        expect(page.body).toContain('system of record for shipments');
        const hidden = await rawGet(`${docs}/shipment-api/index.html`, 'bob');
        expect(hidden.status).toBe(404);
      });

      const toShipmentApi = [
        '../shipment-api/index.html',
        '%2e%2e/shipment-api/index.html',
        '%2E%2E/shipment-api/index.html',
        '.%2e/shipment-api/index.html',
        '%2e./shipment-api/index.html',
        '..%2fshipment-api%2findex.html',
        '..%2Fshipment-api/index.html',
        '%2e%2e%2fshipment-api%2findex.html',
        '..%5cshipment-api%5cindex.html',
        '..\\shipment-api\\index.html',
        '%252e%252e/shipment-api/index.html',
        '..%252fshipment-api%252findex.html',
        '%25252e%25252e%25252fshipment-api/index.html',
        '%c0%ae%c0%ae/shipment-api/index.html',
        '%c0%af..%c0%afshipment-api/index.html',
        '..;/shipment-api/index.html',
        './../shipment-api/index.html',
        'index.html/../../shipment-api/index.html',
        'index.html%00/../../shipment-api/index.html',
        '..%00/shipment-api/index.html',
        '//../shipment-api/index.html',
        '../../component/shipment-api/index.html',
        '../../../default/component/shipment-api/index.html',
        '..%2f..%2f..%2fdefault%2fcomponent%2fshipment-api%2findex.html',
      ];
      const outsideDocs = [
        '../../../../secret.txt',
        '%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt',
        '..%2f..%2f..%2f..%2fsecret.txt',
        '%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fsecret.txt',
        '....//....//....//....//secret.txt',
        '/../../../../secret.txt',
        '%2fetc%2fpasswd',
        '..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
        '../../../../../../../../../../etc/passwd',
      ];

      it.each(toShipmentApi)(
        "never serves shipment-api's docs to bob through payment-gateway/%s",
        async sneaky => {
          const res = await rawGet(`${docs}/payment-gateway/${sneaky}`, 'bob');
          expect(res.body).not.toContain('system of record for shipments');
          expect({ sneaky, status: kindOf(res.status) }).toEqual({
            sneaky,
            status: '4xx',
          });
        },
      );

      it.each(outsideDocs)(
        'never serves a file outside the docs folder through an entity path and %s',
        async sneaky => {
          // alice reads shipment-api, whose docs are published; bob reads payment-gateway.
          for (const [user, entity] of [
            ['alice', 'shipment-api'],
            ['bob', 'payment-gateway'],
          ]) {
            const res = await rawGet(`${docs}/${entity}/${sneaky}`, user);
            expect(res.body).not.toContain('outside-the-docs-folder');
            expect(res.body).not.toMatch(/root:.*:0:0:/);
            expect({ sneaky, user, status: kindOf(res.status) }).toEqual({
              sneaky,
              user,
              status: '4xx',
            });
          }
        },
      );

      it.each([
        '/api/techdocs/static/docs/default/component/..%2f..%2f..%2fsecret.txt',
        '/api/techdocs/static/docs/%2e%2e/%2e%2e/%2e%2e/secret.txt',
        '/api/techdocs/static/docs/default/%2e%2e/%2e%2e/secret.txt',
        '/api/techdocs/static/docs/default/component/%2e%2e/component/shipment-api/index.html',
        '/api/techdocs/static/docs/default/component/shipment-api%2f..%2fpayment-gateway/index.html',
        '/api/techdocs/static/docs/default/component/payment-gateway%00/../shipment-api/index.html',
        '/api/techdocs/static/docs/default/component/SHIPMENT-API/index.html',
        '/api/techdocs/static/docs/default/component/shipment-api%20/index.html',
        '/api/techdocs/static/docs/./default/component/shipment-api/index.html',
        '/api/techdocs/static/docs/default//component/shipment-api/index.html',
        '/api/techdocs/static/docs//default/component/shipment-api/index.html',
        '/api/techdocs/static/docs/default/component//shipment-api/index.html',
        '/api/techdocs/static/docs/default/component/shipment-api//index.html',
        '/api/techdocs/static/docs/default/component/payment-gateway//../shipment-api/index.html',
        '/api/techdocs/static/docs/default/component/%2fshipment-api/index.html',
        '/api/techdocs/static/docs/default/component/payment-gateway/../../../default/component/shipment-api/index.html',
      ])(
        'never serves hidden docs or outside files to bob at %s',
        async path => {
          const res = await rawGet(path, 'bob');
          expect(res.body).not.toContain('system of record for shipments');
          expect(res.body).not.toContain('outside-the-docs-folder');
          expect({ path, status: kindOf(res.status) }).toEqual({
            path,
            status: '4xx',
          });
        },
      );
    });

    describe('locations outside backend.reading.allow', () => {
      const targets = () => [
        `http://127.0.0.1:${forbiddenPort}/catalog-info.yaml`,
        `http://localhost:${forbiddenPort}/catalog-info.yaml`,
        `http://localhost:7007@127.0.0.1:${forbiddenPort}/catalog-info.yaml`,
        `http://127.0.0.1:${forbiddenPort}/catalog-info.yaml#@localhost:7007`,
        `http://0x7f000001:${forbiddenPort}/catalog-info.yaml`,
        `http://[::1]:${forbiddenPort}/catalog-info.yaml`,
        `http://127.0.0.2:${forbiddenPort}/catalog-info.yaml`,
      ];

      it('refuses to register them with a 4xx naming the allowlist, and reads nothing', async () => {
        const answers = [];
        const expected = [];
        for (const target of targets()) {
          for (const user of ['alice', 'bob']) {
            for (const dryRun of ['false', 'true']) {
              const res = await as(user)(
                t
                  .http()
                  .post('/api/catalog/locations')
                  .query({ dryRun })
                  .send({ type: 'url', target }),
              );
              answers.push({
                target,
                user,
                dryRun,
                status: kindOf(res.status),
                namesAllowlist: /backend\.reading\.allow/.test(
                  res.body.error?.message,
                ),
              });
              expected.push({
                target,
                user,
                dryRun,
                status: '4xx',
                namesAllowlist: true,
              });
            }
          }
          const analyzed = await asAlice(
            t
              .http()
              .post('/api/catalog/analyze-location')
              .send({ location: { type: 'url', target } }),
          );
          // Analysis only suggests an entity from the URL; it reads nothing.
          answers.push({
            target,
            analyze: analyzed.status,
            existingEntityFiles: analyzed.body.existingEntityFiles,
          });
          expected.push({ target, analyze: 200, existingEntityFiles: [] });
        }
        expect(answers).toEqual(expected);

        const registered = await asAlice(
          t.http().get('/api/catalog/locations'),
        ).expect(200);
        const registeredTargets = (
          registered.body as Array<{ data: { target: string } }>
        ).map(l => l.data.target);
        expect(
          registeredTargets.filter(target =>
            target.includes(String(forbiddenPort)),
          ),
        ).toEqual([]);
        // Give a processing loop the chance to have read anything that slipped through.
        await new Promise(r => setTimeout(r, 3000));
        expect(forbiddenRequests).toEqual([]);
        await asAlice(
          t
            .http()
            .get('/api/catalog/entities/by-name/component/default/smuggled'),
        ).expect(404);
      });

      it('refuses file locations and other types from the API', async () => {
        const locations = [
          { type: 'file', target: '/etc/passwd' },
          { type: 'file', target: join(workDir, 'secret.txt') },
          { type: 'url', target: 'file:///etc/passwd' },
          { type: 'url', target: 'not a url' },
          { type: 'url', target: '' },
          { type: 'gopher', target: `gopher://127.0.0.1:${forbiddenPort}/x` },
        ];
        const answers = [];
        for (const location of locations) {
          const res = await asBob(
            t.http().post('/api/catalog/locations').send(location),
          );
          answers.push({
            location,
            status: kindOf(res.status),
            message: typeof res.body.error?.message,
          });
        }
        expect(answers).toEqual(
          locations.map(location => ({
            location,
            status: '4xx',
            message: 'string',
          })),
        );
        expect(forbiddenRequests).toEqual([]);
      });
    });
  },
);
