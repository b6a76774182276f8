import { assertClusterName } from '../../config/identifiers.js';
import { ConfigError } from '../../errors.js';
import { WORKLOAD_PROFILE_NAMES, type WorkloadProfileName } from './workload-profile.js';

export interface SimulatedClusterOptions {
  /** Our name for the cluster (stored with it; a reopen must use the same). */
  readonly name: string;
  readonly profile: WorkloadProfileName;
  /** Same seed and same clock steps give identical tables. */
  readonly seed: number;
  /** The initial clock (UTC). Ignored when `dataDir` already holds the cluster. */
  readonly start: Date;
  /** PGlite data folder; in memory when absent. A folder that holds a cluster is reopened. */
  readonly dataDir?: string;
  /** Work that already happened before `start`. Default 24. */
  readonly historyHours?: number;
  /** Rows whose completion time is older than this are deleted as the clock moves. Default 7. */
  readonly retentionDays?: number;
  /** Rows become visible between 0 and this many minutes after their completion. Default 10. */
  readonly maxVisibilityDelayMinutes?: number;
}

/** The options with their defaults applied, checked. */
export interface Settings {
  readonly name: string;
  readonly profile: WorkloadProfileName;
  readonly seed: number;
  readonly historyHours: number;
  readonly retentionDays: number;
  readonly maxVisibilityDelayMinutes: number;
}

/** Checks the options of a new cluster; a ConfigError names the one that is wrong. */
export function validateSimulatorOptions(options: SimulatedClusterOptions): Settings {
  const name = assertClusterName(options.name);
  if (!(WORKLOAD_PROFILE_NAMES as readonly string[]).includes(options.profile)) {
    throw new ConfigError('simulator.profile', `must be one of ${WORKLOAD_PROFILE_NAMES.join(', ')}, not ${String(options.profile)}`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new ConfigError('simulator.seed', `must be an integer, not ${options.seed}`);
  if (!(options.start instanceof Date) || Number.isNaN(options.start.getTime()))
    throw new ConfigError('simulator.start', 'must be a valid Date');
  const historyHours = options.historyHours ?? 24;
  const retentionDays = options.retentionDays ?? 7;
  const maxVisibilityDelayMinutes = options.maxVisibilityDelayMinutes ?? 10;
  if (!Number.isFinite(historyHours) || historyHours < 0) throw new ConfigError('simulator.historyHours', 'must be a number >= 0');
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) throw new ConfigError('simulator.retentionDays', 'must be a number > 0');
  if (!Number.isFinite(maxVisibilityDelayMinutes) || maxVisibilityDelayMinutes < 0) {
    throw new ConfigError('simulator.maxVisibilityDelayMinutes', 'must be a number >= 0');
  }
  return { name, profile: options.profile, seed: options.seed, historyHours, retentionDays, maxVisibilityDelayMinutes };
}
