/*
 * The organization synced from a real OpenLDAP directory reaches access without a new sign-in.
 * The whole portal backend runs with the guarded LDAP provider syncing every 2 s from a slapd of
 * this test's own (seeded with the demo organization); users sign in through the local OpenID
 * Connect provider as a browser does, and keep using the token they got while the directory
 * changes under them.
 */
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { Server, connect, createServer } from 'node:net';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  Slapd,
  groupDn,
  harborlineLdif,
  harborlineProviderConfig,
  userDn,
} from '@portico/plugin-catalog-backend-module-ldap-guarded/testUtils';
import {
  eventually,
  freePort,
  portalTestDatabase,
  repoRoot,
  signInThroughIdp,
  startDevIdpProcess,
} from '@portico/test-utils';
import { startPortalBackend } from '../__testUtils__/portalBackend';

jest.setTimeout(5 * 60_000);

const SYNC_INTERVAL_S = 2;
const MEMBERSHIP_REFRESH_S = 1;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'directory changes reach access without a new sign-in, on %s',
  databaseId => {
    let slapd: Slapd;
    let idp: Awaited<ReturnType<typeof startDevIdpProcess>>;
    let stop: () => Promise<void>;
    let baseUrl: string;
    let forwarder: Server;
    const tokens: Record<string, string> = {};

    const signIn = (user: string) =>
      signInThroughIdp({
        backendUrl: baseUrl,
        user,
        environment: 'development',
      });

    const status = async (path: string, token: string) => {
      const response = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.body?.cancel();
      return response.status;
    };
    const paymentGateway = (token: string) =>
      status(
        '/api/catalog/entities/by-name/component/default/payment-gateway',
        token,
      );

    /** The software (everything but the org chart) a token reads. */
    const software = async (token: string) => {
      const kinds = ['component', 'api', 'system', 'resource', 'domain'];
      const response = await fetch(
        `${baseUrl}/api/catalog/entities/by-query?limit=500&fields=kind,metadata.name&${kinds
          .map(kind => `filter=kind=${kind}`)
          .join('&')}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status).toBe(200);
      const body = await response.json();
      return body.items
        .map((e: any) => `${e.kind}:${e.metadata.name}`.toLowerCase())
        .sort();
    };

    /** Waits for a change, reporting how long it took to reach access. */
    const untilAccess = async (what: string, check: () => Promise<void>) => {
      const startedAt = Date.now();
      await eventually(check, 90_000);
      process.stdout.write(
        `[${databaseId}] ${what}: ${((Date.now() - startedAt) / 1000).toFixed(
          1,
        )} s (sync every ${SYNC_INTERVAL_S} s, membership refresh ${MEMBERSHIP_REFRESH_S} s)\n`,
      );
    };

    beforeAll(async () => {
      slapd = await Slapd.start({
        ldif: harborlineLdif(),
        port: await freePort(),
      });
      // The identity provider only redirects to callbacks it knows: the portal's port is chosen
      // first.
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-test';
      process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
      idp = await startDevIdpProcess(repoRoot, {
        redirectUris: [`${baseUrl}/api/auth/oidc/handler/frame`],
      });
      const metadataUrl = idp.metadataUrl;
      let backend;
      ({ backend, stop } = await startPortalBackend(
        {
          backend: {
            database: await portalTestDatabase(
              databaseId,
              'portico_dir_access_',
            ),
          },
          auth: {
            providers: {
              oidc: {
                development: {
                  metadataUrl,
                  callbackUrl: `${baseUrl}/api/auth/oidc/handler/frame`,
                },
              },
            },
          },
          catalog: {
            // The software from the demo files, the people from the directory
            locations: [
              {
                type: 'file',
                target: resolvePath(repoRoot, 'demo-data/software.yaml'),
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Resource',
                      'Location',
                      'Domain',
                      'Template',
                    ],
                  },
                ],
              },
            ],
            providers: {
              ldapOrg: {
                harborline: {
                  ...harborlineProviderConfig(slapd.url),
                  schedule: {
                    frequency: { seconds: SYNC_INTERVAL_S },
                    timeout: { seconds: 60 },
                  },
                },
              },
            },
          },
          permission: {
            ownerOf: { membershipRefresh: `${MEMBERSHIP_REFRESH_S}s` },
          },
        },
        // The real scheduler: the sync runs on its schedule, as in production
        { features: [schedulerServiceFactory] },
      ));
      // The test backend listens on a port of its own choosing: the chosen one forwards to it.
      const backendPort = (
        backend.server as unknown as { port(): number }
      ).port();
      forwarder = createServer(socket => {
        const upstream = connect(backendPort, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
      await new Promise<void>(resolve =>
        forwarder.listen(port, '127.0.0.1', resolve),
      );
      // Users can sign in once the first sync has brought them into the catalog.
      for (const user of ['dave', 'uma', 'victor']) {
        tokens[user] = await eventually(
          async () => (await signIn(user)).token,
          120_000,
        );
      }
    });

    afterAll(async () => {
      await stop?.();
      await idp?.stop();
      await slapd?.destroy();
    });

    it('a user added to a team in the directory reads its software with the token they hold', async () => {
      expect(await paymentGateway(tokens.dave)).toBe(404);
      await slapd.modify(
        [
          `dn: ${groupDn('payments-team')}`,
          'changetype: modify',
          'add: member',
          `member: ${userDn('dave')}`,
          '',
        ].join('\n'),
      );
      await untilAccess('dave added to payments-team', async () =>
        expect(await paymentGateway(tokens.dave)).toBe(200),
      );
    });

    it('removed from the team, they stop reading it', async () => {
      await slapd.modify(
        [
          `dn: ${groupDn('payments-team')}`,
          'changetype: modify',
          'delete: member',
          `member: ${userDn('dave')}`,
          '',
        ].join('\n'),
      );
      await untilAccess('dave removed from payments-team', async () =>
        expect(await paymentGateway(tokens.dave)).toBe(404),
      );
    });

    it('a user deleted from the directory cannot sign in, and their old token reads what a user without groups reads', async () => {
      const umaBefore = await software(tokens.uma);
      await slapd.modify(
        [
          `dn: ${userDn('uma')}`,
          'changetype: delete',
          '',
          // victor stays, in no group: the baseline of a user without groups
          `dn: ${groupDn('operations')}`,
          'changetype: modify',
          'delete: member',
          `member: ${userDn('victor')}`,
          '',
        ].join('\n'),
      );
      await untilAccess('uma deleted', async () => {
        await expect(signIn('uma')).rejects.toThrow(/sign-in failed/);
      });
      const withoutGroups = await eventually(async () => {
        const victor = await software(tokens.victor);
        // victor's department grants no longer reach him
        expect(victor.length).toBeLessThan(umaBefore.length);
        return victor;
      });
      await eventually(async () =>
        expect(await software(tokens.uma)).toEqual(withoutGroups),
      );
    });
  },
);
