import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { describeCompactionStateContract } from './compaction-state-contract.js';
import { useTempFolders } from '../../harness/temp-folders.js';

describe('FileCompactionState (FileStateStore)', () => {
  const newFolder = useTempFolders('opslake-file-compaction-');

  describeCompactionStateContract(async () => new FileStateStore(newFolder()));

  it('keeps each item in a file of its own, apart from state.json', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    await store.putCompactionWatermark('stl_query', 'prod', '2026-03-01', 0);
    expect(await readdir(folder)).toEqual(['items']);
    expect(await readdir(join(folder, 'items', 'compacted'))).toHaveLength(1);
  });
});
