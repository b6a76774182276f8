import type { ClusterConfig, ExportSettings } from '../config/opslake-config.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { ParquetWriter } from '../ports/parquet-writer.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { StateStore } from '../ports/state-store.js';
import type { ExportTable } from '../tables/custom-tables.js';
import { ClusterExporter, type ClusterExportResult } from './cluster-exporter.js';
import type { ExportEvent } from './export-events.js';

export interface FleetExportOptions {
  readonly clusters: readonly ClusterConfig[];
  readonly settings: ExportSettings;
  readonly lake: ObjectStore;
  readonly state: StateStore;
  /** Opens a runner for one cluster; closed after that cluster's export. */
  readonly openRunner: (cluster: ClusterConfig) => Promise<SqlRunner>;
  /** One writer per cluster in flight (a DuckDB connection runs one statement at a time). */
  readonly openWriter: () => Promise<ParquetWriter>;
  readonly concurrency: number;
  readonly tables?: readonly ExportTable[];
  readonly deadline?: Date;
  readonly clock?: () => Date;
  readonly onEvent?: (event: ExportEvent) => void;
  /** Aborted (SIGINT, SIGTERM): clusters not started are not, those in flight stop at their next slot. */
  readonly signal?: AbortSignal;
  /** See ClusterExportOptions.takeOverLease. */
  readonly takeOverLease?: boolean;
}

export type FleetExportResult =
  | ClusterExportResult
  | { readonly cluster: string; readonly status: 'failed'; readonly message: string; readonly error: unknown };

/**
 * Exports every enabled cluster, at most `concurrency` at a time. One cluster's failure is
 * reported in its result and does not stop the others.
 */
export async function exportFleet(options: FleetExportOptions): Promise<FleetExportResult[]> {
  const enabled = options.clusters.filter((cluster) => cluster.enabled);
  const queue = [...enabled.entries()];
  // Filled by index, so results come back in configuration order whichever finishes first.
  const results = new Array<FleetExportResult>(enabled.length);
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [index, cluster] = next;
      results[index] = options.signal?.aborted
        ? { cluster: cluster.name, status: 'interrupted', message: 'interrupted before it started', clusterNow: null, tables: [] }
        : await exportOne(cluster, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  return results;
}

async function exportOne(cluster: ClusterConfig, options: FleetExportOptions): Promise<FleetExportResult> {
  let runner: SqlRunner | undefined;
  try {
    runner = await options.openRunner(cluster);
    const exporter = new ClusterExporter({
      runner,
      lake: options.lake,
      state: options.state,
      writer: await options.openWriter(),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    return await exporter.export({
      cluster,
      settings: options.settings,
      ...(options.tables ? { tables: options.tables } : {}),
      ...(options.deadline ? { deadline: options.deadline } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.takeOverLease ? { takeOverLease: true } : {}),
    });
  } catch (error) {
    return { cluster: cluster.name, status: 'failed', message: error instanceof Error ? error.message : String(error), error };
  } finally {
    await runner?.close().catch(() => undefined);
  }
}
