/*
 * The image's recipe, run without Docker: the host build, the image folder laid out as the
 * Dockerfile does, production dependencies only, then the image's own command with
 * NODE_ENV=production against PostgreSQL and a real OpenID Connect provider.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import { prepareImage, repoRoot } from './__testUtils__/imageRecipe';
import {
  DeploymentEnv,
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from './__testUtils__/imageBackend';
import {
  describeWithPostgres,
  postgresEnv,
  uniqueDatabasePrefix,
} from './__testUtils__/testPostgres';
import {
  dropDatabases,
  listDatabases,
  startDevIdpProcess,
} from '@portico/test-utils';

jest.setTimeout(20 * 60_000);

/** The one line the config loader prints before the backend's JSON logger exists. */
const CONFIG_BANNER = /^Loading config from /;

describeWithPostgres('the production image', () => {
  const prefix = uniqueDatabasePrefix('image');
  const access = staticAccessToken('image-tests');
  let markerDir: string | undefined;
  let startMarker: string;
  let imageDir: string;
  let backend: ImageBackend;
  let env: DeploymentEnv;
  let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;

  const get = (path: string, token?: string) =>
    fetch(`${backend.baseUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      redirect: 'manual',
    });

  beforeAll(async () => {
    imageDir = await prepareImage();
    // The local identity provider reads its client from the environment, like the portal.
    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-image-test';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    // The local IdP stands in for the company IdP (the guard refuses it otherwise).
    idp = await startDevIdpProcess(repoRoot, { productionStandIn: true });
    markerDir = mkdtempSync(join(tmpdir(), 'portico-image-marker-'));
    startMarker = join(markerDir, 'started');
    writeFileSync(startMarker, '');
    backend = await startImageBackend({
      imageDir,
      name: 'image',
      env: (env = {
        ...postgresEnv(),
        AUTH_OIDC_METADATA_URL: idp.metadataUrl,
        AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
        AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
        AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
      }),
      config: {
        backend: {
          database: { prefix },
          auth: { externalAccess: [access.config] },
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await idp?.stop();
    await dropDatabases(prefix);
    if (markerDir) rmSync(markerDir, { recursive: true, force: true });
  });

  it('leaves every file readable by the unprivileged user that runs it', async () => {
    // In the image, root owns the files and uid 1000 runs the backend: what is not readable
    // by "others" cannot be loaded.
    const { stdout } = await promisify(execFile)(
      'find',
      [
        imageDir,
        '!',
        '-type',
        'l',
        '(',
        '!',
        '-perm',
        '-o=r',
        '-o',
        '-type',
        'd',
        '!',
        '-perm',
        '-o=x',
        ')',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout.split('\n').filter(Boolean)).toEqual([]);
  });

  it('reports ready and alive', async () => {
    expect((await get('/.backstage/health/v1/readiness')).status).toBe(200);
    expect((await get('/.backstage/health/v1/liveness')).status).toBe(200);
  });

  it('keeps its data in PostgreSQL, one database per plugin under the configured prefix', async () => {
    const databases = await listDatabases(prefix);
    expect(databases).toEqual(
      expect.arrayContaining([
        `${prefix}catalog`,
        `${prefix}auth`,
        `${prefix}scaffolder`,
      ]),
    );
  });

  it('serves the app: the index page with its runtime config, and its scripts', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Portico</title>');
    // app-backend injects the frontend-visible config at run time: the deployment's base URL,
    // and none of its secrets.
    const injected = html.match(
      /<script type="backstage.io\/config">([\s\S]*?)<\/script>/,
    )?.[1];
    expect(injected).toBeDefined();
    const frontendConfig = ConfigReader.fromConfigs(JSON.parse(injected!));
    expect(frontendConfig.getString('app.baseUrl')).toBe(backend.baseUrl);
    for (const secret of [
      env.AUTH_SESSION_SECRET,
      env.AUTH_OIDC_CLIENT_SECRET,
      env.POSTGRES_PASSWORD,
      access.token,
    ]) {
      expect(injected).not.toContain(secret);
    }
    const script = html.match(/<script[^>]+src="(\/static\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers catalog calls with a configured static token and refuses them without one', async () => {
    const path = '/api/catalog/entities/by-query?limit=1';
    const authorized = await get(path, access.token);
    expect(authorized.status).toBe(200);
    expect(await authorized.json()).toMatchObject({ items: [] });
    expect((await get(path)).status).toBe(401);
    expect((await get(path, 'not-a-configured-token')).status).toBe(401);
  });

  it('keeps stack traces out of error responses', async () => {
    const notFound = await get(
      '/api/catalog/entities/by-name/component/default/does-not-exist',
      access.token,
    );
    expect(notFound.status).toBe(404);
    const notFoundBody = await notFound.json();
    expect(notFoundBody.error).toMatchObject({ name: 'NotFoundError' });

    const badInput = await fetch(`${backend.baseUrl}/api/catalog/locations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access.token}`,
        'content-type': 'application/json',
      },
      body: '{"type": "url"',
    });
    expect(badInput.status).toBe(400);
    const badInputBody = await badInput.json();
    expect(badInputBody.error).toMatchObject({ name: 'InputError' });

    for (const body of [notFoundBody, badInputBody]) {
      expect(body.error.stack).toBeUndefined();
      expect(JSON.stringify(body)).not.toMatch(/\\n\s+at /);
    }
  });

  it('writes its logs as JSON lines', async () => {
    await get('/api/catalog/entities/by-query?limit=1', access.token);
    await new Promise(r => setTimeout(r, 500));
    const [first, ...rest] = backend.stdoutLines;
    expect(first).toMatch(CONFIG_BANNER);
    expect(rest.length).toBeGreaterThan(10);
    for (const line of rest) {
      let entry: unknown;
      expect(() => {
        entry = JSON.parse(line);
      }).not.toThrow();
      expect(entry).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          message: expect.any(String),
        }),
      );
    }
    expect(
      backend
        .logEntries()
        .some(
          e =>
            e.type === 'incomingRequest' &&
            String(e.url).startsWith('/api/catalog/entities/by-query'),
        ),
    ).toBe(true);
    expect(backend.stderrLines).toEqual([]);
  });

  it('refuses the guest provider and signs in through OpenID Connect', async () => {
    const { appConfigs } = await loadConfig({
      configRoot: imageDir,
      configTargets: [
        { path: join(imageDir, 'app-config.yaml') },
        { path: join(imageDir, 'app-config.production.yaml') },
      ],
      experimentalEnvFunc: async () => 'set',
    });
    const production = appConfigs.find(c =>
      c.context.endsWith('app-config.production.yaml'),
    );
    expect(production?.data).toMatchObject({
      auth: { environment: 'production', providers: { guest: null } },
    });
    const config = ConfigReader.fromConfigs(appConfigs);
    expect(config.getOptional('auth.providers.guest')).toBeUndefined();

    const guest = await get('/api/auth/guest/refresh');
    expect(guest.status).toBe(404);
    expect((await guest.json()).error.message).toMatch(
      /Unknown auth provider 'guest'/,
    );

    const signIn = await get('/api/auth/oidc/start?env=production');
    expect(signIn.status).toBe(302);
    const metadata = await (await fetch(idp!.metadataUrl)).json();
    expect(signIn.headers.get('location')).toMatch(
      new RegExp(`^${metadata.authorization_endpoint}\\?`),
    );
  });

  it('writes nothing into the image folder (the root filesystem is read-only)', async () => {
    const { stdout } = await promisify(execFile)(
      'find',
      [imageDir, '-newer', startMarker],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout.split('\n').filter(Boolean)).toEqual([]);
  });
});
