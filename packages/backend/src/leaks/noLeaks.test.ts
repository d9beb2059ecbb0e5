/*
 * With the owner-of policy on, every endpoint that can reveal a catalog entity shows each user
 * exactly what the rules let them read (__testUtils__/readableModel.ts, written independently of the policy),
 * and refuses the mutations the rules do not allow, leaving the entity unchanged.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import searchBackendModuleTechdocs from '@backstage/plugin-search-backend-module-techdocs';
import kubernetesBackend from '@backstage/plugin-kubernetes-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  StandInKubernetesApi,
  startStandInKubernetesApi,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import { techdocsModuleStaticPathGuard } from '@portico/plugin-backend-module-portico-guards';
import {
  AccessModel,
  DEMO_ADMIN_REFS,
  DEMO_USERS,
  PUBLIC_KINDS,
  accessOf,
  entityRef,
  hiddenNamesIn,
} from './__testUtils__/readableModel';

jest.setTimeout(600_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const DOCS = ['shipment-api', 'route-optimizer', 'payment-gateway'];
const KUBERNETES_IDS = [
  'shipment-api',
  'tracking-event-ingestor',
  'route-optimizer',
  'payment-gateway',
];

/** Search and mutations are checked for fewer users: each check is many requests. */
const SAMPLE_USERS = ['bob', 'carol', 'dave', 'priya', 'tomas'];

/** Runs the calls a few at a time. */
async function inBatches<T>(items: T[], call: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += 8) {
    await Promise.all(items.slice(i, i + 8).map(call));
  }
}

const quickSchedule = {
  // minutes: 0 overrides app-config's one-minute frequency, which would otherwise add to the seconds.
  frequency: { minutes: 0, seconds: 5 },
  timeout: { minutes: 2 },
  initialDelay: { seconds: 1 },
};

const sorted = (refs: Iterable<string>) => [...refs].sort();

/** The demo templates, one folder each, registered by one glob location. */
const demoTemplateCount = readdirSync(
  join(__dirname, '../../../../demo-data/templates'),
).length;
const namesIn = (entities: Array<Entity | null>) =>
  entities.flatMap(e => (e?.relations ?? []).map(r => r.targetRef));

