import type { CompactionSettings } from './compaction-settings.js';
import type { Secret } from './secret.js';
import type { CustomExport } from '../tables/custom-tables.js';
import type { ExportTableName } from '../tables/registry.js';

/** How a source is reached. The Data API is production; the other two are the local modes. */
export type Connection =
  | { readonly type: 'data-api' }
  /** A PostgreSQL wire-protocol URL (a real PostgreSQL, or a PGlite socket). No password inside: see `password`. */
  | { readonly type: 'postgres'; readonly url: string; readonly password?: Secret }
  /** A PGlite data folder, opened in-process and reached over the wire protocol. */
  | { readonly type: 'pglite'; readonly dataDir: string };

export type ClusterAuth =
  /** Temporary credentials for a database user (`redshift:GetClusterCredentials`). */
  | { readonly type: 'db-user'; readonly dbUser: string }
  /** A Secrets Manager secret holding `username` and `password`. */
  | { readonly type: 'secret'; readonly secretArn: string }
  /** The caller's IAM identity (Serverless, or `GetClusterCredentialsWithIAM`). */
  | { readonly type: 'iam' };

/**
 * Which system views a source is read through: `stl` or `sys`, or `auto` (SYS on Serverless; on
 * a provisioned cluster STL where it can be read, SYS where it cannot, as on Multi-AZ clusters),
 * found once and recorded in the state store.
 */
export type ViewsSetting = 'stl' | 'sys' | 'auto';

export interface ClusterConfig {
  /** Our name for the source; used in lake keys (`cluster=<name>`), state keys and metrics. */
  readonly name: string;
  readonly kind: 'provisioned' | 'serverless';
  /** Provisioned clusters. */
  readonly clusterIdentifier?: string;
  /** Serverless workgroups. */
  readonly workgroupName?: string;
  readonly database: string;
  readonly auth: ClusterAuth;
  readonly views: ViewsSetting;
  /**
   * Tables to export, validated against the registry and `views`; all of them by default. A
   * run exports those of the dialect the source is read through.
   */
  readonly tables: readonly ExportTableName[];
  /**
   * Custom exports (a SELECT with `:slot_start` and `:slot_end`), each to the lake table
   * `custom_<name>`, whatever the dialect. The validator always sets it; absent means none.
   */
  readonly exports?: readonly CustomExport[];
  readonly enabled: boolean;
  readonly connection: Connection;
}

export interface ExportSettings {
  /** Slot length in minutes; divides a day so that no slot crosses UTC midnight. Default 60. */
  readonly slotMinutes: number;
  /** How long after a slot's end its rows may still appear. Default 15. */
  readonly latenessMinutes: number;
  /** Clusters exported at once by the Lambda handler. Default 4. */
  readonly concurrency: number;
}

export interface OpslakeConfig {
  readonly clusters: readonly ClusterConfig[];
  readonly export: ExportSettings;
  readonly compaction: CompactionSettings;
  /** Lake root: a local folder or `s3://bucket/prefix`. Absent in SSM (the handler's environment says). */
  readonly lake?: string;
  /** State: a local folder, or `dynamodb://<table>`. */
  readonly state?: string;
  /** Where the local DuckDB catalog lives (local mode). */
  readonly catalog?: string;
}

export const DEFAULT_EXPORT_SETTINGS: ExportSettings = Object.freeze({
  slotMinutes: 60,
  latenessMinutes: 15,
  concurrency: 4,
});
