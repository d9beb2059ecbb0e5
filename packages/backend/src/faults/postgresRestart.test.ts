/*
 * PostgreSQL restarts (an upgrade, a failover, a crash) while the backend serves requests. The
 * real backend process (the production image's command) runs on a PostgreSQL server of this
 * test's own, which the test stops and starts; the machine's shared server is never touched.
 *
 * While the database is down, requests must fail cleanly and quickly (a 5xx JSON error, no hang,
 * no crash); once it is back, the same process must serve again without a restart, with
 * everything written before the outage still there.
 */
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  eventually,
  freePort,
  hasPostgresBinaries,
  postgresBinDir,
  PrivatePostgres,
  signInThroughIdp,
  startDevIdpProcess,
  startPrivatePostgres,
} from '@portico/test-utils';
import {
  ImageBackend,
  startImageBackend,
  staticAccessToken,
} from '../production/__testUtils__/imageBackend';
import {
  prepareImage,
  repoRoot,
} from '../production/__testUtils__/imageRecipe';

jest.setTimeout(15 * 60_000);

/** No request may take longer than this, database or not. */
const REQUEST_BOUND_MS = 30_000;

if (!hasPostgresBinaries) {
  if (process.env.PORTICO_REQUIRE_POSTGRES === '1') {
    throw new Error(
      `PostgreSQL server binaries not found in ${postgresBinDir}`,
    );
  }
  process.stderr.write(
    `\n\x1b[1;33m*** SKIPPED: the PostgreSQL restart test needs PostgreSQL's server binaries in ${postgresBinDir}. ***\x1b[0m\n\n`,
  );
}
const describeWithServer = hasPostgresBinaries ? describe : describe.skip;

interface Outcome {
  what: string;
  status: number;
  /** `error.name` of a Backstage JSON error body, if the response is one. */
  errorName?: string;
  body: unknown;
}

/** Traffic one request type sends during the whole test, with what it got. */
interface TrafficRecord extends Outcome {
  phase: 'up' | 'down' | 'recovered';
}

