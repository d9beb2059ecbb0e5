import knexFactory from 'knex';

/** The PostgreSQL server of the scripts unless they are told another one. */
export const DEFAULT_BENCH_POSTGRES_URL =
  'postgresql://postgres@127.0.0.1:5432';

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The server's maintenance database when `serverUrl` names no database. */
function serverConnection(serverUrl: string): string {
  const url = new URL(serverUrl);
  return url.pathname.length > 1
    ? serverUrl
    : databaseUrl(serverUrl, 'postgres');
}

/** A database a script created for itself, dropped at the end. */
export type BenchDatabase = {
  name: string;
  /** Its connection URL. */
  url: string;
  /** Drops it, ending the connections still open to it. */
  drop(): Promise<void>;
};

/** Creates database `name` on the server of `serverUrl`. */
export async function createBenchDatabase(
  serverUrl: string,
  name: string,
): Promise<BenchDatabase> {
  const admin = knexFactory({
    client: 'pg',
    connection: serverConnection(serverUrl),
  });
  try {
    await admin.raw('create database ??', [name]);
  } finally {
    await admin.destroy();
  }
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      await dropBenchDatabases(serverUrl, name, { exact: true });
    },
  };
}

/**
 * Drops the databases whose names start with one of `prefixes` (or, with
 * `exact`, are one of them), ending the connections still open to them.
 * Returns the names dropped.
 */
export async function dropBenchDatabases(
  serverUrl: string,
  prefixes: string | string[],
  options: { exact?: boolean } = {},
): Promise<string[]> {
  const wanted = [prefixes].flat();
  const knex = knexFactory({
    client: 'pg',
    connection: serverConnection(serverUrl),
  });
  try {
    const { rows } = await knex.raw('select datname from pg_database');
    const names = (rows as Array<{ datname: string }>)
      .map(row => row.datname)
      .filter(name =>
        wanted.some(p => (options.exact ? name === p : name.startsWith(p))),
      );
    for (const name of names) {
      await knex.raw('drop database if exists ?? with (force)', [name]);
    }
    return names;
  } finally {
    await knex.destroy();
  }
}