describe.each(databases.eachSupportedId())(
  'what each user sees on %s',
  databaseId => {
    let t: UserScopedBackend;
    let cluster: StandInKubernetesApi;
    let publishDirectory: string;
    let everything: Entity[];
    const access = new Map<string, AccessModel>();

    const as = (user: string) => ({
      get: (path: string) =>
        t.http().get(path).set('authorization', userHeader(user)),
      post: (path: string, body: object) =>
        t.http().post(path).set('authorization', userHeader(user)).send(body),
      delete: (path: string) =>
        t.http().delete(path).set('authorization', userHeader(user)),
    });
    const asService = (path: string) =>
      t.http().get(path).set('authorization', mockCredentials.service.header());
    const allRefs = () => everything.map(entityRef);
    const readable = (user: string) => access.get(user)!.readable;
    const pathOf = (ref: string) => ref.replace(':', '/');

    beforeAll(async () => {
      execFileSync('mkdocs', ['--version'], { stdio: 'pipe' });
      publishDirectory = mkdtempSync(join(tmpdir(), 'portico-leaks-docs-'));
      const token = 'stand-in-token';
      cluster = await startStandInKubernetesApi({
        token,
        workloads: KUBERNETES_IDS.map(id => ({ id, namespace: 'harborline' })),
      });
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          catalogBackend,
          catalogBackendModuleScaffolderEntityModel,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionBackendModuleOwnerOf,
          techdocsBackend,
          techdocsModuleStaticPathGuard,
          searchBackend,
          searchBackendModulePg,
          searchBackendModuleCatalog,
          searchBackendModuleTechdocs,
          kubernetesBackend,
        ],
        overrides: {
          permission: { enabled: true, adminRefs: DEMO_ADMIN_REFS },
          techdocs: {
            publisher: { type: 'local', local: { publishDirectory } },
          },
          search: {
            collators: {
              catalog: { schedule: quickSchedule },
              techdocs: { schedule: quickSchedule },
            },
          },
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'harborline-dev',
                    url: cluster.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: token,
                    skipTLSVerify: true,
                  },
                ],
              },
            ],
          },
        },
      });

      // The whole demo catalog, as a service sees it.
      everything = await eventually(async () => {
        const res = await asService('/api/catalog/entities').expect(200);
        const entities = res.body as Entity[];
        const kinds = new Set(entities.map(e => e.kind));
        for (const kind of ['User', 'Group', 'Component', 'API', 'Template']) {
          if (!kinds.has(kind)) throw new Error(`no ${kind} yet`);
        }
        if (entities.filter(e => e.kind === 'Component').length < 20) {
          throw new Error('components still arriving');
        }
        // Every template under demo-data/templates, which its location's glob finds last.
        const templates = entities.filter(e => e.kind === 'Template').length;
        if (templates < demoTemplateCount) {
          throw new Error(`${templates} of ${demoTemplateCount} templates`);
        }
        return entities;
      }, 180_000);
      // Nothing still arriving: the same catalog twice, a few seconds apart.
      everything = await eventually(async () => {
        await new Promise(resolve => setTimeout(resolve, 3000));
        const res = await asService('/api/catalog/entities').expect(200);
        const entities = res.body as Entity[];
        const now = sorted(entities.map(entityRef)).join(' ');
        if (now !== sorted(everything.map(entityRef)).join(' ')) {
          everything = entities;
          throw new Error('entities still arriving');
        }
        return entities;
      }, 120_000);
      for (const user of DEMO_USERS) {
        access.set(user, accessOf(user, everything, DEMO_ADMIN_REFS));
      }

      // TechDocs build on first view: build every demo site, so pages and the index exist.
      for (const name of DOCS) {
        await eventually(async () => {
          const sync = await as('alice')
            .get(`/api/techdocs/sync/default/component/${name}`)
            .buffer(true)
            .parse((res, callback) => {
              let text = '';
              res.on('data', chunk => (text += chunk));
              res.on('end', () => callback(null, text));
            })
            .expect(200);
          if (!String(sync.body).includes('event: finish')) {
            throw new Error(`TechDocs build of ${name} did not finish`);
          }
        }, 180_000);
      }
      // Search holds every entity and every docs site.
      await eventually(async () => {
        for (const name of DOCS) {
          const res = await as('alice')
            .get('/api/search/query')
            .query({ term: name.replace(/-/g, ' '), types: ['techdocs'] })
            .expect(200);
          if (res.body.results.length === 0) {
            throw new Error(`docs of ${name} are not indexed yet`);
          }
        }
      }, 180_000);
    });

    afterAll(async () => {
      await t?.backend.stop();
      await cluster?.close();
      if (publishDirectory) {
        rmSync(publishDirectory, { recursive: true, force: true });
      }
    });

    it('the rules give the users different, non-trivial views', () => {
      expect(readable('alice').size).toBe(everything.length);
      // The org chart and templates are public; the software is what the rules divide.
      const software = (refs: Iterable<string>) =>
        [...refs].filter(ref => !PUBLIC_KINDS.includes(ref.split(':')[0]));
      for (const user of DEMO_USERS.filter(u => u !== 'alice')) {
        expect(software(readable(user)).length).toBeGreaterThan(0);
        expect(software(readable(user)).length).toBeLessThan(
          software(allRefs()).length / 2,
        );
      }
      expect(
        readable('dave').has('component:default/freight-analytics-pipeline'),
      ).toBe(true);
      expect(
        readable('carol').has('component:default/incident-status-page'),
      ).toBe(true);
      expect(readable('priya').has('component:default/payment-gateway')).toBe(
        true,
      );
      expect(readable('tomas').has('component:default/payment-gateway')).toBe(
        false,
      );
    });

    it("shows a granted entity's owner and system, named in its spec, though the system is hidden", async () => {
      const ref = 'component:default/freight-analytics-pipeline';
      expect(readable('dave').has(ref)).toBe(true);
      expect(readable('dave').has('system:default/data-platform')).toBe(false);
      const res = await as('dave')
        .get(`/api/catalog/entities/by-name/${pathOf(ref)}`)
        .expect(200);
      const relations = (res.body as Entity).relations!.map(
        r => `${r.type} ${r.targetRef}`,
      );
      expect(relations).toEqual(
        expect.arrayContaining([
          'ownedBy group:default/data-team',
          'partOf system:default/data-platform',
        ]),
      );
      // The system itself stays hidden, like one that does not exist.
      await as('dave')
        .get('/api/catalog/entities/by-name/system/default/data-platform')
        .expect(404);
    });

    it.each(DEMO_USERS)(
      'shows %s exactly their entities in every catalog read',
      async user => {
        const expected = sorted(readable(user));
        const api = as(user);

        const list = await api.get('/api/catalog/entities').expect(200);
        expect(sorted((list.body as Entity[]).map(entityRef))).toEqual(
          expected,
        );

        // by-query, every page.
        const paged: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const res = await api
            .get('/api/catalog/entities/by-query')
            .query(cursor ? { cursor, limit: 7 } : { limit: 7 })
            .expect(200);
          expect(res.body.totalItems).toBe(expected.length);
          paged.push(...(res.body.items as Entity[]).map(entityRef));
          cursor = res.body.pageInfo.nextCursor;
          pages++;
        } while (cursor && pages < 100);
        expect(paged).toHaveLength(expected.length);
        expect(sorted(paged)).toEqual(expected);

        const byRefs = await api
          .post('/api/catalog/entities/by-refs', { entityRefs: allRefs() })
          .expect(200);
        expect(
          sorted(
            (byRefs.body.items as Array<Entity | null>)
              .filter((e): e is Entity => e !== null)
              .map(entityRef),
          ),
        ).toEqual(expected);

        const facets = await api
          .get('/api/catalog/entity-facets')
          .query({ facet: ['kind', 'spec.type', 'spec.lifecycle'] })
          .expect(200);
        const visible = everything.filter(e =>
          readable(user).has(entityRef(e)),
        );
        const countsOf = (values: Array<string | undefined>) => {
          const counts: Record<string, number> = {};
          for (const v of values) {
            if (typeof v === 'string') counts[v] = (counts[v] ?? 0) + 1;
          }
          return counts;
        };
        const facetCounts = (field: string) =>
          Object.fromEntries(
            (
              facets.body.facets[field] as Array<{
                value: string;
                count: number;
              }>
            ).map(f => [f.value, f.count]),
          );
        expect(facetCounts('kind')).toEqual(countsOf(visible.map(e => e.kind)));
        expect(facetCounts('spec.type')).toEqual(
          countsOf(visible.map(e => e.spec?.type as string | undefined)),
        );
        expect(facetCounts('spec.lifecycle')).toEqual(
          countsOf(visible.map(e => e.spec?.lifecycle as string | undefined)),
        );

        const received: Entity[] = [
          ...list.body,
          ...byRefs.body.items.filter(Boolean),
        ];
        const statuses: Array<{
          ref: string;
          byName: number;
          ancestry: number;
        }> = [];
        const ancestors: string[] = [];
        const hiddenBodies: string[] = [];
        await inBatches(allRefs(), async ref => {
          const byName = await api.get(
            `/api/catalog/entities/by-name/${pathOf(ref)}`,
          );
          const ancestry = await api.get(
            `/api/catalog/entities/by-name/${pathOf(ref)}/ancestry`,
          );
          statuses.push({
            ref,
            byName: byName.status,
            ancestry: ancestry.status,
          });
          if (byName.status === 200) received.push(byName.body);
          else hiddenBodies.push(byName.text, ancestry.text);
          for (const item of ancestry.body.items ?? []) {
            received.push(item.entity);
            ancestors.push(entityRef(item.entity), ...item.parentEntityRefs);
          }
        });
        expect(sorted(statuses.map(s => JSON.stringify(s)))).toEqual(
          sorted(
            allRefs().map(ref => {
              const status = readable(user).has(ref) ? 200 : 404;
              return JSON.stringify({ ref, byName: status, ancestry: status });
            }),
          ),
        );
        expect(ancestors.length).toBeGreaterThan(0);
        expect(ancestors.filter(ref => !readable(user).has(ref))).toEqual([]);
        expect(hiddenBodies.filter(text => text.includes('"uid"'))).toEqual([]);

        // An entity that does not exist answers the same as a hidden one.
        const missing = 'component/default/no-such-entity';
        expect(
          (await api.get(`/api/catalog/entities/by-name/${missing}`)).status,
        ).toBe(404);
        expect(
          (await api.get(`/api/catalog/entities/by-name/${missing}/ancestry`))
            .status,
        ).toBe(404);

        // What the entities received name (the catalog graph draws these): readable entities only,
        // besides the owner and system an entity's own spec names.
        const named = [...new Set(namesIn(received))];
        expect(named.length).toBeGreaterThan(0);
        expect([...new Set(hiddenNamesIn(received, readable(user)))]).toEqual(
          [],
        );
      },
    );

    it('finds for each user, in search, exactly the readable entities and docs', async () => {
      // The name of every entity users own or are granted, and words from every docs site.
      const terms = [
        ...new Set([
          ...everything
            .filter(e => !['User', 'Group', 'Location'].includes(e.kind))
            .map(e => e.metadata.name.replace(/-/g, ' ')),
          'runbook',
          'architecture',
          'overview',
        ]),
      ];
      const found = async (user: string) => {
        const refs = new Set<string>();
        await inBatches(terms, async term => {
          const res = await as(user)
            .get('/api/search/query')
            .query({ term, pageLimit: 100 })
            .expect(200);
          for (const { type, document } of res.body.results) {
            const match = /\/(?:catalog|docs)\/([^/]+)\/([^/]+)\/([^/]+)/.exec(
              document.location,
            );
            expect([type, document.location, match !== null]).toEqual([
              type,
              document.location,
              true,
            ]);
            const [, namespace, kind, name] = match!;
            refs.add(`${kind}:${namespace}/${name}`.toLowerCase());
          }
        });
        return refs;
      };
      // The catalog collator may still be indexing what arrived after its first run.
      const components = everything
        .filter(e => e.kind === 'Component')
        .map(entityRef);
      const forAdmin = await eventually(async () => {
        const refs = await found('alice');
        const missing = components.filter(r => !refs.has(r));
        if (missing.length > 0) {
          throw new Error(`not found in search yet: ${missing.join(', ')}`);
        }
        return refs;
      }, 120_000);
      for (const user of SAMPLE_USERS) {
        const expected = sorted(
          [...forAdmin].filter(r => readable(user).has(r)),
        );
        expect([user, sorted(await found(user))]).toEqual([user, expected]);
      }
    });

    it('serves TechDocs pages and metadata only to users who may read the entity', async () => {
      const actual: string[] = [];
      const expected: string[] = [];
      const leaked: string[] = [];
      for (const user of DEMO_USERS) {
        for (const name of DOCS) {
          const ref = `component:default/${name}`;
          const api = as(user);
          const responses = await Promise.all([
            api.get(
              `/api/techdocs/static/docs/default/component/${name}/index.html`,
            ),
            api.get(
              `/api/techdocs/metadata/techdocs/default/component/${name}`,
            ),
            api.get(`/api/techdocs/metadata/entity/default/component/${name}`),
          ]);
          const allowed = readable(user).has(ref);
          actual.push(`${user} ${name} ${responses.map(r => r.status)}`);
          expected.push(
            `${user} ${name} ${allowed ? '200,200,200' : '404,404,404'}`,
          );
          if (allowed) {
            // The entity the docs reader shows names only what the user may read.
            const entity = responses[2].body as Entity;
            leaked.push(...hiddenNamesIn([entity], readable(user)));
          } else {
            leaked.push(
              ...responses
                .map(r => r.text)
                .filter(
                  text =>
                    text.includes('<h1') || text.includes('build_timestamp'),
                ),
            );
          }
        }
      }
      expect(actual).toEqual(expected);
      expect(leaked).toEqual([]);
    });

    it('shows Kubernetes workloads only of entities the user may read', async () => {
      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        for (const id of KUBERNETES_IDS) {
          const res = await as(user).post(`/api/kubernetes/services/${id}`, {
            entity: {
              kind: 'Component',
              metadata: { name: id, namespace: 'default' },
            },
          });
          const showsPods = JSON.stringify(res.body).includes(`${id}-`);
          actual.push(`${user} ${id} ${res.status} pods:${showsPods}`);
          expected.push(
            readable(user).has(`component:default/${id}`)
              ? `${user} ${id} 200 pods:true`
              : `${user} ${id} 403 pods:false`,
          );
        }
      }
      expect(actual).toEqual(expected);
    });

    it('refuses the deletes and refreshes the rules do not allow, leaving the entity unchanged', async () => {
      const before = new Map(everything.map(e => [entityRef(e), e]));
      const refused: string[] = [];
      const attempted: string[] = [];
      for (const user of SAMPLE_USERS) {
        const { deletable, refreshable } = access.get(user)!;
        await inBatches([...before], async ([ref, entity]) => {
          if (!refreshable.has(ref)) {
            const res = await as(user).post('/api/catalog/refresh', {
              entityRef: ref,
            });
            attempted.push(`${user} refresh ${ref} 403`);
            refused.push(`${user} refresh ${ref} ${res.status}`);
          }
          if (!deletable.has(ref)) {
            const res = await as(user).delete(
              `/api/catalog/entities/by-uid/${entity.metadata.uid}`,
            );
            attempted.push(`${user} delete ${ref} 403`);
            refused.push(`${user} delete ${ref} ${res.status}`);
          }
        });
      }
      expect(attempted.length).toBeGreaterThan(SAMPLE_USERS.length * 50);
      expect(sorted(refused)).toEqual(sorted(attempted));
      const after = await asService('/api/catalog/entities').expect(200);
      expect(
        sorted(
          (after.body as Entity[]).map(
            e => `${entityRef(e)} ${e.metadata.uid} ${e.metadata.etag}`,
          ),
        ),
      ).toEqual(
        sorted(
          everything.map(
            e => `${entityRef(e)} ${e.metadata.uid} ${e.metadata.etag}`,
          ),
        ),
      );

      // What the rules allow goes through: dave refreshes his grant, bob deletes his team's library.
      await as('dave')
        .post('/api/catalog/refresh', {
          entityRef: 'component:default/freight-analytics-pipeline',
        })
        .expect(200);
      const library = before.get('component:default/payments-sdk-ts')!;
      expect(
        access.get('bob')!.deletable.has('component:default/payments-sdk-ts'),
      ).toBe(true);
      await as('bob')
        .delete(`/api/catalog/entities/by-uid/${library.metadata.uid}`)
        .expect(204);
    });
  },
);
