import { ANALYTICS_PROFILE } from './analytics-profile.js';
import { ETL_PROFILE } from './etl-profile.js';
import type { WorkloadProfile, WorkloadProfileName } from './workload-profile.js';

/** Every workload a simulated cluster can run, by the name stored with the cluster. */
export const WORKLOAD_PROFILES: Readonly<Record<WorkloadProfileName, WorkloadProfile>> = { analytics: ANALYTICS_PROFILE, etl: ETL_PROFILE };
