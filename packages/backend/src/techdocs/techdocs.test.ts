import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import techdocsBackend from '@backstage/plugin-techdocs-backend';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';
import catalogBackendModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import permissionBackendModuleOwnerOf from '@portico/plugin-permission-backend-module-owner-of';
import {
  eventually,
  startUserScopedBackend,
  userHeader,
  UserScopedBackend,
} from '@portico/test-utils';
import { techdocsModuleStaticPathGuard } from '@portico/plugin-backend-module-portico-guards';
import { mcpCall } from '../__testUtils__/mcpActions';

jest.setTimeout(240_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** TechDocs builds with the machine's mkdocs; its absence is a set-up error. */
function requireMkdocs() {
  try {
    execFileSync('mkdocs', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `mkdocs is not installed, so TechDocs cannot build: run scripts/ensure-system-packages.sh techdocs (${error})`,
    );
  }
}

// shipment-api is owned by logistics-team: carol is in it through routing-squad; dave is not.
const docs = '/api/techdocs/static/docs/default/component/shipment-api';

describe.each(databases.eachSupportedId())('TechDocs on %s', databaseId => {
  let t: UserScopedBackend;
  let publishDirectory: string;

  beforeAll(async () => {
    requireMkdocs();
    publishDirectory = mkdtempSync(join(tmpdir(), 'portico-techdocs-'));
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
        mcpActionsBackend,
      ],
      overrides: {
        techdocs: { publisher: { type: 'local', local: { publishDirectory } } },
      },
    });
    await eventually(async () => {
      await t
        .http()
        .get('/api/catalog/entities/by-name/component/default/shipment-api')
        .set('authorization', userHeader('carol'))
        .expect(200);
    }, 120_000);
  });

  afterAll(async () => {
    await t?.backend.stop();
    if (publishDirectory) {
      rmSync(publishDirectory, { recursive: true, force: true });
    }
  });

  it('builds and serves the docs to a user who may read the entity', async () => {
    const sync = await t
      .http()
      .get('/api/techdocs/sync/default/component/shipment-api')
      .set('authorization', userHeader('carol'))
      .buffer(true)
      .parse((res, callback) => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => callback(null, text));
      })
      .expect(200);
    expect(sync.body).toContain('event: finish');
    expect(sync.body).toContain('"updated":true');

    const page = await t
      .http()
      .get(`${docs}/index.html`)
      .set('authorization', userHeader('carol'))
      .expect(200);
    expect(page.text).toContain('Shipment API');
    expect(page.text).toContain('system of record for shipments');

    const runbook = await t
      .http()
      .get(`${docs}/runbook/index.html`)
      .set('authorization', userHeader('carol'))
      .expect(200);
    expect(runbook.text).toContain('<h1');

    const metadata = await t
      .http()
      .get('/api/techdocs/metadata/techdocs/default/component/shipment-api')
      .set('authorization', userHeader('carol'))
      .expect(200);
    expect(typeof metadata.body.build_timestamp).toBe('number');
    expect(metadata.body.files).toEqual(
      expect.arrayContaining(['index.html', 'runbook/index.html']),
    );
  });

  it('gives a user who may not read the entity no pages, metadata or builds', async () => {
    // The docs exist: carol's build above published them.
    await t
      .http()
      .get(`${docs}/index.html`)
      .set('authorization', userHeader('carol'))
      .expect(200);

    const asDave = (path: string) =>
      t.http().get(path).set('authorization', userHeader('dave'));

    for (const path of [
      `${docs}/index.html`,
      `${docs}/runbook/index.html`,
      `${docs}/techdocs_metadata.json`,
      `${docs}/search/search_index.json`,
      '/api/techdocs/static/docs/default/Component/Shipment-API/index.html',
      '/api/techdocs/metadata/techdocs/default/component/shipment-api',
      '/api/techdocs/metadata/entity/default/component/shipment-api',
      '/api/techdocs/sync/default/component/shipment-api',
    ]) {
      const res = await asDave(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain('Harborline shipments');
    }

    // Nor through the path of an entity he may read (dave's team owns support-console) with
    // encoded separators: the stock check passes on support-console and the file server
    // decodes %2F, serving shipment-api's page. techdocsModuleStaticPathGuard refuses these paths.
    for (const sneaky of [
      '..%2F..%2Fcomponent%2Fshipment-api%2Findex.html',
      '..%2f..%2fcomponent%2fshipment-api/index.html',
      '..%5C..%5Ccomponent%5Cshipment-api%5Cindex.html',
      '%2e%2e/%2e%2e/component/shipment-api/index.html',
    ]) {
      const traversal = await asDave(
        `/api/techdocs/static/docs/default/component/support-console/${sneaky}`,
      );
      expect({ sneaky, status: traversal.status }).toEqual({
        sneaky,
        status: 404,
      });
      expect(traversal.text).not.toContain('Harborline shipments');
    }

    const anonymous = await t.http().get(`${docs}/index.html`);
    expect(anonymous.status).toBe(401);
  });

  // techdocs.actions.read is 'everyone' in the permission table: the action fetches the
  // metadata as the caller, so the entity's read permission decides.
  it('answers the TechDocs metadata action as the calling user', async () => {
    const tools = await mcpCall(t, 'carol', 'tools/list');
    const action = (tools.result?.tools ?? [])
      .map(tool => tool.name)
      .find(name => name.endsWith('get-techdocs-metadata'));
    expect(action).toEqual(expect.any(String));
    const call = (user: string) =>
      mcpCall(t, user, 'tools/call', {
        name: action,
        arguments: { kind: 'component', name: 'shipment-api' },
      });

    const carols = await call('carol');
    expect(carols.result?.isError ?? false).toBe(false);
    const metadata = JSON.parse(carols.result!.content![0].text);
    expect(metadata.files).toEqual(
      expect.arrayContaining(['index.html', 'runbook/index.html']),
    );

    const daves = await call('dave');
    expect(daves.result?.isError ?? Boolean(daves.error)).toBe(true);
    expect(JSON.stringify(daves)).not.toContain('runbook/index.html');
  });
});
