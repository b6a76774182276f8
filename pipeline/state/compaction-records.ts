import { InvalidIdentifierError, StateStoreError } from '../errors.js';
import type {
  CompactionRecord,
  CompactionRecordUpdate,
  CompactionWatermark,
  DirtyPartition,
  PartitionRef,
} from '../ports/compaction-state.js';
import { hasControlCharacters } from '../util/control-characters.js';

/**
 * The stored shape of compaction state, shared by both state stores: `partition#<table>#<path>`
 * (the generation a partition is on), `compacted#<table>#<scope>` (how far closed days were
 * compacted) and `dirty#<table>#<path>` (a late write). Dates are ISO strings.
 */

export const PARTITION_PREFIX = 'partition#';
export const COMPACTED_PREFIX = 'compacted#';
export const DIRTY_PREFIX = 'dirty#';
/** Dirty marks are listed through the ledger's sparse index, under this hash value per table (one index serves both). */
export const DIRTY_INDEX_PREFIX = 'dirty#';

const TABLE_NAME = /^[a-z][a-z0-9_]{0,127}$/;
/** `k=v/` segments of escaped values (see lake-layout), with the trailing slash. */
const PARTITION_PATH = /^([a-z_][a-z0-9_]*=(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+\/)+$/;
const SCOPE = /^(\*|[a-z][a-z0-9-]{0,62})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GENERATION = /^[0-9a-f]{16,64}$/;

function assertTable(table: string): string {
  if (!TABLE_NAME.test(table)) throw new InvalidIdentifierError('table name', table, 'use lower-case letters, digits and _');
  return table;
}

function assertPath(path: string): string {
  if (path.length > 700 || hasControlCharacters(path) || !PARTITION_PATH.test(path)) {
    throw new InvalidIdentifierError('partition path', path, 'expected key=value/ segments of escaped values, ending with /');
  }
  return path;
}

export function compactionRecordId(table: string, path: string): string {
  return `${PARTITION_PREFIX}${assertTable(table)}#${assertPath(path)}`;
}

export function dirtyId(table: string, path: string): string {
  return `${DIRTY_PREFIX}${assertTable(table)}#${assertPath(path)}`;
}

export function compactionWatermarkId(table: string, scope: string): string {
  if (!SCOPE.test(scope)) throw new InvalidIdentifierError('compaction scope', scope, 'use * or a cluster name');
  return `${COMPACTED_PREFIX}${assertTable(table)}#${scope}`;
}

function iso(date: Date, what: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new StateStoreError(`${what} is not a valid date`);
  return date.toISOString();
}

function date(value: unknown, where: string): Date {
  const parsed = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) throw new StateStoreError(`stored state ${where} is not an ISO date: ${JSON.stringify(value)}`);
  return parsed;
}

function values(record: Record<string, unknown>): Record<string, string> {
  const raw = record.values;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value)]));
}

export function toCompactionRecord(update: CompactionRecordUpdate, version: number): Record<string, unknown> {
  if (!GENERATION.test(update.generation)) throw new InvalidIdentifierError('generation', update.generation, 'expected hex digits');
  return {
    pk: compactionRecordId(update.table, update.path),
    kind: 'compaction',
    table: update.table,
    path: update.path,
    values: { ...update.values },
    generation: update.generation,
    manifest_key: update.manifestKey,
    rows: update.rows,
    duplicates_removed: update.duplicatesRemoved,
    compacted_at: iso(update.compactedAt, 'compactedAt'),
    ...(update.previousGeneration === null ? {} : { previous_generation: update.previousGeneration }),
    superseded_at: iso(update.supersededAt, 'supersededAt'),
    ...(update.cleanedAt === null ? {} : { cleaned_at: iso(update.cleanedAt, 'cleanedAt') }),
    version,
  };
}

export function fromCompactionRecord(record: Record<string, unknown>): CompactionRecord {
  const pk = String(record.pk);
  const version = Number(record.version);
  if (!Number.isSafeInteger(version) || version < 1) throw new StateStoreError(`stored state ${pk}.version is not a positive whole number`);
  return {
    table: String(record.table),
    path: String(record.path),
    values: values(record),
    generation: String(record.generation),
    manifestKey: String(record.manifest_key),
    rows: Number(record.rows ?? 0),
    duplicatesRemoved: Number(record.duplicates_removed ?? 0),
    compactedAt: date(record.compacted_at, `${pk}.compacted_at`),
    previousGeneration: typeof record.previous_generation === 'string' ? record.previous_generation : null,
    supersededAt: date(record.superseded_at, `${pk}.superseded_at`),
    cleanedAt: record.cleaned_at === undefined ? null : date(record.cleaned_at, `${pk}.cleaned_at`),
    version,
  };
}

export function toCompactionWatermark(table: string, scope: string, day: string, version: number): Record<string, unknown> {
  if (!DAY.test(day)) throw new InvalidIdentifierError('compaction watermark day', day, 'expected YYYY-MM-DD');
  return { pk: compactionWatermarkId(table, scope), kind: 'compaction-watermark', table, scope, day, version };
}

export function fromCompactionWatermark(record: Record<string, unknown> | undefined): CompactionWatermark {
  if (record === undefined) return { day: null, version: 0 };
  const day = typeof record.day === 'string' && DAY.test(record.day) ? record.day : null;
  return { day, version: Number(record.version ?? 0) };
}

export function toDirtyRecord(partition: PartitionRef, at: Date): Record<string, unknown> {
  return {
    pk: dirtyId(partition.table, partition.path),
    kind: 'dirty',
    table: partition.table,
    path: partition.path,
    values: { ...partition.values },
    marked_at: iso(at, 'markedAt'),
    // The sparse index lists a table's marks (see DIRTY_INDEX_PREFIX).
    ledger_day_shard: `${DIRTY_INDEX_PREFIX}${partition.table}`,
    ledger_key: partition.path,
  };
}

export function fromDirtyRecord(record: Record<string, unknown>): DirtyPartition {
  return {
    table: String(record.table),
    path: String(record.path),
    values: values(record),
    markedAt: date(record.marked_at, `${String(record.pk)}.marked_at`),
  };
}
