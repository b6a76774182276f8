import { InvalidIdentifierError } from '../errors.js';
import { glueColumns } from '../tables/registry.js';
import type { LakeTable } from '../tables/lake-table.js';

/**
 * The Glue shapes built here, spelled as the Glue API spells them (`CreateTable`, `UpdateTable`,
 * `BatchCreatePartition`). They are structurally the SDK's `TableInput` and `PartitionInput`, so
 * the adapter passes them on as they are; `cfnTableInput` gives the CloudFormation spelling.
 */
export interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment?: string;
}

export interface GlueStorageDescriptor {
  readonly Columns: GlueColumn[];
  readonly Location: string;
  readonly InputFormat: string;
  readonly OutputFormat: string;
  readonly Compressed: boolean;
  readonly StoredAsSubDirectories: boolean;
  readonly SerdeInfo: { readonly SerializationLibrary: string; readonly Parameters: Record<string, string> };
}

export interface GlueTableInput {
  readonly Name: string;
  readonly Description: string;
  readonly TableType: 'EXTERNAL_TABLE';
  readonly Parameters: Record<string, string>;
  readonly StorageDescriptor: GlueStorageDescriptor;
  readonly PartitionKeys: GlueColumn[];
}

export interface GluePartitionInput {
  readonly Values: string[];
  readonly StorageDescriptor: GlueStorageDescriptor;
}

export interface GlueTableOptions {
  /** S3 URI of the lake root (bucket and prefix), e.g. `s3://my-lake/lake`. */
  readonly lakeLocation: string;
}

export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

/** Glue rejects longer column comments. */
const MAX_COMMENT = 255;
const MAX_DESCRIPTION = 2048;
/** Partition values as the writers escape them (`%` escapes): safe in an S3 folder name and in a Glue expression's quotes. */
export const PARTITION_VALUE = /^(?!\.\.?$)[A-Za-z0-9._%-]{1,128}$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/;

/**
 * The Glue table of a lake table: Parquet SerDe and formats, explicit columns with Athena types,
 * the partition keys, `classification=parquet`. Pure: the Glue adapter and the CDK stack both
 * build tables from this one function. No partition projection: a projected location is computed
 * from a template, and a compacted partition lives elsewhere (DESIGN.md §5); every partition is
 * registered instead, and found through a partition index on `day`.
 *
 * Athena reads Parquet columns by name, so a column added to the registry is appended here and
 * older files, which lack it, read as NULL in that column.
 */
export function glueTableInput(table: LakeTable, options: GlueTableOptions): GlueTableInput {
  const location = tableLocation(table, options.lakeLocation);
  return {
    Name: table.name,
    Description: truncate(table.description, MAX_DESCRIPTION),
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      'parquet.compression': 'ZSTD',
    },
    StorageDescriptor: storageDescriptor(table, location),
    PartitionKeys: table.partitionKeys.map((key) => ({ Name: key.name, Type: key.type, Comment: truncate(key.description, MAX_COMMENT) })),
  };
}

/**
 * One partition as Glue registers it, for Athena, Spectrum and EMR. `values` names every
 * partition key of the table. The location is the partition's live folder unless `location`
 * (relative to the lake root, e.g. a compacted generation's folder) says otherwise.
 */
export function gluePartitionInput(
  table: LakeTable,
  values: Readonly<Record<string, string>>,
  options: Pick<GlueTableOptions, 'lakeLocation'>,
  location?: string,
): GluePartitionInput {
  const ordered = gluePartitionValues(table, values);
  const folder = table.partitionKeys.map((key, index) => `${key.name}=${ordered[index]}`).join('/');
  const tableAt = tableLocation(table, options.lakeLocation);
  if (location !== undefined && (!location.startsWith(`${table.path}/`) || !location.endsWith('/') || location.includes('..'))) {
    throw new InvalidIdentifierError(`${table.name} partition location`, location, `expected a folder under ${table.path}/`);
  }
  return {
    Values: ordered,
    StorageDescriptor: storageDescriptor(
      table,
      location === undefined ? `${tableAt}${folder}/` : `${lakeRoot(options.lakeLocation)}${location}`,
    ),
  };
}

/** The values of every partition key in key order, each checked. */
export function gluePartitionValues(table: LakeTable, values: Readonly<Record<string, string>>): string[] {
  return table.partitionKeys.map((key) => {
    const value = values[key.name];
    if (value === undefined || !PARTITION_VALUE.test(value)) {
      throw new InvalidIdentifierError(
        `${table.name} partition ${key.name}`,
        String(value),
        'use 1-128 letters, digits, dot, underscore, hyphen or %-escapes',
      );
    }
    return value;
  });
}

/** `s3://bucket/prefix/<table path>/`, always with one trailing slash. */
export function tableLocation(table: LakeTable, lakeLocation: string): string {
  return `${lakeRoot(lakeLocation)}${table.path}/`;
}

/** `s3://bucket/prefix/`, always with one trailing slash: what lake-relative keys are appended to. */
export function lakeRoot(lakeLocation: string): string {
  if (!S3_URI.test(lakeLocation)) {
    throw new InvalidIdentifierError('lake location', lakeLocation, 'expected s3://<bucket>[/<prefix>]');
  }
  return `${lakeLocation.replace(/\/+$/, '')}/`;
}

function storageDescriptor(table: LakeTable, location: string): GlueStorageDescriptor {
  return {
    Columns: glueColumns(table.columns).map((column) => ({
      Name: column.name,
      Type: column.type,
      Comment: truncate(column.comment, MAX_COMMENT),
    })),
    Location: location,
    InputFormat: PARQUET_INPUT_FORMAT,
    OutputFormat: PARQUET_OUTPUT_FORMAT,
    Compressed: false,
    StoredAsSubDirectories: false,
    SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { 'serialization.format': '1' } },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/**
 * The same table in CloudFormation's spelling (`AWS::Glue::Table` `TableInput`: camelCase
 * property names), for the CDK stack. Keys inside `parameters` maps are kept as they are.
 */
export function cfnTableInput(table: LakeTable, options: GlueTableOptions): Record<string, unknown> {
  return camelCaseKeys(glueTableInput(table, options)) as Record<string, unknown>;
}

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      `${key.charAt(0).toLowerCase()}${key.slice(1)}`,
      key === 'Parameters' ? { ...(inner as Record<string, string>) } : camelCaseKeys(inner),
    ]),
  );
}
