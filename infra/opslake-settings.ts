import { ConfigLocation } from '../pipeline/config/config-location.js';
import { assertClusterName } from '../pipeline/config/identifiers.js';
import type { ClusterConfig } from '../pipeline/config/opslake-config.js';
import { validateCluster } from '../pipeline/config/validate-config.js';
import { ConfigError } from '../pipeline/errors.js';

/** Lambda CPU architecture; DuckDB's native package is chosen to match it. */
export type LambdaArch = 'arm64' | 'x86_64';

/**
 * A Redshift source as the stacks need it: its SSM document, validated as the export will
 * validate it, and what only IAM needs (workgroup ARNs carry an id, not the name; a secret's
 * customer-managed key).
 */
export type ClusterSettings = ClusterConfig & {
  readonly workgroupArn?: string;
  readonly secretKmsKeyArn?: string;
};

/** Everything the app reads from CDK context (`cdk.json` or `-c opslake:<key>=<value>`). */
export interface OpslakeSettings {
  /** Stack name prefix. Default `Opslake`. */
  readonly stackPrefix: string;
  readonly clusters: readonly ClusterSettings[];
  /** Existing CloudTrail bucket (imported, never created). Absent: no CloudTrail ingestion. */
  readonly cloudTrailBucket?: string;
  /** Only objects under this key prefix notify the queue (e.g. `AWSLogs/`). Default: the whole bucket. */
  readonly cloudTrailPrefix?: string;
  /** The trail's KMS key, when its log files are SSE-KMS encrypted. */
  readonly cloudTrailKmsKeyArn?: string;
  /** Lake prefix inside the lake bucket. Default `lake`. */
  readonly lakePrefix: string;
  /** SSM root path of the configuration. Default `/opslake`. */
  readonly configRoot: string;
  /** Glue database. Default `opslake`. */
  readonly glueDatabase: string;
  /** Default `arm64`. */
  readonly arch: LambdaArch;
  /** Creates an SNS topic for the alarms with this e-mail subscribed. */
  readonly alarmEmail?: string;
  /** Or sends the alarms to this existing topic. */
  readonly alarmTopicArn?: string;
  /** Export lag (now minus the newest sealed slot end) that raises the alarm. Default 120 minutes. */
  readonly exportLagAlarmMinutes: number;
  /** Athena's per-query scan limit. Default 10 GiB. */
  readonly athenaBytesScannedCutoff: number;
  /** Days before quarantined inputs are deleted. Default 90. */
  readonly quarantineRetentionDays: number;
  /** Days before replaced or deleted object versions are removed. Default 7. */
  readonly noncurrentVersionRetentionDays: number;
  /** A customer-managed key that encrypts the operator's SecureString parameters (password mode). */
  readonly parameterKmsKeyArn?: string;
  /** Deploys the QuickSight stack. Default false. */
  readonly quickSight: boolean;
  /** QuickSight user or group that owns the data source, data sets and dashboard. */
  readonly quickSightPrincipalArn?: string;
  /** QuickSight's service role, granted read access to the lake. Default `aws-quicksight-service-role-v0`. */
  readonly quickSightServiceRole: string;
  /** Destroys the bucket, table, key and catalog with the stacks. Default false (retain). */
  readonly destroy: boolean;
}

/** The context keys the app reads; `cdk.json` and infra/README.md document each one. */
export const CONTEXT_KEYS = {
  stackPrefix: 'opslake:stackPrefix',
  clusters: 'opslake:clusters',
  cloudTrailBucket: 'opslake:cloudTrailBucket',
  cloudTrailPrefix: 'opslake:cloudTrailPrefix',
  cloudTrailKmsKeyArn: 'opslake:cloudTrailKmsKeyArn',
  lakePrefix: 'opslake:lakePrefix',
  configRoot: 'opslake:configRoot',
  glueDatabase: 'opslake:glueDatabase',
  arch: 'opslake:arch',
  alarmEmail: 'opslake:alarmEmail',
  alarmTopicArn: 'opslake:alarmTopicArn',
  exportLagAlarmMinutes: 'opslake:exportLagAlarmMinutes',
  athenaBytesScannedCutoff: 'opslake:athenaBytesScannedCutoff',
  quarantineRetentionDays: 'opslake:quarantineRetentionDays',
  noncurrentVersionRetentionDays: 'opslake:noncurrentVersionRetentionDays',
  parameterKmsKeyArn: 'opslake:parameterKmsKeyArn',
  quickSight: 'opslake:quickSight',
  quickSightPrincipalArn: 'opslake:quickSightPrincipalArn',
  quickSightServiceRole: 'opslake:quickSightServiceRole',
  destroy: 'opslake:destroy',
} as const satisfies Record<keyof OpslakeSettings, string>;

