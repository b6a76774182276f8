import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationWriter, type LocalInput } from '../../../pipeline/compaction/generation-writer.js';
import { RecyclingGenerationWriter } from '../../../pipeline/compaction/recycling-generation-writer.js';
import { openDuckDb, sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import { BadLakeObjectError } from '../../../pipeline/errors.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';

const TABLE = lakeTable('stl_query');
let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

/** An stl_query file of `rows` rows: query ids from `first`, end times spread over the day, each exported at `exportedAt`. */
async function slotFile(name: string, first: number, rows: number, exportedAt = '2024-03-05 12:00:00'): Promise<LocalInput> {
  const path = join(root, `${name}.parquet`);
  const columns = TABLE.columns
    .map((column) => {
      if (column.name === 'query') return `(${first} + i)::INTEGER AS query`;
      if (column.name === 'xid') return `(1000 + ${first} + i)::BIGINT AS xid`;
      if (column.name === 'endtime')
        return `TIMESTAMP '2024-03-04 00:00:00' + to_seconds(((${first} + i) * 7919 % 86400)::BIGINT) AS endtime`;
      if (column.name === 'exported_at') return `TIMESTAMP '${exportedAt}' AS exported_at`;
      if (column.name === 'querytxt') return `repeat('select ', 20) || i::VARCHAR AS querytxt`;
      return `CAST(NULL AS ${column.type}) AS "${column.name}"`;
    })
    .join(', ');
  await connection.run(`COPY (SELECT ${columns} FROM range(${rows}) t(i)) TO ${sqlLiteral(path)} (FORMAT parquet)`);
  return { key: `redshift/stl_query/cluster=prod/day=2024-03-04/${name}.parquet`, path };
}

function writer(memoryLimitBytes: number, targetFileBytes = 128 << 20): GenerationWriter {
  return new GenerationWriter({
    connection,
    parquet: new ParquetWriter(connection, { tempDirectory: root }),
    targetFileBytes,
    memoryLimitBytes,
  });
}

async function rowsOf(files: readonly string[]): Promise<Array<{ query: number; endtime: string; exported_at: string }>> {
  const reader = await connection.runAndReadAll(
    'SELECT query, endtime::VARCHAR AS endtime, exported_at::VARCHAR AS exported_at ' +
      `FROM read_parquet([${files.map(sqlLiteral).join(', ')}])`,
  );
  return reader.getRowObjectsJson() as Array<{ query: number; endtime: string; exported_at: string }>;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-generation-writer-'));
  ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
});

afterAll(async () => {
  connection.closeSync();
  instance.closeSync();
  await rm(root, { recursive: true, force: true });
});

describe('GenerationWriter', () => {
  it('keeps one row per key (the first export), sorted by time, the same whether sorted at once or in time buckets', async () => {
    const inputs = [
      await slotFile('a', 0, 6_000),
      await slotFile('b', 3_000, 6_000, '2024-03-05 13:00:00'),
      await slotFile('c', 20_000, 3_000),
    ];
    const whole = await writer(256 << 20).write(TABLE, inputs);
    const bucketed = await writer(1 << 20).write(TABLE, inputs);
    expect(whole).toMatchObject({ rowsIn: 15_000, rowsOut: 12_000 });
    expect(bucketed).toMatchObject({ rowsIn: 15_000, rowsOut: 12_000 });
    const rows = await rowsOf(whole.output.files.map((file) => file.path));
    expect(await rowsOf(bucketed.output.files.map((file) => file.path))).toEqual(rows);
    expect(new Set(rows.map((row) => row.query)).size).toBe(12_000);
    for (let index = 1; index < rows.length; index += 1)
      expect((rows[index - 1]?.endtime ?? '') <= (rows[index]?.endtime ?? '')).toBe(true);
    // Queries 3000-5999 came twice: the first export (12:00) is the one kept.
    expect(rows.filter((row) => row.query >= 3_000 && row.query < 6_000).every((row) => row.exported_at === '2024-03-05 12:00:00')).toBe(
      true,
    );
  });

  it('writes the same generations on a DuckDB instance replaced every few partitions, and closes each one it replaced', async () => {
    const inputs = [await slotFile('r1', 0, 2_000), await slotFile('r2', 1_000, 2_000, '2024-03-05 13:00:00')];
    const expected = await rowsOf((await writer(256 << 20).write(TABLE, inputs)).output.files.map((file) => file.path));
    const connections: DuckDBConnection[] = [];
    const recycling = new RecyclingGenerationWriter({
      open: async () => {
        const opened = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root });
        connections.push(opened.connection);
        return opened;
      },
      writer: (opened) =>
        new GenerationWriter({
          connection: opened,
          parquet: new ParquetWriter(opened, { tempDirectory: root }),
          targetFileBytes: 128 << 20,
          memoryLimitBytes: 256 << 20,
        }),
      partitionsPerInstance: 2,
    });
    try {
      for (let partition = 0; partition < 5; partition += 1) {
        const written = await recycling.write(TABLE, inputs);
        expect(written).toMatchObject({ rowsIn: 4_000, rowsOut: 3_000 });
        expect(await rowsOf(written.output.files.map((file) => file.path))).toEqual(expected);
      }
      expect(recycling.opened).toBe(3);
      // The two it replaced are closed: their memory is the process's again.
      for (const closed of connections.slice(0, 2)) await expect(closed.run('SELECT 1')).rejects.toThrow();
      await expect(connections[2]?.run('SELECT 1')).resolves.toBeDefined();
    } finally {
      recycling.close();
    }
  });

  it('writes as few files as the size target allows: each full but the last', async () => {
    const inputs = [await slotFile('big', 0, 20_000)];
    const target = 64 << 10;
    const written = await writer(1 << 20, target).write(TABLE, inputs);
    const sizes = written.output.files.map((file) => file.bytes);
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(target);
    expect(written.outputRows.reduce((sum, rows) => sum + rows, 0)).toBe(20_000);
  });

  it('names the object that is not Parquet, is cut short, or holds another schema', async () => {
    const good = await slotFile('good', 0, 10);
    const notParquet = { key: 'redshift/stl_query/cluster=prod/day=2024-03-04/notes.parquet', path: join(root, 'notes.parquet') };
    await writeFile(notParquet.path, '{"this": "is json"}');
    const truncated = { key: 'redshift/stl_query/cluster=prod/day=2024-03-04/cut.parquet', path: join(root, 'cut.parquet') };
    const { readFile } = await import('node:fs/promises');
    await writeFile(truncated.path, (await readFile(good.path)).subarray(0, 200));
    const other = { key: 'redshift/stl_query/cluster=prod/day=2024-03-04/other.parquet', path: join(root, 'other.parquet') };
    await connection.run(`COPY (SELECT 1 AS query, 'x' AS surprise) TO ${sqlLiteral(other.path)} (FORMAT parquet)`);
    for (const bad of [notParquet, truncated, other]) {
      const error = await writer(256 << 20)
        .write(TABLE, [good, bad])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadLakeObjectError);
      expect((error as BadLakeObjectError).key).toBe(bad.key);
      expect((error as Error).message).toContain(bad.key);
    }
  });
});
