import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDocument } from '../../infra/constructs/cluster-parameters.js';
import { settingsFromContext, type ClusterSettings, type LambdaArch } from '../../infra/opslake-settings.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { startDataApiEmulator } from '../harness/data-api-emulator.js';
import { startDynalite, type DynaliteServer } from '../harness/dynalite-server.js';
import { simulatedCluster } from '../harness/export-harness.js';
import { startS3rver, type S3rverServer } from '../harness/s3rver-server.js';
import { CLOUDTRAIL_CONTEXT, FLEET, buildTestApp, removeTestApps } from './infra-test-app.js';

const run = promisify(execFile);

/** Lambda's limit on a function's unzipped code; "well under" is a third of it. */
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
const HOST_ARCH: LambdaArch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const ELF_MACHINE: Record<LambdaArch, number> = { arm64: 0xb7, x86_64: 0x3e };
const NODE_ARCH: Record<LambdaArch, string> = { arm64: 'arm64', x86_64: 'x64' };

type FunctionName = 'stl-export' | 'cloudtrail-ingest';
const FUNCTIONS: readonly FunctionName[] = ['stl-export', 'cloudtrail-ingest'];

interface Bundle {
  readonly dir: string;
  /** The function's environment in the template; imports from the storage stack still unresolved. */
  readonly environment: Record<string, unknown>;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return total;
}

function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  expect(header.readUInt32BE(0), `${file} is an ELF file`).toBe(0x7f454c46);
  return header.readUInt16LE(18);
}

/** Synthesizes the pipeline with real bundling for one architecture and finds each function's bundle. */
async function bundlesFor(arch: LambdaArch): Promise<Record<FunctionName, Bundle>> {
  const result = await buildTestApp(
    { 'opslake:clusters': FLEET.slice(0, 1), ...CLOUDTRAIL_CONTEXT, 'opslake:arch': arch },
    { bundling: true },
  );
  const assembly = result.app.synth();
  const template = assembly.getStackByName(result.stacks.pipeline.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  };
  const found: Partial<Record<FunctionName, Bundle>> = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !resource.Properties.Environment) continue;
    const name: FunctionName =
      resource.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'opslake-stl-export' ? 'stl-export' : 'cloudtrail-ingest';
    const hash = (resource.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    found[name] = { dir: join(result.outdir, `asset.${hash}`), environment: resource.Properties.Environment.Variables };
  }
  expect(Object.keys(found).sort()).toEqual([...FUNCTIONS].sort());
  return found as Record<FunctionName, Bundle>;
}

function clustersOf(clusters: unknown[]): ClusterSettings[] {
  return [...settingsFromContext((key) => (key === 'opslake:clusters' ? clusters : undefined)).clusters];
}

/** The opslake metrics the per-cluster alarms of the pipeline stack watch, for the cluster `analytics`. */
async function pipelineAlarmMetrics(): Promise<Array<{ namespace: string; name: string; dimensions: Record<string, string> }>> {
  const result = await buildTestApp({ 'opslake:clusters': FLEET.slice(0, 1) });
  const alarms = Object.values(result.template('pipeline').findResources('AWS::CloudWatch::Alarm')) as Array<{
    Properties: Record<string, any>;
  }>;
  return alarms
    .filter((alarm) => alarm.Properties.Namespace)
    .map((alarm) => ({
      namespace: alarm.Properties.Namespace,
      name: alarm.Properties.MetricName,
      dimensions: Object.fromEntries((alarm.Properties.Dimensions as Array<{ Name: string; Value: string }>).map((d) => [d.Name, d.Value])),
    }));
}

