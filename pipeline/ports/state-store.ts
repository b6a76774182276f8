import type { TableSchema } from '../tables/custom-tables.js';

/** Rows known lost before export: the view no longer held them when the export got there. */
export interface Gap {
  readonly from: Date;
  readonly to: Date;
  readonly detectedAt: Date;
}

export interface WatermarkKey {
  readonly cluster: string;
  readonly table: string;
}

export interface Watermark {
  /** End of the last contiguous sealed slot; null before the first sealed slot. */
  readonly sealedThrough: Date | null;
  /** 0 when nothing is stored yet; every successful write adds one. */
  readonly version: number;
  readonly gaps: readonly Gap[];
  readonly updatedAt: Date | null;
}

export interface WatermarkUpdate {
  readonly sealedThrough: Date | null;
  readonly gaps: readonly Gap[];
}

export interface Lease {
  readonly scope: string;
  readonly owner: string;
  readonly expiresAt: Date;
  /** When the holder last took or renewed it (stored leases only): how long ago the holder was last seen alive. */
  readonly renewedAt?: Date;
}

/**
 * How a source is read, as its first export found out (views: auto): through `stl` or `sys`, and
 * why, in a sentence (what the probe found).
 */
export interface SourceDialect {
  readonly cluster: string;
  readonly dialect: 'stl' | 'sys';
  readonly reason: string;
  readonly detectedAt: Date;
}

/**
 * What a source's export user may see of the system views, as the last export found it:
 * - `superuser`: every row of every view;
 * - `unrestricted`: every row of the views open to all users (`SYSLOG ACCESS UNRESTRICTED`, or a
 *   role such as `sys:monitor`), but not the superuser-only ones (connection and user logs);
 * - `own-rows`: only the rows of its own statements, a silent fraction of the rest;
 * - `unknown`: the check could not tell (its reason says why).
 */
export type AccessLevel = 'superuser' | 'unrestricted' | 'own-rows' | 'unknown';

export interface SourceAccess {
  readonly cluster: string;
  readonly level: AccessLevel;
  /** The database user the source is read as (for the grant to suggest). */
  readonly user: string;
  /** What the check found, in a sentence. */
  readonly reason: string;
  readonly checkedAt: Date;
}

/** A custom table's columns to store (version and time are the store's). */
export type TableSchemaUpdate = Pick<TableSchema, 'table' | 'columns' | 'timeColumn'>;

/**
 * Watermarks, leases and what was found out about sources. Every write is conditional: a lost race throws (StateConflictError,
 * LeaseHeldError) and writes nothing.
 */
export interface StateStore {
  /** The stored watermark, or `{ sealedThrough: null, version: 0, gaps: [] }` when none. */
  getWatermark(key: WatermarkKey): Promise<Watermark>;
  /**
   * Writes the watermark if its stored version is still `expectedVersion`; returns the new one
   * (version + 1). Throws StateConflictError otherwise.
   */
  putWatermark(key: WatermarkKey, update: WatermarkUpdate, expectedVersion: number): Promise<Watermark>;
  /** Every stored watermark, for status reports. */
  listWatermarks(): Promise<ReadonlyArray<WatermarkKey & Watermark>>;
  /**
   * Takes the lease on `scope` for `owner` until `now + ttlMs`, when it is free or expired (or
   * already this owner's). Throws LeaseHeldError naming the holder otherwise.
   */
  acquireLease(scope: string, owner: string, ttlMs: number, now: Date): Promise<Lease>;
  /** Gives the lease back if this owner still holds it; otherwise does nothing. */
  releaseLease(lease: Lease): Promise<void>;
  /** The dialect recorded for a source, or null when none is. */
  getSourceDialect(cluster: string): Promise<SourceDialect | null>;
  /**
   * Records a source's dialect unless one is recorded already, and returns the one stored: a
   * source is probed once, and of two runs that raced, the first answer stays.
   */
  recordSourceDialect(dialect: SourceDialect): Promise<SourceDialect>;
  /** Every recorded dialect, for status reports. */
  listSourceDialects(): Promise<readonly SourceDialect[]>;
  /** The recorded columns of a custom table (`custom_<name>`), or null before its first export. */
  getTableSchema(table: string): Promise<TableSchema | null>;
  /**
   * Stores a custom table's columns if the stored version is still `expectedVersion` (0: none
   * stored); returns the new one. Throws StateConflictError otherwise.
   */
  putTableSchema(schema: TableSchemaUpdate, expectedVersion: number): Promise<TableSchema>;
  /** Every recorded custom table, for the catalog and status reports. */
  listTableSchemas(): Promise<readonly TableSchema[]>;
  /** Records what a source's export user may see, replacing the last check. */
  recordSourceAccess(access: SourceAccess): Promise<void>;
  /** Every source's last access check, for status reports. */
  listSourceAccess(): Promise<readonly SourceAccess[]>;
}
