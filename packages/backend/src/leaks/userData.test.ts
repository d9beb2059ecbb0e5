/*
 * The leak matrix beyond the catalog's own routes (noLeaks.test.ts): for the eight demo users,
 * every endpoint that can reveal an entity, a scaffolder task or another user's data shows each
 * user only what the owner-of rules (__testUtils__/readableModel.ts) or ownership of the data
 * allow: the MCP actions endpoint (run as the calling user), scaffolder tasks, the local git host,
 * notifications, user settings, access requests and the organization health. bob's confidential
 * run (with the repository it publishes and the component it registers), notification and setting
 * are the bait.
 */
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import signalsBackend from '@backstage/plugin-signals-backend';
import userSettingsBackend from '@backstage/plugin-user-settings-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import scaffolderLocalGit from '@portico/plugin-scaffolder-backend-module-local-git';
import localGitBackend from '@portico/plugin-local-git-backend';
import accessRequestBackend from '@portico/plugin-access-request-backend';
import catalogBackendModuleLdapGuarded from '@portico/plugin-catalog-backend-module-ldap-guarded';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import {
  DEMO_ADMIN_REFS,
  DEMO_USERS,
  accessOf,
  entityRef,
} from './__testUtils__/readableModel';
import { mcpCall } from '../__testUtils__/mcpActions';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const SECRET = 'Secret payments rework';

const sorted = (values: Iterable<string>) => [...values].sort();

