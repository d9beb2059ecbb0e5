/*
 * The production configuration's PostgreSQL session settings reach every plugin's connections
 * through Backstage's database manager: the price of parallel workers that keeps a member's
 * catalog pages on their serial plan, and an operator's PGOPTIONS in its place.
 */
import { join } from 'node:path';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { mockServices } from '@backstage/backend-test-utils';
import {
  ConfigSources,
  FileConfigSource,
  StaticConfigSource,
} from '@backstage/config-loader';
import { dropDatabases, repoRoot } from '@portico/test-utils';
import {
  describeWithPostgres,
  postgresEnv,
  uniqueDatabasePrefix,
} from './__testUtils__/testPostgres';

jest.setTimeout(60_000);

/** The committed production configuration, read with `env` as the image's environment. */
async function productionConfig(env: Record<string, string>, prefix: string) {
  const substitutionFunc = async (name: string) => env[name];
  return ConfigSources.toConfig(
    ConfigSources.merge([
      ...['app-config.yaml', 'app-config.production.yaml'].map(file =>
        FileConfigSource.create({
          path: join(repoRoot, file),
          substitutionFunc,
        }),
      ),
      StaticConfigSource.create({
        data: { backend: { database: { prefix } } },
        context: 'test',
      }),
    ]),
  );
}

/** A setting as the catalog's own connections see it. */
async function catalogSessionSetting(
  env: Record<string, string>,
  setting: string,
) {
  const prefix = uniqueDatabasePrefix('sessions');
  const config = await productionConfig(env, prefix);
  const lifecycle = mockServices.lifecycle.mock();
  const database = DatabaseManager.fromConfig(config).forPlugin('catalog', {
    logger: mockServices.logger.mock(),
    lifecycle,
  });
  const knex = await database.getClient();
  try {
    const { rows } = await knex.raw(`show ${setting}`);
    return rows[0][setting] as string;
  } finally {
    await knex.destroy();
    config.close();
    await dropDatabases(prefix);
  }
}

describeWithPostgres(
  'PostgreSQL sessions of the production configuration',
  () => {
    it('price parallel workers at 10,000, so small catalog queries stay serial', async () => {
      expect(
        await catalogSessionSetting(postgresEnv(), 'parallel_setup_cost'),
      ).toBe('10000');
    });

    it("take the operator's PGOPTIONS instead, as libpq does", async () => {
      const env = {
        ...postgresEnv(),
        PGOPTIONS: '-c parallel_setup_cost=2500 -c statement_timeout=60s',
      };
      expect(await catalogSessionSetting(env, 'parallel_setup_cost')).toBe(
        '2500',
      );
      expect(await catalogSessionSetting(env, 'statement_timeout')).toBe(
        '1min',
      );
    });
  },
);
