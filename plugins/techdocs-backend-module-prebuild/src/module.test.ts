/*
 * The real catalog and TechDocs backends with mkdocs: docs are built and published before anyone
 * opens them, only for entities with a techdocs-ref, and a reader's visit to built docs does not
 * rebuild them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogBackend from '@backstage/plugin-catalog-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import { eventually, writeTechDocsSite } from '@portico/test-utils';
import request from 'supertest';
import techdocsModulePrebuild from './index';

jest.setTimeout(120_000);

describe('techdocsModulePrebuild', () => {
  let root: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const user = mockCredentials.user.header();

  beforeAll(async () => {
    execFileSync('mkdocs', ['--version'], { stdio: 'pipe' });
    root = mkdtempSync(join(tmpdir(), 'portico-prebuild-'));
    const catalogFile = writeTechDocsSite(root, {
      name: 'dock-scheduler',
      title: 'Dock Scheduler',
      text: 'Books loading docks for arriving trucks.',
      moreEntities: [
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: Component',
          'metadata:',
          '  name: yard-tracker',
          'spec: { type: service, lifecycle: production, owner: user:default/mock }',
        ].join('\n'),
      ],
    });
    backend = await startTestBackend({
      features: [
        catalogBackend,
        techdocsBackend,
        techdocsModulePrebuild,
        // The real scheduler, which runs the build task on its schedule.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              locations: [{ type: 'file', target: catalogFile }],
              rules: [{ allow: ['Component', 'Location'] }],
              processingInterval: { seconds: 1 },
            },
            techdocs: {
              builder: 'local',
              generator: {
                runIn: 'local',
                mkdocs: { omitTechdocsCorePlugin: true },
              },
              publisher: {
                type: 'local',
                local: { publishDirectory: join(root, 'published') },
              },
              prebuild: {
                schedule: {
                  frequency: { seconds: 2 },
                  timeout: { minutes: 1 },
                  initialDelay: { seconds: 0 },
                },
              },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('publishes the docs of entities with a techdocs-ref before anyone opens them', async () => {
    const page = await eventually(
      () =>
        request(backend.server)
          .get(
            '/api/techdocs/static/docs/default/component/dock-scheduler/index.html',
          )
          .set('authorization', user)
          .expect(200),
      90_000,
    );
    expect(page.text).toContain('Books loading docks for arriving trucks.');

    // An entity without the annotation gets no docs and no build.
    await request(backend.server)
      .get(
        '/api/techdocs/static/docs/default/component/yard-tracker/index.html',
      )
      .set('authorization', user)
      .expect(404);
  });

  it("answers a reader's visit to built docs at once, without rebuilding them", async () => {
    const sync = await request(backend.server)
      .get('/api/techdocs/sync/default/component/dock-scheduler')
      .set('authorization', user)
      .buffer(true)
      .parse((res, callback) => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => callback(null, text));
      })
      .expect(200);
    const events = String(sync.body);
    expect(events).toContain('event: finish');
    expect(events).toContain('"updated":false');
    // A build streams its log; a visit to built docs streams none.
    expect(events).not.toContain('event: log');
  });
});
