import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LedgerEntry } from '../../../../pipeline/ports/ingestion-ledger.js';
import type { ObjectStore } from '../../../../pipeline/ports/object-store.js';
import { type DigestedLogFile, sha256Hex } from '../../../../pipeline/simulators/cloudtrail/digest-writer.js';

/** A log file of a test trail: its key, its uncompressed body and that body's SHA-256. */
export interface TrailFile extends DigestedLogFile {
  readonly body: string;
}

function stamp(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`;
}

/** The key CloudTrail gives a log file of `account` and `region` delivered at `at`. */
export function logKey(account: string, region: string, at: Date, unique = 'abcdefgh'): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '/');
  return `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp(at)}_${unique}.json.gz`;
}

/** A log file with one event at `at`; `write` puts it in the store gzipped, as CloudTrail delivers it. */
export function logFile(account: string, region: string, at: Date, eventId = at.toISOString()): TrailFile {
  const time = `${at.toISOString().slice(0, 19)}Z`;
  const body = JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: time, eventID: eventId, awsRegion: region }] });
  return { key: logKey(account, region, at), body, sha256: sha256Hex(body), oldestEventTime: time, newestEventTime: time };
}

export async function writeLog(store: ObjectStore, file: TrailFile): Promise<void> {
  await store.putBytes(file.key, gzipSync(file.body));
}

/** The entry ingestion records for a file it read: `sha256` of what it read, which may differ from what CloudTrail hashed. */
export function ledgerEntry(source: string, file: TrailFile, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  const [, account = '', , region = '', year = '', month = '', day = ''] = file.key.split('/');
  return {
    source,
    key: file.key,
    day: `${year}-${month}-${day}`,
    account,
    region,
    size: file.body.length,
    sha256: file.sha256,
    status: 'ingested',
    events: 1,
    insights: 0,
    partitions: [],
    recordedAt: '2026-03-02T00:00:00.000Z',
    ...overrides,
  };
}

/** Every row of `cloudtrail_completeness` under `lakeDir`, with its partition values, hours as text. */
export async function readCompleteness(lakeDir: string): Promise<Array<Record<string, unknown>>> {
  const folder = join(lakeDir, 'cloudtrail', 'completeness');
  if (!existsSync(folder)) return [];
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const glob = `${folder.replaceAll("'", "''")}/**/*.parquet`;
    const reader = await connection.runAndReadAll(
      `SELECT * REPLACE (strftime(hour, '%Y-%m-%d %H:%M:%S') AS hour, strftime(verified_at, '%Y-%m-%d %H:%M:%S') AS verified_at)
       FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false) ORDER BY file_key`,
    );
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
