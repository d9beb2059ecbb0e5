/*
 * The request guard modules on a test backend, in front of stand-in plugins that parse JSON the
 * way Backstage's plugins do: what the guards refuse, with which status and error name, and what
 * they hand on untouched.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import {
  kubernetesModuleRequestGuards,
  userSettingsModuleRequestGuards,
} from './modules';

/** A plugin whose routes answer with the body they were given. */
function standInPlugin(pluginId: string) {
  return createBackendPlugin({
    pluginId,
    register({ registerInit }) {
      registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = express.Router();
          // Streams the raw body back: what reaches the plugin unread.
          router.post('/proxy/echo', (req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', chunk => chunks.push(chunk));
            req.on('end', () => {
              res.json({ raw: Buffer.concat(chunks).toString('utf8') });
            });
          });
          router.use(express.json({ limit: '10mb' }));
          router.post('/*', (req, res) => {
            res.json({ received: req.body });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

describe('request guard modules', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const user = mockCredentials.user.header();

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        standInPlugin('user-settings'),
        userSettingsModuleRequestGuards,
        standInPlugin('kubernetes'),
        kubernetesModuleRequestGuards,
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const post = (path: string) =>
    request(backend.server).post(path).set('authorization', user);

  it('hands ordinary JSON bodies on, parsed', async () => {
    const res = await post('/api/user-settings/multiget')
      .send({ items: [{ bucket: 'starred', key: 'all' }] })
      .expect(200);
    expect(res.body).toEqual({
      received: { items: [{ bucket: 'starred', key: 'all' }] },
    });
  });

  it("refuses a body over the plugin's limit with 413, before the plugin's own parser", async () => {
    const res = await post('/api/user-settings/anything')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(101 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ name: 'PayloadTooLargeError' });
  });

  it('names malformed JSON and a top level other than an object or array InputError, with 400', async () => {
    for (const body of ['{"items": [', '"just a string"', 'null']) {
      const res = await post('/api/user-settings/anything')
        .set('content-type', 'application/json')
        .send(body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({
        body,
        status: 400,
        error: expect.objectContaining({
          name: 'InputError',
          message: expect.stringMatching(/^Malformed JSON body: /),
        }),
      });
    }
  });

  it('refuses a charset other than UTF with 415', async () => {
    const res = await post('/api/user-settings/anything')
      .set('content-type', 'application/json; charset=latin1')
      .send('{"items": []}');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({
      name: 'UnsupportedMediaTypeError',
    });
  });

  it('refuses NUL characters in body values, keys and the URL with 400', async () => {
    for (const body of [
      { items: [{ bucket: 'a\u0000b', key: 'k' }] },
      { 'a\u0000b': 1 },
      [[[{ deep: ['\u0000'] }]]],
    ]) {
      const res = await post('/api/user-settings/anything').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(
        expect.objectContaining({
          name: 'InputError',
          message: 'JSON body must not contain NUL characters',
        }),
      );
    }
    // An escaped backslash followed by "u0000" is no NUL character.
    await post('/api/user-settings/anything')
      .set('content-type', 'application/json')
      .send('{"path": "C:\\\\u0000"}')
      .expect(200);
    const url = await post('/api/user-settings/anything?q=%00').send({});
    expect(url.status).toBe(400);
    expect(url.body.error.message).toBe(
      'Request URL must not contain NUL characters (%00)',
    );
  });

  it('refuses a settings multiget of the wrong shape with a 400 that names the problem', async () => {
    const res = await post('/api/user-settings/multiget')
      .send({ items: [{ bucket: 'starred' }] })
      .expect(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      message:
        'Invalid body for POST /multiget: items[0] must be { "bucket": string, "key": string }',
    });
  });

  it('refuses a Kubernetes services lookup without its entity, and streams proxy bodies on unread', async () => {
    const lookup = await post('/api/kubernetes/services/payment-gateway')
      .send({ entity: { kind: 'Component' } })
      .expect(400);
    expect(lookup.body.error.message).toMatch(/entity must have a "kind"/);

    // Larger than the guards' limit and not parsed by them: the proxy gets every byte.
    const raw = JSON.stringify({ padding: 'x'.repeat(200 * 1024) });
    const proxied = await post('/api/kubernetes/proxy/echo')
      .set('content-type', 'application/json')
      .send(raw)
      .expect(200);
    expect(proxied.body.raw).toBe(raw);
  });
});
