import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IngestedFile } from '../../../pipeline/cloudtrail/cloudtrail-ingester.js';
import { registerWrittenPartitions } from '../../../pipeline/catalog/register-partitions.js';
import { partitionPrefix } from '../../../pipeline/lake/lake-layout.js';
import type { Catalog } from '../../../pipeline/ports/catalog.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { expectLakeHolds, filesUnder, record, useIngesterFixture } from './cloudtrail-ingester-support.js';
import { comparableRow, fixtureLogs, gzipJson, logKey, readLakeTable, sortedRows } from './cloudtrail-test-support.js';

const { ingestInto, root } = useIngesterFixture();

describe('CloudTrailIngester', () => {
  it.each([true, false])(
    'ingests every fixture file: one row per event, every column equal to the source (fast path %s)',
    async (fastPath) => {
      const fixtures = fixtureLogs();
      expect(fixtures.length).toBeGreaterThan(40);
      const source = new MemoryObjectStore();
      const inputs = fixtures.map((fixture) => ({ key: logKey(fixture.name), records: fixture.records, body: fixture.body }));
      for (const input of inputs) source.objects.set(input.key, input.body);
      const { lakeDir, outcomes } = await ingestInto(
        source,
        inputs.map((input) => input.key),
        { fastPath },
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(fixtures.map(() => 'ingested'));
      const events = await readLakeTable(lakeDir, 'events');
      expect(events).toHaveLength(fixtures.reduce((sum, fixture) => sum + fixture.records.length, 0));
      // Every eventID exactly once.
      const ids = events.map((row) => `${String(row.source_key)} ${String(row.eventid)}`).filter((id) => !id.endsWith(' null'));
      const sourceIds = inputs.flatMap((input) =>
        input.records.filter((r) => typeof r.eventID === 'string').map((r) => `${input.key} ${String(r.eventID)}`),
      );
      expect(ids.sort()).toEqual(sourceIds.sort());
      await expectLakeHolds(lakeDir, inputs);
    },
  );

  it('writes the same lake through the fast path and through the JS flattener', async () => {
    const fixtures = fixtureLogs().slice(0, 20);
    const source = new MemoryObjectStore();
    const keys = fixtures.map((fixture) => logKey(fixture.name));
    for (const fixture of fixtures) source.objects.set(logKey(fixture.name), fixture.body);
    const fast = await ingestInto(source, keys, { fastPath: true });
    const slow = await ingestInto(source, keys, { fastPath: false });
    const strip = (rows: Array<Record<string, unknown>>) => sortedRows(rows.map((row) => comparableRow(row, 'events')));
    expect(strip(await readLakeTable(fast.lakeDir, 'events'))).toEqual(strip(await readLakeTable(slow.lakeDir, 'events')));
    expect([...(await filesUnder(fast.lakeDir)).keys()].sort()).toEqual([...(await filesUnder(slow.lakeDir)).keys()].sort());
  });

  it('ingests an empty Records array as a file with no rows and no objects', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('empty');
    source.objects.set(key, gzipJson({ Records: [] }));
    const { outcomes } = await ingestInto(source, [key]);
    expect(outcomes[0]).toMatchObject({ status: 'ingested', events: 0, insights: 0, objects: [] });
  });

  it('splits a file whose events span midnight into two day partitions of the same input', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('midnight', { day: '2024-03-06' });
    const records = [
      record({ eventTime: '2024-03-05T23:59:59Z' }),
      record({ eventTime: '2024-03-06T00:00:01Z' }),
      record({ eventTime: '2024-03-05T23:58:00Z' }),
    ];
    source.objects.set(key, gzipJson({ Records: records }));
    const { lakeDir, outcomes } = await ingestInto(source, [key]);
    const written = (outcomes[0] as IngestedFile).objects;
    expect(written.map((object) => [object.partition.day, object.rows])).toEqual([
      ['2024-03-05', 2],
      ['2024-03-06', 1],
    ]);
    // Both objects carry the same name: the hash of the input key.
    expect(new Set(written.map((object) => object.key.split('/').pop())).size).toBe(1);
    await expectLakeHolds(lakeDir, [{ key, records }]);
  });

  it('writes an identical lake when the same input is ingested twice', async () => {
    const source = new MemoryObjectStore();
    const [a, b] = [logKey('a'), logKey('b', { day: '2024-03-06' })];
    const keys = [a, b];
    source.objects.set(a, gzipJson({ Records: [record(), record({ eventTime: '2024-03-04T10:00:00Z' })] }));
    source.objects.set(b, gzipJson({ Records: [record()] }));
    const lakeDir = join(root(), 'twice');
    await ingestInto(source, keys, { lakeDir });
    const first = await filesUnder(lakeDir);
    await ingestInto(source, keys, { lakeDir });
    const second = await filesUnder(lakeDir);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, bytes] of first) expect(second.get(path)?.equals(bytes), path).toBe(true);
  });

  it("reports each object with its table and partition: registering them registers exactly the lake's partitions", async () => {
    const source = new MemoryObjectStore();
    const [a, b] = [logKey('a'), logKey('b', { account: '000000000042' })];
    source.objects.set(
      a,
      gzipJson({ Records: [record(), record({ eventTime: '2024-03-04T10:00:00Z' }), record({ recipientAccountId: 'x y' })] }),
    );
    source.objects.set(b, gzipJson({ Records: [record({ recipientAccountId: '000000000042' })] }));
    const { lakeDir, outcomes } = await ingestInto(source, [a, b]);
    const objects = outcomes.flatMap((outcome) => (outcome.status === 'ingested' ? outcome.objects : []));
    const files = await filesUnder(lakeDir);
    expect(objects.map((object) => object.key).sort()).toEqual([...files.keys()].sort());
    for (const object of objects) {
      expect(object.key.startsWith(partitionPrefix<string>(lakeTable(object.table), object.partition)), object.key).toBe(true);
      expect(object.bytes).toBe(files.get(object.key)?.length);
    }
    const registered: string[] = [];
    const catalog: Pick<Catalog, 'addPartitions'> = {
      addPartitions: async (table, partitions) => {
        for (const partition of partitions) registered.push(partitionPrefix(table, partition));
        return { added: partitions.length, existing: 0 };
      },
    };
    await registerWrittenPartitions(catalog, objects);
    const folders = new Set([...files.keys()].map((path) => `${path.slice(0, path.lastIndexOf('/'))}/`));
    expect(registered.sort()).toEqual([...folders].sort());
    expect(registered).toContain('cloudtrail/events/account=x%20y/region=us-east-1/day=2024-03-05/');
  });
});
