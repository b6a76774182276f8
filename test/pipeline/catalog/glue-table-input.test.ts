import type { TableInput } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { cfnTableInput, gluePartitionInput, glueTableInput } from '../../../pipeline/catalog/glue-table-input.js';
import { InvalidIdentifierError } from '../../../pipeline/errors.js';
import { lakeTable, lakeTables } from '../../../pipeline/tables/registry.js';

const LAKE = 's3://acme-lake/lake';
const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  Compressed: false,
  StoredAsSubDirectories: false,
  SerdeInfo: {
    SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    Parameters: { 'serialization.format': '1' },
  },
};

/** The members of a CloudFormation table input this test reads. */
type CfnTableInputShape = {
  name: string;
  tableType: string;
  parameters: Record<string, string>;
  storageDescriptor: { serdeInfo: unknown; columns: unknown[] };
  partitionKeys: unknown[];
};

describe('glueTableInput', () => {
  it('declares stl_query with Parquet storage, Athena types and partition keys, no projection, exactly', () => {
    const input: TableInput = glueTableInput(lakeTable('stl_query'), { lakeLocation: LAKE });
    expect(input).toEqual({
      Name: 'stl_query',
      Description: 'One row per executed query (child-query level).',
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        EXTERNAL: 'TRUE',
        classification: 'parquet',
        'parquet.compression': 'ZSTD',
      },
      StorageDescriptor: {
        Columns: [
          { Name: 'userid', Type: 'int', Comment: 'Database user that issued the query.' },
          { Name: 'query', Type: 'int', Comment: 'Query id; the join key into the other STL views.' },
          { Name: 'label', Type: 'string', Comment: 'Query-group label or script file name; `default` when unset.' },
          { Name: 'xid', Type: 'bigint', Comment: 'Transaction the query belonged to.' },
          { Name: 'pid', Type: 'int', Comment: 'Backend process (session) id.' },
          { Name: 'database', Type: 'string', Comment: 'Database the session was connected to.' },
          { Name: 'querytxt', Type: 'string', Comment: 'SQL text, cut off after 4000 characters.' },
          { Name: 'starttime', Type: 'timestamp', Comment: 'When the query began (UTC), queue time included.' },
          { Name: 'endtime', Type: 'timestamp', Comment: 'When the query finished (UTC).' },
          { Name: 'aborted', Type: 'int', Comment: '1 = stopped by the system or cancelled; 0 = completed.' },
          { Name: 'insert_pristine', Type: 'int', Comment: '1 = writes were blocked while this query ran.' },
          { Name: 'concurrency_scaling_status', Type: 'int', Comment: '0 = main cluster, 1 = a concurrency-scaling cluster.' },
          { Name: 'exported_at', Type: 'timestamp', Comment: 'Cluster time at the start of the export run that wrote the row (UTC).' },
        ],
        Location: 's3://acme-lake/lake/redshift/stl_query/',
        ...PARQUET,
      },
      PartitionKeys: [
        { Name: 'cluster', Type: 'string', Comment: 'Source cluster or workgroup (our configured name).' },
        { Name: 'day', Type: 'string', Comment: "UTC day (YYYY-MM-DD) of the row's completion time." },
      ],
    });
  });

  it('matches the reviewed definitions of every table (a schema change shows up in this diff)', async () => {
    const all = lakeTables().map((table) => glueTableInput(table, { lakeLocation: LAKE }));
    expect(all.map((input) => input.Name)).toEqual(lakeTables().map((table) => table.name));
    await expect(`${JSON.stringify(all, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/glue-table-inputs.json');
  });

  it('gives every table its registry columns in order, typed for Athena, partition keys last and not among the columns', () => {
    const athena: Record<string, string> = {
      SMALLINT: 'smallint',
      INTEGER: 'int',
      BIGINT: 'bigint',
      DOUBLE: 'double',
      BOOLEAN: 'boolean',
      TIMESTAMP: 'timestamp',
      VARCHAR: 'string',
    };
    for (const table of lakeTables()) {
      const input = glueTableInput(table, { lakeLocation: LAKE });
      expect(input.StorageDescriptor.Columns.map((column) => [column.Name, column.Type])).toEqual(
        table.columns.map((column) => [column.name, athena[column.type]]),
      );
      expect(input.PartitionKeys.map((key) => [key.Name, key.Type])).toEqual(table.partitionKeys.map((key) => [key.name, 'string']));
      expect(input.StorageDescriptor.Location).toBe(`${LAKE}/${table.path}/`);
      expect(input.Parameters.classification).toBe('parquet');
      expect({ ...input.StorageDescriptor, Columns: [], Location: '' }).toEqual({ Columns: [], Location: '', ...PARQUET });
      for (const column of [...input.StorageDescriptor.Columns, ...input.PartitionKeys])
        expect((column.Comment ?? '').length).toBeLessThanOrEqual(255);
    }
  });

  it('projects no table: a compacted partition lives where no template can name it', () => {
    for (const table of lakeTables()) {
      expect(Object.keys(glueTableInput(table, { lakeLocation: LAKE }).Parameters)).toEqual([
        'EXTERNAL',
        'classification',
        'parquet.compression',
      ]);
    }
  });

  it('refuses a lake location that is not an S3 URI', () => {
    expect(() => glueTableInput(lakeTable('stl_query'), { lakeLocation: '/tmp/lake' })).toThrow(InvalidIdentifierError);
  });

  it('spells the same table the CloudFormation way for the stack, keeping parameter keys as they are', () => {
    const cfn = cfnTableInput(lakeTable('stl_query'), { lakeLocation: LAKE }) as CfnTableInputShape;
    expect(cfn.name).toBe('stl_query');
    expect(cfn.tableType).toBe('EXTERNAL_TABLE');
    expect(cfn.parameters['parquet.compression']).toBe('ZSTD');
    expect(cfn.storageDescriptor.serdeInfo).toEqual({
      serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      parameters: { 'serialization.format': '1' },
    });
    expect(cfn.storageDescriptor.columns[0]).toEqual({
      name: 'userid',
      type: 'int',
      comment: 'Database user that issued the query.',
    });
    expect(cfn.partitionKeys[1]).toEqual({ name: 'day', type: 'string', comment: "UTC day (YYYY-MM-DD) of the row's completion time." });
  });
});

describe('gluePartitionInput', () => {
  it('points a partition at its folder, values in partition-key order', () => {
    const partition = gluePartitionInput(
      lakeTable('cloudtrail_events'),
      { day: '2024-03-05', region: 'eu-west-1', account: '012345678901' },
      { lakeLocation: LAKE },
    );
    expect(partition.Values).toEqual(['012345678901', 'eu-west-1', '2024-03-05']);
    expect(partition.StorageDescriptor.Location).toBe(
      's3://acme-lake/lake/cloudtrail/events/account=012345678901/region=eu-west-1/day=2024-03-05/',
    );
    expect(partition.StorageDescriptor.SerdeInfo).toEqual(PARQUET.SerdeInfo);
  });

  it('points a compacted partition at its generation folder under the lake', () => {
    const table = lakeTable('stl_query');
    const location = 'redshift/stl_query/_compacted/cluster=prod/day=2024-03-05/gen=0123456789abcdef01234567/';
    const partition = gluePartitionInput(table, { cluster: 'prod', day: '2024-03-05' }, { lakeLocation: `${LAKE}/` }, location);
    expect(partition.StorageDescriptor.Location).toBe(`${LAKE}/${location}`);
    expect(() => gluePartitionInput(table, { cluster: 'prod', day: '2024-03-05' }, { lakeLocation: LAKE }, 'cloudtrail/events/x/')).toThrow(
      InvalidIdentifierError,
    );
  });

  it('refuses a missing value or one that could leave its folder', () => {
    expect(() => gluePartitionInput(lakeTable('stl_query'), { cluster: 'prod' }, { lakeLocation: LAKE })).toThrow(InvalidIdentifierError);
    expect(() => gluePartitionInput(lakeTable('stl_query'), { cluster: '../x', day: '2024-03-05' }, { lakeLocation: LAKE })).toThrow(
      InvalidIdentifierError,
    );
  });
});
