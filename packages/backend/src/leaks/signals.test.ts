/*
 * The leak matrix over WebSockets: signals (live pushes such as "you have a new notification")
 * reach only the users they are meant for. Each user holds a real token the backend's own auth
 * plugin would issue (signed with its key), opens the signals WebSocket as the browser does (the
 * token in Sec-WebSocket-Protocol) and subscribes to the notifications channel; a connection
 * without a token is refused. A notification for bob, one for payments-team and a broadcast
 * are then sent: each connection receives exactly what it is a recipient of, and the broadcast,
 * which everyone receives, proves the silent connections were listening.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import {
  demoCatalogLocations,
  epochSeconds,
  eventually,
  generateSigningKey,
  portalTestDatabase,
  primeWebSocketUpgrades,
  signUserToken,
  staticKeyStore,
  TestSigningKey,
  webSocketStatus,
} from '@portico/test-utils';
import { startPortalBackend } from '../__testUtils__/portalBackend';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** alice is in platform-team, bob in payments-team, carol in routing-squad, dave in support-team. */
const USERS = ['alice', 'bob', 'carol', 'dave'] as const;
type Listener = (typeof USERS)[number];

interface SignalsConnection {
  received: Array<{ channel: string; message: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Opens the signals WebSocket with `token` and subscribes to `channel`. */
async function listen(
  baseUrl: string,
  channel: string,
  token: string,
): Promise<SignalsConnection> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/signals`;
  const received: SignalsConnection['received'] = [];
  const socket = new WebSocket(url, token);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener(
      'error',
      () => reject(new Error(`signals WebSocket refused (${url})`)),
      { once: true },
    );
  });
  socket.addEventListener('message', event => {
    received.push(JSON.parse(String(event.data)));
  });
  socket.send(JSON.stringify({ action: 'subscribe', channel }));
  const close = () =>
    new Promise<void>(resolve => {
      socket.addEventListener('close', () => resolve(), { once: true });
      setTimeout(resolve, 2000);
      socket.close();
    });
  return { received, close };
}

describe.each(databases.eachSupportedId())(
  'signals reach only their recipients, on %s',
  databaseId => {
    const keyDir = mkdtempSync(join(tmpdir(), 'portico-signals-keys-'));
    let stop: () => Promise<void>;
    let baseUrl: string;
    let serviceToken: string;
    let backendKey: TestSigningKey;
    const connections = new Map<Listener, SignalsConnection>();

    const notify = async (recipients: object, title: string) => {
      const res = await fetch(`${baseUrl}/api/notifications/notifications`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${serviceToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ recipients, payload: { title } }),
      });
      expect(res.status).toBe(200);
      const sent = (await res.json()) as Array<{ id: string }>;
      return sent.map(n => n.id);
    };

    /** The notification ids each listener has been told about so far. */
    const told = () =>
      Object.fromEntries(
        [...connections].map(([who, c]) => [
          who,
          c.received
            .filter(s => s.channel === 'notifications')
            .map(s => String(s.message.notification_id))
            .sort(),
        ]),
      );

    beforeAll(async () => {
      // The auth plugin signs user tokens with a key of the test's making, so the test can
      // present the tokens it would issue at sign-in.
      backendKey = await generateSigningKey();
      let backend;
      ({ backend, serviceToken, stop } = await startPortalBackend(
        {
          backend: {
            database: await portalTestDatabase(databaseId, 'portico_signals_'),
          },
          catalog: { locations: demoCatalogLocations() },
          auth: { keyStore: await staticKeyStore(backendKey, keyDir) },
        },
        // The backend's own events service, which carries signals from the plugin that sends
        // them to the signals plugin (the test backend's mock gives each plugin its own).
        { features: [eventsServiceFactory] },
      ));
      const server = backend.server as unknown as Server & { port(): number };
      baseUrl = `http://localhost:${server.port()}`;
      await primeWebSocketUpgrades(baseUrl, '/api/signals');
      // Notifications are only delivered to users the catalog knows.
      await eventually(async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-name/user/default/dave`,
          { headers: { authorization: `Bearer ${serviceToken}` } },
        );
        await res.body?.cancel();
        if (res.status !== 200) throw new Error(`dave not in the catalog yet`);
      }, 120_000);

      const now = epochSeconds();
      for (const user of USERS) {
        const ref = `user:default/${user}`;
        const token = await signUserToken(backendKey, {
          issuer: `${baseUrl}/api/auth`,
          sub: ref,
          ent: [ref],
          iat: now,
          exp: now + 600,
        });
        connections.set(user, await listen(baseUrl, 'notifications', token));
      }
    });

    afterAll(async () => {
      await Promise.all([...connections.values()].map(c => c.close()));
      await stop?.();
      rmSync(keyDir, { recursive: true, force: true });
    });

    it("pushes a user's notification to that user alone, a team's to its members, a broadcast to all", async () => {
      const [forBob] = await notify(
        { type: 'entity', entityRef: 'user:default/bob' },
        'Secret payments rework for bob',
      );
      const [forPayments] = await notify(
        { type: 'entity', entityRef: 'group:default/payments-team' },
        'Payments team incident review',
      );
      const [forEveryone] = await notify(
        { type: 'broadcast' },
        'Portal maintenance tonight',
      );
      // The broadcast is sent last and reaches everyone: once each connection has it, whatever
      // was meant for it has arrived too.
      await eventually(async () => {
        const missing = [...connections]
          .filter(
            ([, c]) =>
              !c.received.some(s => s.message.notification_id === forEveryone),
          )
          .map(([who]) => who);
        if (missing.length > 0) {
          throw new Error(`no broadcast yet for ${missing.join(', ')}`);
        }
      }, 30_000);

      expect(told()).toEqual({
        alice: [forEveryone],
        bob: [forBob, forPayments, forEveryone].sort(),
        carol: [forEveryone],
        dave: [forEveryone],
      });
    });

    it('refuses a connection without a token, which would otherwise receive every broadcast', async () => {
      expect(await webSocketStatus(baseUrl, '/api/signals')).toBe(401);
    });
  },
);
