/*
 * A PostgreSQL 15 server of a test's own, for tests that stop and start the database: the
 * machine's shared server stays untouched for everyone else. Debian's binaries, a data folder in
 * a temporary directory, trust authentication, loopback only. Run as root, the server runs as the
 * `postgres` OS user (PostgreSQL refuses to run as root).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort';

export const postgresBinDir =
  process.env.PORTICO_TEST_POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** Whether this machine has the server binaries. */
export const hasPostgresBinaries = existsSync(join(postgresBinDir, 'pg_ctl'));

const run = promisify(execFile);

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export interface PrivatePostgres {
  host: string;
  port: number;
  user: string;
  connectionString: string;
  /** The server's log, for failure messages. */
  logFile: string;
  /** Stops the server; `fast` ends open connections, as a restart or failover does. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server if it runs and deletes its data. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!hasPostgresBinaries) {
    throw new Error(
      `PostgreSQL server binaries not found in ${postgresBinDir} (set PORTICO_TEST_POSTGRES_BIN_DIR)`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'portico-private-pg-'));
  if (asRoot) {
    const { uid, gid } = await postgresUserIds();
    await chown(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();

  const pg = async (binary: string, args: string[]) => {
    const command = join(postgresBinDir, binary);
    const [file, fileArgs] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    try {
      return await run(file, fileArgs, { cwd: dir, timeout: 120_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `${binary} ${args.join(' ')} failed: ${(error as Error).message}\n${
          stdout ?? ''
        }\n${stderr ?? ''}`,
      );
    }
  };

  await pg('initdb', [
    '--pgdata',
    dataDir,
    '--username',
    'postgres',
    '--auth',
    'trust',
    '--encoding',
    'UTF8',
    '--no-sync',
  ]);
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    // Durability is not under test here; this keeps the server quick on a shared machine.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = async () => {
    await pg('pg_ctl', [
      'start',
      '--pgdata',
      dataDir,
      '--log',
      logFile,
      '--wait',
      '--timeout',
      '60',
      '-o',
      serverOptions,
    ]);
  };
  const isRunning = () => existsSync(join(dataDir, 'postmaster.pid'));
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pg('pg_ctl', [
      'stop',
      '--pgdata',
      dataDir,
      '--mode',
      mode,
      '--wait',
      '--timeout',
      '60',
    ]);
  };

  await start();
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    connectionString: `postgresql://postgres@127.0.0.1:${port}`,
    logFile,
    stop,
    start,
    destroy: async () => {
      if (isRunning()) await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
