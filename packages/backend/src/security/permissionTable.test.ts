/*
 * Every permission the running portal backend registers has a decision in the owner-of
 * permission table, and the table names no permission nothing registers. A plugin added to
 * src/features.ts with a new permission fails here until someone decides who gets it (until then
 * the policy denies it to everyone). Also: an external static token limited by
 * accessRestrictions to catalog.entity.read lists entities but cannot delete one or run a template.
 */
import { randomBytes } from 'node:crypto';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PERMISSION_TABLE } from '@portico/plugin-permission-backend-module-owner-of';
import request from 'supertest';
import { demoCatalogLocations, eventually } from '@portico/test-utils';
import { startPortalBackend } from '../__testUtils__/portalBackend';

jest.setTimeout(300_000);

const fullToken = randomBytes(24).toString('hex');
const catalogReadToken = randomBytes(24).toString('hex');

describe('the owner-of permission table', () => {
  let portal: Awaited<ReturnType<typeof startPortalBackend>>;
  let pluginIds: string[] = [];
  const http = () => request(portal.backend.server);

  beforeAll(async () => {
    // Reads which plugins the backend runs, as the backend itself knows them.
    const installedPlugins = createBackendModule({
      pluginId: 'permission',
      moduleId: 'installed-plugins-probe',
      register({ registerInit }) {
        registerInit({
          deps: { instance: coreServices.rootInstanceMetadata },
          async init({ instance }) {
            pluginIds = (await instance.getInstalledPlugins()).map(
              p => p.pluginId,
            );
          },
        });
      },
    });
    portal = await startPortalBackend(
      {
        catalog: { locations: demoCatalogLocations() },
        backend: {
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: fullToken, subject: 'permission-table' },
              },
              {
                type: 'static',
                options: { token: catalogReadToken, subject: 'catalog-export' },
                accessRestrictions: [
                  { plugin: 'catalog', permission: ['catalog.entity.read'] },
                ],
              },
            ],
          },
        },
      },
      { features: [installedPlugins] },
    );
  });

  afterAll(async () => {
    await portal?.stop();
  });

  it('decides every permission the backend registers, and names no other', async () => {
    expect(pluginIds.length).toBeGreaterThanOrEqual(14);
    const registered: Record<string, string> = {};
    const withMetadata: string[] = [];
    for (const pluginId of pluginIds) {
      const res = await http()
        .get(`/api/${pluginId}/.well-known/backstage/permissions/metadata`)
        .set('authorization', `Bearer ${fullToken}`);
      // A plugin without a permissions registry: a 404, or the app's index page for any path.
      if (res.status === 404 || !Array.isArray(res.body?.permissions)) {
        continue;
      }
      withMetadata.push(pluginId);
      for (const { name } of res.body.permissions as Array<{ name: string }>) {
        registered[name] = pluginId;
      }
    }
    expect(withMetadata).toEqual(
      expect.arrayContaining(['catalog', 'scaffolder', 'kubernetes']),
    );
    const undecided = Object.keys(registered).filter(
      name => !Object.prototype.hasOwnProperty.call(PERMISSION_TABLE, name),
    );
    expect(undecided).toEqual([]);
    // Each entry names the plugin that registers it, and none is left from a removed plugin.
    expect(
      Object.fromEntries(
        Object.entries(PERMISSION_TABLE).map(([name, e]) => [name, e.plugin]),
      ),
    ).toEqual(registered);
  });

  it('lets a token limited to catalog.entity.read list entities, never delete one or run a template', async () => {
    const reader = (req: request.Test) =>
      req.set('authorization', `Bearer ${catalogReadToken}`);
    const entities = await eventually(async () => {
      const res = await reader(
        http()
          .get('/api/catalog/entities/by-query')
          .query({ filter: 'kind=component', limit: 5 }),
      ).expect(200);
      if (res.body.items.length === 0) throw new Error('no components yet');
      return res.body.items as Array<{ metadata: { uid: string } }>;
    }, 120_000);
    const uid = entities[0].metadata.uid;
    expect(uid).toEqual(expect.any(String));

    await reader(http().delete(`/api/catalog/entities/by-uid/${uid}`)).expect(
      403,
    );
    await reader(
      http()
        .post('/api/scaffolder/v2/tasks')
        .send({
          templateRef: 'template:default/docs-site',
          values: {
            name: 'token-run',
            title: 'Token run',
            description: 'A run the token may not start',
            owner: 'group:default/platform-team',
          },
        }),
    ).expect(403);

    // The entity is still there, as the unrestricted token sees it.
    await http()
      .get(`/api/catalog/entities/by-uid/${uid}`)
      .set('authorization', `Bearer ${fullToken}`)
      .expect(200);
  });
});
