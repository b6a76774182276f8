/**
 * One measurement of the CloudTrail benchmark, run in a child process of its own (so that CPU
 * and peak RSS are its own): the ingest, a DuckDB `read_json` baseline, or the DuckDB-alone
 * reference, over the cached trail.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSelectList, recordStructType } from '../../pipeline/cloudtrail/cloudtrail-sql.js';
import { DuckDbCatalog } from '../../pipeline/catalog/duckdb-catalog.js';
import { ingestCloudTrail } from '../../pipeline/cloudtrail/ingest-cloudtrail.js';
import type { PartitionResult } from '../../pipeline/compaction/partition-result.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../pipeline/config/compaction-settings.js';
import { openDuckDb, sqlLiteral } from '../../pipeline/duckdb/duckdb-engine.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';

export interface Measurement {
  readonly case: string;
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly note?: string;
}

/** What one case read and wrote. */
interface CaseOutput {
  readonly events: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly note?: string;
}

function filesUnder(dir: string, test: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, test));
    else if (test(path)) out.push(path);
  }
  return out.sort();
}

function sizeOf(paths: readonly string[]): number {
  return paths.reduce((sum, path) => sum + statSync(path).size, 0);
}

/** The first cell of a one-row result. */
function firstCell(rows: unknown[][]): unknown {
  return rows[0]?.[0];
}

/**
 * A reference, not a product path: DuckDB alone flattening the files through the same typed
 * STRUCT and writing one object per (file, partition), with none of the ingest's checks (no
 * unknown fields kept, a bad file fails the lot). Events files only. `-one`: the same
 * flattening into a single Parquet file, as the baselines write. `-sorted`: into one file sorted
 * by time, at the compaction's memory limit (what a compacted generation must be, and the
 * least any path that writes generations straight from JSON does; no de-duplication, no checks).
 */
async function typedReference(name: string, logs: readonly string[], work: string): Promise<CaseOutput> {
  const eventLogs = logs.filter((path) => /[/]CloudTrail[/]/.test(path));
  const sorted = name.endsWith('-sorted');
  const limit = sorted ? { memoryLimit: `${DEFAULT_COMPACTION_SETTINGS.memoryLimitMb}MB` } : {};
  const { instance, connection } = await openDuckDb({ threads: 1, tempDirectory: work, ...limit });
  const out = join(work, 'typed');
  const columns = `columns = {Records: ${sqlLiteral(`${recordStructType('events')}[]`)}}`;
  const read = `read_json([${eventLogs.map(sqlLiteral).join(', ')}], ${columns}, filename = true)`;
  const records = `SELECT unnest(record), filename FROM (SELECT unnest(Records) AS record, filename FROM ${read})`;
  const partitions = 'hash(filename) AS file_id, left("eventTime", 10) AS day';
  const select = `SELECT ${recordSelectList('events', 'filename')}, ${partitions} FROM (${records})`;
  await connection.run('SET partitioned_write_flush_threshold = 16384');
  const single = name.endsWith('-one') || sorted;
  if (single) await mkdir(out);
  const target = sqlLiteral(single ? join(out, 'all.parquet') : out);
  const partitionBy = single ? '' : ', PARTITION_BY (file_id, recipientaccountid, awsregion, day)';
  await connection.run(
    `COPY (${select}${sorted ? ' ORDER BY eventtime' : ''}) TO ${target} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384${partitionBy})`,
  );
  const counted = await connection.runAndReadAll(
    `SELECT count(*), count(DISTINCT filename) FROM read_parquet(${sqlLiteral(`${out}/**/*.parquet`)}, filename = true)`,
  );
  const [rows, objects] = counted.getRows()[0] ?? [];
  connection.closeSync();
  instance.closeSync();
  return {
    events: Number(rows),
    inputBytes: sizeOf(eventLogs),
    outputBytes: sizeOf(filesUnder(out, (path) => path.endsWith('.parquet'))),
    note: `${Number(objects)} objects`,
  };
}

