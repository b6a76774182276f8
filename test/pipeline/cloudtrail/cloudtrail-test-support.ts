import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  CLOUDTRAIL_EVENT_COLUMNS,
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_INSIGHT_COLUMNS,
  CLOUDTRAIL_INSIGHT_FIELDS,
  isGroup,
  type CloudTrailColumn,
  type CloudTrailGroup,
} from '../../../pipeline/tables/cloudtrail-tables.js';

/**
 * Helpers shared by the CloudTrail tests: inputs under real key shapes, a DuckDB reader of the
 * lake that owes nothing to the project's own code, and an oracle that says what each column
 * must hold for a source record.
 */

export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/cloudtrail/', import.meta.url));

/** A key of a regular trail delivered on `day` (YYYY-MM-DD) in `region`. */
export function logKey(
  name: string,
  options: { account?: string; region?: string; day?: string; folder?: string; prefix?: string } = {},
): string {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const day = options.day ?? '2024-08-02';
  const folder = options.folder ?? 'CloudTrail';
  const safe = `${name.replace(/[^A-Za-z0-9]/g, '').slice(-24)}${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return `${options.prefix ?? ''}AWSLogs/${account}/${folder}/${region}/${day.replaceAll('-', '/')}/${account}_${folder}_${region}_${day.replaceAll('-', '')}T0905Z_${safe}.json.gz`;
}

export function gzipJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

export interface FixtureFile {
  readonly name: string;
  /** The delivered body: `{"Records":[...]}`, gzipped (bare arrays are wrapped). */
  readonly body: Buffer;
  readonly records: readonly Record<string, unknown>[];
}

/** Every fixture that is a CloudTrail log (bare arrays wrapped in Records and gzipped); invalid JSON is left out. */
export function fixtureLogs(): FixtureFile[] {
  const out: FixtureFile[] = [];
  for (const folder of ['stratus-red-team', 'aws-cloudtrail-processing-library']) {
    for (const name of readdirSync(join(FIXTURES, folder)).sort()) {
      const path = join(FIXTURES, folder, name);
      if (!name.endsWith('.json') && !name.endsWith('.json.gz')) continue;
      const bytes = readFileSync(path);
      const text = name.endsWith('.gz') ? null : bytes.toString('utf8');
      let parsed: unknown;
      try {
        parsed = text === null ? JSON.parse(gunzipText(bytes)) : JSON.parse(text);
      } catch {
        continue; // the invalid-JSON fixture has its own test
      }
      if (Array.isArray(parsed)) {
        out.push({ name: `${folder}/${name}`, body: gzipJson({ Records: parsed }), records: parsed as Record<string, unknown>[] });
      } else {
        const records = (parsed as { Records: Record<string, unknown>[] }).Records;
        // Delivered as published: pretty or compact, plain or gzip (the reader tells them apart).
        out.push({ name: `${folder}/${name}`, body: bytes, records });
      }
    }
  }
  return out;
}

function gunzipText(bytes: Buffer): string {
  return gunzipSync(bytes).toString('utf8');
}

export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURES, relative), 'utf8');
}

/** Every Parquet row of a table of a local lake, read by DuckDB alone, with its partition values. */
export async function readLakeTable(lakeDir: string, table: 'events' | 'insights'): Promise<Array<Record<string, unknown>>> {
  const folder = join(lakeDir, 'cloudtrail', table);
  if (!existsSync(folder)) return [];
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const glob = `${folder.replaceAll("'", "''")}/**/*.parquet`;
    const reader = await connection.runAndReadAll(
      `SELECT * REPLACE (epoch_ms(eventtime) AS eventtime), filename FROM read_parquet('${glob}', hive_partitioning = true, filename = true)`,
    );
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function get(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The part of `record` no column holds: unknown members and values of the wrong type, shaped like the record. */
function leftovers(record: Record<string, unknown>, group: CloudTrailGroup): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(record)) {
    const node = group.members[member];
    if (node === undefined) {
      out[member] = value;
    } else if (value === null) {
      // null is what CloudTrail writes for any absent value: a column holds it.
    } else if (isGroup(node)) {
      if (!isPlainObject(value)) out[member] = value;
      else {
        const nested = leftovers(value, node);
        if (nested) out[member] = nested;
      }
    } else if (expectedLeaf(node.kind, value) === MISTYPED) {
      out[member] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const MISTYPED = Symbol('mistyped');

function expectedLeaf(kind: CloudTrailColumn['kind'], value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return MISTYPED;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return MISTYPED;
    case 'double':
      return typeof value === 'number' ? value : MISTYPED;
    case 'timestamp': {
      const millis =
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
      return Number.isNaN(millis) ? MISTYPED : millis;
    }
    default:
      return value;
  }
}

/**
 * What each column must hold for `record`: typed columns equal the source value, JSON columns
 * parse back deep-equal to the source object, `unknown_fields` to what no column holds.
 */
export function expectedRow(record: Record<string, unknown>, table: 'events' | 'insights', sourceKey: string): Record<string, unknown> {
  const columns = table === 'events' ? CLOUDTRAIL_EVENT_COLUMNS : CLOUDTRAIL_INSIGHT_COLUMNS;
  const tree = table === 'events' ? CLOUDTRAIL_EVENT_FIELDS : CLOUDTRAIL_INSIGHT_FIELDS;
  const row: Record<string, unknown> = {};
  for (const column of columns) {
    if (column.name === 'source_key') row[column.name] = sourceKey;
    else if (column.name === 'unknown_fields') row[column.name] = leftovers(record, tree) ?? null;
    else {
      const value = expectedLeaf(column.kind, get(record, column.path));
      row[column.name] = value === MISTYPED ? null : value;
    }
  }
  return row;
}

/** A lake row in the oracle's terms: JSON columns parsed, partition columns and file name dropped. */
export function comparableRow(row: Record<string, unknown>, table: 'events' | 'insights'): Record<string, unknown> {
  const columns = table === 'events' ? CLOUDTRAIL_EVENT_COLUMNS : CLOUDTRAIL_INSIGHT_COLUMNS;
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.name];
    if (column.kind === 'json') out[column.name] = value === null || value === undefined ? null : JSON.parse(String(value));
    else if (column.name === 'eventtime') out[column.name] = value === null || value === undefined ? null : Number(value);
    else out[column.name] = value ?? null;
  }
  return out;
}

/** Rows sorted canonically, for comparing multisets. */
export function sortedRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return [...rows].sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
