import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { BatchCreatePartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSqlRunner } from '../../../jobs/shared/open-sql-runner.js';
import { createStlExportHandler, handler as environmentHandler, type StlExportHandler } from '../../../jobs/stl-export/handler.js';
import { GlueCatalog } from '../../../pipeline/catalog/glue-catalog.js';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../../pipeline/errors.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { startDataApiEmulator } from '../../harness/data-api-emulator.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import { simulatedCluster } from '../../harness/export-harness.js';
import { startS3rver, type S3rverServer } from '../../harness/s3rver-server.js';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The handler as deployed, built by its factory over the stand-ins: SSM for the configuration
 * (mocked: no stand-in exists), the Data API (emulator over a simulated cluster), S3 (s3rver),
 * DynamoDB (dynalite), Glue (mocked), and real Powertools metrics on stdout.
 */
describe('stl-export handler', () => {
  let sim: SimulatedCluster;
  let emulator: Awaited<ReturnType<typeof startDataApiEmulator>>;
  let s3: S3rverServer;
  let dynalite: DynaliteServer;
  let scratch: string;
  const ssmClient = new SSMClient({ region: 'us-east-1', credentials: CREDENTIALS });
  const glueClient = new GlueClient({ region: 'us-east-1', credentials: CREDENTIALS });
  const ssm = mockClient(ssmClient);
  const glue = mockClient(glueClient);
  let handler: StlExportHandler;
  const emf: string[] = [];
  const logs: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, extra?: unknown) => {
    logs.push({ level, message, extra: (extra ?? {}) as Record<string, unknown> });
  };

  beforeAll(async () => {
    sim = await simulatedCluster({ historyHours: 2, seed: 41 });
    emulator = await startDataApiEmulator({ db: sim.db, describesBeforeFinished: 0 });
    s3 = await startS3rver({ buckets: ['lake-bucket'] });
    dynalite = await startDynalite({ tableName: 'opslake-state' });
    scratch = await mkdtemp(join(tmpdir(), 'opslake-stl-handler-'));
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
    const redshiftData = new RedshiftDataClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
    handler = createStlExportHandler({
      config: new SsmConfigSource({ client: ssmClient, rootPath: '/opslake' }),
      lake: new S3ObjectStore({ client: s3.client(), bucket: 'lake-bucket', prefix: 'lake' }),
      state: new DynamoDbStateStore({ client: dynalite.documentClient(), tableName: 'opslake-state' }),
      openRunner: (cluster) => openSqlRunner(cluster, { redshiftData }),
      openDuckDb: async () => (await openDuckDb({ memoryLimit: '128MB', tempDirectory: scratch })).instance,
      catalog: new GlueCatalog({ client: glueClient, database: 'opslake', lakeLocation: 's3://lake-bucket/lake' }),
      logger: { info: log('info'), warn: log('warn'), error: log('error'), appendKeys: () => undefined },
      metrics: new Metrics({ namespace: 'opslake', serviceName: 'opslake-stl-export' }),
      tempDirectory: scratch,
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    ssm.restore();
    glue.restore();
    await emulator?.close();
    await s3?.close();
    await dynalite?.close();
    await sim?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** The metrics on stdout, one entry per metric with its dimensions, cluster and service. */
  function published() {
    const metrics = emf.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    return metrics.flatMap((m) =>
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
  }

  it('exports every configured table into S3, moves watermarks in DynamoDB and emits metrics', async () => {
    const result = await handler({}, { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'req-1' });
    expect(result.clusters).toEqual([{ cluster: 'analytics', status: 'done' }]);
    const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: 'lake-bucket', Prefix: 'lake/redshift/' }));
    const keys = (listed.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
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
    // Every metric carries the cluster dimension the alarms select on, and the service name.
    const metrics = published();
    expect(metrics.map((metric) => metric.name)).toEqual(
      expect.arrayContaining(['RowsExported', 'SlotsSealed', 'GapsRecorded', 'ExportLagSeconds']),
    );
    for (const metric of metrics) {
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
        expect(partition.Values?.[0]).toBe('analytics');
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
    // Reported as a retryable DeadlineReachedError in the log and counted, not as a failure.
    const stopped = logs.filter((entry) => entry.message === 'cluster export stopped at the deadline');
    expect(stopped).toEqual([
      {
        level: 'warn',
        message: 'cluster export stopped at the deadline',
        extra: {
          cluster: 'analytics',
          error: 'DeadlineReachedError',
          reason: expect.stringMatching(/^stopped before the deadline while exporting analytics\/stl_query; finished work is committed$/),
          retryable: true,
        },
      },
    ]);
    const reached = published().filter((metric) => metric.name === 'DeadlineReached');
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatchObject({ cluster: 'analytics', service: 'opslake-stl-export' });
    expect(reached[0]?.dimensions).toContain('cluster');
    expect(published().filter((metric) => metric.name === 'ExportFailures')).toEqual([]);
  });
});

describe('stl-export handler built from the environment', () => {
  const saved = { ...process.env };

  afterAll(() => {
    process.env = saved;
  });

  it.each([
    ['OPSLAKE_LAKE_BUCKET', undefined, 'environment variable is not set'],
    ['OPSLAKE_STATE_TABLE', '  ', 'environment variable is blank'],
    ['OPSLAKE_LAKE_PREFIX', 'lake/../x', 'is not valid'],
  ])('refuses to run when %s is %j, naming it', async (name, value, problem) => {
    process.env = {
      ...saved,
      OPSLAKE_LAKE_BUCKET: 'lake-bucket',
      OPSLAKE_STATE_TABLE: 'opslake-state',
      OPSLAKE_LAKE_PREFIX: 'lake',
      [name]: value,
    };
    if (value === undefined) delete process.env[name];
    const error = await environmentHandler({}, { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'req-env' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).parameter).toBe(name);
    expect((error as ConfigError).message).toContain(problem);
  });
});
