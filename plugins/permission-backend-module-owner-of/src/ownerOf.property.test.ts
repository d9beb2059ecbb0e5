import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
} from '@backstage/plugin-catalog-common/alpha';
import fc from 'fast-check';
import { eventually, userHeader } from '@portico/test-utils';
import {
  OwnerOfTestBackend,
  serviceHeader,
  startOwnerOfBackend,
} from './__testUtils__/testBackend';
import {
  TestEntityProvider,
  testEntityProviderModule,
} from './__testUtils__/entityProviderModule';

/*
 * Random organizations against the real catalog and permission backends.
 * For every user and entity, the SQL path (by-query, by-refs, facets: the
 * rule's toQuery) and the single-entity path (permission authorize with a
 * resourceRef: the rule's apply, through the catalog's apply-conditions
 * endpoint) must agree with each other and with the plain model below.
 * Each sample lives in its own namespace, so samples never interfere.
 */

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MAX_NAMESPACES = 300;
const GROUPS = ['admins', 'g1', 'g2', 'g3', 'g4'];
const USERS = ['root', 'u1', 'u2', 'u3'];

type Subject = { kind: 'group' | 'user'; name: string };
type OwnerForm = 'bare' | 'kind' | 'full';
type GrantForm = 'short' | 'long' | 'upper' | 'badKind';
type Grant = { subject: Subject; form: GrantForm; tokens: string[] };
type Org = {
  groupParents: Array<number | null>;
  users: Array<{ name: string; memberOf: number[] }>;
  entities: Array<{
    kind: 'Component' | 'API' | 'Template';
    owner: Subject;
    ownerForm: OwnerForm;
    grants: Grant[];
  }>;
};

const TOKENS = [
  'catalog.entity.read',
  'catalog.entity.delete',
  'catalog.entity.refresh',
  'catalog.entity.update',
  'catalog.entities.read',
  'catalog.entity.create',
  'Catalog.Entity.Read',
  '',
];

/**
 * The part of a grant's annotation key after the prefix. The catalog refuses
 * to index an entity whose keys differ only in case, so samples keep one
 * grant per key, compared case-insensitively.
 */
function grantKey(grant: Grant, ns: string): string {
  const { kind, name } = grant.subject;
  return {
    short: `${kind}.${name}`,
    long: `${kind}.${ns}.${name}`,
    upper: `${kind.toUpperCase()}.${ns}.${name.toUpperCase()}`,
    badKind: `team.${ns}.${name}`,
  }[grant.form];
}

function withDistinctGrantKeys(org: Org): Org {
  return {
    ...org,
    entities: org.entities.map(entity => {
      const seen = new Set<string>();
      return {
        ...entity,
        grants: entity.grants.filter(grant => {
          const key = grantKey(grant, 'ns').toLowerCase();
          if (seen.has(key)) {
            return false;
          }
          seen.add(key);
          return true;
        }),
      };
    }),
  };
}

