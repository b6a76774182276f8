import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConnectionError } from '../../errors.js';

/**
 * A freshly initialised data folder, kept once per process: initdb is most of PGlite's start-up
 * time, and loading this copy skips it for every further new cluster (the demo makes two, tests
 * several).
 */
let pristineDataDir: Promise<Blob> | undefined;

async function newDatabase(dataDir: string | undefined): Promise<PGlite> {
  // PGlite makes the folder itself, but not its parents.
  if (dataDir !== undefined) await mkdir(dirname(dataDir), { recursive: true });
  const template = await pristineDataDir?.catch(() => undefined);
  if (template) return PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), loadDataDir: template });
  const db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  pristineDataDir ??= db.dumpDataDir('none');
  await pristineDataDir.catch(() => undefined);
  return db;
}

/** A new cluster's database (from the pristine copy when there is one), or the one in `dataDir`. */
export async function openDatabase(dataDir: string | undefined, fresh = false): Promise<PGlite> {
  try {
    if (fresh) return await newDatabase(dataDir);
    return dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (error) {
    throw new ConnectionError(`cannot open the simulated cluster database${dataDir === undefined ? '' : ` in ${dataDir}`}`, {
      cause: error,
      retryable: false,
    });
  }
}
