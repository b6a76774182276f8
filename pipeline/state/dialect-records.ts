import { assertClusterName } from '../config/identifiers.js';
import { StateStoreError } from '../errors.js';
import type { SourceDialect } from '../ports/state-store.js';
import { hasControlCharacters } from '../util/control-characters.js';

/**
 * The stored shape of a source's recorded dialect, shared by the StateStore adapters (a DynamoDB
 * item and a state-file entry hold the same fields). One record per source, written once.
 */

export interface DialectRecord {
  readonly pk: string;
  readonly kind: 'dialect';
  readonly cluster: string;
  readonly dialect: 'stl' | 'sys';
  readonly reason: string;
  readonly detected_at: string;
}

export const DIALECT_PREFIX = 'dialect#';

const MAX_REASON = 512;

export function dialectId(cluster: string): string {
  return `${DIALECT_PREFIX}${assertClusterName(cluster)}`;
}

export function toDialectRecord(dialect: SourceDialect): DialectRecord {
  if (dialect.dialect !== 'stl' && dialect.dialect !== 'sys') {
    throw new StateStoreError(`a source dialect is stl or sys, not ${JSON.stringify(dialect.dialect)}`);
  }
  // The reason quotes what the database said; it ends up in a key-value store and in status output.
  const reason = dialect.reason;
  if (typeof reason !== 'string' || reason === '' || reason.length > MAX_REASON || hasControlCharacters(reason)) {
    throw new StateStoreError(`the reason recorded with a dialect must be 1-${MAX_REASON} printable characters`);
  }
  if (!(dialect.detectedAt instanceof Date) || Number.isNaN(dialect.detectedAt.getTime())) {
    throw new StateStoreError('the detection time of a dialect is not a valid date');
  }
  return {
    pk: dialectId(dialect.cluster),
    kind: 'dialect',
    cluster: dialect.cluster,
    dialect: dialect.dialect,
    reason,
    detected_at: dialect.detectedAt.toISOString(),
  };
}

/** Reads a stored dialect defensively: state outlives code versions and can be edited by hand. */
export function fromDialectRecord(record: Record<string, unknown>): SourceDialect {
  const pk = String(record.pk);
  const dialect = record.dialect;
  if (dialect !== 'stl' && dialect !== 'sys') throw new StateStoreError(`stored state ${pk}.dialect is not stl or sys`);
  const detectedAt = new Date(typeof record.detected_at === 'string' ? record.detected_at : Number.NaN);
  if (Number.isNaN(detectedAt.getTime())) throw new StateStoreError(`stored state ${pk}.detected_at is not an ISO date`);
  return { cluster: String(record.cluster), dialect, reason: String(record.reason ?? ''), detectedAt };
}
