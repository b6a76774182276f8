import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A temp root made before the suite and removed after it; the function returned names a new,
 * not yet existing folder under it on every call (one state store each).
 */
export function useTempFolders(prefix: string): () => string {
  let root: string | undefined;
  let folders = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  return () => {
    if (root === undefined) throw new Error('useTempFolders: a folder was asked for before the suite started');
    folders += 1;
    return join(root, `state-${folders}`);
  };
}
