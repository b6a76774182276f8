import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { LakeReferences } from '../stacks/lake-references.js';

/**
 * Access to the lake objects under the given sub-prefixes of the lake (e.g. `redshift/`), and
 * use of the lake key for them. No listing of the bucket root and no access outside these
 * prefixes: each function sees only the part of the lake it writes.
 *
 * `read-write` (the default) also reads, lists and deletes there. `write` is for a function
 * that only ever puts objects whose keys it derives, and never looks at what is already there.
 *
 * @returns the statements, and the object ARN patterns (which hold a wildcard by nature).
 */
export function lakeObjectStatements(
  lake: LakeReferences,
  subPrefixes: readonly string[],
  access: 'read-write' | 'write' = 'read-write',
): { statements: iam.PolicyStatement[]; objectArns: string[] } {
  const prefixes = subPrefixes.map((sub) => `${lake.lakePrefix}/${sub.replace(/\/?$/, '/')}`);
  const objectArns = prefixes.map((prefix) => `${lake.bucketArn}/${prefix}*`);
  const readWrite = access === 'read-write';
  return {
    objectArns,
    statements: [
      new iam.PolicyStatement({
        sid: 'LakeObjects',
        actions: readWrite
          ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']
          : ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: objectArns,
      }),
      ...(readWrite
        ? [
            new iam.PolicyStatement({
              sid: 'LakeList',
              actions: ['s3:ListBucket'],
              resources: [lake.bucketArn],
              conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
            }),
          ]
        : []),
      new iam.PolicyStatement({
        sid: 'LakeKey',
        // Decrypt to read and to complete multipart uploads; GenerateDataKey to write.
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [lake.keyArn],
      }),
    ],
  };
}

/** The state table's sparse index: the ledger's entries by delivery day, and the dirty partitions by table. */
export const LEDGER_INDEX = 'ledger-by-day';

/**
 * Items of the state table (watermarks, leases, the ingestion ledger, compaction state), which
 * the lake key encrypts; the ledger's lookups and writes are batched, and listing by day or
 * dirty partitions queries the sparse index.
 */
export function stateTableStatements(lake: LakeReferences): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'StateTable',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Scan',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Query',
      ],
      resources: [lake.stateTableArn, `${lake.stateTableArn}/index/${LEDGER_INDEX}`],
    }),
    new iam.PolicyStatement({
      sid: 'StateTableKey',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [lake.keyArn],
    }),
  ];
}

/** Registering partitions of the named tables as their objects are written. */
export function gluePartitionStatements(scope: IConstruct, database: string, tables: readonly string[]): iam.PolicyStatement[] {
  if (tables.length === 0) return [];
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return [
    new iam.PolicyStatement({
      sid: 'GluePartitions',
      // Registration only: tables are the stack's, so no CreateTable or UpdateTable here.
      actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
      resources: [arn('catalog'), arn('database', database), ...tables.map((table) => arn('table', `${database}/${table}`))],
    }),
  ];
}

/**
 * The tables of custom exports (`custom_<name>`), which the export declares from the columns
 * their first run learns: it creates them, adds columns, and registers their partitions. Only
 * tables under that prefix; every other table is the stack's.
 */
export function glueCustomTableStatements(scope: IConstruct, database: string): { statements: iam.PolicyStatement[]; tableArn: string } {
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const tableArn = arn('table', `${database}/custom_*`);
  return {
    statements: [
      new iam.PolicyStatement({
        sid: 'GlueCustomTables',
        actions: ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:BatchCreatePartition'],
        resources: [arn('catalog'), arn('database', database), tableArn],
      }),
    ],
    tableArn,
  };
}

/**
 * Compaction's Glue access: partitions of the named tables listed by day (GetPartitions, which
 * the tables' partition index answers) and switched to a generation (UpdatePartition, or
 * CreatePartition for one never registered). No table changes.
 */
export function glueCompactionStatements(scope: IConstruct, database: string, tables: readonly string[]): iam.PolicyStatement[] {
  if (tables.length === 0) return [];
  const stack = Stack.of(scope);
  const arn = (resource: string, resourceName?: string) =>
    stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return [
    new iam.PolicyStatement({
      sid: 'GlueCompaction',
      actions: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:UpdatePartition', 'glue:CreatePartition'],
      resources: [arn('catalog'), arn('database', database), ...tables.map((table) => arn('table', `${database}/${table}`))],
    }),
  ];
}

/**
 * Compaction's lake access, as narrow as the layout allows: it reads and lists the tables'
 * prefixes (its inputs), writes only under each table's `_compacted/` folder (generations and
 * their manifests), and deletes under the tables' prefixes, where superseded objects live (the
 * live objects folded into a generation, and earlier generations). Never `_quarantine/` or
 * another part of the bucket.
 */
export function lakeCompactionStatements(
  lake: LakeReferences,
  tablePaths: readonly string[],
): { statements: iam.PolicyStatement[]; objectArns: string[] } {
  const prefixes = tablePaths.map((path) => `${lake.lakePrefix}/${path.replace(/\/?$/, '/')}`);
  const tableArns = prefixes.map((prefix) => `${lake.bucketArn}/${prefix}*`);
  const generationArns = prefixes.map((prefix) => `${lake.bucketArn}/${prefix}_compacted/*`);
  return {
    objectArns: [...tableArns, ...generationArns],
    statements: [
      new iam.PolicyStatement({ sid: 'LakeTablesRead', actions: ['s3:GetObject', 's3:DeleteObject'], resources: tableArns }),
      new iam.PolicyStatement({
        sid: 'LakeGenerationsWrite',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: generationArns,
      }),
      new iam.PolicyStatement({
        sid: 'LakeList',
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
      }),
      new iam.PolicyStatement({ sid: 'LakeKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [lake.keyArn] }),
    ],
  };
}
