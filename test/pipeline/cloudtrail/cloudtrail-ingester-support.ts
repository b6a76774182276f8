import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { CloudTrailIngester, type FileOutcome } from '../../../pipeline/cloudtrail/cloudtrail-ingester.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import type { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { comparableRow, expectedRow, readLakeTable, sortedRows } from './cloudtrail-test-support.js';

/** Helpers of the CloudTrailIngester tests: a DuckDB and a temp folder per test file, records, and lake checks. */

export const clock = () => new Date('2026-03-02T10:00:00Z');

export interface IngesterFixture {
  /** The temp folder of the test file (lakes, spools). */
  root(): string;
  /** Ingests `keys` of `source` into a fresh lake folder (or `lakeDir`). */
  ingestInto(
    source: MemoryObjectStore,
    keys: readonly string[],
    options?: { fastPath?: boolean; lakeDir?: string },
  ): Promise<{ lakeDir: string; outcomes: FileOutcome[] }>;
}

/** Opens a DuckDB and a temp folder before the file's tests, and closes them after. */
export function useIngesterFixture(): IngesterFixture {
  let root = '';
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  let lakes = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'opslake-cloudtrail-ingester-'));
    ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
  });

  afterAll(async () => {
    connection?.closeSync();
    instance?.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  const nextLake = (): string => {
    lakes += 1;
    return join(root, `lake-${lakes}`);
  };

  return {
    root: () => root,
    ingestInto: async (source, keys, options = {}) => {
      if (connection === undefined) throw new Error('DuckDB is not open: call ingestInto from a test');
      const lakeDir = options.lakeDir ?? nextLake();
      const ingester = new CloudTrailIngester({
        connection,
        lake: new LocalObjectStore(lakeDir),
        tempDirectory: root,
        clock,
        ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
      });
      const outcomes = await ingester.ingest(source, keys);
      return { lakeDir, outcomes };
    },
  };
}

/** Every file under `dir`, by relative path. */
export async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(dir, path), await readFile(path));
    }
  };
  await walk(dir);
  return out;
}

let eventIds = 0;
/** A typical S3 data event; each call gets a new eventID. */
export function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  eventIds += 1;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:session',
      arn: 'arn:aws:sts::123456789012:assumed-role/etl/session',
      accountId: '123456789012',
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/etl',
          accountId: '123456789012',
          userName: 'etl',
        },
        webIdFederationData: {},
        attributes: { creationDate: '2024-03-05T13:00:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2024-03-05T14:07:31Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.1',
    userAgent: 'aws-cli/2',
    requestParameters: { bucketName: 'b', Host: 'b.s3.amazonaws.com', key: 'k' },
    responseElements: null,
    requestID: 'R1',
    eventID: `e-${eventIds}`,
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::b/k' },
      { accountId: '123456789012', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '123456789012',
    eventCategory: 'Data',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'b.s3.amazonaws.com' },
    ...overrides,
  };
}

/** Checks every row of `lakeDir` against the oracle, file by file, and that nothing else is there. */
export async function expectLakeHolds(
  lakeDir: string,
  inputs: ReadonlyArray<{ key: string; records: readonly Record<string, unknown>[]; table?: 'events' | 'insights' }>,
): Promise<void> {
  for (const table of ['events', 'insights'] as const) {
    const rows = await readLakeTable(lakeDir, table);
    for (const input of inputs) {
      const expected = (input.table ?? 'events') === table ? input.records.map((source) => expectedRow(source, table, input.key)) : [];
      const actual = rows.filter((row) => row.source_key === input.key).map((row) => comparableRow(row, table));
      expect(sortedRows(actual), `${table} rows of ${input.key}`).toEqual(sortedRows(expected));
    }
    expect(rows.filter((row) => !inputs.some((input) => input.key === row.source_key))).toEqual([]);
  }
}
