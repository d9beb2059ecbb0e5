/*
 * Two replicas, as the Helm chart runs them: two processes of the image's command on one
 * PostgreSQL database set (the same prefix), started one after the other as a rollout with
 * maxSurge 0 starts them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
import { dropDatabases, startDevIdpProcess } from '@portico/test-utils';

jest.setTimeout(20 * 60_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

interface ProbeRun {
  replica: string;
  probeRunStartedAt: number;
  probeRunFinishedAt: number;
}

function probeRuns(...replicas: ImageBackend[]): ProbeRun[] {
  return replicas
    .flatMap(r => r.logEntries())
    .filter(e => e.message === 'replica probe run finished')
    .map(e => e as unknown as ProbeRun)
    .sort((a, b) => a.probeRunStartedAt - b.probeRunStartedAt);
}

describeWithPostgres('two replicas of the image on one PostgreSQL', () => {
  const prefix = uniqueDatabasePrefix('replicas');
  const access = staticAccessToken('replica-tests');
  const componentName = `replica-check-${randomBytes(3).toString('hex')}`;
  let catalogServer: Server;
  let catalogUrl: string;
  let idp: Awaited<ReturnType<typeof startDevIdpProcess>> | undefined;
  let replicaA: ImageBackend;
  let replicaB: ImageBackend;

  const call = (replica: ImageBackend, path: string, init: RequestInit = {}) =>
    fetch(`${replica.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${access.token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  beforeAll(async () => {
    const imageDir = await prepareImage();

    // Catalog locations registered through the API must be URLs: serve one from loopback.
    catalogServer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/yaml');
      res.end(
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: Component',
          'metadata:',
          `  name: ${componentName}`,
          'spec:',
          '  type: service',
          '  lifecycle: production',
          '  owner: group:default/platform-team',
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>(resolve =>
      catalogServer.listen(0, '127.0.0.1', resolve),
    );
    const { port } = catalogServer.address() as AddressInfo;
    catalogUrl = `http://127.0.0.1:${port}/catalog-info.yaml`;

    process.env.AUTH_OIDC_CLIENT_ID ??= 'portico-replica-test';
    process.env.AUTH_OIDC_CLIENT_SECRET ??= randomBytes(24).toString('hex');
    idp = await startDevIdpProcess(repoRoot, { productionStandIn: true });

    const env: DeploymentEnv = {
      ...postgresEnv(),
      AUTH_OIDC_METADATA_URL: idp.metadataUrl,
      AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET,
      // Replicas share one session secret, or a session started on one fails on the other.
      AUTH_SESSION_SECRET: randomBytes(24).toString('hex'),
    };
    const config = {
      backend: {
        database: { prefix },
        auth: { externalAccess: [access.config] },
        reading: { allow: [{ host: `127.0.0.1:${port}` }] },
      },
    };
    const start = (name: string) =>
      startImageBackend({
        imageDir,
        name,
        env: { ...env, PORTICO_REPLICA_NAME: name },
        config,
        nodeOptions: [
          '--require',
          join(__dirname, '__testUtils__/replicaProbe.cjs'),
        ],
      });
    // The first replica creates the databases and runs the migrations; the second finds them.
    replicaA = await start('replica-a');
    replicaB = await start('replica-b');
  });

  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await idp?.stop();
    await new Promise(resolve => catalogServer?.close(resolve));
    await dropDatabases(prefix);
  });

  it('serve one catalog: an entity registered through one replica is served by the other', async () => {
    const registered = await call(replicaA, '/api/catalog/locations', {
      method: 'POST',
      body: JSON.stringify({ type: 'url', target: catalogUrl }),
    });
    expect(registered.status).toBe(201);

    const path = `/api/catalog/entities/by-name/component/default/${componentName}`;
    let status = 0;
    for (let attempt = 0; attempt < 240 && status !== 200; attempt++) {
      status = (await call(replicaB, path)).status;
      if (status !== 200) await sleep(500);
    }
    expect(status).toBe(200);
    const entity = await (await call(replicaB, path)).json();
    expect(entity.spec.owner).toBe('group:default/platform-team');
    expect((await call(replicaA, path)).status).toBe(200);
  });

  it('run a global scheduled task once per interval in total, never on two replicas at once', async () => {
    for (const replica of [replicaA, replicaB]) {
      expect(
        replica
          .logEntries()
          .some(e =>
            String(e.message).startsWith(
              'Registered scheduled task: replica-probe',
            ),
          ),
      ).toBe(true);
    }

    const windowStart = Date.now();
    await sleep(6_000);
    const windowEnd = Date.now();

    const runs = probeRuns(replicaA, replicaB);
    for (let i = 1; i < runs.length; i++) {
      // Each run starts only after the previous one, wherever it ran, has finished.
      expect(runs[i].probeRunStartedAt).toBeGreaterThanOrEqual(
        runs[i - 1].probeRunFinishedAt,
      );
    }
    const inWindow = runs.filter(
      r =>
        r.probeRunStartedAt >= windowStart && r.probeRunStartedAt < windowEnd,
    );
    // Once per second over 6 s; separate schedules per replica would give about twice as many.
    expect(inWindow.length).toBeGreaterThanOrEqual(3);
    expect(inWindow.length).toBeLessThanOrEqual(7);
  });

  it('keep serving, and running the task, when one replica stops', async () => {
    // Stop replica A between two runs, so it holds no claim. (A replica stopped in the middle
    // of a run keeps its claim until the task's timeout passes and a janitor clears it, up to a
    // minute later; docs/deployment.md says so.)
    const since = Date.now();
    for (let attempt = 0; attempt < 100; attempt++) {
      if (
        probeRuns(replicaA, replicaB).some(r => r.probeRunFinishedAt >= since)
      ) {
        break;
      }
      await sleep(20);
    }
    await sleep(150);
    expect(await replicaA.stop()).toBe(0);
    const stoppedAt = Date.now();
    const startedOnA = replicaA
      .logEntries()
      .filter(e => e.message === 'replica probe run started');
    expect(probeRuns(replicaA)).toHaveLength(startedOnA.length);

    expect(
      (await fetch(`${replicaB.baseUrl}/.backstage/health/v1/readiness`))
        .status,
    ).toBe(200);
    const entity = await call(
      replicaB,
      `/api/catalog/entities/by-name/component/default/${componentName}`,
    );
    expect(entity.status).toBe(200);
    expect((await fetch(`${replicaB.baseUrl}/`)).status).toBe(200);

    let runsOnB: ProbeRun[] = [];
    for (let attempt = 0; attempt < 40 && runsOnB.length < 3; attempt++) {
      await sleep(250);
      runsOnB = probeRuns(replicaB).filter(
        r => r.probeRunStartedAt > stoppedAt,
      );
    }
    // Every second, on B alone.
    expect(runsOnB.length).toBeGreaterThanOrEqual(3);
  });
});
