import type { ExportTable as ExportTableName } from '../tables/custom-tables.js';
import type { DialectName } from '../tables/registry.js';
import type { Slot } from './slot-planner.js';

/** Progress of an export, for CLIs and logs. */
export type ExportEvent =
  | { readonly type: 'cluster-start'; readonly cluster: string; readonly now: string; readonly dialect: DialectName }
  | {
      readonly type: 'table-planned';
      readonly cluster: string;
      readonly table: ExportTableName;
      readonly slots: number;
      readonly sealed: number;
    }
  | {
      readonly type: 'slot-written';
      readonly cluster: string;
      readonly table: ExportTableName;
      readonly slot: Slot;
      readonly rows: number;
      readonly key: string | null;
    }
  | { readonly type: 'gap'; readonly cluster: string; readonly table: ExportTableName; readonly from: Date; readonly to: Date }
  /** The run took the cluster's lease over on purpose from `holder` (a run that was killed, say). */
  | {
      readonly type: 'lease-taken-over';
      readonly cluster: string;
      readonly holder: string;
      readonly expiresAt: Date;
      readonly renewedAt?: Date;
    };

/**
 * Step boundaries at which an export may be interrupted; tests throw from `onStep` at each one
 * to prove that a rerun gives the same lake.
 */
export type ExportStep =
  | 'lease-acquired'
  | 'clock-read'
  | 'dialect-resolved'
  | `planned:${string}`
  | `object-written:${string}`
  | `watermark-moved:${string}`
  | `table-done:${string}`;