/** DuckDB's `read_json` of the files, straight to one Parquet file. */
async function baseline(name: string, logs: readonly string[], work: string, big: boolean): Promise<CaseOutput> {
  const { instance, connection } = await openDuckDb({ threads: 1, tempDirectory: work });
  const out = join(work, 'baseline.parquet');
  const list = `[${logs.map(sqlLiteral).join(', ')}]`;
  // A single object larger than read_json's default 16 MB limit needs the limit raised.
  const objectSize = big ? ', maximum_object_size = 1073741824' : '';
  // `read_json` as one would write it fails on real trails (a schema inferred from a sample of
  // one file meets other files' fields): `union_by_name` is the fix its own error suggests.
  // `Records` read as JSON[] is the fastest form of all: no schema, each record kept whole.
  const json = name.startsWith('baseline-json');
  const read = json
    ? `SELECT unnest(Records) AS record FROM read_json(${list}, columns = {Records: 'JSON[]'}${objectSize})`
    : `SELECT * FROM read_json(${list}, union_by_name = true${objectSize})`;
  await connection.run(`COPY (${read}) TO ${sqlLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`);
  const counted = await connection.runAndReadAll(
    json ? `SELECT count(*) FROM read_parquet(${sqlLiteral(out)})` : `SELECT sum(len(Records)) FROM read_parquet(${sqlLiteral(out)})`,
  );
  const events = Number(firstCell(counted.getRows()));
  connection.closeSync();
  instance.closeSync();
  return { events, inputBytes: sizeOf(logs), outputBytes: statSync(out).size };
}

/**
 * The product path: `opslake cloudtrail ingest` into a local lake with a local DuckDB catalog.
 * The bench's days are closed, so `ingest` writes compacted generations directly (one per
 * partition, sorted and de-duplicated); `ingest-live` forces the live path (one object per file
 * and partition), what the SQS handler does and what the backfill did before.
 */
async function ingest(name: string, trail: string, logs: readonly string[], work: string): Promise<CaseOutput> {
  const state = new FileStateStore(join(work, 'state'));
  const lakeDir = join(work, 'lake');
  const opened = name.endsWith('-live') ? undefined : await openDuckDb({ path: join(work, 'catalog.duckdb'), threads: 1 });
  let generations = 0;
  let parquetBytes = 0;
  let compactSeconds = 0;
  try {
    const summary = await ingestCloudTrail({
      source: new LocalObjectStore(trail),
      lake: new LocalObjectStore(lakeDir),
      // The ledger is part of ingestion's cost: a fresh one, so every file is ingested.
      state,
      cloudtrailLatenessMinutes: DEFAULT_COMPACTION_SETTINGS.cloudtrailLatenessMinutes,
      tempDirectory: work,
      // The ingester's limit, as in the CLI; closed days' generations are written at the compaction setting's.
      memoryLimit: '256MB',
      force: true,
      ...(opened
        ? {
            compacted: {
              catalog: new DuckDbCatalog({ connection: opened.connection, lakeDir }),
              state,
              settings: DEFAULT_COMPACTION_SETTINGS,
              onPartition: (result: PartitionResult) => {
                generations += result.status === 'compacted' ? 1 : 0;
                parquetBytes += result.bytesOut;
                compactSeconds += result.seconds;
              },
            },
          }
        : {}),
    });
    const objects = opened ? `${generations} generations (${compactSeconds.toFixed(1)} s folding)` : `${summary.objectsWritten} objects`;
    return {
      events: summary.events + summary.insights,
      inputBytes: sizeOf(logs),
      outputBytes: opened ? parquetBytes : summary.parquetBytes,
      note: `${objects}, ${summary.partitionsWritten} partitions, ${summary.quarantined.length} quarantined`,
    };
  } finally {
    opened?.connection.closeSync();
    opened?.instance.closeSync();
  }
}

/** Runs one case over the data under `data` and measures it. */
export async function runCase(name: string, data: string): Promise<Measurement> {
  const work = await mkdtemp(join(tmpdir(), 'opslake-bench-cloudtrail-'));
  const started = performance.now();
  const cpu = process.cpuUsage();
  let output: CaseOutput;
  try {
    const big = name.endsWith('-big');
    const trail = big ? join(data, 'big') : join(data, 'trail');
    const logs = filesUnder(trail, (path) => /[/]CloudTrail(-Insight)?[/]/.test(path) && path.endsWith('.json.gz'));
    if (name.startsWith('duckdb-typed')) output = await typedReference(name, logs, work);
    else if (name.startsWith('baseline')) output = await baseline(name, logs, work, big);
    else output = await ingest(name, trail, logs, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const used = process.cpuUsage(cpu);
  return {
    case: name,
    events: output.events,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    inputBytes: output.inputBytes,
    outputBytes: output.outputBytes,
    ...(output.note ? { note: output.note } : {}),
  };
}
