import { randomBytes } from 'node:crypto';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import knexFactory from 'knex';

const postgresUrl = () =>
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING!;

/**
 * Test backends' pools keep no idle connections for long: Jest runs several files at once, each
 * starting backends with a pool per plugin, and PostgreSQL allows 100 connections in all.
 */
const testPool = { min: 0, max: 10, idleTimeoutMillis: 2000 };

/**
 * `backend.database` for a test backend on `databaseId`: in-memory SQLite, or PostgreSQL (the
 * server of BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) with one database per plugin
 * named `<prefix><pluginId>`.
 */
export function testDatabaseConfig(
  databaseId: string,
  prefix: string,
): JsonObject {
  if (databaseId === 'SQLITE_3') {
    return { client: 'better-sqlite3', connection: ':memory:' };
  }
  return {
    client: 'pg',
    connection: postgresUrl(),
    prefix,
    knexConfig: { pool: testPool },
  };
}

/** The PostgreSQL databases whose names start with `prefix`. */
export async function listDatabases(prefix: string): Promise<string[]> {
  const knex = knexFactory({ client: 'pg', connection: postgresUrl() });
  try {
    const { rows } = await knex.raw(
      'select datname from pg_database where starts_with(datname, ?)',
      [prefix],
    );
    return rows.map((row: { datname: string }) => row.datname);
  } finally {
    await knex.destroy();
  }
}

/**
 * Drops every PostgreSQL database whose name starts with `prefix`, ending the connections
 * still open to them.
 */
export async function dropDatabases(prefix: string) {
  const names = await listDatabases(prefix);
  const knex = knexFactory({ client: 'pg', connection: postgresUrl() });
  try {
    for (const name of names) {
      await knex.raw('drop database if exists ?? with (force)', [name]);
    }
  } finally {
    await knex.destroy();
  }
}

/**
 * Drops the PostgreSQL databases of earlier runs of the same family (names starting with
 * `family`) that nothing is connected to: a backend another run still has open keeps its
 * connections, and a stopped backend of this run is never cleaned up by this run.
 */
async function dropIdleDatabases(family: string) {
  const knex = knexFactory({ client: 'pg', connection: postgresUrl() });
  try {
    const { rows } = await knex.raw(
      `select datname from pg_database d
        where starts_with(datname, ?)
          and not exists (select 1 from pg_stat_activity a where a.datname = d.datname)`,
      [family],
    );
    for (const { datname } of rows) {
      await knex.raw('drop database if exists ??', [datname]);
    }
  } finally {
    await knex.destroy();
  }
}

/**
 * `backend.database` for a portal backend test on `databaseId`: in-memory SQLite, or PostgreSQL
 * (the server of BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) with one database per
 * plugin under a fresh prefix `<family><random>_`, after dropping the idle databases that
 * earlier runs of the family left.
 */
export async function portalTestDatabase(
  databaseId: TestDatabaseId,
  family: string,
): Promise<JsonObject> {
  if (databaseId === 'SQLITE_3') {
    return { client: 'better-sqlite3', connection: ':memory:' };
  }
  if (databaseId !== 'POSTGRES_15') {
    throw new Error(`No portal test database for ${databaseId}`);
  }
  await dropIdleDatabases(family);
  return testDatabaseConfig(
    databaseId,
    `${family}${randomBytes(4).toString('hex')}_`,
  );
}
