/*
 * Runs the image's command (the Dockerfile's CMD) in an image folder from ./imageRecipe, as the
 * container would: working directory /app, NODE_ENV=production, configuration only from the
 * environment and --config files, and a private folder standing in for the container's /tmp.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { JsonObject } from '@backstage/types';
import { freePort } from '@portico/test-utils';
import { dockerfilePath } from './imageRecipe';
import { imageCommand, parseDockerfile } from './dockerfile';

/** The image's CMD, read from the Dockerfile, with `node` being the Node that runs the tests. */
export async function imageCmd(): Promise<string[]> {
  const [node, ...args] = imageCommand(
    parseDockerfile(await readFile(dockerfilePath, 'utf8')),
  );
  if (node !== 'node') throw new Error(`CMD must start with node, got ${node}`);
  return [process.execPath, ...args];
}

/** What a deployment provides through the environment (see docs/deployment.md). */
export interface DeploymentEnv {
  POSTGRES_HOST: string;
  POSTGRES_PORT: string;
  POSTGRES_USER: string;
  POSTGRES_PASSWORD: string;
  AUTH_OIDC_METADATA_URL: string;
  AUTH_OIDC_CLIENT_ID: string;
  AUTH_OIDC_CLIENT_SECRET: string;
  AUTH_SESSION_SECRET: string;
  [name: string]: string;
}

/**
 * The image's POSTGRES_* for a PostgreSQL connection string. A server that trusts local
 * connections has no password; the image's config still requires a value.
 */
export function postgresEnvFor(connectionString: string) {
  const url = new URL(connectionString);
  return {
    POSTGRES_HOST: url.hostname,
    POSTGRES_PORT: url.port || '5432',
    POSTGRES_USER: decodeURIComponent(url.username) || 'postgres',
    POSTGRES_PASSWORD: decodeURIComponent(url.password) || 'unused-with-trust',
  };
}

export interface ImageBackend {
  name: string;
  baseUrl: string;
  /** The backend's process id, e.g. to read its CPU time from /proc. */
  pid: number | undefined;
  /** The folder standing in for the container's /tmp. */
  tmpDir: string;
  stdoutLines: string[];
  stderrLines: string[];
  /** JSON log entries from stdout, in order. */
  logEntries(): Array<Record<string, unknown>>;
  /** SIGTERM, as Kubernetes stops a pod; SIGKILL after 30 s. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL at once, as a crash or an OOM kill ends a process; resolves once it is gone. */
  kill(): Promise<void>;
  /** Whether the process is still alive (it has neither exited nor been killed). */
  isRunning(): boolean;
}

export interface StartImageBackendOptions {
  imageDir: string;
  name: string;
  env: DeploymentEnv;
  /** Written to an extra --config file appended to the image's command (after the port's). */
  config?: JsonObject;
  /** Node options placed before the entry point, e.g. ['--require', file]. */
  nodeOptions?: string[];
  readyTimeoutMs?: number;
  /** The loopback port to listen on (default: a free one), when others must know it first. */
  port?: number;
  /**
   * For starts that must be refused: resolve once the process has exited and its output is
   * read (stop() then gives the exit code), and fail if it becomes ready instead.
   */
  expectExit?: boolean;
}

function tail(lines: string[]) {
  return lines.slice(-40).join('\n');
}

/** Starts on another free port when the one picked was taken before the backend bound it. */
const PORT_ATTEMPTS = 3;

export async function startImageBackend(
  options: StartImageBackendOptions,
  attempt = 1,
): Promise<ImageBackend> {
  const { imageDir, name } = options;
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const tmpDir = mkdtempSync(join(tmpdir(), `portico-${name}-`));
  mkdirSync(join(tmpDir, 'home'));
  // JSON is YAML. The production config listens on ':7007'; the tests take a free port.
  const configFiles = [join(tmpDir, 'app-config.port.yaml')];
  writeFileSync(
    configFiles[0],
    JSON.stringify({
      backend: { listen: `127.0.0.1:${port}` },
      techdocs: {
        publisher: { local: { publishDirectory: join(tmpDir, 'techdocs') } },
      },
    }),
  );
  if (options.config) {
    configFiles.push(join(tmpDir, 'app-config.test.yaml'));
    writeFileSync(configFiles[1], JSON.stringify(options.config));
  }
  const [node, ...args] = await imageCmd();
  const child: ChildProcess = spawn(
    node,
    [
      ...(options.nodeOptions ?? []),
      ...args,
      ...configFiles.flatMap(file => ['--config', file]),
    ],
    {
      cwd: imageDir,
      // Only what a container would have: no test runner variables, no NODE_ENV=test.
      env: {
        PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
        HOME: join(tmpDir, 'home'),
        TMPDIR: tmpDir,
        NODE_ENV: 'production',
        PORTICO_BASE_URL: baseUrl,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', l =>
    stdoutLines.push(l),
  );
  createInterface({ input: child.stderr! }).on('line', l =>
    stderrLines.push(l),
  );
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  const closed = new Promise(resolve => child.once('close', resolve));

  const backend: ImageBackend = {
    name,
    baseUrl,
    pid: child.pid,
    tmpDir,
    stdoutLines,
    stderrLines,
    logEntries: () =>
      stdoutLines
        .filter(line => line.startsWith('{'))
        .map(line => JSON.parse(line)),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(timer);
        rmSync(tmpDir, { recursive: true, force: true });
        return code;
      }
      rmSync(tmpDir, { recursive: true, force: true });
      return child.exitCode;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(tmpDir, { recursive: true, force: true });
    },
    isRunning: () => child.exitCode === null && child.signalCode === null,
  };

  // A free port is only free when it is picked: until this process logs that it listens, a
  // readiness answer on it may come from another test's server that took the port meanwhile.
  const listening = () =>
    stdoutLines.some(line => line.includes(`Listening on 127.0.0.1:${port}`));
  const portTaken = () =>
    [...stdoutLines, ...stderrLines].some(line => line.includes('EADDRINUSE'));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    const status = listening()
      ? await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
          .then(r => r.status)
          .catch(() => 0)
      : 0;
    if (status === 200 && options.expectExit) {
      await backend.stop();
      throw new Error(`${name} became ready, but should have refused to start`);
    }
    if (status === 200) return backend;
    if (child.exitCode !== null && options.expectExit) {
      await closed;
      return backend;
    }
    if (
      child.exitCode !== null &&
      options.port === undefined &&
      attempt < PORT_ATTEMPTS
    ) {
      await closed;
      if (portTaken()) {
        await backend.stop();
        return startImageBackend(options, attempt + 1);
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await backend.stop();
      throw new Error(
        `${name} did not become ready (exit code ${
          child.exitCode
        }).\nstdout:\n${tail(stdoutLines)}\nstderr:\n${tail(stderrLines)}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

/** A token for `backend.auth.externalAccess`, as a deployment would configure for its callers. */
export function staticAccessToken(subject: string) {
  const token = randomBytes(24).toString('hex');
  return {
    token,
    config: { type: 'static', options: { token, subject } },
  };
}
