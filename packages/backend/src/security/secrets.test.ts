/*
 * Secrets stay secret: the configuration schema marks every secret the portal is configured
 * with as `@visibility secret` (so the logger redacts it and the app backend never serves it to
 * browsers), and a production backend given distinctive secrets, exercised through its API and a
 * failing sign-in, writes none of them to its logs or into the app it serves.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import {
  ConfigSchema,
  loadConfig,
  loadConfigSchema,
} from '@backstage/config-loader';
import { AppConfig } from '@backstage/config';
import { JsonObject, JsonValue } from '@backstage/types';
import { prepareImage } from '../production/__testUtils__/imageRecipe';
import {
  DeploymentEnv,
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from '../production/__testUtils__/imageBackend';
import {
  describeWithPostgres,
  postgresEnv,
  uniqueDatabasePrefix,
} from '../production/__testUtils__/testPostgres';
import {
  dropDatabases,
  freePort,
  repoRoot,
  signInThroughIdp,
  startDevIdpProcess,
} from '@portico/test-utils';

jest.setTimeout(20 * 60_000);

/** Environment variables whose values are secrets, by name. */
const SECRET_VARIABLE = /SECRET|TOKEN|PASSWORD|CONNECTION/;

/** Config keys that hold a secret by their name. */
const SECRET_KEY =
  /secret|password|passphrase|credential|private.?key|api.?key|(^t|T)oken$/;

/** The config files of the two ways the portal runs. */
const deployments = {
  development: ['app-config.yaml'],
  production: ['app-config.yaml', 'app-config.production.yaml'],
};

/** Plausible values for the variables whose values the schema constrains. */
const plausibleValues: Record<string, string> = {
  PORTICO_BASE_URL: 'http://127.0.0.1:7007',
  AUTH_OIDC_METADATA_URL:
    'http://127.0.0.1:7010/.well-known/openid-configuration',
  POSTGRES_PORT: '5432',
  // The shared cache: its connection URL holds the cache server's password.
  CACHE_STORE: 'redis',
};

const marker = (name: string) => `env-marker-${name}`;

/**
 * A secret as it would appear in text: as is, and base64-encoded at any byte offset (as in a
 * logged `Authorization: Basic` header), where only the middle of the encoding is fixed.
 */
function encodedForms(value: string): string[] {
  const forms = [value];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.from(`${'.'.repeat(offset)}${value}`).toString(
      'base64',
    );
    forms.push(encoded.slice(4, -4));
  }
  return forms;
}

async function loadDeploymentConfig(
  files: string[],
  env: (name: string) => string | undefined,
  extra: AppConfig[] = [],
): Promise<JsonObject> {
  const { appConfigs } = await loadConfig({
    configRoot: repoRoot,
    configTargets: files.map(file => ({ path: join(repoRoot, file) })),
    experimentalEnvFunc: async name => env(name),
  });
  // One merged config, as the backend reads it: a key set to null by a later file is gone.
  return ConfigReader.fromConfigs([...appConfigs, ...extra]).get<JsonObject>();
}

/** Every string value of `data` with its path and the schema's visibility for that path. */
function visibilities(schema: ConfigSchema, data: JsonObject) {
  const found: Array<{ path: string; visibility: string; value: string }> = [];
  schema.process([{ context: 'merged', data }], {
    valueTransform: (value, context) => {
      if (typeof value === 'string') {
        found.push({
          path: context.path,
          visibility: context.visibility,
          value,
        });
      }
      return value;
    },
  });
  return found;
}

/** The paths, below `prefix`, of the properties a JSON schema declares, with their visibility. */
function declaredKeys(
  node: JsonValue | undefined,
  prefix = '',
): Array<{ path: string; key: string; visibility?: string }> {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
  const keys: Array<{ path: string; key: string; visibility?: string }> = [];
  const properties = (node.properties ?? {}) as JsonObject;
  for (const [key, child] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const visibility = (child as JsonObject)?.visibility as string | undefined;
    keys.push({ path, key, visibility });
    keys.push(...declaredKeys(child, path));
  }
  for (const nested of ['additionalProperties', 'items'] as const) {
    if (node[nested] && typeof node[nested] === 'object') {
      keys.push(...declaredKeys(node[nested], `${prefix}.*`));
    }
  }
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const branch of (node[combinator] as JsonValue[] | undefined) ?? []) {
      keys.push(...declaredKeys(branch, prefix));
    }
  }
  return keys;
}

