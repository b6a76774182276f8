import { type CompactionSettings, DEFAULT_COMPACTION_SETTINGS } from '../../pipeline/config/compaction-settings.js';
import { S3_BUCKET_NAME } from '../../pipeline/store/s3-object-store.js';
import { environmentVariable, requiredEnvironmentVariable, type VariableRule } from './environment-variable.js';

/**
 * The settings the Lambda functions take from their environment, which the CDK stack sets
 * (`infra/constructs/stl-export.ts`, `cloudtrail-ingest.ts`, `lake-compact.ts`). Read once when a
 * container starts, validated, frozen: a name that fails its pattern stops the function before
 * it reaches a key, a table or a catalog, with a message that names the variable.
 */
export interface LambdaEnvironment {
  /** POWERTOOLS_SERVICE_NAME; each job has its own default. */
  readonly serviceName: string;
  /** POWERTOOLS_METRICS_NAMESPACE; default `opslake`. */
  readonly metricsNamespace: string;
  /** OPSLAKE_LAKE_BUCKET (required). */
  readonly lakeBucket: string;
  /** OPSLAKE_LAKE_PREFIX without leading or trailing slashes; default `lake`. */
  readonly lakePrefix: string;
  /** `s3://<bucket>/<prefix>`. */
  readonly lakeLocation: string;
  /** OPSLAKE_KMS_KEY_ARN: the key objects written to the lake are encrypted with. */
  readonly kmsKeyId: string | undefined;
  /** OPSLAKE_S3_FORCE_PATH_STYLE=true, for S3-compatible stores without virtual-host addressing. */
  readonly forcePathStyle: boolean;
  /** OPSLAKE_GLUE_DATABASE: partitions are registered there when it is set. */
  readonly glueDatabase: string | undefined;
}

/** The export also needs its state table and the SSM root of the cluster configuration. */
export interface StlExportEnvironment extends LambdaEnvironment {
  /** OPSLAKE_STATE_TABLE (required). */
  readonly stateTable: string;
  /** OPSLAKE_CONFIG_ROOT; default `/opslake`. */
  readonly configRoot: string;
}

