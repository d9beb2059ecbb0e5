/*
 * The backend refuses to start in production with a sign-in meant for development: the guest
 * provider, the development OIDC settings, or OIDC settings that point at the local identity
 * provider (packages/dev-idp). First the decisions, against real identity provider processes;
 * then real start attempts of the production image, which must end with one line naming the
 * setting. The normal production start is productionImage.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { prepareImage } from '../production/__testUtils__/imageRecipe';
import { startImageBackend } from '../production/__testUtils__/imageBackend';
import {
  describeWithPostgres,
  postgresEnv,
  uniqueDatabasePrefix,
} from '../production/__testUtils__/testPostgres';
import {
  DEV_IDP_DEVELOPMENT_ONLY_MARKER,
  UnsafeProductionConfigError,
  checkProductionSignIn,
  explainStartupFailure,
} from '@portico/plugin-backend-module-portico-guards';
import {
  dropDatabases,
  repoRoot,
  startDevIdpProcess,
} from '@portico/test-utils';

jest.setTimeout(20 * 60_000);

const guestRefused =
  'Portico backend refuses to start: auth.providers.guest is set while auth.environment is production, and the guest provider signs anyone in. Remove it (app-config.production.yaml sets it to null).';
const developmentOidcRefused =
  'Portico backend refuses to start: auth.providers.oidc.development is set while auth.environment is production, and any caller can sign in through it with ?env=development. Set it to null (app-config.production.yaml does).';
const devIdpRefused = (url: string) =>
  `Portico backend refuses to start: auth.providers.oidc.production.metadataUrl (${url}) is the local development identity provider, which signs anyone in without a password, while auth.environment is production. Point it at the company identity provider (AUTH_OIDC_METADATA_URL).`;

const oidcSettings = (metadataUrl: string) => ({
  metadataUrl,
  clientId: 'portico',
  clientSecret: 'unused',
});

describe('the production sign-in guard', () => {
  let devIdp: Awaited<ReturnType<typeof startDevIdpProcess>>;
  let standIn: Awaited<ReturnType<typeof startDevIdpProcess>>;

  beforeAll(async () => {
    // The identity provider reads its client from the environment, like the portal.
    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-guard-test';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    devIdp = await startDevIdpProcess(repoRoot);
    standIn = await startDevIdpProcess(repoRoot, { productionStandIn: true });
  });

  afterAll(async () => {
    await devIdp?.stop();
    await standIn?.stop();
  });

  const authConfig = (environment: string, providers: JsonObject) =>
    new ConfigReader({ auth: { environment, providers } });

  it('sees the development-only mark on the local identity provider, and not on its production stand-in', async () => {
    const marked = await (await fetch(devIdp.metadataUrl)).json();
    expect(marked[DEV_IDP_DEVELOPMENT_ONLY_MARKER]).toBe(true);
    const unmarked = await (await fetch(standIn.metadataUrl)).json();
    expect(unmarked).not.toHaveProperty(DEV_IDP_DEVELOPMENT_ONLY_MARKER);
    // Otherwise the stand-in is the same provider.
    expect(Object.keys(unmarked).sort()).toEqual(
      Object.keys(marked)
        .filter(key => key !== DEV_IDP_DEVELOPMENT_ONLY_MARKER)
        .sort(),
    );
  });

  it.each<[string, JsonObject]>([
    ['an empty guest provider', { guest: {} }],
    [
      'a guest provider allowed outside development',
      {
        guest: {
          dangerouslyAllowOutsideDevelopment: true,
          userEntityRef: 'user:default/alice',
        },
      },
    ],
  ])('refuses %s in production', async (_, providers) => {
    await expect(
      checkProductionSignIn(
        authConfig('production', {
          ...providers,
          oidc: { production: oidcSettings(standIn.metadataUrl) },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'UnsafeProductionConfigError',
      message: guestRefused,
    });
  });

  it('refuses the development OIDC settings in production, whatever they point at', async () => {
    await expect(
      checkProductionSignIn(
        authConfig('production', {
          oidc: {
            development: oidcSettings(standIn.metadataUrl),
            production: oidcSettings(standIn.metadataUrl),
          },
        }),
      ),
    ).rejects.toMatchObject({ message: developmentOidcRefused });
  });

  it('refuses production OIDC settings that point at the local identity provider', async () => {
    await expect(
      checkProductionSignIn(
        authConfig('production', {
          oidc: { production: oidcSettings(devIdp.metadataUrl) },
        }),
      ),
    ).rejects.toMatchObject({ message: devIdpRefused(devIdp.metadataUrl) });
  });

  it('lets production start with a provider that is not marked, and development with anything', async () => {
    await expect(
      checkProductionSignIn(
        authConfig('production', {
          oidc: { production: oidcSettings(standIn.metadataUrl) },
        }),
      ),
    ).resolves.toBeUndefined();
    await expect(
      checkProductionSignIn(
        authConfig('development', {
          guest: {},
          oidc: { development: oidcSettings(devIdp.metadataUrl) },
        }),
      ),
    ).resolves.toBeUndefined();
  });

  it('prints the refusal as the one line the backend ends with', () => {
    const error = new UnsafeProductionConfigError(guestRefused);
    expect(explainStartupFailure(error)).toBe(guestRefused);
  });

  describeWithPostgres('starting the production image', () => {
    const prefixes: string[] = [];
    let imageDir: string;

    beforeAll(async () => {
      imageDir = await prepareImage();
    });

    afterAll(async () => {
      for (const prefix of prefixes) await dropDatabases(prefix);
    });

    /** Starts the image's command with `config` on top; resolves once it has exited. */
    async function attemptStart(
      name: string,
      metadataUrl: string,
      config: JsonObject,
    ) {
      const prefix = uniqueDatabasePrefix('guard');
      prefixes.push(prefix);
      const backend = await startImageBackend({
        imageDir,
        name,
        env: {
          ...postgresEnv(),
          AUTH_OIDC_METADATA_URL: metadataUrl,
          AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID!,
          AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET!,
          AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
        },
        config: { ...config, backend: { database: { prefix } } },
        expectExit: true,
      });
      const exitCode = await backend.stop();
      return { exitCode, backend };
    }

    // The development OIDC settings are refused by the same check (see above); each start of
    // the image takes half a minute, so the two refusals named in app-config are started here.
    it.each<[string, () => [string, JsonObject], () => string]>([
      [
        'the guest provider',
        () => [standIn.metadataUrl, { auth: { providers: { guest: {} } } }],
        () => guestRefused,
      ],
      [
        'the local identity provider as its company IdP',
        () => [devIdp.metadataUrl, {}],
        () => devIdpRefused(devIdp.metadataUrl),
      ],
    ])(
      'refuses to start with %s, saying so in one line',
      async (name, setup, message) => {
        const [metadataUrl, config] = setup();
        const { exitCode, backend } = await attemptStart(
          `guard-${name.replace(/\W+/g, '-')}`,
          metadataUrl,
          config,
        );
        expect(exitCode).toBe(1);
        expect(backend.stderrLines.filter(line => line.trim())).toEqual([
          message(),
        ]);
        // The guard runs before any plugin: none of them logged a line.
        expect(
          backend.logEntries().filter(entry => entry.plugin !== undefined),
        ).toEqual([]);
      },
    );
  });
});
