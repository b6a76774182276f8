import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { describeCompactionStateContract } from './compaction-state-contract.js';

describe('FileCompactionState (FileStateStore)', () => {
  let root: string;
  let folders = 0;
  const newFolder = () => {
    folders += 1;
    return join(root, `state-${folders}`);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'opslake-file-compaction-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describeCompactionStateContract(async () => new FileStateStore(newFolder()));

  it('keeps each item in a file of its own, apart from state.json', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    await store.putCompactionWatermark('stl_query', 'prod', '2026-03-01', 0);
    expect(await readdir(folder)).toEqual(['items']);
    expect(await readdir(join(folder, 'items', 'compacted'))).toHaveLength(1);
  });
});
