import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaArch } from '../../infra/opslake-settings.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { startDataApiEmulator } from '../harness/data-api-emulator.js';
import { simulatedCluster } from '../harness/export-harness.js';
import { BundleStandIns, NO_DATA_API } from './bundle-stand-ins.js';
import { FLEET, removeTestApps } from './infra-test-app.js';
import {
  type Bundle,
  bundlesFor,
  clustersOf,
  directorySize,
  ELF_MACHINE,
  elfMachine,
  emittedMetrics,
  FUNCTIONS,
  type FunctionName,
  HOST_ARCH,
  LAMBDA_UNZIPPED_LIMIT,
  NODE_ARCH,
  pipelineAlarmMetrics,
} from './lambda-bundle-build.js';
import { objectCreatedBatch, SCHEDULED_EVENT, trailRecord } from './lambda-events.js';
import { valueAt } from './template-queries.js';

describe('Lambda bundles', () => {
  const bundles = {} as Record<LambdaArch, Record<FunctionName, Bundle>>;
  const sizes: Array<{ arch: LambdaArch; fn: FunctionName; megabytes: string }> = [];

  beforeAll(async () => {
    for (const arch of ['arm64', 'x86_64'] as const) bundles[arch] = await bundlesFor(arch);
  });

  afterAll(() => {
    if (sizes.length > 0)
      console.log(`Lambda bundle sizes (unzipped):\n${sizes.map((s) => `  ${s.fn} ${s.arch}: ${s.megabytes} MB`).join('\n')}`);
    removeTestApps();
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
      const binding = join(modules, '@duckdb', `node-bindings-linux-${NODE_ARCH[arch]}`);
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
    let standIns: BundleStandIns;
    const invoke = (fn: FunctionName, event: unknown) => standIns.invoke(fn, bundles[HOST_ARCH][fn], event);

    beforeAll(async () => {
      standIns = await BundleStandIns.start();
    });

    afterAll(async () => {
      await standIns?.close();
    });

    it('runs stl-export from its bundle: configuration from SSM, DuckDB from the bundle', async () => {
      standIns.ssmClusters = clustersOf([{ ...FLEET[0], enabled: false }]);
      const { result, duckdb } = await invoke('stl-export', SCHEDULED_EVENT);
      expect(standIns.ssmRequests.map((request) => request.body.Path)).toContain('/opslake');
      expect(result).toEqual({ clusters: [] });
      expect(duckdb.startsWith(bundles[HOST_ARCH]['stl-export'].dir)).toBe(true);
    });

    it('exports a cluster through the Data API from its bundle and emits the metrics the alarms read', async () => {
      const sim = await simulatedCluster({ name: 'analytics', historyHours: 1 });
      const emulator = await startDataApiEmulator({ db: sim.db, pageSize: 1000, describesBeforeFinished: 0 });
      try {
        standIns.dataApiEndpoint = emulator.endpoint;
        standIns.ssmClusters = clustersOf([
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
        expect(valueAt(result, 'clusters'), `${stdout}\n${stderr}`).toEqual([
          { cluster: 'analytics', status: expect.not.stringMatching(/failed|lease/) },
        ]);
        expect(
          emulator.requests
            .filter((request) => request.operation === 'ExecuteStatement')
            .every((request) => request.input.DbUser === 'opslake'),
        ).toBe(true);

        const listed = await standIns.s3Client.send(new ListObjectsV2Command({ Bucket: 'opslake-lake', Prefix: 'lake/redshift/' }));
        const tables = new Set((listed.Contents ?? []).map((object) => String(object.Key).split('/')[2]));
        expect([...tables].sort()).toEqual(['query_text', 'stl_query']);

        // Each alarm's metric, with exactly the dimensions the alarm names, is in the output.
        const emitted = emittedMetrics(stdout);
        const alarms = (await pipelineAlarmMetrics()).filter((alarm) => alarm.namespace === 'opslake');
        expect(alarms.map((alarm) => alarm.name).sort()).toEqual(['ExportFailures', 'ExportLagSeconds', 'GapsRecorded']);
        for (const alarm of alarms.filter((candidate) => candidate.name !== 'ExportFailures')) {
          expect(emitted, `${alarm.name} ${JSON.stringify(alarm.dimensions)}`).toContainEqual(alarm);
        }
      } finally {
        standIns.dataApiEndpoint = NO_DATA_API;
        await emulator.close();
        await sim.close();
      }
    });

    it('runs cloudtrail-ingest from its bundle: one trail file in, typed Parquet out', async () => {
      const key =
        'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T1205Z_bundletest0001.json.gz';
      const records = [
        trailRecord('11111111-1111-1111-1111-111111111111', 'DescribeClusters'),
        trailRecord('22222222-2222-2222-2222-222222222222', 'DescribeLoggingStatus'),
      ];
      const s3 = standIns.s3Client;
      await s3.send(new PutObjectCommand({ Bucket: 'org-trail-logs', Key: key, Body: gzipSync(JSON.stringify({ Records: records })) }));
      const { result, duckdb } = await invoke('cloudtrail-ingest', objectCreatedBatch('org-trail-logs', key));
      expect(result).toEqual({ batchItemFailures: [] });
      expect(duckdb.startsWith(bundles[HOST_ARCH]['cloudtrail-ingest'].dir)).toBe(true);

      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'opslake-lake', Prefix: 'lake/cloudtrail/events/' }));
      const keys = (listed.Contents ?? []).map((object) => String(object.Key));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^lake\/cloudtrail\/events\/account=123456789012\/region=us-east-1\/day=2026-11-22\/[0-9a-f]{32}\.parquet$/);
      const object = await s3.send(new GetObjectCommand({ Bucket: 'opslake-lake', Key: keys[0] }));
      expect(object.Body).toBeDefined();
      const folder = mkdtempSync(join(tmpdir(), 'opslake-bundle-parquet-'));
      try {
        const parquet = join(folder, 'events.parquet');
        writeFileSync(parquet, (await object.Body?.transformToByteArray()) ?? new Uint8Array());
        const { connection } = await openDuckDb();
        const rows = (
          await connection.runAndReadAll(`SELECT eventname, useridentity_arn FROM read_parquet('${parquet}') ORDER BY eventname`)
        ).getRowObjects();
        expect(rows).toEqual([
          { eventname: 'DescribeClusters', useridentity_arn: 'arn:aws:iam::123456789012:user/ops' },
          { eventname: 'DescribeLoggingStatus', useridentity_arn: 'arn:aws:iam::123456789012:user/ops' },
        ]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
});