const orgArbitrary: fc.Arbitrary<Org> = fc
  .integer({ min: 1, max: GROUPS.length })
  .chain(groupCount => {
    const subject: fc.Arbitrary<Subject> = fc.oneof(
      fc.record({
        kind: fc.constant('group' as const),
        name: fc.constantFrom(...GROUPS.slice(0, groupCount), 'ghost'),
      }),
      fc.record({
        kind: fc.constant('user' as const),
        name: fc.constantFrom(...USERS),
      }),
    );
    return fc.record({
      groupParents: fc.array(fc.option(fc.nat(groupCount - 1), { nil: null }), {
        minLength: groupCount,
        maxLength: groupCount,
      }),
      users: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom(...USERS),
          memberOf: fc.uniqueArray(fc.nat(groupCount - 1), { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: USERS.length, selector: u => u.name },
      ),
      entities: fc.array(
        fc.record({
          kind: fc.constantFrom(
            'Component' as const,
            'Component' as const,
            'API' as const,
            'Template' as const,
          ),
          owner: subject,
          ownerForm: fc.constantFrom<OwnerForm>('bare', 'kind', 'full'),
          grants: fc.array(
            fc.record({
              subject,
              form: fc.constantFrom<GrantForm>(
                'short',
                'long',
                'upper',
                'badKind',
              ),
              tokens: fc.array(fc.constantFrom(...TOKENS), {
                minLength: 1,
                maxLength: 3,
              }),
            }),
            { maxLength: 3 },
          ),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    });
  })
  .map(withDistinctGrantKeys);

const PREFIX = 'backstage.tanzu.vmware.com';

/** Renders an organization as catalog entities in a namespace. */
function render(org: Org, ns: string): Entity[] {
  const groupName = (i: number) => GROUPS[i];
  const entities: Entity[] = org.groupParents.map((parent, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: groupName(i), namespace: ns },
    spec: {
      type: 'team',
      children: [],
      ...(parent !== null && parent !== i && { parent: groupName(parent) }),
    },
  }));
  for (const user of org.users) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: user.name, namespace: ns },
      spec: { memberOf: user.memberOf.map(groupName) },
    });
  }
  org.entities.forEach((spec, i) => {
    let owner: string;
    if (spec.ownerForm === 'bare' && spec.owner.kind === 'group') {
      owner = spec.owner.name;
    } else if (spec.ownerForm === 'full') {
      owner = `${spec.owner.kind}:${ns}/${spec.owner.name}`;
    } else {
      owner = `${spec.owner.kind}:${spec.owner.name}`;
    }
    const annotations: Record<string, string> = {};
    for (const grant of spec.grants) {
      annotations[`${PREFIX}/${grantKey(grant, ns)}`] = grant.tokens.join(', ');
    }
    const name = `e${i}`;
    const metadata = { name, namespace: ns, annotations };
    if (spec.kind === 'Template') {
      entities.push({
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata,
        spec: { type: 'service', owner, parameters: [], steps: [] },
      });
    } else if (spec.kind === 'API') {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'API',
        metadata,
        spec: {
          type: 'openapi',
          lifecycle: 'production',
          owner,
          definition: 'x',
        },
      });
    } else {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata,
        spec: { type: 'service', lifecycle: 'production', owner },
      });
    }
  });
  return entities;
}

type Action = 'read' | 'delete' | 'refresh';

/**
 * The access rules, written plainly from the organization's structure
 * (not from the rendered annotations).
 */
function model(org: Org, ns: string) {
  const groupRef = (i: number) => `group:${ns}/${GROUPS[i]}`;
  const claimsOf = (userName: string): Set<string> => {
    const claims = new Set([`user:${ns}/${userName}`]);
    const user = org.users.find(u => u.name === userName)!;
    const pending = user.memberOf.map(groupRef);
    while (pending.length) {
      const group = pending.pop()!;
      if (claims.has(group)) continue;
      claims.add(group);
      const index = GROUPS.indexOf(group.split('/')[1]);
      const parent = org.groupParents[index];
      if (parent !== null && parent !== undefined && parent !== index) {
        pending.push(groupRef(parent));
      }
    }
    return claims;
  };
  const actionOfToken: Record<string, Action | undefined> = {
    'catalog.entity.read': 'read',
    'catalog.entity.delete': 'delete',
    'catalog.entity.refresh': 'refresh',
    'catalog.entity.update': 'refresh',
  };

  return (
    userName: string,
    entityIndex: number | { self: string },
    action: Action,
  ) => {
    const claims = claimsOf(userName);
    if (claims.has(`user:${ns}/root`) || claims.has(`group:${ns}/admins`)) {
      return true;
    }
    if (typeof entityIndex === 'object') {
      // Users and groups: read by themselves / their members only.
      return action === 'read' && claims.has(entityIndex.self);
    }
    const spec = org.entities[entityIndex];
    // Templates are public unless a well-formed read grant restricts them.
    const restricted = spec.grants.some(
      grant =>
        grant.form !== 'badKind' &&
        grant.tokens.some(token => actionOfToken[token] === 'read'),
    );
    if (action === 'read' && spec.kind === 'Template' && !restricted) {
      return true;
    }
    if (claims.has(`${spec.owner.kind}:${ns}/${spec.owner.name}`)) {
      return true;
    }
    for (const grant of spec.grants) {
      if (grant.form === 'badKind') continue;
      const subjectNs = grant.form === 'short' ? 'default' : ns;
      const subject = `${grant.subject.kind}:${subjectNs}/${grant.subject.name}`;
      if (
        claims.has(subject) &&
        grant.tokens.some(token => actionOfToken[token] === action)
      ) {
        return true;
      }
    }
    return false;
  };
}

