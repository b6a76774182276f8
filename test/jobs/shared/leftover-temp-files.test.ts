import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeLeftoverTempFiles } from '../../../jobs/shared/leftover-temp-files.js';
import { useTempFolders } from '../../harness/temp-folders.js';

const folder = useTempFolders('leftovers-');

describe('removeLeftoverTempFiles', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("removes the pipeline's temp folders and files a killed invocation left, and nothing else", async () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
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

  it('removes nothing outside a Lambda sandbox, where the temp folder is shared with other processes', async () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '');
    const tmp = folder();
    await mkdir(join(tmp, 'opslake-compact-other-process'), { recursive: true });
    expect(await removeLeftoverTempFiles(tmp)).toBe(0);
    expect(await readdir(tmp)).toEqual(['opslake-compact-other-process']);
  });
});
