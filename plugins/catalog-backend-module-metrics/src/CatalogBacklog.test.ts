import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { Knex } from 'knex';
import { CatalogBacklog } from './CatalogBacklog';
import { observeCatalogBacklog } from './observeCatalogBacklog';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** The catalog's own schema, from the installed catalog backend's migrations. */
async function catalogDatabase(databaseId: string): Promise<Knex> {
  const knex = await databases.init(databaseId as any);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@backstage/plugin-catalog-backend',
      'migrations',
    ),
  });
  return knex;
}

/** A time `seconds` from the database's now (negative: in the past), in its own clock. */
function dbTime(knex: Knex, seconds: number) {
  return knex.client.config.client.includes('sqlite')
    ? knex.raw(`datetime('now', ?)`, [`${seconds} seconds`])
    : knex.raw(`now() + make_interval(secs => ?)`, [seconds]);
}

async function addEntity(knex: Knex, name: string, dueInSeconds: number) {
  await knex('refresh_state').insert({
    entity_id: `id-${name}`,
    entity_ref: `component:default/${name}`,
    unprocessed_entity: '{}',
    errors: '[]',
    next_update_at: dbTime(knex, dueInSeconds),
    last_discovery_at: dbTime(knex, 0),
  });
}

async function addStitch(knex: Knex, name: string, dueInSeconds: number) {
  await knex('stitch_queue').insert({
    entity_ref: `component:default/${name}`,
    stitch_ticket: `ticket-${name}`,
    next_stitch_at: dbTime(knex, dueInSeconds),
  });
}

describe.each(databases.eachSupportedId())('CatalogBacklog on %s', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await catalogDatabase(id);
  });

  beforeEach(async () => {
    await knex('stitch_queue').delete();
    await knex('refresh_state').delete();
  });

  it('reports an empty backlog as zero waiting, zero age', async () => {
    expect(await new CatalogBacklog(knex).read()).toEqual({
      processing: { waiting: 0, oldestAgeSeconds: 0 },
      stitching: { waiting: 0, oldestAgeSeconds: 0 },
    });
  });

  it('counts only entities whose turn has come, and the age of the oldest', async () => {
    await addEntity(knex, 'overdue-long', -600);
    await addEntity(knex, 'overdue', -30);
    await addEntity(knex, 'later', 120);
    await addStitch(knex, 'stitch-overdue', -90);
    await addStitch(knex, 'being-stitched', 60);

    const report = await new CatalogBacklog(knex).read();

    expect(report.processing.waiting).toBe(2);
    expect(report.processing.oldestAgeSeconds).toBeGreaterThanOrEqual(599);
    expect(report.processing.oldestAgeSeconds).toBeLessThan(620);
    expect(report.stitching.waiting).toBe(1);
    expect(report.stitching.oldestAgeSeconds).toBeGreaterThanOrEqual(89);
    expect(report.stitching.oldestAgeSeconds).toBeLessThan(110);
  });

  it('gives the gauges one value per stage at each collection', async () => {
    await addEntity(knex, 'a', -10);
    await addEntity(knex, 'b', -10);
    await addEntity(knex, 'c', -10);
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 60_000,
    });
    const provider = new MeterProvider({ readers: [reader] });
    observeCatalogBacklog(
      provider.getMeter('portico.catalog'),
      new CatalogBacklog(knex),
      mockServices.logger.mock(),
    );

    const { resourceMetrics } = await reader.collect();
    const gauges = Object.fromEntries(
      resourceMetrics.scopeMetrics
        .flatMap(scope => scope.metrics)
        .map(metric => [
          metric.descriptor.name,
          Object.fromEntries(
            metric.dataPoints.map(p => [p.attributes.stage, p.value]),
          ),
        ]),
    );
    expect(gauges['portico.catalog.backlog.entities']).toEqual({
      processing: 3,
      stitching: 0,
    });
    expect(
      gauges['portico.catalog.backlog.oldest_age'].processing,
    ).toBeGreaterThanOrEqual(9);
    await provider.shutdown();
  });
});
