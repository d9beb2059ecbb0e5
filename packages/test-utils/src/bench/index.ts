export { benchUsage, parseBenchArgs, parseBenchArgv } from './args';
export type { BenchArgs, BenchCommand, BenchOption } from './args';
export { formatMs, formatRatio, median } from './stats';
export {
  DEFAULT_BENCH_POSTGRES_URL,
  createBenchDatabase,
  databaseUrl,
  dropBenchDatabases,
} from './postgres';
export type { BenchDatabase } from './postgres';
export {
  compareStartupCost,
  packageOfFrame,
  readStartupProfile,
  startupCostByPackage,
} from './startupCost';
export type { StartupProfile } from './startupCost';
