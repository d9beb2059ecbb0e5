import {
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { eventually, userHeader } from '@portico/test-utils';
import {
  OwnerOfTestBackend,
  serviceHeader,
  startOwnerOfBackend,
} from '../__testUtils__/testBackend';
import { harborlineOrg, toCatalogFile } from '../__testUtils__/harborlineOrg';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ORG_REFS = harborlineOrg().map(e => stringifyEntityRef(e));

describe.each(databases.eachSupportedId())(
  'owner-of access endpoint on %s',
  databaseId => {
    const directory = createMockDirectory();
    let t: OwnerOfTestBackend;

    const access = (entityRef: string, user?: string) => {
      const req = t
        .http()
        .get('/api/permission/owner-of/access')
        .query({ entityRef });
      return user
        ? req.set('Authorization', userHeader(`user:default/${user}`))
        : req;
    };

    beforeAll(async () => {
      directory.setContent({ 'org.yaml': toCatalogFile(harborlineOrg()) });
      t = await startOwnerOfBackend({
        databases,
        databaseId,
        config: {
          permission: {
            enabled: true,
            adminRefs: ['user:default/alice', 'group:default/platform-team'],
          },
          catalog: {
            locations: [
              { type: 'file', target: directory.resolve('org.yaml') },
            ],
            rules: [
              { allow: ['Component', 'API', 'Group', 'User', 'Template'] },
            ],
          },
        },
      });
      await eventually(
        async () => {
          const res = await t
            .http()
            .get('/api/catalog/entities/by-query')
            .query({ limit: 1000 })
            .set('Authorization', serviceHeader());
          const refs = res.body.items.map((e: Entity) => stringifyEntityRef(e));
          const missing = ORG_REFS.filter(r => !refs.includes(r));
          if (missing.length > 0) {
            throw new Error(`Not ingested yet: ${missing.join(', ')}`);
          }
        },
        { timeoutMs: 90_000 },
      );
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('lists who may do what on an entity, and why, for an admin', async () => {
      const res = await access('component:route-planner', 'alice');
      expect(res.status).toBe(200);
      const owner = {
        rule: 'owner',
        subjectRef: 'group:default/routing-squad',
        inheritedBy: 'nestedMembers',
      };
      const admins = [
        {
          rule: 'admin',
          subjectRef: 'user:default/alice',
          inheritedBy: 'none',
        },
        {
          rule: 'admin',
          subjectRef: 'group:default/platform-team',
          inheritedBy: 'nestedMembers',
        },
      ];
      expect(res.body).toEqual({
        entityRef: 'component:default/route-planner',
        owner: 'group:default/routing-squad',
        nestedGroups: true,
        actions: {
          read: [
            owner,
            {
              rule: 'annotation',
              subjectRef: 'user:default/dana',
              inheritedBy: 'none',
              annotation: 'backstage.tanzu.vmware.com/user.dana',
            },
            {
              rule: 'annotation',
              subjectRef: 'group:default/support',
              inheritedBy: 'nestedMembers',
              annotation: 'backstage.tanzu.vmware.com/group.support',
            },
            ...admins,
          ],
          delete: [owner, ...admins],
          refresh: [
            owner,
            {
              rule: 'annotation',
              subjectRef: 'group:default/support',
              inheritedBy: 'nestedMembers',
              annotation: 'backstage.tanzu.vmware.com/group.support',
            },
            ...admins,
          ],
        },
        grantProblems: [],
      });
    });

    it('reports grant problems and the public-kind rule', async () => {
      const depotSync = await access('component:depot-sync', 'alice');
      expect(depotSync.body.grantProblems).toHaveLength(2);

      const template = await access('template:new-service', 'pete');
      expect(template.status).toBe(200);
      expect(template.body.actions.read).toContainEqual({
        rule: 'publicKind',
        kind: 'Template',
      });
      expect(template.body.actions.delete).not.toContainEqual(
        expect.objectContaining({ rule: 'publicKind' }),
      );
    });

    it('answers members of the owner, nested groups included', async () => {
      // carol is in routing-squad, a descendant of logistics-team.
      expect((await access('component:route-planner', 'carol')).status).toBe(
        200,
      );
      expect((await access('component:depot-sync', 'carol')).status).toBe(200);
      expect((await access('component:depot-sync', 'lena')).status).toBe(200);
    });

    it('refuses others: 403 when they can read the entity, 404 otherwise', async () => {
      // dana and sven are granted read on route-planner but do not own it.
      expect((await access('component:route-planner', 'dana')).status).toBe(
        403,
      );
      expect((await access('component:route-planner', 'sven')).status).toBe(
        403,
      );
      // A template is public, but only its owner's members and admins see its access.
      expect((await access('template:new-service', 'carol')).status).toBe(403);
      // lena is in logistics-team, the parent of the owner: membership does
      // not flow downwards.
      expect((await access('component:route-planner', 'lena')).status).toBe(
        404,
      );
      expect((await access('component:billing-service', 'sven')).status).toBe(
        404,
      );
      expect((await access('component:no-such-thing', 'alice')).status).toBe(
        404,
      );
    });

    it('checks credentials and input', async () => {
      expect((await access('component:route-planner')).status).toBe(401);
      expect((await access('', 'alice')).status).toBe(400);
      const service = await t
        .http()
        .get('/api/permission/owner-of/access')
        .query({ entityRef: 'component:default/route-planner' })
        .set('Authorization', serviceHeader());
      expect(service.status).toBe(200);
      expect(service.body.owner).toBe('group:default/routing-squad');
    });
  },
);
