import { LoggerService } from '@backstage/backend-plugin-api';
import { Meter } from '@opentelemetry/api';
import { CatalogBacklog } from './CatalogBacklog';

/**
 * Registers the backlog gauges: one read of the database per collection
 * (each Prometheus scrape), shared by all four gauges.
 */
export function observeCatalogBacklog(
  meter: Meter,
  backlog: CatalogBacklog,
  logger: LoggerService,
) {
  const waiting = meter.createObservableGauge(
    'portico.catalog.backlog.entities',
    {
      description:
        'Catalog entities due for a step (stage=processing or stitching) and not yet done',
    },
  );
  const oldest = meter.createObservableGauge(
    'portico.catalog.backlog.oldest_age',
    {
      description:
        'Seconds the oldest entity due for a step (stage=processing or stitching) has waited',
      unit: 's',
    },
  );
  meter.addBatchObservableCallback(
    async result => {
      try {
        const report = await backlog.read();
        for (const stage of ['processing', 'stitching'] as const) {
          result.observe(waiting, report[stage].waiting, { stage });
          result.observe(oldest, report[stage].oldestAgeSeconds, { stage });
        }
      } catch (error) {
        // No value is better than a wrong one: the gauges go missing for this scrape.
        logger.warn(`Could not read the catalog backlog: ${error}`);
      }
    },
    [waiting, oldest],
  );
}
