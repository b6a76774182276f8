import type { LakeTable } from './lake-table.js';

/** The CloudTrail lake tables (`cloudtrail_events`, `cloudtrail_insights`). */
export const CLOUDTRAIL_TABLES: readonly LakeTable[] = [];
