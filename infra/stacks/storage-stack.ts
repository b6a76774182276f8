import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AthenaViews } from '../constructs/athena-views.js';
import { GluePartitionIndexes } from '../constructs/glue-partition-indexes.js';
import { LEDGER_INDEX } from '../iam/lake-statements.js';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { exportLakeReferences } from './lake-references.js';
import type { StorageStackProps } from './storage-stack-props.js';

/** Prefix of Athena's query results in the lake bucket, outside the lake itself. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
/** Days Athena results are kept: they are re-creatable, and QuickSight reads them within minutes. */
const ATHENA_RESULTS_DAYS = 30;
/** Days server access logs are kept. */
const ACCESS_LOG_DAYS = 365;

/**
 * The stateful half: the lake bucket and its key, the state table, the Glue catalog and the
 * Athena workgroup. Everything here holds data, so it is retained when the stack is deleted
 * unless `destroy` says otherwise; the pipeline stack can be replaced freely beside it.
 */
export class StorageStack extends Stack {
  readonly lakeKey: kms.Key;
  readonly lakeBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly lakePrefix: string;
  readonly stateTable: dynamodb.Table;
  readonly glueDatabaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables: readonly glue.CfnTable[];
  /** A partition index on `day` for each table that has that key. */
  readonly partitionIndexes: GluePartitionIndexes;
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: readonly athena.CfnNamedQuery[];
  readonly views: AthenaViews | undefined;

  constructor(scope: Construct, id: string, props: StorageStackProps = {}) {
    super(scope, id, props);
    const destroy = props.destroy ?? false;
    const removalPolicy = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.lakePrefix = props.lakePrefix ?? 'lake';
    this.glueDatabaseName = props.glueDatabase ?? 'opslake';

    this.lakeKey = new kms.Key(this, 'LakeKey', {
      description: 'opslake: lake objects, state table, Athena results',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });

    // Server access logs cannot be delivered to an SSE-KMS bucket: this one uses SSE-S3.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    acknowledgeFinding(
      this.accessLogsBucket,
      'AwsSolutions-S1',
      'This bucket is the target of the lake bucket access logs; logging it into itself would loop and into another bucket would only move the question.',
    );

    this.lakeBucket = new s3.Bucket(this, 'Lake', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.lakeKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake-bucket/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          // Unsealed slots are rewritten on every run: without this, each rewrite would keep its
          // previous version forever.
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionRetentionDays ?? 7),
          expiredObjectDeleteMarker: true,
        },
        {
          id: 'expire-quarantine',
          prefix: `${this.lakePrefix}/_quarantine/`,
          expiration: Duration.days(props.quarantineRetentionDays ?? 90),
        },
        { id: 'expire-temporary', prefix: `${this.lakePrefix}/_tmp/`, expiration: Duration.days(1) },
        { id: 'expire-athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(ATHENA_RESULTS_DAYS) },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.stateTable = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.lakeKey,
      // Leases carry an expiry; DynamoDB deletes them once it has passed (watermarks have none).
      timeToLiveAttribute: 'expires_at',
      deletionProtection: !destroy,
      removalPolicy,
    });
    // Sparse: only ledger entries (`<day>#<shard>`) and dirty marks (`dirty#<table>`) carry the
    // key, so the ledger is listed by delivery day and late partitions by table. Adding an index
    // updates the table in place: the watermarks stay.
    this.stateTable.addGlobalSecondaryIndex({
      indexName: LEDGER_INDEX,
      partitionKey: { name: 'ledger_day_shard', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'ledger_key', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: {
        name: this.glueDatabaseName,
        description: 'opslake: Redshift system views and CloudTrail events, as Parquet in S3.',
      },
    });
    this.database.applyRemovalPolicy(removalPolicy);

    const tableInputs = props.tableInputs?.({ bucketName: this.lakeBucket.bucketName, prefix: this.lakePrefix }) ?? [];
    this.tables = tableInputs.map((tableInput) => {
      const table = new glue.CfnTable(this, `Table-${tableInput.name}`, {
        catalogId: this.account,
        databaseName: this.glueDatabaseName,
        tableInput,
      });
      table.addResourceDependency(this.database);
      table.applyRemovalPolicy(removalPolicy);
      return table;
    });
    const indexed = tableInputs.flatMap((input) => {
      const keys = (input.partitionKeys ?? []) as ReadonlyArray<{ name?: string }>;
      return input.name !== undefined && keys.some((key) => key.name === 'day') ? [input.name] : [];
    });
    this.partitionIndexes = new GluePartitionIndexes(this, 'PartitionIndexes', { database: this.glueDatabaseName, tables: indexed });
    for (const resource of this.partitionIndexes.resources) resource.node.addDependency(...this.tables);

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.glueDatabaseName,
      description: 'opslake: queries over the lake, results encrypted with the lake key',
      state: 'ENABLED',
      recursiveDeleteOption: destroy,
      workGroupConfiguration: {
        // Enforced: a client cannot send results elsewhere, unencrypted, or scan without limit.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.athenaBytesScannedCutoff ?? 10 * 1024 ** 3,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.lakeBucket.s3UrlForObject(ATHENA_RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.lakeKey.keyArn },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(removalPolicy);

    this.namedQueries = (props.namedQueries ?? []).map((query) => {
      const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description.slice(0, 1024),
        database: this.glueDatabaseName,
        workGroup: this.workGroup.ref,
        queryString: query.queryString,
      });
      named.addResourceDependency(this.database);
      return named;
    });

    if (props.views && props.views.length > 0) {
      this.views = new AthenaViews(this, 'Views', {
        views: props.views,
        workGroup: this.glueDatabaseName,
        database: this.glueDatabaseName,
        tables: tableInputs.flatMap((input) => (input.name ? [input.name] : [])),
        bucketArn: this.lakeBucket.bucketArn,
        resultsPrefix: ATHENA_RESULTS_PREFIX,
        keyArn: this.lakeKey.keyArn,
      });
      // The views read the tables and run in the workgroup: both must exist first.
      for (const resource of this.views.resources) resource.node.addDependency(this.workGroup, ...this.tables);
    }

    exportLakeReferences(this);
    new CfnOutput(this, 'GlueDatabaseName', { value: this.glueDatabaseName, description: 'Glue database' });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.workGroup.ref, description: 'Athena workgroup' });
  }

  /** `s3://<bucket>/<prefix>/`: the lake root, for outputs and the QuickSight stack. */
  get lakeUrl(): string {
    return this.lakeBucket.s3UrlForObject(`${this.lakePrefix}/`);
  }
}
