import { describe, expect, it } from 'vitest';
import {
  readCloudTrailIngestEnvironment,
  readLakeCompactEnvironment,
  readStlExportEnvironment,
} from '../../../jobs/shared/lambda-environment.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { ConfigError } from '../../../pipeline/errors.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';

/** What the CDK stack sets on the export function (infra/constructs/stl-export.ts). */
const STACK: NodeJS.ProcessEnv = {
  OPSLAKE_CONFIG_ROOT: '/opslake',
  OPSLAKE_LAKE_BUCKET: 'opslake-lake',
  OPSLAKE_LAKE_PREFIX: 'lake',
  OPSLAKE_STATE_TABLE: 'opslake-state',
  OPSLAKE_KMS_KEY_ARN: KEY,
  OPSLAKE_GLUE_DATABASE: 'opslake',
  POWERTOOLS_SERVICE_NAME: 'opslake-stl-export',
  POWERTOOLS_METRICS_NAMESPACE: 'opslake',
};

function refusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readStlExportEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('the environment was accepted');
}

describe('readStlExportEnvironment', () => {
  it('reads what the stack sets, once, into a frozen object', () => {
    const environment = readStlExportEnvironment(STACK);
    expect(environment).toEqual({
      serviceName: 'opslake-stl-export',
      metricsNamespace: 'opslake',
      lakeBucket: 'opslake-lake',
      lakePrefix: 'lake',
      lakeLocation: 's3://opslake-lake/lake',
      kmsKeyId: KEY,
      forcePathStyle: false,
      glueDatabase: 'opslake',
      stateTable: 'opslake-state',
      configRoot: '/opslake',
    });
    expect(Object.isFrozen(environment)).toBe(true);
  });

  it('trims values and the slashes around the prefix, and applies the defaults', () => {
    const environment = readStlExportEnvironment({
      OPSLAKE_LAKE_BUCKET: ' opslake-lake\n',
      OPSLAKE_LAKE_PREFIX: ' /data/opslake/ ',
      OPSLAKE_STATE_TABLE: 'opslake-state ',
      OPSLAKE_GLUE_DATABASE: '  ',
      OPSLAKE_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(environment).toMatchObject({
      serviceName: 'opslake-stl-export',
      metricsNamespace: 'opslake',
      lakeLocation: 's3://opslake-lake/data/opslake',
      stateTable: 'opslake-state',
      configRoot: '/opslake',
      forcePathStyle: true,
      glueDatabase: undefined,
      kmsKeyId: undefined,
    });
    expect(readStlExportEnvironment({ ...STACK, OPSLAKE_LAKE_PREFIX: undefined }).lakePrefix).toBe('lake');
  });

  it.each(['OPSLAKE_LAKE_BUCKET', 'OPSLAKE_STATE_TABLE'])('names %s when it is missing or blank', (name) => {
    expect(refusal({ ...STACK, [name]: undefined })).toMatchObject({ parameter: name, message: expect.stringContaining('is not set') });
    expect(refusal({ ...STACK, [name]: ' \n' })).toMatchObject({ parameter: name, message: expect.stringContaining('is blank') });
  });

  it.each([
    ['OPSLAKE_LAKE_BUCKET', 'Opslake_Lake', 'use an S3 bucket name'],
    ['OPSLAKE_LAKE_PREFIX', 'lake/../other', 'use segments of letters, digits'],
    ['OPSLAKE_LAKE_PREFIX', 'lake//x', 'use segments of letters, digits'],
    ['OPSLAKE_STATE_TABLE', 'state table', 'use a DynamoDB table name'],
    ['OPSLAKE_GLUE_DATABASE', 'Ops-Lake', 'use a Glue database name'],
    ['OPSLAKE_KMS_KEY_ARN', 'my key', 'use a KMS key ARN'],
    ['OPSLAKE_CONFIG_ROOT', 'opslake', 'use an SSM path such as /opslake'],
    ['OPSLAKE_S3_FORCE_PATH_STYLE', 'yes', 'use true or false'],
  ])('refuses %s=%j, naming the variable', (name, value, rule) => {
    const error = refusal({ ...STACK, [name]: value });
    expect(error.parameter).toBe(name);
    expect(error.message).toBe(`${name}: ${JSON.stringify(value)} is not valid; ${error.message.split('is not valid; ')[1]}`);
    expect(error.message).toContain(rule);
  });
});

describe('readCloudTrailIngestEnvironment', () => {
  it('needs the state table (the ledger) and has its own service name and a default lateness', () => {
    const { OPSLAKE_CONFIG_ROOT: _root, POWERTOOLS_SERVICE_NAME: _name, ...env } = STACK;
    expect(readCloudTrailIngestEnvironment(env)).toMatchObject({
      serviceName: 'opslake-cloudtrail-ingest',
      lakeLocation: 's3://opslake-lake/lake',
      glueDatabase: 'opslake',
      stateTable: STACK.OPSLAKE_STATE_TABLE,
      cloudtrailLatenessMinutes: 120,
    });
    expect(readCloudTrailIngestEnvironment({ ...env, OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES: '90' }).cloudtrailLatenessMinutes).toBe(90);
    const { OPSLAKE_STATE_TABLE: _table, ...withoutTable } = env;
    expect(() => readCloudTrailIngestEnvironment(withoutTable)).toThrow('OPSLAKE_STATE_TABLE: environment variable is not set');
    expect(() => readCloudTrailIngestEnvironment({})).toThrow('OPSLAKE_LAKE_BUCKET: environment variable is not set');
  });
});

describe('readLakeCompactEnvironment', () => {
  const { OPSLAKE_CONFIG_ROOT: _root, POWERTOOLS_SERVICE_NAME: _name, ...env } = STACK;

  it('needs the state table and the Glue database, and takes the compaction settings or their defaults', () => {
    expect(readLakeCompactEnvironment(env)).toMatchObject({
      serviceName: 'opslake-lake-compact',
      lakeLocation: 's3://opslake-lake/lake',
      glueDatabase: 'opslake',
      stateTable: STACK.OPSLAKE_STATE_TABLE,
      compaction: DEFAULT_COMPACTION_SETTINGS,
    });
    const set = readLakeCompactEnvironment({
      ...env,
      OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES: '90',
      OPSLAKE_COMPACTION_GRACE_MINUTES: '30',
      OPSLAKE_COMPACTION_TARGET_FILE_MB: '256',
      OPSLAKE_COMPACTION_MEMORY_MB: '2048',
    });
    expect(set.compaction).toEqual({ cloudtrailLatenessMinutes: 90, graceMinutes: 30, targetFileMb: 256, memoryLimitMb: 2048 });
    const { OPSLAKE_GLUE_DATABASE: _database, ...withoutDatabase } = env;
    expect(() => readLakeCompactEnvironment(withoutDatabase)).toThrow('OPSLAKE_GLUE_DATABASE: environment variable is not set');
    expect(() => readLakeCompactEnvironment({ ...env, OPSLAKE_COMPACTION_MEMORY_MB: '0' })).toThrow('use a whole number of MB');
    expect(() => readLakeCompactEnvironment({ ...env, OPSLAKE_COMPACTION_MEMORY_MB: '16385' })).toThrow('use a whole number of MB');
  });
});
