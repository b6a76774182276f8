import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { CompactionSettings } from '../config/compaction-settings.js';
import { openDuckDb } from '../duckdb/duckdb-engine.js';
import { ParquetWriter } from '../lake/parquet-writer.js';
import type { Catalog } from '../ports/catalog.js';
import type { CompactionState } from '../ports/compaction-state.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { StateStore } from '../ports/state-store.js';
import type { LakeTable } from '../tables/lake-table.js';
import { type CompactLakeOptions, compactLake } from './compact-lake.js';
import type { CompactionSummary } from './compaction-summary.js';
import { GenerationWriter } from './generation-writer.js';
import { type CompactionStep, PartitionCompactor, type PartitionResult } from './partition-compactor.js';
import { RecyclingGenerationWriter } from './recycling-generation-writer.js';

export interface RunCompactionOptions {
  readonly lake: ObjectStore;
  readonly catalog: Pick<Catalog, 'listPartitions' | 'switchPartition'>;
  readonly state: CompactionState & Pick<StateStore, 'listWatermarks' | 'acquireLease' | 'releaseLease'>;
  readonly tables: readonly LakeTable[];
  readonly settings: CompactionSettings;
  readonly since?: string;
  readonly until?: string;
  readonly dryRun?: boolean;
  /** Where inputs are downloaded and DuckDB spills; default the system's temp folder. */
  readonly tempDirectory?: string;
  readonly remainingMs?: () => number;
  readonly reserveMs?: number;
  readonly clock?: () => Date;
  readonly onPartition?: (result: PartitionResult) => void;
  readonly onStep?: (step: CompactionStep, partition: string) => void | Promise<void>;
  readonly signal?: AbortSignal;
  readonly takeOverLease?: boolean;
  readonly onLeaseTakeOver?: CompactLakeOptions['onLeaseTakeOver'];
}

const MIB = 1 << 20;

/**
 * A compaction run with its own DuckDB (one thread, the settings' memory limit, spilling to the
 * temp folder): what `opslake compact`, the demo and the `lake-compact` Lambda call.
 */
export async function runCompaction(options: RunCompactionOptions): Promise<CompactionSummary> {
  const tempDirectory = options.tempDirectory ?? tmpdir();
  await mkdir(tempDirectory, { recursive: true });
  const writer = recyclingGenerationWriter(options.settings, tempDirectory);
  try {
    const compactor = new PartitionCompactor({
      lake: options.lake,
      catalog: options.catalog,
      state: options.state,
      writer,
      graceMs: options.settings.graceMinutes * 60_000,
      clock: options.clock ?? (() => new Date()),
      tempDirectory,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    return await compactLake({
      catalog: options.catalog,
      state: options.state,
      compactor,
      tables: options.tables,
      settings: options.settings,
      ...(options.since === undefined ? {} : { since: options.since }),
      ...(options.until === undefined ? {} : { until: options.until }),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}),
      ...(options.reserveMs === undefined ? {} : { reserveMs: options.reserveMs }),
      ...(options.onPartition ? { onPartition: options.onPartition } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.takeOverLease ? { takeOverLease: true } : {}),
      ...(options.onLeaseTakeOver ? { onLeaseTakeOver: options.onLeaseTakeOver } : {}),
    });
  } finally {
    writer.close();
  }
}

/** Partitions compacted on one DuckDB instance before the next (see RecyclingGenerationWriter). */
const PARTITIONS_PER_INSTANCE = 10;

/** Generations written with DuckDB on one thread at the settings' memory limit, spilling to `tempDirectory`. */
export function recyclingGenerationWriter(settings: CompactionSettings, tempDirectory: string): RecyclingGenerationWriter {
  return new RecyclingGenerationWriter({
    open: () => openDuckDb({ threads: 1, memoryLimit: `${settings.memoryLimitMb}MB`, tempDirectory }),
    writer: (connection) =>
      new GenerationWriter({
        connection,
        parquet: new ParquetWriter(connection, { tempDirectory }),
        targetFileBytes: settings.targetFileMb * MIB,
        memoryLimitBytes: settings.memoryLimitMb * MIB,
      }),
    partitionsPerInstance: PARTITIONS_PER_INSTANCE,
  });
}
