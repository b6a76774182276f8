import type { PGlite } from '@electric-sql/pglite';
import type { ClusterConfig, OpslakeConfig } from '../../pipeline/config/opslake-config.js';
import { openDuckDb, writerMemoryLimit } from '../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../pipeline/errors.js';
import type { ExportEvent } from '../../pipeline/redshift/export-events.js';
import { exportFleet, type FleetExportResult } from '../../pipeline/redshift/fleet-exporter.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import type { ObjectStore } from '../../pipeline/ports/object-store.js';
import type { ExportTable } from '../../pipeline/tables/custom-tables.js';
import { type OpenedStateStore, openObjectStore, openStateStore } from '../shared/open-stores.js';
import { openSqlRunner } from '../shared/open-sql-runner.js';
import { requireSetting } from './load-config.js';

export interface RunExportOptions {
  readonly config: OpslakeConfig;
  readonly clusters?: readonly string[];
  readonly tables?: readonly ExportTable[];
  readonly onEvent?: (event: ExportEvent) => void;
  readonly openDatabases?: ReadonlyMap<string, PGlite>;
  /** Aborted on SIGINT/SIGTERM: the export stops at its next slot. */
  readonly signal?: AbortSignal;
  readonly takeOverLease?: boolean;
}

/** Selects the clusters named on the command line (all enabled ones by default). */
export function selectClusters(config: OpslakeConfig, names: readonly string[] | undefined): ClusterConfig[] {
  if (!names || names.length === 0) return config.clusters.filter((cluster) => cluster.enabled);
  return names.map((name) => {
    const cluster = config.clusters.find((candidate) => candidate.name === name);
    if (!cluster) {
      throw new ConfigError(
        '--cluster',
        `no cluster named ${JSON.stringify(name)}; configured: ${config.clusters.map((c) => c.name).join(', ') || 'none'}`,
      );
    }
    return { ...cluster, enabled: true };
  });
}

/** The lake and state the config file names; a missing setting names itself. */
export function openConfiguredStores(config: OpslakeConfig): { lake: ObjectStore; state: OpenedStateStore } {
  return {
    lake: openObjectStore(requireSetting(config.lake, 'lake', 'lake: <folder or s3://bucket/prefix> in the config file'), 'lake'),
    state: openConfiguredState(config),
  };
}

export function openConfiguredState(config: OpslakeConfig): OpenedStateStore {
  return openStateStore(requireSetting(config.state, 'state', 'state: <folder or dynamodb://table> in the config file'), 'state');
}

/** The local export: file or S3 lake, file or DynamoDB state, every selected cluster. */
export async function runExport(options: RunExportOptions): Promise<FleetExportResult[]> {
  const { config } = options;
  const { lake, state } = openConfiguredStores(config);
  const { instance, connection: first } = await openDuckDb({ memoryLimit: writerMemoryLimit('wholeFile', config.export.concurrency) });
  // Every connection is closed before its instance: a connection finalized after its instance
  // is gone can bring the process down.
  const connections = [first];
  try {
    return await exportFleet({
      clusters: selectClusters(config, options.clusters),
      settings: config.export,
      lake,
      state,
      openRunner: (cluster) => openSqlRunner(cluster, options.openDatabases ? { openDatabases: options.openDatabases } : {}),
      openWriter: async () => {
        const connection = await instance.connect();
        connections.push(connection);
        return new ParquetWriter(connection);
      },
      concurrency: config.export.concurrency,
      ...(options.tables ? { tables: options.tables } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.takeOverLease ? { takeOverLease: true } : {}),
    });
  } finally {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
  }
}
