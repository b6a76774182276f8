import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CompactionWorld, event } from './compaction-world.js';

/** Per day: many small files, every event delivered twice. */
function files(): Array<{ name: string; day: string; records: Record<string, unknown>[] }> {
  const out: Array<{ name: string; day: string; records: Record<string, unknown>[] }> = [];
  for (const day of ['2024-03-03', '2024-03-04', '2024-03-05']) {
    for (let file = 0; file < 12; file += 1) {
      const records = Array.from({ length: 40 }, (_, n) => {
        const minute = String((file * 4 + (n % 4)) % 60).padStart(2, '0');
        return event(`${day}-${file}-${n}`, `${day}T${String(file).padStart(2, '0')}:${minute}:00Z`);
      });
      out.push({ name: `${day}-f${file}`, day, records }, { name: `${day}-f${file}-again`, day, records });
    }
  }
  return out;
}

async function countsByDay(connection: DuckDBConnection): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll('SELECT day, count(*)::INTEGER AS n FROM cloudtrail_events GROUP BY day');
  return new Map(reader.getRowObjectsJson().map((row) => [String(row.day), Number(row.n)]));
}

/**
 * Readers resolve partitions through the catalog only, and a switch is one transaction: a reader
 * counting rows while compaction runs sees, for each partition, the count before (every delivery)
 * or the count after (each event once), never a mix, never fewer.
 */
describe('a reader while compaction runs', () => {
  let world: CompactionWorld;
  let reader: DuckDBConnection;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await world.ingest(files());
    reader = await world.readerConnection();
  });

  afterAll(async () => {
    reader.closeSync();
    await world.close();
    await world.remove();
  });

  it('only ever sees the count before or the count after, at every step and in a loop beside it', async () => {
    const before = await countsByDay(reader);
    expect([...before.values()]).toEqual([960, 960, 960]);
    const allowed = (count: number) => count === 960 || count === 480;
    const samples: Array<Map<string, number>> = [];
    let running = true;
    const loop = (async () => {
      do samples.push(await countsByDay(reader));
      while (running);
    })();
    const summary = await world
      .compact({
        atStep: async () => {
          samples.push(await countsByDay(reader));
        },
      })
      .finally(() => {
        running = false;
      });
    await loop;
    expect(summary.toJSON()).toMatchObject({ compacted: 3, failed: 0, duplicatesRemoved: 3 * 480 });
    // The step hook alone gives four samples per partition.
    expect(samples.length).toBeGreaterThanOrEqual(12);
    for (const sample of samples) {
      expect([...sample.keys()].sort()).toEqual(['2024-03-03', '2024-03-04', '2024-03-05']);
      for (const [day, count] of sample) expect(allowed(count), `${day}: ${count}`).toBe(true);
    }
    expect([...(await countsByDay(reader)).values()]).toEqual([480, 480, 480]);
  });
});
