import { type Dirent, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { CatalogError } from '../errors.js';

/** The entries of a folder of the local lake; none when it does not exist. */
export async function entriesOf(folder: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CatalogError(`could not list ${folder}: ${(error as Error).message}`, { cause: error });
  }
}

/** A file's size and modification time: a footer read at another stamp is read again. */
export function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
