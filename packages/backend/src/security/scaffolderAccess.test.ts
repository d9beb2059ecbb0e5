/*
 * Software Templates under the owner-of policy, with the real catalog, permission and scaffolder
 * backends on the demo catalog: a task (its parameters, log, event stream, cancel and retry) is
 * its creator's and the admins', task lists are filtered in the database, and a template carrying
 * a read grant (payments-incident-review, for payments-team) is invisible and unrunnable for
 * everyone else, while docs-site stays public. Tagged parameters and steps follow their tags.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PUBLIC_TEMPLATE = 'template:default/docs-site';
const RESTRICTED_TEMPLATE = 'template:default/payments-incident-review';
const OUTSIDERS = ['carol', 'dave', 'erin', 'priya', 'tomas'];

describe.each(databases.eachSupportedId())(
  'scaffolder tasks and templates on %s',
  databaseId => {
    let t: UserScopedBackend;
    const as = (user: string) => ({
      get: (path: string) =>
        t.http().get(path).set('authorization', userHeader(user)),
      post: (path: string, body: object = {}) =>
        t.http().post(path).set('authorization', userHeader(user)).send(body),
    });
    const tasks = new Map<string, string>();

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
        ],
      });
      await eventually(async () => {
        for (const name of ['docs-site', 'payments-incident-review']) {
          await as('alice')
            .get(`/api/catalog/entities/by-name/template/default/${name}`)
            .expect(200);
        }
      }, 120_000);
      // bob runs both templates; gustavo (payments-team too) runs the restricted one.
      const runs: Array<[string, string, string, object]> = [
        [
          'bob:docs',
          'bob',
          PUBLIC_TEMPLATE,
          {
            name: 'secret-payments-rework',
            title: 'Secret payments rework',
            description: 'Confidential: the payments rework nobody may know of',
            owner: 'group:default/payments-team',
          },
        ],
        [
          'bob:review',
          'bob',
          RESTRICTED_TEMPLATE,
          { summary: 'Card settlement ran twice', exposure: '1.2M' },
        ],
        [
          'gustavo:review',
          'gustavo',
          RESTRICTED_TEMPLATE,
          { summary: 'Refunds stuck in review' },
        ],
      ];
      for (const [key, user, templateRef, values] of runs) {
        const res = await as(user)
          .post('/api/scaffolder/v2/tasks', { templateRef, values })
          .expect(201);
        tasks.set(key, res.body.id);
      }
      // Every run has finished (the docs site fails at its publish step: no git host here).
      await eventually(async () => {
        for (const id of tasks.values()) {
          const res = await as('alice')
            .get(`/api/scaffolder/v2/tasks/${id}`)
            .expect(200);
          if (!['completed', 'failed'].includes(res.body.status)) {
            throw new Error(`task ${id} is ${res.body.status}`);
          }
        }
      }, 60_000);
    });

    afterAll(async () => {
      await t?.backend.stop();
    });

    it('lists to each user only their own tasks, to admins all', async () => {
      const listed = async (user: string, query: object = {}) => {
        const res = await as(user)
          .get('/api/scaffolder/v2/tasks')
          .query(query)
          .expect(200);
        return {
          total: res.body.totalTasks,
          ids: (res.body.tasks as Array<{ id: string }>).map(x => x.id).sort(),
        };
      };
      const ids = (...keys: string[]) => keys.map(k => tasks.get(k)!).sort();
      expect(await listed('bob')).toEqual({
        total: 2,
        ids: ids('bob:docs', 'bob:review'),
      });
      expect(await listed('gustavo')).toEqual({
        total: 1,
        ids: ids('gustavo:review'),
      });
      for (const user of OUTSIDERS) {
        expect([user, await listed(user)]).toEqual([
          user,
          { total: 0, ids: [] },
        ]);
        // Asking for another user's tasks by name changes nothing.
        expect([
          user,
          await listed(user, { createdBy: 'user:default/bob' }),
        ]).toEqual([user, { total: 0, ids: [] }]);
      }
      expect(await listed('alice')).toEqual({
        total: 3,
        ids: ids('bob:docs', 'bob:review', 'gustavo:review'),
      });
    });

    it("refuses another user's task, its log, event stream, cancel and retry", async () => {
      const id = tasks.get('bob:docs')!;
      const paths = [
        ['get', `/api/scaffolder/v2/tasks/${id}`],
        ['get', `/api/scaffolder/v2/tasks/${id}/events`],
        ['get', `/api/scaffolder/v2/tasks/${id}/eventstream`],
        ['post', `/api/scaffolder/v2/tasks/${id}/cancel`],
        ['post', `/api/scaffolder/v2/tasks/${id}/retry`],
      ] as const;
      const answers: string[] = [];
      for (const user of [...OUTSIDERS, 'gustavo']) {
        for (const [method, path] of paths) {
          const res = await as(user)[method](path);
          answers.push(`${user} ${method} ${path} ${res.status}`);
          expect(res.text).not.toContain('Secret payments rework');
        }
      }
      expect(answers).toEqual(
        [...OUTSIDERS, 'gustavo'].flatMap(user =>
          paths.map(([method, path]) => `${user} ${method} ${path} 403`),
        ),
      );

      // The creator and admins read the task, its parameters and its log.
      for (const user of ['bob', 'alice']) {
        const task = await as(user)
          .get(`/api/scaffolder/v2/tasks/${id}`)
          .expect(200);
        expect(task.body.spec.parameters.title).toBe('Secret payments rework');
        const events = await as(user)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .expect(200);
        expect(events.body.length).toBeGreaterThan(0);
      }
      await as('bob').post(`/api/scaffolder/v2/tasks/${id}/cancel`).expect(200);
      await as('alice')
        .post(`/api/scaffolder/v2/tasks/${id}/cancel`)
        .expect(200);
    });

    it('shows the restricted template only to its team and admins; the public one to everyone', async () => {
      const templatesOf = async (user: string) => {
        const res = await as(user)
          .get('/api/catalog/entities/by-query')
          .query({ filter: 'kind=template' })
          .expect(200);
        return (res.body.items as Entity[]).map(e => e.metadata.name).sort();
      };
      for (const user of ['alice', 'bob', 'gustavo']) {
        expect([user, await templatesOf(user)]).toEqual([
          user,
          expect.arrayContaining(['docs-site', 'payments-incident-review']),
        ]);
      }
      for (const user of OUTSIDERS) {
        const names = await templatesOf(user);
        expect([user, names.includes('docs-site')]).toEqual([user, true]);
        expect([user, names.includes('payments-incident-review')]).toEqual([
          user,
          false,
        ]);
        // The template form and a run are refused as for a template that does not exist.
        await as(user)
          .get(
            '/api/scaffolder/v2/templates/default/template/payments-incident-review/parameter-schema',
          )
          .expect(404);
        await as(user)
          .post('/api/scaffolder/v2/tasks', {
            templateRef: RESTRICTED_TEMPLATE,
            values: { summary: 'An outsider tries' },
          })
          .expect(404);
        await as(user)
          .get(
            '/api/scaffolder/v2/templates/default/template/docs-site/parameter-schema',
          )
          .expect(200);
      }
    });

    it('shows a tagged parameter and runs a tagged step only for the subjects it is tagged with', async () => {
      const pages = async (user: string) => {
        const res = await as(user)
          .get(
            '/api/scaffolder/v2/templates/default/template/payments-incident-review/parameter-schema',
          )
          .expect(200);
        return (res.body.steps as Array<{ title: string }>).map(s => s.title);
      };
      expect(await pages('bob')).toEqual([
        'The incident',
        'Settlement figures',
      ]);
      expect(await pages('alice')).toEqual([
        'The incident',
        'Settlement figures',
      ]);
      expect(await pages('gustavo')).toEqual(['The incident']);

      const stepsRun = async (key: string) => {
        const res = await as('alice')
          .get(`/api/scaffolder/v2/tasks/${tasks.get(key)}`)
          .expect(200);
        return (res.body.spec.steps as Array<{ id: string }>).map(s => s.id);
      };
      expect(await stepsRun('bob:review')).toEqual(['record', 'notify-lead']);
      expect(await stepsRun('gustavo:review')).toEqual(['record']);
    });

    it('explains a task: its author and admins see it, others are told nothing', async () => {
      const id = tasks.get('bob:docs')!;
      const explain = (user: string, query: object) =>
        as(user)
          .get('/api/permission/owner-of/explain')
          .query({ taskId: id, ...query });
      const bob = await explain('bob', {}).expect(200);
      expect(bob.body).toMatchObject({
        taskId: id,
        userRef: 'user:default/bob',
        createdBy: 'user:default/bob',
        visibleTo: 'the user who started it (user:default/bob) and admins',
        actions: {
          read: { allowed: true, reason: 'user:default/bob started this task' },
          cancel: { allowed: true },
        },
      });
      for (const user of OUTSIDERS) {
        await explain(user, {}).expect(404);
      }
      const aboutDave = await explain('alice', {
        userRef: 'user:default/dave',
      }).expect(200);
      expect(aboutDave.body.actions.read).toEqual({
        allowed: false,
        reason:
          'user:default/dave is not an admin and did not start this task (user:default/bob did)',
      });
      await explain('dave', { userRef: 'user:default/bob' }).expect(403);
      await as('alice')
        .get('/api/permission/owner-of/explain')
        .query({ taskId: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      await as('alice')
        .get('/api/permission/owner-of/explain')
        .query({ taskId: 'not-a-task' })
        .expect(400);
    });
  },
);
