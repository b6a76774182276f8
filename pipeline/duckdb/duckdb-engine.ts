import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tmpdir } from 'node:os';

export interface DuckDbOptions {
  /** Database file; `:memory:` by default. */
  readonly path?: string;
  /** Worker threads; 1 by default (Lambda and the benchmarks measure one core). */
  readonly threads?: number;
  /** e.g. `'400MB'`: DuckDB spills to `tempDirectory` beyond it. */
  readonly memoryLimit?: string;
  readonly tempDirectory?: string;
}

/**
 * Opens DuckDB configured to never reach the network: extension autoloading would try to
 * download (httpfs), which fails offline and is a cold-start risk in Lambda. The home directory
 * is a temp folder because Lambda's is read-only.
 */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const temp = options.tempDirectory ?? tmpdir();
  const instance = await DuckDBInstance.create(options.path ?? ':memory:', {
    threads: String(options.threads ?? 1),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    home_directory: temp,
    temp_directory: temp,
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
