import {
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
} from '@backstage/plugin-catalog-common/alpha';
import { eventually, userHeader } from '@portico/test-utils';
import {
  OwnerOfTestBackend,
  serviceHeader,
  startOwnerOfBackend,
} from './__testUtils__/testBackend';
import { harborlineOrg, toCatalogFile } from './__testUtils__/harborlineOrg';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ref = (kindAndName: string) =>
  stringifyEntityRef(
    parseEntityRef(kindAndName, { defaultNamespace: 'default' }),
  );

const ORG_REFS = harborlineOrg().map(e => stringifyEntityRef(e));

/** Whether a relation is the `ownedBy` of `spec.owner` or the `partOf` of `spec.system`. */
function isSelfNamed(
  entity: Entity,
  relation: { type: string; targetRef: string },
): boolean {
  const namespace = entity.metadata.namespace ?? 'default';
  const named = (value: unknown, defaultKind: string) =>
    typeof value === 'string' &&
    stringifyEntityRef(
      parseEntityRef(value, { defaultKind, defaultNamespace: namespace }),
    ) === relation.targetRef;
  return (
    (relation.type === 'ownedBy' && named(entity.spec?.owner, 'group')) ||
    (relation.type === 'partOf' && named(entity.spec?.system, 'system'))
  );
}

/** What each user may read, written out by hand from the org. */
const EXPECTED_READ: Record<string, string[]> = {
  carol: [
    'component:route-planner',
    'component:depot-sync',
    'component:scratch-service',
    'api:fleet-api',
    'template:new-service',
    'user:carol',
    'group:routing-squad',
    'group:logistics-team',
    'group:logistics',
    'group:harborline',
  ],
  lena: [
    'component:depot-sync',
    'api:fleet-api',
    'template:new-service',
    'user:lena',
    'group:logistics-team',
    'group:logistics',
    'group:harborline',
  ],
  dana: ['component:route-planner', 'template:new-service', 'user:dana'],
  sven: [
    'component:route-planner',
    'template:new-service',
    'user:sven',
    'group:support',
    'group:harborline',
  ],
  oscar: [
    'component:marketing-site',
    'template:new-service',
    'user:oscar',
    'group:marketing',
    'group:harborline',
  ],
};