const BUCKET: VariableRule = { pattern: S3_BUCKET_NAME, rule: 'use an S3 bucket name: 3-63 lower-case letters, digits, . and -' };
// No segment starts with a dot, so none is . or ..; slashes around the prefix are dropped.
const PREFIX: VariableRule = {
  pattern: /^\/*[A-Za-z0-9_=-][A-Za-z0-9_.=-]*(\/[A-Za-z0-9_=-][A-Za-z0-9_.=-]*)*\/*$/,
  rule: 'use segments of letters, digits, _ . = and - separated by single slashes, such as lake or data/opslake',
};
const TABLE: VariableRule = { pattern: /^[A-Za-z0-9_.-]{3,255}$/, rule: 'use a DynamoDB table name: 3-255 letters, digits, _ . and -' };
const DATABASE: VariableRule = {
  pattern: /^[a-z][a-z0-9_]{0,254}$/,
  rule: 'use a Glue database name: lower-case letters, digits and _, starting with a letter',
};
const KMS_KEY: VariableRule = {
  pattern:
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
  rule: 'use a KMS key ARN, key id or alias ARN',
};
const CONFIG_ROOT: VariableRule = { pattern: /^(\/[A-Za-z0-9_.-]+)+$/, rule: 'use an SSM path such as /opslake' };
const SERVICE_NAME: VariableRule = { pattern: /^[A-Za-z0-9_.-]{1,128}$/, rule: 'use letters, digits, _ . and -' };
const FLAG: VariableRule = { pattern: /^(true|false)$/, rule: 'use true or false' };
const MINUTES: VariableRule = { pattern: /^\d{1,5}$/, rule: 'use a whole number of minutes' };
const MEGABYTES: VariableRule = {
  pattern: /^([1-9]\d{0,3}|1[0-5]\d{3}|16[0-2]\d{2}|163[0-7]\d|1638[0-4])$/,
  rule: 'use a whole number of MB from 1 to 16384',
};

/** The CloudTrail ingestion also keeps the ledger and marks late partitions in the state table. */
export interface CloudTrailIngestEnvironment extends LambdaEnvironment {
  /** OPSLAKE_STATE_TABLE (required). */
  readonly stateTable: string;
  /** OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES; default 120 (see CompactionSettings). */
  readonly cloudtrailLatenessMinutes: number;
}

/** Compaction needs the state table, the Glue database it switches partitions in, and its settings. */
export interface LakeCompactEnvironment extends LambdaEnvironment {
  /** OPSLAKE_STATE_TABLE (required). */
  readonly stateTable: string;
  /** OPSLAKE_GLUE_DATABASE (required here: readers follow a compacted partition through Glue). */
  readonly glueDatabase: string;
  /**
   * OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES, OPSLAKE_COMPACTION_GRACE_MINUTES,
   * OPSLAKE_COMPACTION_TARGET_FILE_MB, OPSLAKE_COMPACTION_MEMORY_MB; defaults as in opslake.yaml.
   */
  readonly compaction: CompactionSettings;
}

/** The variables both functions read; `serviceName` is the job's default POWERTOOLS_SERVICE_NAME. */
export function readLambdaEnvironment(env: NodeJS.ProcessEnv, serviceName: string): LambdaEnvironment {
  const lakeBucket = requiredEnvironmentVariable(env, 'OPSLAKE_LAKE_BUCKET', BUCKET);
  const lakePrefix = (environmentVariable(env, 'OPSLAKE_LAKE_PREFIX', PREFIX) ?? 'lake').replace(/^\/+|\/+$/g, '');
  return Object.freeze({
    serviceName: environmentVariable(env, 'POWERTOOLS_SERVICE_NAME', SERVICE_NAME) ?? serviceName,
    metricsNamespace: environmentVariable(env, 'POWERTOOLS_METRICS_NAMESPACE', SERVICE_NAME) ?? 'opslake',
    lakeBucket,
    lakePrefix,
    lakeLocation: `s3://${lakeBucket}/${lakePrefix}`,
    kmsKeyId: environmentVariable(env, 'OPSLAKE_KMS_KEY_ARN', KMS_KEY),
    forcePathStyle: environmentVariable(env, 'OPSLAKE_S3_FORCE_PATH_STYLE', FLAG) === 'true',
    glueDatabase: environmentVariable(env, 'OPSLAKE_GLUE_DATABASE', DATABASE),
  });
}

export function readStlExportEnvironment(env: NodeJS.ProcessEnv): StlExportEnvironment {
  return Object.freeze({
    ...readLambdaEnvironment(env, 'opslake-stl-export'),
    stateTable: requiredEnvironmentVariable(env, 'OPSLAKE_STATE_TABLE', TABLE),
    configRoot: environmentVariable(env, 'OPSLAKE_CONFIG_ROOT', CONFIG_ROOT) ?? '/opslake',
  });
}

export function readCloudTrailIngestEnvironment(env: NodeJS.ProcessEnv): CloudTrailIngestEnvironment {
  return Object.freeze({
    ...readLambdaEnvironment(env, 'opslake-cloudtrail-ingest'),
    stateTable: requiredEnvironmentVariable(env, 'OPSLAKE_STATE_TABLE', TABLE),
    cloudtrailLatenessMinutes: minutes(env, 'OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES', DEFAULT_COMPACTION_SETTINGS.cloudtrailLatenessMinutes),
  });
}

export function readLakeCompactEnvironment(env: NodeJS.ProcessEnv): LakeCompactEnvironment {
  const base = readLambdaEnvironment(env, 'opslake-lake-compact');
  const defaults = DEFAULT_COMPACTION_SETTINGS;
  const glueDatabase = requiredEnvironmentVariable(env, 'OPSLAKE_GLUE_DATABASE', DATABASE);
  return Object.freeze({
    ...base,
    glueDatabase,
    stateTable: requiredEnvironmentVariable(env, 'OPSLAKE_STATE_TABLE', TABLE),
    compaction: Object.freeze({
      cloudtrailLatenessMinutes: minutes(env, 'OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES', defaults.cloudtrailLatenessMinutes),
      graceMinutes: minutes(env, 'OPSLAKE_COMPACTION_GRACE_MINUTES', defaults.graceMinutes),
      targetFileMb: megabytes(env, 'OPSLAKE_COMPACTION_TARGET_FILE_MB', defaults.targetFileMb),
      memoryLimitMb: megabytes(env, 'OPSLAKE_COMPACTION_MEMORY_MB', defaults.memoryLimitMb),
    }),
  });
}

/** A number of minutes from the environment, or `fallback` when it is not set. */
export function minutes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = environmentVariable(env, name, MINUTES);
  return value === undefined ? fallback : Number(value);
}

/** A whole number of megabytes (1 to 16384) from the environment, or `fallback` when it is not set. */
function megabytes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = environmentVariable(env, name, MEGABYTES);
  return value === undefined ? fallback : Number(value);
}