describe.each(databases.eachSupportedId())(
  'owner-of properties on %s',
  databaseId => {
    const provider = new TestEntityProvider();
    let t: OwnerOfTestBackend;
    let namespaceCounter = 0;
    const adminRefs: string[] = [];
    for (let i = 0; i < MAX_NAMESPACES; i++) {
      adminRefs.push(`user:p${i}/root`, `group:p${i}/admins`);
    }

    beforeAll(async () => {
      t = await startOwnerOfBackend({
        databases,
        databaseId,
        features: [testEntityProviderModule(provider)],
        config: {
          permission: {
            enabled: true,
            adminRefs,
            ownerOf: { membershipRefresh: '0s' },
          },
          catalog: {},
        },
      });
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('lists, single-entity checks and the model agree for random organizations', async () => {
      const startedAt = Date.now();
      let samples = 0;
      await fc.assert(
        fc.asyncProperty(orgArbitrary, async org => {
          samples += 1;
          const ns = `p${namespaceCounter++}`;
          if (namespaceCounter > MAX_NAMESPACES) {
            throw new Error('Out of test namespaces');
          }
          const entities = render(org, ns);
          const refs = entities.map(e => stringifyEntityRef(e)).sort();
          await provider.add(entities);

          const inNamespace = async (header: string) => {
            const res = await t
              .http()
              .get('/api/catalog/entities/by-query')
              .query({
                filter: `metadata.namespace=${ns}`,
                fields: 'kind,metadata.namespace,metadata.name',
                limit: 1000,
              })
              .set('Authorization', header);
            if (res.status !== 200) {
              throw new Error(`by-query answered ${res.status}`);
            }
            return (res.body.items as Entity[])
              .map(e => stringifyEntityRef(e))
              .sort();
          };
          await eventually(
            async () => {
              const seen = await inNamespace(serviceHeader());
              if (seen.length !== refs.length) {
                throw new Error(
                  `${seen.length}/${refs.length} entities ingested`,
                );
              }
            },
            { timeoutMs: 60_000, intervalMs: 100 },
          );

          const allowed = model(org, ns);
          const expectedFor = (user: string, action: Action) =>
            refs.filter(entityRef => {
              const [kind] = entityRef.split(':');
              if (kind === 'user' || kind === 'group') {
                return allowed(user, { self: entityRef }, action);
              }
              const index = Number(entityRef.split('/')[1].slice(1));
              return allowed(user, index, action);
            });

          for (const { name } of org.users) {
            const header = userHeader(`user:${ns}/${name}`);
            const expectedRead = expectedFor(name, 'read');

            // SQL path: lists, by-refs and facets.
            expect([name, await inNamespace(header)]).toEqual([
              name,
              expectedRead,
            ]);
            const byRefs = await t
              .http()
              .post('/api/catalog/entities/by-refs')
              .set('Authorization', header)
              .send({ entityRefs: refs });
            expect([
              name,
              refs.filter((_, i) => byRefs.body.items[i] !== null),
            ]).toEqual([name, expectedRead]);
            const facets = await t
              .http()
              .get('/api/catalog/entity-facets')
              .query({ facet: 'kind', filter: `metadata.namespace=${ns}` })
              .set('Authorization', header);
            expect([
              name,
              facets.body.facets.kind.reduce(
                (sum: number, f: { count: number }) => sum + f.count,
                0,
              ),
            ]).toEqual([name, expectedRead.length]);

            // Single-entity path: the rule's apply via the permission backend.
            const permissions = {
              read: catalogEntityReadPermission,
              delete: catalogEntityDeletePermission,
              refresh: catalogEntityRefreshPermission,
            };
            const items = (['read', 'delete', 'refresh'] as const).flatMap(
              action =>
                refs.map(resourceRef => ({
                  id: `${action} ${resourceRef}`,
                  permission: permissions[action],
                  resourceRef,
                })),
            );
            const decisions = await t
              .http()
              .post('/api/permission/authorize')
              .set('Authorization', header)
              .send({ items });
            expect(decisions.status).toBe(200);
            for (const action of ['read', 'delete', 'refresh'] as const) {
              const granted = (
                decisions.body.items as Array<{ id: string; result: string }>
              )
                .filter(
                  i => i.id.startsWith(`${action} `) && i.result === 'ALLOW',
                )
                .map(i => i.id.slice(action.length + 1))
                .sort();
              expect([name, action, granted]).toEqual([
                name,
                action,
                expectedFor(name, action),
              ]);
            }
          }
        }),
        { numRuns: 12, endOnFailure: true },
      );
      // Keep an eye on the budget: this should stay well under a minute.
      // eslint-disable-next-line no-console
      console.log(
        `${databaseId}: ${samples} organizations checked in ${
          Date.now() - startedAt
        } ms`,
      );
    });
  },
);