describe.each(databases.eachSupportedId())(
  'owner-of policy on %s',
  databaseId => {
    const directory = createMockDirectory();
    let t: OwnerOfTestBackend;
    let allRefs: string[];

    const http = () => t.http();

    async function visibleRefs(header: string): Promise<string[]> {
      const res = await http()
        .get('/api/catalog/entities/by-query')
        .query({ limit: 1000, fields: 'kind,metadata.namespace,metadata.name' })
        .set('Authorization', header);
      expect(res.status).toBe(200);
      expect(res.body.pageInfo.nextCursor).toBeUndefined();
      return res.body.items.map((e: Entity) => stringifyEntityRef(e)).sort();
    }

    async function readableByRefs(header: string): Promise<string[]> {
      const res = await http()
        .post('/api/catalog/entities/by-refs')
        .set('Authorization', header)
        .send({ entityRefs: allRefs, fields: ['kind', 'metadata'] });
      expect(res.status).toBe(200);
      return (res.body.items as Array<Entity | null>)
        .filter((e): e is Entity => e !== null)
        .map(e => stringifyEntityRef(e))
        .sort();
    }

    async function facetTotal(header: string): Promise<number> {
      const res = await http()
        .get('/api/catalog/entity-facets')
        .query({ facet: 'kind' })
        .set('Authorization', header);
      expect(res.status).toBe(200);
      return res.body.facets.kind.reduce(
        (sum: number, f: { count: number }) => sum + f.count,
        0,
      );
    }

    async function byName(header: string, entityRef: string) {
      const { kind, namespace, name } = parseEntityRef(entityRef);
      return http()
        .get(`/api/catalog/entities/by-name/${kind}/${namespace}/${name}`)
        .set('Authorization', header);
    }

    async function uidOf(entityRef: string): Promise<string> {
      const res = await byName(serviceHeader(), entityRef);
      expect(res.status).toBe(200);
      return res.body.metadata.uid;
    }

    async function authorize(
      header: string,
      items: Array<{ permission: object; resourceRef: string }>,
    ): Promise<string[]> {
      const res = await http()
        .post('/api/permission/authorize')
        .set('Authorization', header)
        .send({ items: items.map((item, i) => ({ id: String(i), ...item })) });
      expect(res.status).toBe(200);
      return res.body.items.map((i: { result: string }) => i.result);
    }

    function deniedAuditEvents() {
      return t.auditor.createEvent.mock.calls
        .map(([options]) => options)
        .filter(options => options.eventId === 'access-denied');
    }

    /** The catalog's own failed events of one kind: their meta, caller and error. */
    async function catalogFailures(eventId: string) {
      const { calls, results } = t.auditor.createEvent.mock;
      const failures = [];
      for (const [index, [options]] of calls.entries()) {
        if (options.eventId !== eventId) continue;
        const event = await results[index].value;
        for (const [failure] of event.fail.mock.calls) {
          failures.push({
            meta: options.meta,
            authorization: options.request?.headers.authorization,
            error: (failure.error as Error | undefined)?.name,
          });
        }
      }
      return failures;
    }

    beforeAll(async () => {
      directory.setContent({ 'org.yaml': toCatalogFile(harborlineOrg()) });
      t = await startOwnerOfBackend({
        databases,
        databaseId,
        config: {
          permission: {
            enabled: true,
            adminRefs: ['user:default/alice', 'group:default/platform-team'],
            ownerOf: { membershipRefresh: '1s' },
          },
          catalog: {
            locations: [
              { type: 'file', target: directory.resolve('org.yaml') },
            ],
            rules: [
              {
                allow: [
                  'Component',
                  'API',
                  'Group',
                  'User',
                  'Template',
                  'Location',
                ],
              },
            ],
          },
        },
      });
      allRefs = await eventually(
        async () => {
          const refs = await visibleRefs(serviceHeader());
          const missing = ORG_REFS.filter(r => !refs.includes(r));
          if (missing.length > 0) {
            throw new Error(`Not ingested yet: ${missing.join(', ')}`);
          }
          return refs;
        },
        { timeoutMs: 90_000 },
      );
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('ingests an entity with bad grants and reports them in its status', async () => {
      // Services see the access relations; users never do (see below).
      const res = await byName(serviceHeader(), 'component:default/depot-sync');
      expect(res.status).toBe(200);
      expect(res.body.status.items).toEqual([
        expect.objectContaining({
          type: 'backstage.io/catalog-processing',
          level: 'error',
          message: expect.stringContaining(
            "'backstage.tanzu.vmware.com/team.support'",
          ),
        }),
        expect.objectContaining({
          type: 'backstage.io/catalog-processing',
          level: 'error',
          message: expect.stringContaining(
            "unknown permission 'catalog.entities.read'",
          ),
        }),
      ]);
      expect(res.body.relations).toEqual(
        expect.arrayContaining([
          { type: 'readableBy', targetRef: 'group:default/logistics-team' },
          { type: 'deletableBy', targetRef: 'group:default/logistics-team' },
          { type: 'refreshableBy', targetRef: 'group:default/logistics-team' },
        ]),
      );
      expect(
        res.body.relations.filter((r: { targetRef: string }) =>
          r.targetRef.includes('support'),
        ),
      ).toEqual([]);
    });

    it('gives services and admins (by user ref or through a group) everything', async () => {
      for (const header of [
        serviceHeader(),
        userHeader('user:default/alice'),
        userHeader('user:default/pete'),
      ]) {
        expect(await visibleRefs(header)).toEqual(allRefs);
        expect(await facetTotal(header)).toBe(allRefs.length);
      }
    });

    it.each(Object.keys(EXPECTED_READ))(
      'shows %s exactly their entities in lists, by-refs, facets and by-name',
      async name => {
        const header = userHeader(`user:default/${name}`);
        const expected = EXPECTED_READ[name].map(ref).sort();
        expect(await visibleRefs(header)).toEqual(expected);
        expect(await readableByRefs(header)).toEqual(expected);
        expect(await facetTotal(header)).toBe(expected.length);
        for (const entityRef of allRefs) {
          const res = await byName(header, entityRef);
          expect([entityRef, res.status]).toEqual([
            entityRef,
            expected.includes(entityRef) ? 200 : 404,
          ]);
        }
        // Single-entity checks (rule apply) agree with the lists (rule toQuery).
        const results = await authorize(
          header,
          allRefs.map(resourceRef => ({
            permission: catalogEntityReadPermission,
            resourceRef,
          })),
        );
        expect(allRefs.filter((_, i) => results[i] === 'ALLOW').sort()).toEqual(
          expected,
        );
      },
    );

    it.each(Object.keys(EXPECTED_READ))(
      'names to %s no entity they may not read, in relations, ancestry or facets',
      async name => {
        const header = userHeader(`user:default/${name}`);
        const expected = new Set(EXPECTED_READ[name].map(ref));
        // Relation targets, except the owner and system the entity's own spec names: its reader
        // sees those refs in the spec anyway, so the catalog module keeps their relations.
        const named = (entities: Array<Entity | null>) =>
          entities.flatMap(e =>
            (e?.relations ?? [])
              .filter(r => !isSelfNamed(e!, r))
              .map(r => r.targetRef),
          );

        const list = await http()
          .get('/api/catalog/entities')
          .set('Authorization', header);
        const page = await http()
          .get('/api/catalog/entities/by-query')
          .query({ limit: 1000 })
          .set('Authorization', header);
        const byRefs = await http()
          .post('/api/catalog/entities/by-refs')
          .set('Authorization', header)
          .send({ entityRefs: allRefs });
        const single = await Promise.all(
          [...expected].map(entityRef => byName(header, entityRef)),
        );
        const ancestry = await Promise.all(
          [...expected].map(entityRef => {
            const { kind, namespace, name: n } = parseEntityRef(entityRef);
            return http()
              .get(
                `/api/catalog/entities/by-name/${kind}/${namespace}/${n}/ancestry`,
              )
              .set('Authorization', header);
          }),
        );
        const facets = await http()
          .get('/api/catalog/entity-facets')
          .query({ facet: ['relations.ownedBy', 'relations.readableBy'] })
          .set('Authorization', header);

        const seen: Record<string, string[]> = {
          list: named(list.body),
          'by-query': named(page.body.items),
          'by-refs': named(byRefs.body.items),
          'by-name': named(single.map(r => r.body)),
          ancestry: ancestry.flatMap(r =>
            r.body.items.flatMap(
              (i: { entity: Entity; parentEntityRefs: string[] }) => [
                stringifyEntityRef(i.entity),
                ...i.parentEntityRefs,
                ...named([i.entity]),
              ],
            ),
          ),
          facets: Object.values(
            facets.body.facets as Record<string, Array<{ value: string }>>,
          ).flatMap(values => values.map(v => v.value)),
        };
        // Every route answered. A reader of granted entities only may find nothing named in some
        // of them besides the spec's own owner (access relations never reach users), but the
        // ancestry chains always name something.
        for (const res of [
          list,
          page,
          byRefs,
          facets,
          ...single,
          ...ancestry,
        ]) {
          expect(res.status).toBe(200);
        }
        expect(seen.ancestry.length).toBeGreaterThan(0);
        const hidden = Object.fromEntries(
          Object.entries(seen)
            .map(([where, refs]) => [
              where,
              [...new Set(refs)].filter(r => !expected.has(r)),
            ])
            .filter(([, refs]) => refs.length > 0),
        );
        expect(hidden).toEqual({});
      },
    );

    it('keeps every relation for services, and sends users none of the access relations', async () => {
      const accessRelations = [
        { type: 'readableBy', targetRef: 'user:default/dana' },
        { type: 'readableBy', targetRef: 'group:default/support' },
      ];
      const forService = await byName(
        serviceHeader(),
        'component:default/route-planner',
      );
      expect(forService.body.relations).toEqual(
        expect.arrayContaining([
          { type: 'ownedBy', targetRef: 'group:default/routing-squad' },
          ...accessRelations,
        ]),
      );
      const isAccessRelation = (r: { type: string }) =>
        ['readableBy', 'deletableBy', 'refreshableBy'].includes(r.type);
      // The admin reads every entity, so every other relation stays.
      const forAdmin = await byName(
        userHeader('user:default/alice'),
        'component:default/route-planner',
      );
      expect(forAdmin.body.relations).toEqual(
        forService.body.relations.filter(
          (r: { type: string }) => !isAccessRelation(r),
        ),
      );
      // dana reads route-planner through a grant: she sees who owns it (its spec names the
      // owner), and nothing of the other grantees.
      const forDana = await byName(
        userHeader('user:default/dana'),
        'component:default/route-planner',
      );
      expect(forDana.status).toBe(200);
      expect(forDana.body.relations).toEqual([
        { type: 'ownedBy', targetRef: 'group:default/routing-squad' },
      ]);
    });

    it('refuses unauthenticated callers', async () => {
      expect((await http().get('/api/catalog/entities/by-query')).status).toBe(
        401,
      );
      expect(
        (
          await http()
            .post('/api/catalog/entities/by-refs')
            .send({ entityRefs: allRefs })
        ).status,
      ).toBe(401);
      expect(
        (
          await http()
            .get('/api/catalog/entity-facets')
            .query({ facet: 'kind' })
        ).status,
      ).toBe(401);
      expect(
        (
          await http().get(
            '/api/catalog/entities/by-name/component/default/route-planner',
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await http()
            .get('/api/permission/owner-of/explain')
            .query({ entityRef: 'component:route-planner' })
        ).status,
      ).toBe(401);
    });

    it('lets nested owners and refresh grantees refresh, nobody else', async () => {
      const refresh = (user: string, entityRef: string) =>
        http()
          .post('/api/catalog/refresh')
          .set('Authorization', userHeader(`user:default/${user}`))
          .send({ entityRef });
      expect(
        (await refresh('carol', 'component:default/route-planner')).status,
      ).toBe(200);
      expect((await refresh('carol', 'api:default/fleet-api')).status).toBe(
        200,
      );
      // catalog.entity.update is Tanzu's name for refresh
      expect(
        (await refresh('sven', 'component:default/route-planner')).status,
      ).toBe(200);
      expect(
        (await refresh('dana', 'component:default/route-planner')).status,
      ).toBe(403);
      expect(
        (await refresh('sven', 'component:default/depot-sync')).status,
      ).toBe(403);
      expect(
        (await refresh('oscar', 'component:default/route-planner')).status,
      ).toBe(403);
      expect(
        (await refresh('pete', 'component:default/marketing-site')).status,
      ).toBe(200);

      // The catalog's own event names the caller and the entity.
      await eventually(async () => {
        expect(await catalogFailures('entity-mutate')).toEqual(
          expect.arrayContaining([
            {
              meta: {
                queryType: 'refresh',
                entityRef: 'component:default/route-planner',
              },
              authorization: userHeader('user:default/dana'),
              error: 'NotAllowedError',
            },
          ]),
        );
      });
    });

    it('lets only owners and delete grantees delete, and audits refusals', async () => {
      const routePlanner = await uidOf('component:default/route-planner');
      for (const user of ['oscar', 'dana', 'sven']) {
        const res = await http()
          .delete(`/api/catalog/entities/by-uid/${routePlanner}`)
          .set('Authorization', userHeader(`user:default/${user}`));
        expect([user, res.status]).toEqual([user, 403]);
      }
      await eventually(async () => {
        expect(
          deniedAuditEvents()
            .filter(e => e.meta?.permission === 'catalog.entity.delete')
            .map(e => e.meta),
        ).toEqual(
          expect.arrayContaining(
            ['oscar', 'dana', 'sven'].map(user => ({
              actor: `user:default/${user}`,
              permission: 'catalog.entity.delete',
              resourceRef: 'component:default/route-planner',
            })),
          ),
        );
      });

      const scratch = await uidOf('component:default/scratch-service');
      const res = await http()
        .delete(`/api/catalog/entities/by-uid/${scratch}`)
        .set('Authorization', userHeader('user:default/carol'));
      expect(res.status).toBe(204);
      expect(
        (await byName(serviceHeader(), 'component:default/scratch-service'))
          .status,
      ).toBe(404);
    });

    it('keeps locations for admins', async () => {
      directory.addContent({
        'extra.yaml': toCatalogFile([
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'harbor-ops-runbook' },
            spec: {
              type: 'documentation',
              lifecycle: 'production',
              owner: 'platform-team',
            },
          },
        ]),
      });
      const location = {
        type: 'file',
        target: directory.resolve('extra.yaml'),
      };
      const as = (user: string) => userHeader(`user:default/${user}`);

      const refused = await http()
        .post('/api/catalog/locations')
        .set('Authorization', as('carol'))
        .send(location);
      expect(refused.status).toBe(403);
      const created = await http()
        .post('/api/catalog/locations')
        .set('Authorization', as('alice'))
        .send(location);
      expect(created.status).toBe(201);
      const id = created.body.location.id;

      const list = async (user: string) =>
        (
          await http()
            .get('/api/catalog/locations')
            .set('Authorization', as(user))
        ).body;
      expect(await list('carol')).toEqual([]);
      expect(await list('alice')).toEqual([
        { data: expect.objectContaining({ id, ...location }) },
      ]);

      const removal = await http()
        .delete(`/api/catalog/locations/${id}`)
        .set('Authorization', as('carol'));
      expect(removal.status).toBe(403);

      await eventually(async () => {
        // The catalog's own event names the caller and the location created...
        expect(await catalogFailures('location-mutate')).toEqual(
          expect.arrayContaining([
            {
              meta: {
                actionType: 'create',
                location,
                isDryRun: false,
              },
              authorization: as('carol'),
              error: 'NotAllowedError',
            },
          ]),
        );
        // ... but only the id of the location deleted: the module names it.
        expect(
          deniedAuditEvents()
            .map(e => e.meta)
            .filter(meta => meta?.resourceRef === `file:${location.target}`),
        ).toEqual([
          {
            actor: 'user:default/carol',
            permission: 'catalog.location.delete',
            resourceRef: `file:${location.target}`,
          },
        ]);
      });
    });

    it('answers single-entity delete and refresh checks like the policy says', async () => {
      const refs = [
        'component:default/route-planner',
        'component:default/depot-sync',
      ];
      const items = refs.flatMap(resourceRef => [
        { permission: catalogEntityDeletePermission, resourceRef },
        { permission: catalogEntityRefreshPermission, resourceRef },
      ]);
      expect(await authorize(userHeader('user:default/lena'), items)).toEqual([
        'DENY',
        'DENY',
        'ALLOW',
        'ALLOW',
      ]);
      expect(await authorize(userHeader('user:default/sven'), items)).toEqual([
        'DENY',
        'ALLOW',
        'DENY',
        'DENY',
      ]);
    });

    it('explains access with the owner chain and grant annotations', async () => {
      const explain = (user: string, query: Record<string, string>) =>
        http()
          .get('/api/permission/owner-of/explain')
          .query(query)
          .set('Authorization', userHeader(`user:default/${user}`));

      const carol = await explain('carol', {
        entityRef: 'api:default/fleet-api',
      });
      expect(carol.status).toBe(200);
      expect(carol.body.actions.read).toEqual({
        allowed: true,
        grants: [
          {
            rule: 'owner',
            subjectRef: 'group:default/logistics',
            via: [
              'user:default/carol',
              'group:default/routing-squad',
              'group:default/logistics-team',
              'group:default/logistics',
            ],
          },
        ],
        reason: expect.stringContaining(
          'user:default/carol → group:default/routing-squad → group:default/logistics-team → group:default/logistics (owner)',
        ),
      });

      const sven = await explain('sven', {
        entityRef: 'component:route-planner',
      });
      expect(sven.body.actions.refresh.grants).toEqual([
        expect.objectContaining({
          rule: 'annotation',
          annotation: 'backstage.tanzu.vmware.com/group.support',
          via: ['user:default/sven', 'group:default/support'],
        }),
      ]);
      expect(sven.body.actions.delete.allowed).toBe(false);

      // Non-admins may not ask about others, nor about entities hidden from them.
      expect(
        (
          await explain('carol', {
            entityRef: 'api:fleet-api',
            userRef: 'oscar',
          })
        ).status,
      ).toBe(403);
      expect(
        (await explain('carol', { entityRef: 'component:billing-service' }))
          .status,
      ).toBe(404);

      const admin = await explain('alice', {
        entityRef: 'component:depot-sync',
        userRef: 'user:default/sven',
      });
      expect(admin.status).toBe(200);
      expect(admin.body.actions.read.allowed).toBe(false);
      expect(admin.body.grantProblems).toHaveLength(2);

      const service = await http()
        .get('/api/permission/owner-of/explain')
        .query({ entityRef: 'component:route-planner', userRef: 'pete' })
        .set('Authorization', serviceHeader());
      expect(service.body.admin).toEqual({
        ref: 'group:default/platform-team',
        via: ['user:default/pete', 'group:default/platform-team'],
      });
    });

    it('applies a membership change within the refresh interval, with the same token', async () => {
      const oscar = userHeader('user:default/oscar');
      expect(await visibleRefs(oscar)).not.toContain(
        'component:default/route-planner',
      );

      directory.setContent({
        'org.yaml': toCatalogFile(
          harborlineOrg({ oscarGroups: ['routing-squad'] }),
        ),
      });
      const refreshed = await http()
        .post('/api/catalog/refresh')
        .set('Authorization', serviceHeader())
        .send({ entityRef: 'user:default/oscar' });
      expect(refreshed.status).toBe(200);

      // The moment the catalog has the new membership ...
      await eventually(
        async () => {
          const res = await byName(serviceHeader(), 'user:default/oscar');
          expect(res.body.relations).toContainEqual({
            type: 'memberOf',
            targetRef: 'group:default/routing-squad',
          });
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const inCatalogAt = Date.now();

      // ... decisions follow within the 1 s refresh, without a new sign-in.
      await eventually(
        async () => {
          const refs = await visibleRefs(oscar);
          expect(refs).toContain('component:default/route-planner');
          expect(refs).not.toContain('component:default/marketing-site');
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(Date.now() - inCatalogAt).toBeLessThan(3_000);
    });
  },
);
