import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, settingsFromContext } from '../../infra/opslake-settings.js';
import { ConfigError } from '../../pipeline/errors.js';
import { EXPORT_TABLE_NAMES } from '../../pipeline/tables/registry.js';
import { FLEET, WORKGROUP_ARN, cdkJsonContext } from './infra-test-app.js';
import { defined } from '../harness/defined.js';

function settings(context: Record<string, unknown>) {
  return settingsFromContext((key) => context[key]);
}

function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    settings(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('settingsFromContext', () => {
  it('takes the documented defaults when cdk.json sets nothing else', () => {
    const result = settings(cdkJsonContext());
    expect(result).toMatchObject({
      stackPrefix: 'Opslake',
      clusters: [],
      lakePrefix: 'lake',
      configRoot: '/opslake',
      glueDatabase: 'opslake',
      arch: 'arm64',
      exportLagAlarmMinutes: 120,
      athenaBytesScannedCutoff: 10 * 1024 ** 3,
      quarantineRetentionDays: 90,
      noncurrentVersionRetentionDays: 7,
      quickSight: false,
      destroy: false,
    });
    expect(result.cloudTrailBucket).toBeUndefined();
  });

  it('reads every key it documents from the opslake: namespace', () => {
    for (const key of Object.values(CONTEXT_KEYS)) expect(key).toMatch(/^opslake:[a-zA-Z]+$/);
  });

  it('validates clusters with the export validator and keeps what IAM needs', () => {
    const [analytics, bi, etl] = settings({ [CONTEXT_KEYS.clusters]: FLEET }).clusters;
    expect(analytics).toMatchObject({
      name: 'analytics',
      kind: 'provisioned',
      clusterIdentifier: 'analytics-prod',
      auth: { type: 'db-user', dbUser: 'opslake_reader' },
      enabled: true,
    });
    expect(analytics?.tables).toEqual(EXPORT_TABLE_NAMES);
    expect(bi).toMatchObject({
      kind: 'serverless',
      workgroupName: 'bi',
      workgroupArn: WORKGROUP_ARN,
      auth: { type: 'secret' },
      tables: ['stl_query', 'query_text'],
    });
    expect(etl?.enabled).toBe(false);
  });

  it('accepts values given on the command line as text', () => {
    const result = settings({
      [CONTEXT_KEYS.clusters]: JSON.stringify(FLEET.slice(0, 1)),
      [CONTEXT_KEYS.arch]: 'x86_64',
      [CONTEXT_KEYS.destroy]: 'true',
      [CONTEXT_KEYS.exportLagAlarmMinutes]: '45',
    });
    expect(result.clusters.map((cluster) => cluster.name)).toEqual(['analytics']);
    expect(result).toMatchObject({ arch: 'x86_64', destroy: true, exportLagAlarmMinutes: 45 });
  });

  it('names the context key and the cluster field in a validation error', () => {
    const error = errorOf({ [CONTEXT_KEYS.clusters]: [{ ...FLEET[0], clusterIdentifier: 'Bad_Id' }] });
    expect(error.parameter).toContain('opslake:clusters');
    expect(error.message).toContain('clusterIdentifier');
  });

  it('requires the workgroup ARN of a serverless source, which IAM cannot do without', () => {
    const { workgroupArn: _dropped, ...withoutArn } = defined(FLEET[1], 'the serverless source of the test fleet');
    expect(errorOf({ [CONTEXT_KEYS.clusters]: [withoutArn] }).message).toContain('workgroupArn');
  });

  it('refuses local connection modes that a Lambda function cannot use', () => {
    const error = errorOf({ [CONTEXT_KEYS.clusters]: [{ ...FLEET[0], postgres: 'postgres://db.example.com/dev' }] });
    expect(error.message).toContain('postgres');
  });

  it('refuses a cluster name used twice', () => {
    expect(errorOf({ [CONTEXT_KEYS.clusters]: [FLEET[0], FLEET[0]] }).message).toContain('used twice');
  });

  it('refuses an unknown architecture, a bad bucket name and both alarm targets at once', () => {
    expect(errorOf({ [CONTEXT_KEYS.arch]: 'amd64' }).parameter).toBe(CONTEXT_KEYS.arch);
    expect(errorOf({ [CONTEXT_KEYS.cloudTrailBucket]: 'Not_A_Bucket' }).parameter).toBe(CONTEXT_KEYS.cloudTrailBucket);
    expect(
      errorOf({ [CONTEXT_KEYS.alarmEmail]: 'ops@example.com', [CONTEXT_KEYS.alarmTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:ops' })
        .parameter,
    ).toBe(CONTEXT_KEYS.alarmEmail);
  });

  it('requires a QuickSight owner when QuickSight is asked for', () => {
    expect(errorOf({ [CONTEXT_KEYS.quickSight]: true }).parameter).toBe(CONTEXT_KEYS.quickSightPrincipalArn);
  });
});
