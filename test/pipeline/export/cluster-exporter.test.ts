import { describe, expect, it } from 'vitest';
import { ClusterExporter } from '../../../pipeline/export/cluster-exporter.js';
import type { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { StateStore } from '../../../pipeline/ports/state-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { clusterConfig, SETTINGS } from '../../harness/export-harness.js';

describe('ClusterExporter', () => {
  it('refuses a Serverless workgroup with a message that says what to do, before touching anything', async () => {
    const untouched = new Proxy({}, { get: () => () => { throw new Error('must not be called'); } });
    const exporter = new ClusterExporter({
      runner: untouched as SqlRunner,
      state: untouched as StateStore,
      writer: untouched as ParquetWriter,
      lake: new MemoryObjectStore(),
    });
    const cluster = { ...clusterConfig('wg-one'), kind: 'serverless' as const, workgroupName: 'wg-one' };
    await expect(exporter.export({ cluster, settings: SETTINGS })).rejects.toThrow(/Serverless workgroup.*set enabled: false/);
  });
});
