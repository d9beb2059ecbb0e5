import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  TestBackend,
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
// Test only: the run needs the plugin that hosts and reads what the action publishes.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import localGitBackend from '@portico/plugin-local-git-backend';
import {
  dropDatabases,
  repoRoot,
  testDatabaseConfig,
} from '@portico/test-utils';
import scaffolderModuleLocalGit from './index';

/*
 * A whole Software Template run through the scaffolder's API: the demo
 * organization and templates in the catalog, bob (payments-team) creating a
 * service from demo-data/templates/node-service, the repository published by
 * publish:local-git and the entity registered from it, read by the catalog
 * through the local-git URL reader. Authentication is mocked (bob's token is a
 * mock user token); everything else is real, on SQLite and PostgreSQL.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const bob = mockCredentials.user.header('user:default/bob');
const run = promisify(execFile);

describe.each(databases.eachSupportedId())(
  'Software Templates with local git on %s',
  databaseId => {
    const prefix = `portico_templates_${randomBytes(4).toString('hex')}_`;
    const data = createMockDirectory();
    let backend: TestBackend;

    beforeAll(async () => {
      if (databaseId !== 'SQLITE_3') {
        await dropDatabases('portico_templates_');
      }
      data.setContent({ git: {}, techdocs: {} });
      backend = await startTestBackend({
        features: [
          catalogBackend,
          catalogModuleScaffolderEntityModel,
          scaffolderBackend,
          techdocsBackend,
          scaffolderModuleLocalGit,
          localGitBackend,
          mockServices.rootConfig.factory({
            data: {
              backend: { database: testDatabaseConfig(databaseId, prefix) },
              localGit: { repositoriesDir: data.resolve('git') },
              scaffolder: {
                defaultAuthor: {
                  name: 'Portico',
                  email: 'portico@harborline.example',
                },
              },
              // TechDocs as the portal runs it: Debian's mkdocs, no techdocs-core plugin.
              techdocs: {
                builder: 'local',
                generator: {
                  runIn: 'local',
                  mkdocs: { omitTechdocsCorePlugin: true },
                },
                publisher: {
                  type: 'local',
                  local: { publishDirectory: data.resolve('techdocs') },
                },
              },
              catalog: {
                rules: [{ allow: ['Component', 'Location'] }],
                locations: [
                  {
                    type: 'file',
                    target: resolvePath(repoRoot, 'demo-data/org.yaml'),
                    rules: [{ allow: ['User', 'Group'] }],
                  },
                  {
                    type: 'file',
                    target: resolvePath(
                      repoRoot,
                      'demo-data/templates/*/template.yaml',
                    ),
                    rules: [{ allow: ['Template'] }],
                  },
                ],
              },
            },
          }),
        ],
      });
      await waitForEntity('template:default/node-service');
      await waitForEntity('user:default/bob');
    });

    afterAll(async () => {
      // Databases are dropped by the next run's beforeAll: a stopped backend can still run a
      // pending timer against them while this process lives.
      await backend?.stop();
    });

    const asBob = (req: request.Test) => req.set('authorization', bob);

    async function waitForEntity(ref: string): Promise<Entity> {
      const [kind, rest] = ref.split(':');
      const [namespace, name] = rest.split('/');
      for (let attempt = 0; attempt < 240; attempt++) {
        const res = await asBob(
          request(backend.server).get(
            `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
          ),
        );
        if (res.status === 200) return res.body;
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`${ref} did not appear in the catalog within 60 s`);
    }

    async function runTask(
      values: Record<string, string>,
      template = 'node-service',
    ) {
      const created = await asBob(
        request(backend.server)
          .post('/api/scaffolder/v2/tasks')
          .send({ templateRef: `template:default/${template}`, values }),
      ).expect(201);
      const id: string = created.body.id;
      for (let attempt = 0; attempt < 240; attempt++) {
        const res = await asBob(
          request(backend.server).get(`/api/scaffolder/v2/tasks/${id}`),
        ).expect(200);
        if (['completed', 'failed', 'cancelled'].includes(res.body.status)) {
          const events = await asBob(
            request(backend.server).get(
              `/api/scaffolder/v2/tasks/${id}/events`,
            ),
          ).expect(200);
          type TaskEvent = {
            type: string;
            body: { message?: string; output?: Record<string, any> };
          };
          const list = events.body as TaskEvent[];
          const log = list
            .map(e => e.body.message)
            .filter(Boolean)
            .join('\n');
          const output = list.find(e => e.type === 'completion')?.body.output;
          return { status: res.body.status as string, output: output!, log };
        }
        await new Promise(r => setTimeout(r, 250));
      }
      throw new Error(`task ${id} did not finish within 60 s`);
    }

    it('creates a repository and a catalog entity owned by the chosen team', async () => {
      const task = await runTask({
        name: 'parcel-notifier',
        description: 'Tells shippers: "your parcel is on its way".',
        owner: 'group:default/payments-team',
        lifecycle: 'experimental',
      });
      expect({ status: task.status, log: task.log }).toMatchObject({
        status: 'completed',
      });

      const port = backend.server.port();
      const base = `http://localhost:${port}/api/local-git`;
      expect(task.output.links).toEqual([
        {
          title: 'Open in the catalog',
          icon: 'catalog',
          entityRef: 'component:default/parcel-notifier',
        },
        {
          title: 'Browse the repository',
          url: `${base}/parcel-notifier/raw/main/`,
        },
      ]);
      expect(task.output.text[0].content).toContain(
        `git clone ${base}/parcel-notifier.git`,
      );

      const entity = await waitForEntity('component:default/parcel-notifier');
      expect(entity.spec).toEqual({
        type: 'service',
        lifecycle: 'experimental',
        owner: 'group:default/payments-team',
      });
      expect(entity.metadata.description).toBe(
        'Tells shippers: "your parcel is on its way".',
      );
      expect(entity.metadata.annotations).toMatchObject({
        'backstage.io/managed-by-location': `url:${base}/parcel-notifier/raw/main/catalog-info.yaml`,
        'backstage.io/techdocs-ref': 'dir:.',
      });
      expect(entity.relations).toContainEqual({
        type: 'ownedBy',
        targetRef: 'group:default/payments-team',
      });

      // The repository, as the portal serves it and as git sees it.
      const readme = await asBob(
        request(backend.server).get(
          '/api/local-git/parcel-notifier/raw/main/README.md',
        ),
      ).expect(200);
      expect(readme.text).toContain('# parcel-notifier');
      const clone = data.resolve(`clone-${databaseId}`);
      await run('git', [
        '-c',
        `http.extraHeader=Authorization: ${bob}`,
        'clone',
        '--quiet',
        `${base}/parcel-notifier.git`,
        clone,
      ]);
      const { stdout: author } = await run('git', [
        '-C',
        clone,
        'log',
        '--format=%an <%ae>|%s',
      ]);
      expect(author.trim()).toBe(
        'Bob Okafor <bob@harborline.example>|Create parcel-notifier from the Node.js service template',
      );

      // The generated service passes its own tests.
      const { stdout: tests } = await run(process.execPath, ['--test'], {
        cwd: clone,
      });
      expect(tests).toMatch(/# pass 3/);
      expect(tests).toMatch(/# fail 0/);
    });

    it('fails cleanly when the repository exists, leaving it and the catalog as they were', async () => {
      const before = await waitForEntity('component:default/parcel-notifier');
      const task = await runTask({
        name: 'parcel-notifier',
        description: 'A second service by the same name.',
        owner: 'group:default/logistics-team',
        lifecycle: 'production',
      });
      expect(task.status).toBe('failed');
      expect(task.log).toContain(
        "A repository named 'parcel-notifier' already exists",
      );
      expect(readdirSync(data.resolve('git'))).toEqual(['parcel-notifier.git']);
      const after = await waitForEntity('component:default/parcel-notifier');
      expect(after.metadata.uid).toBe(before.metadata.uid);
      expect(after.spec?.owner).toBe('group:default/payments-team');
    });

    it('creates a documentation site whose TechDocs build from the new repository', async () => {
      const task = await runTask(
        {
          name: 'payments-handbook',
          title: 'Payments handbook',
          description: 'How the payments team runs card charging and refunds.',
          owner: 'group:default/payments-team',
        },
        'docs-site',
      );
      expect({ status: task.status, log: task.log }).toMatchObject({
        status: 'completed',
      });
      const entity = await waitForEntity('component:default/payments-handbook');
      expect(entity.metadata.title).toBe('Payments handbook');
      expect(entity.spec).toMatchObject({
        type: 'documentation',
        owner: 'group:default/payments-team',
      });

      // TechDocs reads the docs folder through the local-git URL reader (dir:.).
      const sync = await asBob(
        request(backend.server).get(
          '/api/techdocs/sync/default/component/payments-handbook',
        ),
      ).expect(200);
      expect(sync.text).toContain('event: finish');
      expect(sync.text).toContain('"updated":true');
      const page = await asBob(
        request(backend.server).get(
          '/api/techdocs/static/docs/default/component/payments-handbook/contributing/index.html',
        ),
      ).expect(200);
      expect(page.text).toContain('How to contribute');
    });

    it("refuses parameters that break the template's rules before running anything", async () => {
      const res = await asBob(
        request(backend.server)
          .post('/api/scaffolder/v2/tasks')
          .send({
            templateRef: 'template:default/node-service',
            values: {
              name: 'Parcel_Notifier',
              description: 'Short',
              owner: 'group:default/payments-team',
            },
          }),
      ).expect(400);
      const messages = (res.body.errors as Array<{ property: string }>).map(
        e => e.property,
      );
      expect(messages).toEqual(
        expect.arrayContaining(['instance.name', 'instance.description']),
      );
    });
  },
);
