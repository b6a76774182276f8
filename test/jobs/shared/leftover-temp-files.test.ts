import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeLeftoverTempFiles } from '../../../jobs/shared/leftover-temp-files.js';
import { useTempFolders } from '../../harness/temp-folders.js';

const folder = useTempFolders('leftovers-');

describe('removeLeftoverTempFiles', () => {
  it("removes the pipeline's temp folders and files a killed invocation left, and nothing else", async () => {
    const tmp = folder();
    await mkdir(join(tmp, 'opslake-compact', 'opslake-compact-a1b2', 'inputs'), { recursive: true });
    await writeFile(join(tmp, 'opslake-compact', 'opslake-compact-a1b2', 'inputs', 'in-000000.parquet'), 'x');
    await mkdir(join(tmp, 'opslake-backfill-x9'));
    await writeFile(join(tmp, 'opslake-parquet-1.parquet'), 'x');
    await writeFile(join(tmp, 'duckdb_temp_storage-0.tmp'), 'spill');
    await mkdir(join(tmp, 'other-tool'));
    expect(await removeLeftoverTempFiles(tmp)).toBe(3);
    expect((await readdir(tmp)).sort()).toEqual(['duckdb_temp_storage-0.tmp', 'other-tool']);
    expect(await removeLeftoverTempFiles(join(tmp, 'missing'))).toBe(0);
  });
});
