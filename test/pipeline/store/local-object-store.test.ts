import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../../pipeline/errors.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { collect, describeObjectStoreContract } from './object-store-contract.js';

describe('LocalObjectStore', () => {
  let root: string;
  let stores = 0;
  const newRoot = () => {
    stores += 1;
    return join(root, `store-${stores}`, 'lake');
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'opslake-local-store-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describeObjectStoreContract(async () => new LocalObjectStore(newRoot()));

  it('names its location by the absolute folder with a trailing separator', () => {
    const store = new LocalObjectStore('relative/lake');
    expect(store.location).toBe(`${resolve('relative/lake')}${sep}`);
  });

  it('maps keys to paths under the root and nothing outside it', async () => {
    const folder = newRoot();
    const store = new LocalObjectStore(folder);
    await store.putBytes('redshift/stl_query/cluster=a/x.parquet', 'x');
    await expect(store.putBytes('../escaped', 'x')).rejects.toBeInstanceOf(ObjectStoreError);

    expect(await readdir(join(folder, 'redshift', 'stl_query', 'cluster=a'))).toEqual(['x.parquet']);
    expect(await readdir(join(folder, '..'))).toEqual(['lake']);
  });

  it('keeps the old object, and no temp file, when a write fails half way', async () => {
    const folder = newRoot();
    const store = new LocalObjectStore(folder);
    await store.putBytes('k/v', 'old');

    await expect(store.putFile('k/v', join(folder, 'no-such-source'))).rejects.toBeInstanceOf(ObjectStoreError);

    expect((await store.getBytes('k/v')).toString()).toBe('old');
    expect(await readdir(join(folder, 'k'))).toEqual(['v']);
  });

  it('does not list files of writes still in flight', async () => {
    const folder = newRoot();
    const store = new LocalObjectStore(folder);
    await store.putBytes('p/done', 'x');
    await mkdir(join(folder, 'p'), { recursive: true });
    await writeFile(join(folder, 'p', '.opslake-tmp-1234'), 'half');

    expect((await collect(store.list('p/'))).map((o) => o.key)).toEqual(['p/done']);
  });

  it('says why a key cannot be both an object and a folder', async () => {
    const store = new LocalObjectStore(newRoot());
    await store.putBytes('a/b', 'object');

    await expect(store.putBytes('a/b/c', 'x')).rejects.toThrow(/a folder cannot share its name with an object/);
    await expect(store.putBytes('a', 'x')).rejects.toThrow(/a folder cannot share its name with an object/);
    expect((await store.getBytes('a/b')).toString()).toBe('object');
  });

  it('keeps metadata in a sidecar that can be written by hand, and says when one is not JSON', async () => {
    const folder = newRoot();
    const store = new LocalObjectStore(folder);
    await store.putBytes('t/d.json.gz', 'digest', { metadata: { signature: 'ab12' } });
    expect((await readdir(join(folder, 't'))).sort()).toEqual(['.opslake-meta-d.json.gz.json', 'd.json.gz']);

    await writeFile(join(folder, 't', '.opslake-meta-d.json.gz.json'), '{"Signature":"cd34","signature-algorithm":"SHA256withRSA"}');
    expect((await store.head('t/d.json.gz'))?.metadata).toEqual({ signature: 'cd34', 'signature-algorithm': 'SHA256withRSA' });

    await writeFile(join(folder, 't', '.opslake-meta-d.json.gz.json'), 'not json');
    await expect(store.head('t/d.json.gz')).rejects.toThrow(/\.opslake-meta-d\.json\.gz\.json\) is not a JSON object of text values/);

    await store.delete('t/d.json.gz');
    expect(await readdir(join(folder, 't'))).toEqual([]);
  });

  it('lists nothing when the root folder does not exist yet', async () => {
    const store = new LocalObjectStore(join(newRoot(), 'never-created'));
    expect(await collect(store.list(''))).toEqual([]);
  });
});
