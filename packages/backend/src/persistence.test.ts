import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { JsonObject } from '@backstage/types';
import { startPortalBackend } from './__testUtils__/portalBackend';

jest.setTimeout(120_000);

/**
 * The local default keeps SQLite files in a data folder, so what someone registers through the
 * UI is still there after the portal restarts.
 */
describe('the embedded SQLite database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-data-'));
  const catalogYaml = [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    '  name: customs-declarations',
    'spec:',
    '  type: service',
    '  lifecycle: experimental',
    '  owner: group:default/logistics-team',
    '',
  ].join('\n');

  // A repository host on loopback, as the catalog import page would read from.
  let gitHost: Server;
  let catalogUrl: string;
  let overrides: JsonObject;
  beforeAll(async () => {
    gitHost = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(catalogYaml);
    });
    await new Promise<void>(r => gitHost.listen(0, '127.0.0.1', r));
    const { port } = gitHost.address() as AddressInfo;
    catalogUrl = `http://127.0.0.1:${port}/harborline/customs/catalog-info.yaml`;
    overrides = {
      backend: {
        database: {
          client: 'better-sqlite3',
          connection: { directory: join(dataDir, 'sqlite') },
        },
        reading: { allow: [{ host: `127.0.0.1:${port}` }] },
      },
      catalog: { locations: [] },
    };
  });
  afterAll(async () => {
    await new Promise(r => gitHost.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a registered location and its entity across a restart', async () => {
    const first = await startPortalBackend(overrides);
    const auth = { authorization: `Bearer ${first.serviceToken}` };
    const registered = await request(first.backend.server)
      .post('/api/catalog/locations')
      .set(auth)
      .send({ type: 'url', target: catalogUrl });
    expect(registered.status).toBe(201);
    await first.stop();

    const second = await startPortalBackend(overrides);
    try {
      const locations = await request(second.backend.server)
        .get('/api/catalog/locations')
        .set({ authorization: `Bearer ${second.serviceToken}` });
      expect(locations.status).toBe(200);
      expect(
        locations.body.map((l: { data: { target: string } }) => l.data.target),
      ).toContain(catalogUrl);

      let status = 0;
      for (let attempt = 0; attempt < 60 && status !== 200; attempt++) {
        const entity = await request(second.backend.server)
          .get(
            '/api/catalog/entities/by-name/component/default/customs-declarations',
          )
          .set({ authorization: `Bearer ${second.serviceToken}` });
        status = entity.status;
        if (status !== 200) await new Promise(r => setTimeout(r, 500));
      }
      expect(status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