describeWithServer('PostgreSQL restarted under a running backend', () => {
  const access = staticAccessToken('postgres-restart-tests');
  const settingBucket = 'portico-faults';
  const suffix = randomBytes(3).toString('hex');
  const firstComponent = `before-outage-${suffix}`;
  const secondComponent = `after-outage-${suffix}`;
  let postgres: PrivatePostgres;
  let catalogHost: Server;
  let catalogHostUrl: string;
  let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;
  let backend: ImageBackend;
  let bobToken: string;
  let firstUid: string;

  let phase: TrafficRecord['phase'] = 'up';
  const traffic: TrafficRecord[] = [];
  let trafficRunning = false;
  let trafficDone: Promise<void> | undefined;

  /** One bounded request; a hang beyond the bound fails the test through the thrown abort. */
  async function call(
    what: string,
    path: string,
    init: RequestInit & { token?: string } = {},
  ): Promise<Outcome> {
    const response = await fetch(`${backend.baseUrl}${path}`, {
      ...init,
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
      headers: {
        authorization: `Bearer ${init.token ?? access.token}`,
        'content-type': 'application/json',
      },
    });
    const text = await response.text();
    let body: unknown = text;
    if (response.headers.get('content-type')?.includes('application/json')) {
      body = JSON.parse(text);
    }
    const errorName = (body as { error?: { name?: string } } | undefined)?.error
      ?.name;
    return { what, status: response.status, errorName, body };
  }

  const getEntity = (name: string) =>
    call(
      'get entity',
      `/api/catalog/entities/by-name/component/default/${name}`,
    );
  const registerLocation = (name: string) =>
    call('register location', '/api/catalog/locations', {
      method: 'POST',
      body: JSON.stringify({
        type: 'url',
        target: `${catalogHostUrl}/${name}/catalog-info.yaml`,
      }),
    });
  const settingPath = (key: string) =>
    `/api/user-settings/buckets/${settingBucket}/keys/${key}`;
  const getSetting = (key: string) =>
    call('get user setting', settingPath(key), { token: bobToken });
  const putSetting = (key: string, value: unknown) =>
    call('store user setting', settingPath(key), {
      method: 'PUT',
      token: bobToken,
      body: JSON.stringify({ value }),
    });

  /** A clean failure: a server error answered as Backstage's JSON error. */
  function expectCleanServerError(outcome: Outcome) {
    expect({
      what: outcome.what,
      serverError: outcome.status >= 500 && outcome.status < 600,
      jsonError: typeof outcome.errorName === 'string',
    }).toEqual({ what: outcome.what, serverError: true, jsonError: true });
  }

  /** Reads an entity and bob's setting in a loop for the whole test, as users would. */
  function startTraffic() {
    trafficRunning = true;
    trafficDone = (async () => {
      while (trafficRunning) {
        const phaseAtStart = phase;
        const outcomes = await Promise.all(
          [getEntity(firstComponent), getSetting('theme')].map(outcome =>
            // A request beyond the bound, or a dropped connection, is recorded as status 0.
            outcome.catch(
              (error: Error): Outcome => ({
                what: 'request',
                status: 0,
                body: String(error),
              }),
            ),
          ),
        );
        for (const outcome of outcomes) {
          traffic.push({ ...outcome, phase: phaseAtStart });
        }
        await new Promise(r => setTimeout(r, 250));
      }
    })();
  }

  beforeAll(async () => {
    const imageDir = await prepareImage();
    postgres = await startPrivatePostgres();

    // A repository host on loopback: /<name>/catalog-info.yaml is a Component called <name>,
    // owned by bob's team.
    catalogHost = createServer((req, res) => {
      const name = req.url?.split('/')[1] ?? '';
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: Component',
          'metadata:',
          `  name: ${name}`,
          'spec:',
          '  type: service',
          '  lifecycle: production',
          '  owner: group:default/payments-team',
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>(r => catalogHost.listen(0, '127.0.0.1', r));
    const hostPort = (catalogHost.address() as AddressInfo).port;
    catalogHostUrl = `http://127.0.0.1:${hostPort}`;

    // The provider only redirects to callbacks it knows: the backend's port is chosen first.
    const port = await freePort();
    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-restart-test';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    idp = await startDevIdpProcess(repoRoot, {
      productionStandIn: true,
      redirectUris: [`http://127.0.0.1:${port}/api/auth/oidc/handler/frame`],
    });
    backend = await startImageBackend({
      imageDir,
      name: 'postgres-restart',
      port,
      env: {
        POSTGRES_HOST: postgres.host,
        POSTGRES_PORT: String(postgres.port),
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: 'unused-with-trust',
        AUTH_OIDC_METADATA_URL: idp.metadataUrl,
        AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
        AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
        AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
      },
      config: {
        backend: {
          auth: { externalAccess: [access.config] },
          reading: { allow: [{ host: `127.0.0.1:${hostPort}` }] },
        },
        // The people who sign in: the demo organization's users and groups.
        catalog: {
          locations: [
            {
              type: 'file',
              target: join(repoRoot, 'demo-data/org.yaml'),
              rules: [{ allow: ['User', 'Group'] }],
            },
          ],
        },
      },
    });

    // Bob signs in through the identity provider once the catalog knows him.
    bobToken = await eventually(
      async () =>
        (
          await signInThroughIdp({
            backendUrl: backend.baseUrl,
            user: 'bob',
            environment: 'production',
          })
        ).token,
      120_000,
    );
  });

  afterAll(async () => {
    trafficRunning = false;
    await trafficDone?.catch(() => undefined);
    await backend?.stop();
    await idp?.stop();
    await new Promise(r => catalogHost?.close(r));
    await postgres?.destroy();
  });

  it('serves writes before the outage: a registered location and entity, a user setting', async () => {
    expect((await registerLocation(firstComponent)).status).toBe(201);
    const entity = await eventually(async () => {
      const outcome = await getEntity(firstComponent);
      if (outcome.status !== 200) throw new Error(`entity: ${outcome.status}`);
      return outcome.body as { metadata: { uid: string } };
    }, 120_000);
    firstUid = entity.metadata.uid;

    const stored = await putSetting('theme', 'dark');
    expect(stored.status).toBe(200);
    const read = await getSetting('theme');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ value: 'dark' });

    startTraffic();
    await eventually(async () => {
      if (traffic.filter(t => t.status === 200).length < 4) {
        throw new Error('no traffic yet');
      }
    });
  });

  it('fails requests cleanly while PostgreSQL is down, without crashing or hanging', async () => {
    phase = 'down';
    await postgres.stop('fast');

    // Reads and writes of the catalog and of user settings.
    for (const outcome of [
      await getEntity(firstComponent),
      await registerLocation(secondComponent),
      await getSetting('theme'),
      await putSetting('theme', 'light'),
    ]) {
      process.stderr.write(
        `[postgres-restart] while down: ${outcome.what} → ${outcome.status} ${outcome.errorName}\n`,
      );
      expectCleanServerError(outcome);
    }

    // Stay down for a while: scheduled work (catalog processing, search indexing, the
    // scheduler's own bookkeeping) runs into the outage too.
    await new Promise(r => setTimeout(r, 15_000));
    for (const outcome of [
      await getEntity(firstComponent),
      await getSetting('theme'),
    ]) {
      expectCleanServerError(outcome);
    }
    expect(backend.isRunning()).toBe(true);
  });

  it('recovers by itself once PostgreSQL is back, with nothing lost', async () => {
    await postgres.start();
    phase = 'recovered';

    // No restart of the backend: the same process serves again.
    const entity = await eventually(async () => {
      const outcome = await getEntity(firstComponent);
      if (outcome.status !== 200) throw new Error(`entity: ${outcome.status}`);
      return outcome.body as { metadata: { uid: string } };
    }, 60_000);
    expect(entity.metadata.uid).toBe(firstUid);
    expect(backend.isRunning()).toBe(true);

    const locations = await call('list locations', '/api/catalog/locations');
    expect(locations.status).toBe(200);
    expect(
      (locations.body as Array<{ data: { target: string } }>).map(
        l => l.data.target,
      ),
    ).toContain(`${catalogHostUrl}/${firstComponent}/catalog-info.yaml`);

    // The write refused during the outage was not half-applied.
    const setting = await eventually(async () => {
      const outcome = await getSetting('theme');
      if (outcome.status !== 200) throw new Error(`setting: ${outcome.status}`);
      return outcome;
    }, 60_000);
    expect(setting.body).toMatchObject({ value: 'dark' });

    // Writes after the outage work: a new setting, a new location and its entity.
    expect((await putSetting('density', 'compact')).status).toBe(200);
    expect((await getSetting('density')).body).toMatchObject({
      value: 'compact',
    });
    expect((await registerLocation(secondComponent)).status).toBe(201);
    await eventually(async () => {
      const outcome = await getEntity(secondComponent);
      if (outcome.status !== 200) throw new Error(`entity: ${outcome.status}`);
    }, 120_000);

    // The background readers: every answer was a success or a clean server error, the outage
    // was seen, and the last answers after recovery are successes.
    const recoveredCount = traffic.filter(t => t.phase === 'recovered').length;
    await eventually(async () => {
      const recovered = traffic.filter(t => t.phase === 'recovered');
      if (recovered.length < recoveredCount + 4) throw new Error('waiting');
    });
    trafficRunning = false;
    await trafficDone;
    const tally = new Map<string, number>();
    for (const { phase: p, what, status, errorName } of traffic) {
      const key = `${p} ${what} ${status}${errorName ? ` ${errorName}` : ''}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    process.stderr.write(
      `[postgres-restart] background traffic: ${[...tally]
        .map(([key, count]) => `${key} ×${count}`)
        .join(', ')}\n`,
    );
    for (const record of traffic) {
      if (record.status !== 200) expectCleanServerError(record);
    }
    expect(
      traffic.filter(t => t.phase === 'down' && t.status >= 500).length,
    ).toBeGreaterThan(0);
    expect(traffic.slice(-4).map(t => t.status)).toEqual([200, 200, 200, 200]);
    expect(backend.isRunning()).toBe(true);
  });
});
