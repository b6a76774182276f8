/**
 * Simulated Redshift clusters for the embedded demo, end-to-end tests and benchmarks: PGlite
 * databases holding the eight STL views, filled by a deterministic workload as a simulated clock
 * moves.
 */
export type { AdvanceResult } from './advance-clock.js';
export type { SimulatedClusterOptions } from './cluster-settings.js';
export { createSimulatedCluster, openSimulatedCluster, SimulatedCluster, type BulkLoadResult } from './simulated-cluster.js';
export { WORKLOAD_PROFILE_NAMES, type WorkloadProfileName } from './workload-profile.js';
export { stlCreateTableSql, postgresTypeOf, simulatorSetupSql, PENDING_SCHEMA, SIMULATOR_SCHEMA } from './stl-schema-sql.js';
export { escapeStlText, stlTextChunks, stlQueryTxt, STL_CHUNK_LENGTH, QUERYTXT_LENGTH } from './stl-text.js';
