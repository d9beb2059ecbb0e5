/*
 * The real catalog, TechDocs (with mkdocs) and search backends. The TechDocs collator runs once a
 * second after start-up, before any docs are built, and then not for ten minutes: the docs are
 * searchable as soon as the prebuild module has built them.
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
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogBackend from '@backstage/plugin-catalog-backend';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModuleTechdocs from '@backstage/plugin-search-backend-module-techdocs';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import techdocsModulePrebuild from '@portico/plugin-techdocs-backend-module-prebuild';
import { eventually, writeTechDocsSite } from '@portico/test-utils';
import request from 'supertest';
import searchModuleTechdocsPrebuild from './index';

jest.setTimeout(180_000);

describe('searchModuleTechdocsPrebuild', () => {
  let root: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const user = mockCredentials.user.header();

  beforeAll(async () => {
    execFileSync('mkdocs', ['--version'], { stdio: 'pipe' });
    root = mkdtempSync(join(tmpdir(), 'portico-search-prebuild-'));
    const catalogFile = writeTechDocsSite(root, {
      name: 'dock-scheduler',
      title: 'Dock Scheduler',
      text: 'Books loading docks for arriving trucks; alert DockOverbookedTooLong pages the yard.',
    });
    const tenMinutes = { minutes: 10 };
    backend = await startTestBackend({
      features: [
        catalogBackend,
        techdocsBackend,
        techdocsModulePrebuild,
        searchBackend,
        searchBackendModuleTechdocs,
        searchModuleTechdocsPrebuild,
        // The real scheduler and events, which carry the prebuild's event to the search plugin.
        schedulerServiceFactory,
        eventsServiceFactory,
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
            search: {
              collators: {
                techdocs: {
                  schedule: {
                    frequency: tenMinutes,
                    timeout: tenMinutes,
                    initialDelay: { seconds: 1 },
                  },
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

  it('finds the docs as soon as they are built, long before the collator would run', async () => {
    const results = await eventually(async () => {
      const res = await request(backend.server)
        .get('/api/search/query')
        .query({ term: 'DockOverbookedTooLong', types: ['techdocs'] })
        .set('authorization', user)
        .expect(200);
      if (res.body.results.length === 0) throw new Error('not indexed yet');
      return res.body.results;
    }, 150_000);
    expect(results[0].document).toMatchObject({
      kind: 'component',
      name: 'dock-scheduler',
      location: expect.stringContaining(
        '/docs/default/component/dock-scheduler',
      ),
    });
  });
});