describe('secrets in the configuration schema', () => {
  let schema: ConfigSchema;

  beforeAll(async () => {
    schema = await loadConfigSchema({ dependencies: ['backend', 'app'] });
  });

  it('marks every secret-named key of our own config.d.ts files @visibility secret', () => {
    const { schemas } = schema.serialize() as {
      schemas: Array<{ packageName: string; path: string; value: JsonObject }>;
    };
    const ours = schemas.filter(
      s => s.packageName === 'backend' || s.packageName.startsWith('@portico/'),
    );
    expect(ours.map(s => s.path).sort()).toEqual(
      expect.arrayContaining([
        'packages/backend/config.d.ts',
        'plugins/local-git-node/config.d.ts',
      ]),
    );
    const unmarked = ours.flatMap(s =>
      declaredKeys(s.value)
        .filter(k => SECRET_KEY.test(k.key) && k.visibility !== 'secret')
        .map(k => `${s.path}: ${k.path}`),
    );
    expect(unmarked).toEqual([]);

    // The same reading of Backstage's own schemas finds their secrets, marked.
    const theirs = schemas
      .filter(s => s.packageName.startsWith('@backstage/'))
      .flatMap(s => declaredKeys(s.value))
      .filter(k => SECRET_KEY.test(k.key));
    expect(theirs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'auth.session.secret',
          visibility: 'secret',
        }),
      ]),
    );
  });

  it.each(Object.entries(deployments))(
    'gives every secret the %s configuration takes from the environment secret visibility, and none of them to the frontend',
    async (_, files) => {
      const data = await loadDeploymentConfig(
        files,
        name => plausibleValues[name] ?? marker(name),
      );
      const fromSecretVariables = visibilities(schema, data).filter(v =>
        [...v.value.matchAll(/env-marker-(\w+)/g)].some(([, name]) =>
          SECRET_VARIABLE.test(name),
        ),
      );
      expect(fromSecretVariables.length).toBeGreaterThanOrEqual(3);
      expect(
        fromSecretVariables.filter(v => v.visibility !== 'secret'),
      ).toEqual([]);

      // What the app backend injects into the app: the frontend-visible part only.
      const frontend = schema.process([{ context: 'merged', data }], {
        visibility: ['frontend'],
      });
      const served = JSON.stringify(frontend);
      expect(served).toContain('baseUrl');
      for (const { value } of fromSecretVariables) {
        expect(served).not.toContain(value);
      }
    },
  );

  it('covers the secrets of a production deployment', async () => {
    const data = await loadDeploymentConfig(
      deployments.production,
      name => plausibleValues[name] ?? marker(name),
    );
    const secretPaths = visibilities(schema, data)
      .filter(v => v.visibility === 'secret')
      .map(v => v.path);
    expect(secretPaths.sort()).toEqual(
      [
        'auth.providers.oidc.production.clientSecret',
        'auth.session.secret',
        'backend.cache.connection',
        'backend.database.connection.password',
        'integrations.github[0].token',
      ].sort(),
    );
  });
});

