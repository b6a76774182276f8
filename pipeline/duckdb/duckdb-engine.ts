import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DuckDbOptions {
  /** Database file; `:memory:` by default. */
  readonly path?: string;
  /** Worker threads; 1 by default (Lambda and the benchmarks measure one core). */
  readonly threads?: number;
  /** e.g. `'400MB'`: DuckDB spills to `tempDirectory` beyond it. */
  readonly memoryLimit?: string;
  readonly tempDirectory?: string;
}

/** Instances opened by this process: each spills into a folder of its own. */
let instances = 0;

/**
 * DuckDB memory each concurrent Parquet writer gets, by the kind of write. A partitioned CloudTrail write holds a
 * row group per open partition: on a busy day DuckDB 1.5.5 crashed (SIGSEGV in the Parquet writer's final flush)
 * in 4 of 14 runs of one writer at 256 MB with 4 MiB input batches, in none of 20 at 1 GB or with 1 MiB batches.
 * A Redshift slot is one file: 128 MB is what the export benchmark measures (peak RSS under 512 MB).
 * Writers sharing an instance each get their share, instead of spilling at a limit sized for one.
 */
export const WRITER_MEMORY_MB = { partitioned: 256, wholeFile: 128 } as const;

/** The memory limit for `writers` concurrent Parquet writers of one kind on one instance. */
export function writerMemoryLimit(kind: keyof typeof WRITER_MEMORY_MB, writers: number): string {
  return `${WRITER_MEMORY_MB[kind] * Math.max(1, writers)}MB`;
}

/**
 * Opens DuckDB configured to never reach the network: extension autoloading would try to
 * download (httpfs), which fails offline and is a cold-start risk in Lambda. The home directory
 * is a temp folder because Lambda's is read-only.
 */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const temp = options.tempDirectory ?? tmpdir();
  instances += 1;
  const instance = await DuckDBInstance.create(options.path ?? ':memory:', {
    threads: String(options.threads ?? 1),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    home_directory: temp,
    // A folder of its own: DuckDB names its spill files by size class only, so two instances
    // spilling into one folder (two processes, or two instances of one) remove each other's
    // files. DuckDB creates the folder when it first spills and removes it when it closes.
    temp_directory: join(temp, `duckdb-spill-${process.pid}-${instances}`),
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'").catch(() => undefined);
  return { instance, connection };
}

/** A SQL string literal (for file paths, which DuckDB's table functions take only as literals). */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