describe('Lambda bundles', () => {
  afterAll(removeTestApps);

  const bundles = {} as Record<LambdaArch, Record<FunctionName, Bundle>>;
  const sizes: Array<{ arch: LambdaArch; fn: FunctionName; megabytes: string }> = [];

  beforeAll(async () => {
    for (const arch of ['arm64', 'x86_64'] as const) bundles[arch] = await bundlesFor(arch);
  });

  afterAll(() => {
    if (sizes.length > 0)
      console.log(`Lambda bundle sizes (unzipped):\n${sizes.map((s) => `  ${s.fn} ${s.arch}: ${s.megabytes} MB`).join('\n')}`);
  });

  describe.each(['arm64', 'x86_64'] as const)('for %s', (arch) => {
    it.each(FUNCTIONS)('bundles %s with the DuckDB binding of that architecture only', (fn) => {
      const { dir } = bundles[arch][fn];
      expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
      const modules = join(dir, 'node_modules');
      for (const name of ['@duckdb/node-api', '@duckdb/node-bindings', 'detect-libc'])
        expect(existsSync(join(modules, name, 'package.json')), name).toBe(true);
      const platforms = readdirSync(join(modules, '@duckdb')).filter((name) => name.startsWith('node-bindings-'));
      expect(platforms).toEqual([`node-bindings-linux-${NODE_ARCH[arch]}`]);
      const binding = join(modules, '@duckdb', platforms[0]!);
      const expectedVersion = JSON.parse(readFileSync(join(modules, '@duckdb', 'node-bindings', 'package.json'), 'utf8')).version;
      expect(JSON.parse(readFileSync(join(binding, 'package.json'), 'utf8')).version).toBe(expectedVersion);
      for (const file of ['duckdb.node', 'libduckdb.so']) expect(elfMachine(join(binding, file)), file).toBe(ELF_MACHINE[arch]);
    });

    it.each(FUNCTIONS)('keeps %s well under the Lambda size limit', (fn) => {
      const bytes = directorySize(bundles[arch][fn].dir);
      sizes.push({ arch, fn, megabytes: (bytes / 1024 / 1024).toFixed(1) });
      expect(bytes).toBeLessThan(LAMBDA_UNZIPPED_LIMIT / 3);
    });
  });

  describe(`run on this machine (${HOST_ARCH})`, () => {
    let dynamo: DynaliteServer;
    let s3: S3rverServer;
    let s3Client: S3Client;
    let ssm: Server;
    const ssmRequests: Array<{ target: string; body: Record<string, unknown> }> = [];
    /**
     * SSM has no stand-in: a stub answers GetParametersByPath with these clusters' documents,
     * built by the same function that writes them into the stack's parameters.
     */
    let ssmClusters: ClusterSettings[] = [];
    let dataApiEndpoint = 'http://127.0.0.1:9';
    const workDir = mkdtempSync(join(tmpdir(), 'opslake-bundle-run-'));
    const runner = join(workDir, 'run-handler.mjs');

    beforeAll(async () => {
      dynamo = await startDynalite({ tableName: 'opslake-state' });
      s3 = await startS3rver({ buckets: ['opslake-lake', 'org-trail-logs'] });
      s3Client = s3.client();

      ssm = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          const target = String(request.headers['x-amz-target'] ?? '');
          ssmRequests.push({ target, body: JSON.parse(body || '{}') });
          response.setHeader('content-type', 'application/x-amz-json-1.1');
          if (target !== 'AmazonSSM.GetParametersByPath') {
            response.statusCode = 400;
            response.end(JSON.stringify({ __type: 'InvalidAction', message: target }));
            return;
          }
          const root = (JSON.parse(body) as { Path: string }).Path;
          response.end(
            JSON.stringify({
              Parameters: ssmClusters.map((cluster) => ({
                Name: `${root}/clusters/${cluster.name}`,
                Type: 'String',
                Value: JSON.stringify(clusterDocument(cluster)),
                Version: 1,
              })),
            }),
          );
        });
      });
      ssm.listen(0, '127.0.0.1');
      await once(ssm, 'listening');

      writeFileSync(
        runner,
        [
          "import { pathToFileURL } from 'node:url';",
          "import { createRequire } from 'node:module';",
          "import { readFileSync } from 'node:fs';",
          "import { join } from 'node:path';",
          'const [bundleDir, eventFile] = process.argv.slice(2);',
          "const { handler } = await import(pathToFileURL(join(bundleDir, 'index.mjs')).href);",
          "const context = { awsRequestId: 'bundle-test', functionName: 'bundle-test', getRemainingTimeInMillis: () => 300000 };",
          "const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);",
          "const duckdb = createRequire(join(bundleDir, 'index.mjs')).resolve('@duckdb/node-api');",
          "process.stdout.write('RESULT ' + JSON.stringify({ result, duckdb }) + '\\n');",
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await new Promise((resolveClose) => ssm?.close(resolveClose));
      await s3?.close();
      await dynamo?.close();
      rmSync(workDir, { recursive: true, force: true });
    });

    /** Runs a bundle in a child process with the template's environment, pointed at the stand-ins. */
    async function invoke(fn: FunctionName, event: unknown): Promise<{ result: any; duckdb: string; stdout: string; stderr: string }> {
      const bundle = bundles[HOST_ARCH][fn];
      const imports: Record<string, string> = {
        'Opslake-Storage:LakeBucketName': 'opslake-lake',
        'Opslake-Storage:StateTableName': dynamo.tableName,
        'Opslake-Storage:LakeKeyArn': 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
      };
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries(bundle.environment)) {
        const imported = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
        environment[name] = typeof value === 'string' ? value : (imports[imported ?? ''] ?? '');
        expect(environment[name], `${name} resolves`).not.toBe('');
      }
      // No Glue stand-in exists: partitions are not registered here (the variable is optional).
      delete environment.OPSLAKE_GLUE_DATABASE;
      const eventFile = join(workDir, `${fn}-event.json`);
      writeFileSync(eventFile, JSON.stringify(event));
      const { stdout, stderr } = await run(process.execPath, [runner, bundle.dir, eventFile], {
        cwd: workDir,
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: workDir,
          TZ: 'UTC',
          ...environment,
          AWS_REGION: 'us-east-1',
          // s3rver checks the key id against its own default; the other stand-ins take any.
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`,
          AWS_ENDPOINT_URL_REDSHIFT_DATA: dataApiEndpoint,
          AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
          AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        },
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`${fn} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
      });
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('RESULT '));
      expect(line, `${fn} printed its result\n${stdout}\n${stderr}`).toBeDefined();
      return { ...JSON.parse(line!.slice('RESULT '.length)), stdout, stderr };
    }

    it('runs stl-export from its bundle: configuration from SSM, DuckDB from the bundle', async () => {
      ssmClusters = clustersOf([{ ...FLEET[0], enabled: false }]);
      const event = {
        version: '0',
        id: 'e0c0a5b4-0000-0000-0000-000000000000',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: '2026-11-22T12:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:events:us-east-1:123456789012:rule/opslake'],
        detail: {},
      };
      const { result, duckdb } = await invoke('stl-export', event);
      expect(ssmRequests.map((request) => request.body.Path)).toContain('/opslake');
      expect(result).toEqual({ clusters: [] });
      expect(duckdb.startsWith(bundles[HOST_ARCH]['stl-export'].dir)).toBe(true);
    });

    it('exports a cluster through the Data API from its bundle and emits the metrics the alarms read', async () => {
      const sim = await simulatedCluster({ name: 'analytics', historyHours: 1 });
      const emulator = await startDataApiEmulator({ db: sim.db, pageSize: 1000, describesBeforeFinished: 0 });
      try {
        dataApiEndpoint = emulator.endpoint;
        ssmClusters = clustersOf([
          {
            name: 'analytics',
            kind: 'provisioned',
            clusterIdentifier: 'analytics',
            database: 'dev',
            dbUser: 'opslake',
            tables: ['stl_query', 'query_text'],
          },
        ]);
        const { result, stdout, stderr } = await invoke('stl-export', {
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          detail: {},
        });
        expect(result.clusters, `${stdout}\n${stderr}`).toEqual([
          { cluster: 'analytics', status: expect.not.stringMatching(/failed|lease/) },
        ]);
        expect(
          emulator.requests
            .filter((request) => request.operation === 'ExecuteStatement')
            .every((request) => request.input.DbUser === 'opslake'),
        ).toBe(true);

        const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'opslake-lake', Prefix: 'lake/redshift/' }));
        const tables = new Set((listed.Contents ?? []).map((object) => object.Key!.split('/')[2]));
        expect([...tables].sort()).toEqual(['query_text', 'stl_query']);

        // Each alarm's metric, with exactly the dimensions the alarm names, is in the output.
        const emitted = stdout
          .split('\n')
          .filter((line) => line.includes('"_aws"'))
          .map((line) => JSON.parse(line) as Record<string, any>)
          .flatMap((blob) =>
            (blob._aws.CloudWatchMetrics as Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>).flatMap(
              (directive) =>
                directive.Metrics.map((metric) => ({
                  namespace: directive.Namespace,
                  name: metric.Name,
                  dimensions: Object.fromEntries(directive.Dimensions[0]!.map((dimension) => [dimension, blob[dimension]])),
                })),
            ),
          );
        const alarms = (await pipelineAlarmMetrics()).filter((alarm) => alarm.namespace === 'opslake');
        expect(alarms.map((alarm) => alarm.name).sort()).toEqual(['ExportFailures', 'ExportLagSeconds', 'GapsRecorded']);
        for (const alarm of alarms.filter((candidate) => candidate.name !== 'ExportFailures')) {
          expect(emitted, `${alarm.name} ${JSON.stringify(alarm.dimensions)}`).toContainEqual(alarm);
        }
      } finally {
        dataApiEndpoint = 'http://127.0.0.1:9';
        await emulator.close();
        await sim.close();
      }
    });

    it('runs cloudtrail-ingest from its bundle: one trail file in, typed Parquet out', async () => {
      const key =
        'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T1205Z_bundletest0001.json.gz';
      const record = (id: string, eventName: string) => ({
        eventVersion: '1.09',
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDAEXAMPLE',
          arn: 'arn:aws:iam::123456789012:user/ops',
          accountId: '123456789012',
          userName: 'ops',
        },
        eventTime: '2026-11-22T12:01:02Z',
        eventSource: 'redshift.amazonaws.com',
        eventName,
        awsRegion: 'us-east-1',
        sourceIPAddress: '192.0.2.10',
        userAgent: 'aws-cli/2.0',
        requestParameters: { clusterIdentifier: 'analytics-prod' },
        responseElements: null,
        requestID: `req-${id}`,
        eventID: id,
        readOnly: true,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: '123456789012',
        eventCategory: 'Management',
      });
      await s3Client.send(
        new PutObjectCommand({
          Bucket: 'org-trail-logs',
          Key: key,
          Body: gzipSync(
            JSON.stringify({
              Records: [
                record('11111111-1111-1111-1111-111111111111', 'DescribeClusters'),
                record('22222222-2222-2222-2222-222222222222', 'DescribeLoggingStatus'),
              ],
            }),
          ),
        }),
      );
      const notification = {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: '2026-11-22T12:05:30.000Z',
            eventName: 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: 'org-trail-logs', arn: 'arn:aws:s3:::org-trail-logs' },
              object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), size: 1000 },
            },
          },
        ],
      };
      const event = {
        Records: [
          {
            messageId: 'm-1',
            receiptHandle: 'r-1',
            body: JSON.stringify(notification),
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: '1795000000000',
              SenderId: 's3',
              ApproximateFirstReceiveTimestamp: '1795000000000',
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:opslake-cloudtrail',
            awsRegion: 'us-east-1',
          },
        ],
      };
      const { result, duckdb } = await invoke('cloudtrail-ingest', event);
      expect(result).toEqual({ batchItemFailures: [] });
      expect(duckdb.startsWith(bundles[HOST_ARCH]['cloudtrail-ingest'].dir)).toBe(true);

      const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'opslake-lake', Prefix: 'lake/cloudtrail/events/' }));
      const keys = (listed.Contents ?? []).map((object) => object.Key!);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^lake\/cloudtrail\/events\/account=123456789012\/region=us-east-1\/day=2026-11-22\/[0-9a-f]{32}\.parquet$/);
      const body = await (await s3Client.send(new GetObjectCommand({ Bucket: 'opslake-lake', Key: keys[0] }))).Body!.transformToByteArray();
      const parquet = join(workDir, 'events.parquet');
      writeFileSync(parquet, body);
      const { connection } = await openDuckDb();
      const rows = (
        await connection.runAndReadAll(`SELECT eventname, useridentity_arn FROM read_parquet('${parquet}') ORDER BY eventname`)
      ).getRowObjects();
      expect(rows).toEqual([
        { eventname: 'DescribeClusters', useridentity_arn: 'arn:aws:iam::123456789012:user/ops' },
        { eventname: 'DescribeLoggingStatus', useridentity_arn: 'arn:aws:iam::123456789012:user/ops' },
      ]);
    });
  });
});
