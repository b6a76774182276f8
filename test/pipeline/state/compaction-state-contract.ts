import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidIdentifierError, StateConflictError } from '../../../pipeline/errors.js';
import type { CompactionRecordUpdate, CompactionState, PartitionRef } from '../../../pipeline/ports/compaction-state.js';

const PARTITION: PartitionRef = {
  table: 'cloudtrail_events',
  path: 'account=111122223333/region=us-east-1/day=2026-03-01/',
  values: { account: '111122223333', region: 'us-east-1', day: '2026-03-01' },
};

const RECORD: CompactionRecordUpdate = {
  ...PARTITION,
  generation: 'a'.repeat(24),
  manifestKey: 'cloudtrail/events/_compacted/account=111122223333/region=us-east-1/day=2026-03-01/gen=aaa/_manifest.json',
  rows: 10,
  duplicatesRemoved: 2,
  compactedAt: new Date('2026-03-02T03:00:00Z'),
  previousGeneration: null,
  supersededAt: new Date('2026-03-02T03:00:00Z'),
  cleanedAt: null,
};

/** What both state stores owe compaction. Each adapter runs it over empty state. */
export function describeCompactionStateContract(createState: () => Promise<CompactionState>): void {
  describe('CompactionState contract', () => {
    let state: CompactionState;

    beforeEach(async () => {
      state = await createState();
    });

    it('writes partition records with versions and refuses a stale version', async () => {
      expect(await state.getCompactionRecord(PARTITION.table, PARTITION.path)).toBeUndefined();
      const first = await state.putCompactionRecord(RECORD, 0);
      expect(first).toEqual({ ...RECORD, version: 1 });
      expect(await state.getCompactionRecord(PARTITION.table, PARTITION.path)).toEqual(first);
      const cleaned = { ...RECORD, cleanedAt: new Date('2026-03-02T05:00:00Z'), previousGeneration: 'b'.repeat(24) };
      await expect(state.putCompactionRecord(cleaned, 0)).rejects.toBeInstanceOf(StateConflictError);
      expect(await state.putCompactionRecord(cleaned, 1)).toEqual({ ...cleaned, version: 2 });
    });

    it('keeps a compaction watermark per table and scope', async () => {
      expect(await state.getCompactionWatermark('stl_query', 'prod')).toEqual({ day: null, version: 0 });
      await state.putCompactionWatermark('stl_query', 'prod', '2026-03-01', 0);
      await expect(state.putCompactionWatermark('stl_query', 'prod', '2026-03-02', 0)).rejects.toBeInstanceOf(StateConflictError);
      expect(await state.getCompactionWatermark('stl_query', 'prod')).toEqual({ day: '2026-03-01', version: 1 });
      expect(await state.getCompactionWatermark('stl_query', 'etl')).toEqual({ day: null, version: 0 });
    });

    it('clears a dirty mark only when no newer mark came in between', async () => {
      await state.markPartitionsDirty([PARTITION], new Date('2026-03-02T01:00:00Z'));
      const [read] = await state.listDirtyPartitions(PARTITION.table);
      expect(read).toEqual({ ...PARTITION, markedAt: new Date('2026-03-02T01:00:00Z') });
      if (read === undefined) return;
      await state.markPartitionsDirty([PARTITION], new Date('2026-03-02T02:00:00Z'));
      // An older mark arriving late does not replace the newer one.
      await state.markPartitionsDirty([PARTITION], new Date('2026-03-02T00:30:00Z'));
      await state.clearDirtyPartition(read);
      const [left] = await state.listDirtyPartitions(PARTITION.table);
      expect(left?.markedAt).toEqual(new Date('2026-03-02T02:00:00Z'));
      if (left === undefined) return;
      await state.clearDirtyPartition(left);
      expect(await state.listDirtyPartitions(PARTITION.table)).toEqual([]);
      expect(await state.listDirtyPartitions('cloudtrail_insights')).toEqual([]);
    });

    it('refuses a partition path that is not key=value segments', async () => {
      await expect(state.markPartitionsDirty([{ ...PARTITION, path: '../x/' }], new Date())).rejects.toBeInstanceOf(InvalidIdentifierError);
    });
  });
}
