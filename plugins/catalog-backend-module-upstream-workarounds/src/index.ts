/**
 * Catalog modules and middleware that work around upstream Backstage behaviour until Backstage
 * fixes it; the README lists each with the upstream issue and when it is deleted.
 *
 * @packageDocumentation
 */

export { catalogModuleStitchRepair } from './stitchRepair/module';
export { StitchRepair } from './stitchRepair/StitchRepair';
export { catalogModulePlannerStatistics } from './plannerStatistics/module';
export {
  CATALOG_QUERY_TABLES,
  PlannerStatistics,
  needsAnalyze,
} from './plannerStatistics/PlannerStatistics';
export type { TableActivity } from './plannerStatistics/PlannerStatistics';
export { LocationTargetProbe } from './locationTarget/LocationTargetProbe';
export { locationTargetGuard } from './locationTarget/locationTargetGuard';
