import { BatchCreatePartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { startDataApiEmulator } from '../../harness/data-api-emulator.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import { simulatedCluster } from '../../harness/export-harness.js';
import { startS3rver, type S3rverServer } from '../../harness/s3rver-server.js';

/**
 * The Lambda handler as deployed: SSM for the configuration (mocked: no stand-in exists), the
 * Data API (emulator over a simulated cluster), S3 (s3rver) and DynamoDB (dynalite), all reached
 * through the standard AWS_ENDPOINT_URL_* variables the SDK honours.
 */
describe('stl-export handler', () => {
  let sim: SimulatedCluster;
  let emulator: Awaited<ReturnType<typeof startDataApiEmulator>>;
  let s3: S3rverServer;
  let dynalite: DynaliteServer;
  const ssm = mockClient(SSMClient);
  const glue = mockClient(GlueClient);
  const saved = { ...process.env };
  let handler: typeof import('../../../jobs/stl-export/handler.js')['handler'];
  const emf: string[] = [];

  beforeAll(async () => {
    sim = await simulatedCluster({ historyHours: 2, seed: 41 });
    emulator = await startDataApiEmulator({ db: sim.db, describesBeforeFinished: 0 });
    s3 = await startS3rver({ buckets: ['lake-bucket'] });
    dynalite = await startDynalite({ tableName: 'opslake-state' });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      // s3rver accepts only its own default key; the other stand-ins accept any.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_REDSHIFT_DATA: emulator.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      OPSLAKE_S3_FORCE_PATH_STYLE: 'true',
      OPSLAKE_LAKE_BUCKET: 'lake-bucket',
      OPSLAKE_LAKE_PREFIX: 'lake',
      OPSLAKE_STATE_TABLE: 'opslake-state',
      OPSLAKE_GLUE_DATABASE: 'opslake',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_SERVICE_NAME: 'opslake-stl-export',
    });
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        {
          Name: '/opslake/clusters/analytics',
          Type: 'String',
          Value: JSON.stringify({
            kind: 'provisioned',
            clusterIdentifier: 'analytics-prod',
            database: 'dev',
            dbUser: 'opslake',
            tables: ['stl_query', 'stl_wlm_query', 'query_text'],
          }),
        },
        { Name: '/opslake/export', Type: 'String', Value: JSON.stringify({ slotMinutes: 30 }) },
      ],
    });
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      emf.push(chunk.toString());
      return true;
    });
    ({ handler } = await import('../../../jobs/stl-export/handler.js'));
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    process.env = saved;
    await emulator?.close();
    await s3?.close();
    await dynalite?.close();
    await sim?.close();
  });

  it('exports every configured table into S3, moves watermarks in DynamoDB and emits metrics', async () => {
    const result = await handler({}, { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'req-1' });
    expect(result.clusters).toEqual([{ cluster: 'analytics', status: 'done' }]);
    const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: 'lake-bucket', Prefix: 'lake/redshift/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key!);
    expect(
      keys.some((key) =>
        /^lake\/redshift\/stl_query\/cluster=analytics\/day=\d{4}-\d\d-\d\d\/stl_query__analytics__\d{8}T\d{4}\.parquet$/.test(key),
      ),
    ).toBe(true);
    expect(keys.some((key) => key.startsWith('lake/redshift/query_text/'))).toBe(true);
    expect(keys.some((key) => key.startsWith('lake/redshift/stl_scan/'))).toBe(false);
    const state = new DynamoDbStateStore({ client: dynalite.documentClient(), tableName: 'opslake-state' });
    const mark = await state.getWatermark({ cluster: 'analytics', table: 'stl_query' });
    expect(mark.sealedThrough?.getUTCMinutes() === 0 || mark.sealedThrough?.getUTCMinutes() === 30).toBe(true);
    // The Data API was called for the configured cluster identifier with the database user.
    const execute = emulator.requests.find((request) => request.operation === 'ExecuteStatement');
    expect(execute?.input).toMatchObject({ ClusterIdentifier: 'analytics-prod', Database: 'dev', DbUser: 'opslake' });
    const metrics = emf.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    // Every metric carries the cluster dimension the alarms select on, and the service name.
    const published = metrics.flatMap((m) =>
      (m._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics.flatMap(
        (set) =>
          set.Metrics.map((metric) => ({
            name: metric.Name,
            dimensions: set.Dimensions.flat(),
            cluster: m.cluster,
            service: m.service,
          })),
      ),
    );
    expect(published.map((metric) => metric.name)).toEqual(
      expect.arrayContaining(['RowsExported', 'SlotsSealed', 'GapsRecorded', 'ExportLagSeconds']),
    );
    for (const metric of published) {
      expect(metric.dimensions).toContain('cluster');
      expect(metric.cluster).toBe('analytics');
      expect(metric.service).toBe('opslake-stl-export');
    }
  });

  it('registers the partitions it wrote in Glue', async () => {
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TableName).sort()).toEqual(['query_text', 'stl_query', 'stl_wlm_query']);
    for (const input of calls) {
      expect(input.DatabaseName).toBe('opslake');
      for (const partition of input.PartitionInputList ?? []) {
        expect(partition.Values![0]).toBe('analytics');
        expect(partition.StorageDescriptor?.Location).toMatch(
          /^s3:\/\/lake-bucket\/lake\/redshift\/.+\/cluster=analytics\/day=\d{4}-\d\d-\d\d\/?$/,
        );
      }
    }
  });

  it('starts no slot past the deadline and says so', async () => {
    await sim.advance(90);
    const result = await handler({}, { getRemainingTimeInMillis: () => 30_000, awsRequestId: 'req-2' });
    expect(result.clusters).toEqual([{ cluster: 'analytics', status: 'deadline' }]);
  });
});
