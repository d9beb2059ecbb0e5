/*
 * The PostgreSQL the production tests run against: the one backend tests use
 * (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), turned into the POSTGRES_* variables
 * the image reads. Each test run gets its own `backend.database.prefix`, and drops the databases
 * it created (`dropDatabases` of @portico/test-utils).
 */
import { randomBytes } from 'node:crypto';
import { postgresEnvFor } from './imageBackend';

export const postgresConnectionString =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

if (!postgresConnectionString) {
  // Straight to stderr: jest does not show console output of skipped test files.
  process.stderr.write(
    '\n\x1b[1;33m*** SKIPPED: the production image tests need PostgreSQL. Set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (./portal test sets it when PostgreSQL runs at 127.0.0.1:5432). ***\x1b[0m\n\n',
  );
}

/**
 * `describe` when PostgreSQL is configured, otherwise `describe.skip` (with the warning above).
 * `.ci/run` makes PostgreSQL mandatory, so CI always runs these tests.
 */
export const describeWithPostgres = postgresConnectionString
  ? describe
  : describe.skip;

/** POSTGRES_* for the image, from the connection string. */
export function postgresEnv() {
  return postgresEnvFor(postgresConnectionString!);
}

/** A database prefix no other run uses: each plugin's database is `<prefix><pluginId>`. */
export function uniqueDatabasePrefix(purpose: string) {
  return `portico_${purpose}_${randomBytes(4).toString('hex')}_`;
}