const STACK_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,40}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()/-]{1,512}$/;
const LAKE_PREFIX = /^[a-z0-9][a-z0-9_-]{0,62}(\/[a-z0-9][a-z0-9_-]{0,62})*$/;
const CONFIG_ROOT = /^(\/[A-Za-z0-9_.-]+)+$/;
const GLUE_DATABASE = /^[a-z][a-z0-9_]{0,254}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const WORKGROUP_ARN = /^arn:aws[a-z-]*:redshift-serverless:[a-z0-9-]+:\d{12}:workgroup\/[0-9a-f-]{36}$/;
const QUICKSIGHT_PRINCIPAL_ARN = /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[A-Za-z0-9_.@/+=-]{1,256}$/;
const ROLE_NAME = /^[A-Za-z0-9+=,.@_/-]{1,128}$/;

/** Reads one context value; the app passes `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

/**
 * Builds the settings from CDK context, validated: a wrong value fails the synth with the
 * context key in the message, long before anything is deployed. Values given on the command
 * line arrive as strings, so numbers, booleans and the cluster list are also accepted as text
 * (the cluster list as JSON).
 */
export function settingsFromContext(read: ContextReader): OpslakeSettings {
  const text = (key: keyof typeof CONTEXT_KEYS, pattern: RegExp, rule: string): string | undefined => {
    const name = CONTEXT_KEYS[key];
    const value = read(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(name, rule);
    return value;
  };
  const number = (key: keyof typeof CONTEXT_KEYS, fallback: number, min: number, max: number): number => {
    const name = CONTEXT_KEYS[key];
    const value = read(name);
    if (value === undefined || value === null || value === '') return fallback;
    const parsed = typeof value === 'string' ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, `expected a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
  const flag = (key: keyof typeof CONTEXT_KEYS): boolean => {
    const name = CONTEXT_KEYS[key];
    const value = read(name);
    if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
    if (value === true || value === 'true') return true;
    throw new ConfigError(name, 'expected true or false');
  };

  const arch = text('arch', /^(arm64|x86_64)$/, 'expected arm64 or x86_64') ?? 'arm64';
  const alarmEmail = text('alarmEmail', EMAIL, 'expected an e-mail address');
  const alarmTopicArn = text('alarmTopicArn', SNS_TOPIC_ARN, 'expected arn:aws:sns:<region>:<account>:<topic>');
  if (alarmEmail && alarmTopicArn) {
    throw new ConfigError(
      CONTEXT_KEYS.alarmEmail,
      `set either ${CONTEXT_KEYS.alarmEmail} (a new topic) or ${CONTEXT_KEYS.alarmTopicArn} (an existing one), not both`,
    );
  }
  const quickSight = flag('quickSight');
  const quickSightPrincipalArn = text(
    'quickSightPrincipalArn',
    QUICKSIGHT_PRINCIPAL_ARN,
    'expected arn:aws:quicksight:<region>:<account>:user/<namespace>/<name> (or group/...)',
  );
  if (quickSight && !quickSightPrincipalArn) {
    throw new ConfigError(
      CONTEXT_KEYS.quickSightPrincipalArn,
      `required when ${CONTEXT_KEYS.quickSight} is true: the QuickSight user or group that will own the dashboard`,
    );
  }

  return Object.freeze({
    stackPrefix: text('stackPrefix', STACK_PREFIX, 'use a letter, then letters, digits and hyphens (at most 41)') ?? 'Opslake',
    clusters: clustersFromContext(read(CONTEXT_KEYS.clusters)),
    cloudTrailBucket: text('cloudTrailBucket', BUCKET_NAME, 'expected an S3 bucket name'),
    cloudTrailPrefix: text('cloudTrailPrefix', KEY_PREFIX, 'expected an S3 key prefix such as AWSLogs/'),
    cloudTrailKmsKeyArn: text('cloudTrailKmsKeyArn', KMS_KEY_ARN, 'expected arn:aws:kms:<region>:<account>:key/<id>'),
    lakePrefix:
      text('lakePrefix', LAKE_PREFIX, 'use lower-case words of letters, digits, _ and - separated by /, without a leading or trailing /') ??
      'lake',
    configRoot: text('configRoot', CONFIG_ROOT, 'expected an SSM path such as /opslake') ?? '/opslake',
    glueDatabase: text('glueDatabase', GLUE_DATABASE, 'use lower-case letters, digits and _, starting with a letter') ?? 'opslake',
    arch: arch as LambdaArch,
    alarmEmail,
    alarmTopicArn,
    exportLagAlarmMinutes: number('exportLagAlarmMinutes', 120, 10, 7 * 24 * 60),
    athenaBytesScannedCutoff: number('athenaBytesScannedCutoff', 10 * 1024 ** 3, 10 * 1024 ** 2, Number.MAX_SAFE_INTEGER),
    quarantineRetentionDays: number('quarantineRetentionDays', 90, 1, 3650),
    noncurrentVersionRetentionDays: number('noncurrentVersionRetentionDays', 7, 1, 3650),
    parameterKmsKeyArn: text('parameterKmsKeyArn', KMS_KEY_ARN, 'expected arn:aws:kms:<region>:<account>:key/<id>'),
    quickSight,
    quickSightPrincipalArn,
    quickSightServiceRole: text('quickSightServiceRole', ROLE_NAME, 'expected an IAM role name') ?? 'aws-quicksight-service-role-v0',
    destroy: flag('destroy'),
  });
}

function clustersFromContext(raw: unknown): readonly ClusterSettings[] {
  const name = CONTEXT_KEYS.clusters;
  if (raw === undefined || raw === null || raw === '') return [];
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new ConfigError(name, 'expected a JSON array of cluster objects', { cause });
    }
  }
  if (!Array.isArray(value)) throw new ConfigError(name, 'expected an array of cluster objects');
  const clusters = value.map((entry, index) => clusterFromContext(entry, new ConfigLocation(name).index(index)));
  const seen = new Set<string>();
  for (const cluster of clusters) {
    if (seen.has(cluster.name)) throw new ConfigError(name, `the name ${cluster.name} is used twice`);
    seen.add(cluster.name);
  }
  return Object.freeze(clusters);
}

/**
 * One cluster: the fields of its SSM document, checked by the same validator the export runs
 * on that document, plus what only IAM needs. Local modes (`pglite`, `postgres`) are refused:
 * the deployed export reaches clusters through the Data API only.
 */
function clusterFromContext(entry: unknown, at: ConfigLocation): ClusterSettings {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw at.error('expected an object');
  const { workgroupArn, secretKmsKeyArn, ...document } = entry as Record<string, unknown>;
  for (const local of ['pglite', 'postgres', 'passwordEnv']) {
    if (document[local] !== undefined)
      throw at.key(local).error('is a local mode; the deployed export reaches clusters through the Data API (dbUser or secretArn)');
  }
  const name = assertClusterNameAt(document.name, at.key('name'));
  const config = validateCluster(document, at, { source: 'ssm', name, passwordParameter: `<root>/clusters/${name}/password` });

  let arn: string | undefined;
  if (config.kind === 'serverless') {
    arn = matching(
      workgroupArn,
      WORKGROUP_ARN,
      at.key('workgroupArn'),
      'expected arn:aws:redshift-serverless:<region>:<account>:workgroup/<id>, which IAM needs (aws redshift-serverless get-workgroup --workgroup-name <name> --query workgroup.workgroupArn)',
    );
  } else if (workgroupArn !== undefined) {
    throw at.key('workgroupArn').error('is only for kind serverless');
  }
  let keyArn: string | undefined;
  if (secretKmsKeyArn !== undefined) {
    if (config.auth.type !== 'secret') throw at.key('secretKmsKeyArn').error('is only meaningful with secretArn');
    keyArn = matching(secretKmsKeyArn, KMS_KEY_ARN, at.key('secretKmsKeyArn'), 'expected arn:aws:kms:<region>:<account>:key/<id>');
  }
  return Object.freeze({ ...config, workgroupArn: arn, secretKmsKeyArn: keyArn });
}

function assertClusterNameAt(value: unknown, at: ConfigLocation): string {
  try {
    return assertClusterName(value);
  } catch (cause) {
    throw at.error(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

function matching(value: unknown, pattern: RegExp, at: ConfigLocation, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw at.error(rule);
  return value;
}