describeWithPostgres('secrets of a running production backend', () => {
  const prefix = uniqueDatabasePrefix('secrets');
  const distinct = (what: string) =>
    `portico-${what}-${randomBytes(12).toString('hex')}`;
  const access = staticAccessToken('secrets-test');
  let backend: ImageBackend;
  let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;
  let env: DeploymentEnv;
  let testConfig: JsonObject;
  /** Every secret the backend was given, by where it came from. */
  let secrets: Record<string, string>;

  beforeAll(async () => {
    const imageDir = await prepareImage();
    const port = await freePort();
    process.env.AUTH_OIDC_CLIENT_ID = 'portico-secrets-test';
    process.env.AUTH_OIDC_CLIENT_SECRET = distinct('oidc-client-secret');
    // The local IdP stands in for the company IdP; it knows the client secret too.
    idp = await startDevIdpProcess(repoRoot, {
      productionStandIn: true,
      redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/handler/frame`],
    });
    env = {
      ...postgresEnv(),
      // The test server trusts local connections and ignores the password.
      POSTGRES_PASSWORD: distinct('postgres-password'),
      AUTH_OIDC_METADATA_URL: idp.metadataUrl,
      AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
      AUTH_SESSION_SECRET: distinct('session-secret'),
      GITHUB_TOKEN: distinct('github-token'),
      // Every log line, not just info and above.
      LOG_LEVEL: 'debug',
    };
    secrets = {
      AUTH_SESSION_SECRET: env.AUTH_SESSION_SECRET,
      AUTH_OIDC_CLIENT_SECRET: env.AUTH_OIDC_CLIENT_SECRET,
      POSTGRES_PASSWORD: env.POSTGRES_PASSWORD,
      GITHUB_TOKEN: env.GITHUB_TOKEN,
      'external access token': access.token,
    };
    testConfig = {
      backend: {
        database: { prefix },
        auth: { externalAccess: [access.config] },
      },
    };
    backend = await startImageBackend({
      imageDir,
      name: 'secrets',
      port,
      env,
      config: testConfig,
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await idp?.stop();
    await dropDatabases(prefix);
  });

  it('was given a distinctive value for every secret of its configuration', async () => {
    const schema = await loadConfigSchema({ dependencies: ['backend', 'app'] });
    const data = await loadDeploymentConfig(
      deployments.production,
      name => env[name],
      [{ context: 'test', data: testConfig }],
    );
    const secretValues = visibilities(schema, data).filter(
      v => v.visibility === 'secret',
    );
    expect(secretValues.map(v => v.path).sort()).toEqual(
      [
        'auth.providers.oidc.production.clientSecret',
        'auth.session.secret',
        'backend.auth.externalAccess[0].options.token',
        'backend.database.connection.password',
        'integrations.github[0].token',
      ].sort(),
    );
    for (const { value } of secretValues) {
      expect(Object.values(secrets)).toContain(value);
    }
  });

  it('logs none of its secrets and serves none to the browser, after answering requests and a failing sign-in', async () => {
    const get = (path: string, token?: string) =>
      fetch(`${backend.baseUrl}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        redirect: 'manual',
      });

    // Health, API calls with and without credentials, a 404, a bad request.
    expect((await get('/.backstage/health/v1/readiness')).status).toBe(200);
    expect(
      (await get('/api/catalog/entities/by-query?limit=1', access.token))
        .status,
    ).toBe(200);
    expect(
      (
        await get(
          '/api/catalog/entities/by-name/component/default/nope',
          access.token,
        )
      ).status,
    ).toBe(404);
    expect((await get('/api/catalog/entities')).status).toBe(401);
    expect((await get('/api/catalog/entities', 'not-a-token')).status).toBe(
      401,
    );
    expect((await get('/api/no-such-plugin')).status).toBe(404);
    const badInput = await fetch(`${backend.baseUrl}/api/catalog/locations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access.token}`,
        'content-type': 'application/json',
      },
      body: '{"type": "url"',
    });
    expect(badInput.status).toBe(400);

    // A sign-in through the IdP that the portal refuses: production has no users in its
    // catalog. The code is exchanged for tokens with the client secret first.
    await expect(
      signInThroughIdp({
        backendUrl: backend.baseUrl,
        user: 'alice',
        environment: 'production',
      }),
    ).rejects.toThrow(/sign-in failed/);

    // A callback with a forged code: the token request with the client secret is refused.
    const start = await get(
      '/api/auth/oidc/start?env=production&scope=openid%20email',
    );
    expect(start.status).toBe(302);
    const state = new URL(start.headers.get('location')!).searchParams.get(
      'state',
    );
    const cookie = start.headers
      .getSetCookie()
      .map(c => c.split(';')[0])
      .join('; ');
    const callback = await fetch(
      `${
        backend.baseUrl
      }/api/auth/oidc/handler/frame?code=forged&state=${encodeURIComponent(
        state!,
      )}`,
      { headers: { cookie } },
    );
    const callbackPage = await callback.text();
    const answer = callbackPage.match(
      /authResponse = decodeURIComponent\('([^']*)'\)/,
    )?.[1];
    expect(JSON.parse(decodeURIComponent(answer!)).error).toBeDefined();

    // What the browser gets: the index page with its injected config, and its scripts.
    const index = await (await get('/')).text();
    expect(index).toMatch(/<script type="backstage.io\/config">/);
    const scripts = [...index.matchAll(/<script[^>]+src="([^"]+)"/g)].map(
      ([, src]) => src,
    );
    expect(scripts.length).toBeGreaterThan(0);
    const served = [index, callbackPage];
    for (const src of scripts) served.push(await (await get(src)).text());

    await new Promise(r => setTimeout(r, 1000));
    // Shutting down logs too.
    await backend.stop();
    const logs = [...backend.stdoutLines, ...backend.stderrLines];
    expect(logs.length).toBeGreaterThan(50);
    // The sign-in callbacks were logged, so the search covers what they logged.
    expect(
      backend
        .logEntries()
        .filter(
          e =>
            e.type === 'incomingRequest' &&
            String(e.url).startsWith('/api/auth/oidc/handler/frame'),
        ).length,
    ).toBeGreaterThanOrEqual(2);

    const leaks: string[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      const forms = encodedForms(value);
      const found = (text: string) => forms.some(form => text.includes(form));
      if (logs.some(found)) leaks.push(`${name} in logs`);
      if (served.some(found)) leaks.push(`${name} served to the browser`);
    }
    expect(leaks).toEqual([]);
  });
});