describe.each(databases.eachSupportedId())(
  "each user's view of tasks, actions and personal data on %s",
  databaseId => {
    let t: UserScopedBackend;
    let everything: Entity[];
    let bobsTask: string;
    let bobsNotification: string;
    const repository = `secret-payments-rework-${databaseId
      .toLowerCase()
      .replace('_', '-')}`;
    const as = (user: string) => ({
      get: (path: string) =>
        t.http().get(path).set('authorization', userHeader(user)),
      post: (path: string, body: object = {}) =>
        t.http().post(path).set('authorization', userHeader(user)).send(body),
      put: (path: string, body: object) =>
        t.http().put(path).set('authorization', userHeader(user)).send(body),
    });
    const readable = (user: string) =>
      accessOf(user, everything, DEMO_ADMIN_REFS).readable;
    const mcp = (user: string, method: string, params: object = {}) =>
      mcpCall(t, user, method, params);

    beforeAll(async () => {
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [
          catalogBackend,
          catalogBackendModuleScaffolderEntityModel,
          catalogBackendModuleOwnerOf,
          permissionBackend,
          permissionBackendModuleOwnerOf,
          scaffolderBackend,
          scaffolderLocalGit,
          localGitBackend,
          mcpActionsBackend,
          notificationsBackend,
          signalsBackend,
          userSettingsBackend,
          accessRequestBackend,
          catalogBackendModuleLdapGuarded,
        ],
        overrides: {
          permission: { enabled: true, adminRefs: DEMO_ADMIN_REFS },
        },
      });
      // Wait for the demo catalog to arrive before bob's run registers its component.
      await eventually(async () => {
        await as('alice')
          .get('/api/catalog/entities/by-name/template/default/docs-site')
          .expect(200);
        await as('alice')
          .get('/api/catalog/entities/by-name/group/default/payments-team')
          .expect(200);
      }, 180_000);
      const run = await as('bob')
        .post('/api/scaffolder/v2/tasks', {
          templateRef: 'template:default/docs-site',
          values: {
            name: repository,
            title: SECRET,
            description: 'Confidential: the payments rework nobody may know of',
            owner: 'group:default/payments-team',
          },
        })
        .expect(201);
      bobsTask = run.body.id;

      // The run publishes a repository and registers its component, owned by payments-team.
      await eventually(async () => {
        const task = await as('alice')
          .get(`/api/scaffolder/v2/tasks/${bobsTask}`)
          .expect(200);
        if (task.body.status !== 'completed') {
          throw new Error(`bob's run is ${task.body.status}`);
        }
        await t
          .http()
          .get(`/api/catalog/entities/by-name/component/default/${repository}`)
          .set('authorization', mockCredentials.service.header())
          .expect(200);
      }, 120_000);
      everything = await eventually(async () => {
        const res = await t
          .http()
          .get('/api/catalog/entities')
          .set('authorization', mockCredentials.service.header())
          .expect(200);
        const entities = res.body as Entity[];
        if (
          entities.filter(e => e.kind === 'Component').length < 20 ||
          !entities.some(e => e.kind === 'Template')
        ) {
          throw new Error('the demo catalog is still arriving');
        }
        return entities;
      }, 180_000);

      await t
        .http()
        .post('/api/notifications/notifications')
        .set('authorization', mockCredentials.service.header())
        .send({
          recipients: { type: 'entity', entityRef: 'user:default/bob' },
          payload: { title: SECRET, description: 'Only for bob' },
        })
        .expect(200);
      const mine = await as('bob')
        .get('/api/notifications/notifications')
        .expect(200);
      bobsNotification = mine.body.notifications[0].id;

      await as('bob')
        .put('/api/user-settings/buckets/portico/keys/draft', { value: SECRET })
        .expect(200);
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('runs MCP actions as the calling user: each sees exactly their catalog', async () => {
      const list = await mcp('bob', 'tools/list');
      const tools = (list.result?.tools ?? []).map(tool => tool.name);
      const query = tools.find(name => name.endsWith('query-catalog-entities'));
      const get = tools.find(name => name.endsWith('get-catalog-entity'));
      expect([query, get]).toEqual([expect.any(String), expect.any(String)]);

      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        const res = await mcp(user, 'tools/call', {
          name: query,
          arguments: {
            fields: ['kind', 'metadata.name', 'metadata.namespace'],
            limit: 1000,
          },
        });
        expect([user, res.result?.isError ?? false]).toEqual([user, false]);
        const text = res.result!.content![0].text;
        const items = (JSON.parse(text).items ?? []) as Entity[];
        actual.push(`${user} ${sorted(items.map(entityRef)).join(',')}`);
        expected.push(`${user} ${sorted(readable(user)).join(',')}`);
      }
      expect(actual).toEqual(expected);

      // A hidden entity is not found, as in the catalog's API.
      const hidden = 'component:default/payment-gateway';
      expect(readable('dave').has(hidden)).toBe(false);
      const refused = await mcp('dave', 'tools/call', {
        name: get,
        arguments: { entityRef: hidden },
      });
      expect(JSON.stringify(refused)).not.toContain('"uid"');
      expect(refused.result?.isError ?? Boolean(refused.error)).toBe(true);
    });

    it("lists and shows bob's run to bob and admins only", async () => {
      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        const list = await as(user).get('/api/scaffolder/v2/tasks').expect(200);
        const ids = (list.body.tasks as Array<{ id: string }>).map(x => x.id);
        const one = await as(user).get(`/api/scaffolder/v2/tasks/${bobsTask}`);
        const log = await as(user).get(
          `/api/scaffolder/v2/tasks/${bobsTask}/events`,
        );
        actual.push(
          `${user} listed:${ids.includes(bobsTask)} total:${
            list.body.totalTasks
          } task:${one.status} log:${log.status} secret:${[one, log].some(r =>
            r.text.includes(SECRET),
          )}`,
        );
        const sees = user === 'bob' || user === 'alice';
        expected.push(
          `${user} listed:${sees} total:${sees ? 1 : 0} task:${
            sees ? 200 : 403
          } log:${sees ? 200 : 403} secret:${sees}`,
        );
      }
      expect(actual).toEqual(expected);
    });

    it("shows bob's notification and setting to bob only", async () => {
      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        const list = await as(user)
          .get('/api/notifications/notifications')
          .expect(200);
        const one = await as(user).get(
          `/api/notifications/notifications/${bobsNotification}`,
        );
        const setting = await as(user).get(
          '/api/user-settings/buckets/portico/keys/draft',
        );
        actual.push(
          `${user} notifications:${list.body.totalCount} one:${
            one.status
          } setting:${setting.status} secret:${[list, one, setting].some(r =>
            r.text.includes(SECRET),
          )}`,
        );
        const isBob = user === 'bob';
        expected.push(
          `${user} notifications:${isBob ? 1 : 0} one:${
            isBob ? 200 : 404
          } setting:${isBob ? 200 : 404} secret:${isBob}`,
        );
      }
      expect(actual).toEqual(expected);
    });

    it("serves the repository of bob's run only to users who may read the component it registered", async () => {
      const component = `component:default/${repository}`;
      expect(readable('bob').has(component)).toBe(true);
      expect(readable('dave').has(component)).toBe(false);
      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        const list = await as(user).get('/api/local-git/').expect(200);
        const listed = (list.body.repositories as Array<{ name: string }>).some(
          repo => repo.name === repository,
        );
        const file = await as(user).get(
          `/api/local-git/${repository}/raw/main/catalog-info.yaml`,
        );
        const clone = await as(user).get(
          `/api/local-git/${repository}.git/info/refs`,
        );
        actual.push(
          `${user} listed:${listed} file:${file.status} clone:${
            clone.status
          } content:${file.text.includes('kind: Component')}`,
        );
        const may = readable(user).has(component);
        expected.push(
          `${user} listed:${may} file:${may ? 200 : 404} clone:${
            may ? 200 : 404
          } content:${may}`,
        );
      }
      expect(actual).toEqual(expected);
    });

    it('answers every access request alike and notifies only the owners', async () => {
      // Runs last: the requests below notify teams, which the notification row above counts.
      const components = everything
        .filter(e => e.kind === 'Component')
        .map(entityRef)
        .sort();
      const target = `component:default/${repository}`;
      const owners = new Set(
        DEMO_USERS.filter(user =>
          (
            (everything.find(e => entityRef(e) === `user:default/${user}`)?.spec
              ?.memberOf as string[]) ?? []
          ).some(
            group =>
              group === 'payments-team' ||
              group === 'group:default/payments-team',
          ),
        ),
      );
      expect(owners.has('bob')).toBe(true);
      expect(owners.has('dave')).toBe(false);

      const actual: string[] = [];
      const expected: string[] = [];
      for (const [index, user] of DEMO_USERS.entries()) {
        // dave asks for bob's confidential component; everyone else for another existing one.
        const existing = user === 'dave' ? target : components[index];
        const answers = [];
        for (const entity of [existing, `component:default/no-such-${user}`]) {
          const res = await as(user).post('/api/access-request/requests', {
            entityRef: entity,
            reason: 'I am on call for it this week',
          });
          answers.push(`${res.status} ${JSON.stringify(res.body)}`);
        }
        actual.push(`${user} alike:${answers[0] === answers[1]} ${answers[0]}`);
        expected.push(`${user} alike:true ${answers[1]}`);
        expect(answers[1]).toMatch(/^202 /);
      }
      expect(actual).toEqual(expected);

      const title = `user:default/dave asks for access to ${target}`;
      await eventually(async () => {
        const received: string[] = [];
        for (const user of DEMO_USERS) {
          const list = await as(user)
            .get('/api/notifications/notifications')
            .expect(200);
          const titles = (
            list.body.notifications as Array<{ payload: { title: string } }>
          ).map(n => n.payload.title);
          received.push(`${user} ${titles.includes(title)}`);
        }
        expect(received).toEqual(
          DEMO_USERS.map(user => `${user} ${owners.has(user)}`),
        );
      }, 30_000);
    });

    it('shows the organization health to admins only', async () => {
      const actual: string[] = [];
      const expected: string[] = [];
      for (const user of DEMO_USERS) {
        const health = await as(user).get('/api/catalog/org-health');
        // A provider that does not exist: non-admins learn not even that.
        const accept = await as(user).post(
          '/api/catalog/org-health/providers/no-such-directory/accept-large-change',
        );
        actual.push(
          `${user} health:${health.status} accept:${accept.status} providers:${
            'providers' in (health.body ?? {})
          }`,
        );
        const admin = user === 'alice';
        expected.push(
          `${user} health:${admin ? 200 : 403} accept:${
            admin ? 404 : 403
          } providers:${admin}`,
        );
      }
      expect(actual).toEqual(expected);
    });
  },
);
