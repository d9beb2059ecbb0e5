/**
 * Catalog module that reports how many entities wait for processing and
 * stitching, and how long the oldest has waited, as OpenTelemetry gauges.
 *
 * @packageDocumentation
 */

export { catalogModuleMetrics as default } from './module';
export { CatalogBacklog } from './CatalogBacklog';
export type { Backlog, CatalogBacklogReport } from './CatalogBacklog';
