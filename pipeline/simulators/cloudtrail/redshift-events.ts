import { TABLES } from './demo-vocabulary.js';
import { type DemoAccount, type DemoContext, type DemoRecord, finishRecord } from './demo-record.js';

/** Redshift control-plane and Data API calls against the demo's own clusters. */

export function redshiftEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const cluster = r.pick(account.clusters);
  const name = r.weighted<string>([
    [8, 'DescribeClusters'],
    [2, 'DescribeLoggingStatus'],
    [1, 'ModifyCluster'],
    [1, 'PauseCluster'],
    [1, 'ResumeCluster'],
    [1, 'RebootCluster'],
    [3, 'GetClusterCredentials'],
    [1, 'CreateClusterSnapshot'],
  ]);
  const event: DemoRecord = {
    ...base,
    eventSource: 'redshift.amazonaws.com',
    eventName: name,
    readOnly: name.startsWith('Describe'),
    requestParameters: { clusterIdentifier: cluster },
    apiVersion: '2012-12-01',
  };
  if (name === 'ModifyCluster') {
    event.requestParameters = { clusterIdentifier: cluster, numberOfNodes: r.int(2, 8), nodeType: 'ra3.xlplus' };
    event.responseElements = {
      clusterIdentifier: cluster,
      nodeType: 'ra3.xlplus',
      clusterStatus: 'available',
      modifyStatus: 'resizing',
      numberOfNodes: r.int(2, 8),
      encrypted: true,
      clusterNamespaceArn: `arn:aws:redshift:${region}:${account.id}:namespace:${r.uuid()}`,
    };
  } else if (name === 'GetClusterCredentials') {
    event.requestParameters = { dbUser: 'etl_user', dbName: 'dev', clusterIdentifier: cluster, durationSeconds: 900, autoCreate: false };
    event.responseElements = { dbUser: 'IAM:etl_user', expiration: 'Mar 5, 2024, 3:12:45 PM' };
  } else if (name === 'CreateClusterSnapshot') {
    const snapshot = `${cluster}-manual-${r.chars(6, '0123456789')}`;
    event.requestParameters = { snapshotIdentifier: snapshot, clusterIdentifier: cluster, manualSnapshotRetentionPeriod: 7 };
    event.responseElements = {
      snapshotIdentifier: snapshot,
      clusterIdentifier: cluster,
      status: 'creating',
      totalBackupSizeInMegaBytes: -1.0,
    };
  } else if (!name.startsWith('Describe')) {
    event.responseElements = {
      clusterIdentifier: cluster,
      clusterStatus: name === 'PauseCluster' ? 'pausing' : name === 'ResumeCluster' ? 'resuming' : 'rebooting',
    };
  }
  return finishRecord(r, event, `redshift.${region}.amazonaws.com`, {
    error: r.chance(0.05)
      ? ['InvalidClusterState', `There is an operation running on the Cluster ${cluster}. Please try to modify it later.`]
      : undefined,
  });
}

export function redshiftDataEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string, time: Date): DemoRecord {
  const r = context.random;
  const cluster = r.pick(account.clusters);
  const name = r.weighted<string>([
    [4, 'ExecuteStatement'],
    [6, 'DescribeStatement'],
    [3, 'GetStatementResult'],
    [1, 'BatchExecuteStatement'],
    [1, 'ListStatements'],
  ]);
  const statement = r.uuid();
  const event: DemoRecord = {
    ...base,
    eventSource: 'redshift-data.amazonaws.com',
    eventName: name,
    readOnly: name !== 'ExecuteStatement' && name !== 'BatchExecuteStatement',
    apiVersion: '2019-12-20',
  };
  if (name === 'ExecuteStatement' || name === 'BatchExecuteStatement') {
    const table = r.pick(TABLES);
    const sql = r.pick([
      `SELECT date_trunc('day', event_time) AS day, count(*) FROM ${table} ` +
        'WHERE event_time > dateadd(day, -7, getdate()) GROUP BY 1 ORDER BY 1',
      `INSERT INTO ${table}_daily SELECT * FROM ${table}_staging WHERE load_id = ${r.int(1000, 99999)}`,
      `COPY ${table} FROM 's3://etl-staging/${table}/' IAM_ROLE default FORMAT AS PARQUET`,
      `VACUUM DELETE ONLY ${table}`,
    ]);
    event.requestParameters = {
      clusterIdentifier: cluster,
      database: 'dev',
      dbUser: 'etl_user',
      ...(name === 'ExecuteStatement' ? { sql } : { sqls: [sql, `ANALYZE ${table}`] }),
      withEvent: false,
      statementName: `${cluster}-job-${r.int(1, 40)}`,
    };
    event.responseElements = {
      id: statement,
      clusterIdentifier: cluster,
      createdAt: `${time.toUTCString().slice(5, 16)}, ${time.toISOString().slice(11, 19)}`,
      database: 'dev',
      dbUser: 'etl_user',
    };
  } else if (name === 'ListStatements') {
    event.requestParameters = { maxResults: 100, status: 'ALL', roleLevel: true };
  } else {
    event.requestParameters = { id: statement };
  }
  return finishRecord(r, event, `redshift-data.${region}.amazonaws.com`, {
    error: r.chance(0.04) ? ['ValidationException', `Cluster ${cluster} is not available for query (status: paused)`] : undefined,
    vpce: true,
  });
}
