import {
  AccessDeniedException,
  GetPartitionsCommand,
  type GetPartitionsCommandInput,
  GlueClient,
  UpdatePartitionCommand,
  type UpdatePartitionCommandInput,
} from '@aws-sdk/client-glue';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueCatalog } from '../../../pipeline/catalog/glue-catalog.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { compactLake } from '../../../pipeline/compaction/compact-lake.js';
import { GenerationWriter } from '../../../pipeline/compaction/generation-writer.js';
import { PartitionCompactor } from '../../../pipeline/compaction/partition-compactor.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { CLOUDTRAIL_EVENTS } from '../../../pipeline/tables/cloudtrail-tables.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { type DynaliteServer, startDynalite } from '../../harness/dynalite-server.js';
import { type S3rverServer, startS3rver } from '../../harness/s3rver-server.js';
import { gzipJson, logKey } from '../cloudtrail/cloudtrail-test-support.js';
import { event, NOW } from './compaction-world.js';

const LAKE = 's3://lake/lake';
const LIVE = 'cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-05/';
const VALUES = ['111122223333', 'us-east-1', '2024-03-05'];

/**
 * The S3 and DynamoDB paths of compaction (s3rver, dynalite) with the Glue catalog (a mock that
 * keeps partition locations): the exact Glue calls of a run, in order, and a refused switch
 * leaving readers where they were until a rerun switches the same generation.
 */
describe('compaction on S3, DynamoDB and Glue', () => {
  let s3: S3rverServer;
  let dynamo: DynaliteServer;
  let root: string;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let lake: S3ObjectStore;
  let state: DynamoDbStateStore;
  const glue = mockClient(GlueClient);
  let location = `${LAKE}/${LIVE}`;

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ['lake'] });
    dynamo = await startDynalite();
    root = await mkdtemp(join(tmpdir(), 'opslake-compaction-aws-'));
    ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
    lake = new S3ObjectStore({ client: s3.client(), bucket: 'lake', prefix: 'lake' });
    state = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: dynamo.tableName });
    const trail = new MemoryObjectStore();
    trail.objects.set(
      logKey('one', { account: '111122223333', day: '2024-03-05' }),
      gzipJson({ Records: [event('x1', '2024-03-05T10:00:00Z'), event('x2', '2024-03-05T09:00:00Z')] }),
    );
    trail.objects.set(
      logKey('two', { account: '111122223333', day: '2024-03-05' }),
      gzipJson({ Records: [event('x2', '2024-03-05T09:00:00Z')] }),
    );
    const ingested = await ingestCloudTrail({
      source: trail,
      lake,
      state,
      cloudtrailLatenessMinutes: 120,
      clock: () => NOW,
      tempDirectory: root,
    });
    expect(ingested.toJSON()).toMatchObject({ filesIngested: 2, objectsWritten: 2 });
  });

  afterAll(async () => {
    glue.restore();
    connection?.closeSync();
    instance?.closeSync();
    await s3?.close();
    await dynamo?.close();
    await rm(root, { recursive: true, force: true });
  });

  function run(graceMs: number) {
    const catalog = new GlueCatalog({ client: new GlueClient({ region: 'us-east-1' }), database: 'opslake', lakeLocation: LAKE });
    const compactor = new PartitionCompactor({
      lake,
      catalog,
      state,
      writer: new GenerationWriter({
        connection,
        parquet: new ParquetWriter(connection, { tempDirectory: root }),
        targetFileBytes: 128 << 20,
        memoryLimitBytes: 256 << 20,
      }),
      graceMs,
      clock: () => NOW,
      tempDirectory: root,
    });
    return compactLake({ catalog, state, compactor, tables: [CLOUDTRAIL_EVENTS], settings: DEFAULT_COMPACTION_SETTINGS, clock: () => NOW });
  }

  function glueKeepsLocations(): void {
    glue.reset();
    glue.on(GetPartitionsCommand).callsFake(() => ({ Partitions: [{ Values: VALUES, StorageDescriptor: { Location: location } }] }));
    glue.on(UpdatePartitionCommand).callsFake((input: UpdatePartitionCommandInput) => {
      location = input.PartitionInput?.StorageDescriptor?.Location ?? location;
      return {};
    });
  }

  const calls = () =>
    glue.calls().map((call) => {
      const input = call.args[0].input as GetPartitionsCommandInput & UpdatePartitionCommandInput;
      return [call.args[0].constructor.name.replace('Command', ''), input.Expression ?? input.PartitionInput?.StorageDescriptor?.Location];
    });

  it('leaves readers on the live folder when Glue refuses the switch, and a rerun switches the same generation', async () => {
    glueKeepsLocations();
    glue.on(UpdatePartitionCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    const refused = await run(0);
    expect(refused.toJSON()).toMatchObject({ failed: 1, compacted: 0 });
    expect(refused.failed[0]?.error?.message).toMatch(/UpdatePartition.*glue:UpdatePartition/);
    expect(location).toBe(`${LAKE}/${LIVE}`);
    const dirty = "day >= '2024-03-05' AND day <= '2024-03-05' AND account = '111122223333' AND region = 'us-east-1'";
    // The Glue calls of a run, in order: find the dirty partition (the late write marked it), switch
    // it, then the closed days since the (absent) watermark: one pass for the days, one listing per day.
    const refusedCalls = calls();
    expect(refusedCalls.map(([name, detail]) => (name === 'UpdatePartition' ? [name, 'refused'] : [name, detail]))).toEqual([
      ['GetPartitions', dirty],
      ['UpdatePartition', 'refused'],
      ['GetPartitions', "day >= '1970-01-01' AND day <= '2024-03-09'"],
      ['GetPartitions', "day >= '2024-03-05' AND day <= '2024-03-05'"],
    ]);
    const written = [];
    for await (const info of lake.list('cloudtrail/events/_compacted/')) written.push(info.key);
    expect(written.filter((key) => key.endsWith('_manifest.json'))).toHaveLength(1);
    expect((await state.listDirtyPartitions('cloudtrail_events')).map((mark) => mark.path)).toEqual([
      LIVE.slice('cloudtrail/events/'.length),
    ]);

    glueKeepsLocations();
    const rerun = await run(0);
    expect(rerun.toJSON()).toMatchObject({ compacted: 1, failed: 0, rowsIn: 3, rowsOut: 2, duplicatesRemoved: 1, deleted: 2 });
    const generation = written[0]?.replace(/_manifest\.json$/, '') ?? '';
    expect(location).toBe(`${LAKE}/${generation}`);
    // The watermark passed the day in the refused run (its failure is a dirty mark): only the mark is taken up.
    expect(calls()).toEqual([
      ['GetPartitions', dirty],
      ['UpdatePartition', `${LAKE}/${generation}`],
    ]);
    const left = [];
    for await (const info of lake.list('cloudtrail/')) left.push(info.key);
    expect(left.every((key) => key.startsWith(generation))).toBe(true);
    expect(await state.getCompactionRecord('cloudtrail_events', LIVE.slice('cloudtrail/events/'.length))).toMatchObject({
      rows: 2,
      duplicatesRemoved: 1,
      cleanedAt: NOW,
    });
    expect(await state.getCompactionWatermark('cloudtrail_events', '*')).toMatchObject({ day: '2024-03-09' });
  });
});
