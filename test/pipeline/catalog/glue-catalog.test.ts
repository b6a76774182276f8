import {
  AccessDeniedException,
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
  UpdatePartitionCommand,
  UpdateTableCommand,
  type Table,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { GlueCatalog } from '../../../pipeline/catalog/glue-catalog.js';
import { glueTableInput } from '../../../pipeline/catalog/glue-table-input.js';
import { CatalogError } from '../../../pipeline/errors.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { lakeTable, lakeTables } from '../../../pipeline/tables/registry.js';

const LAKE = 's3://acme-lake/lake';
const glue = mockClient(GlueClient);

function catalog(): GlueCatalog {
  return new GlueCatalog({
    client: new GlueClient({ region: 'eu-west-1' }),
    database: 'opslake',
    lakeLocation: LAKE,
  });
}

/** A table as GetTable returns it: what was put, plus the fields Glue adds itself. */
function stored(table: LakeTable, extraParameters: Record<string, string> = {}): Table {
  const input = glueTableInput(table, { lakeLocation: LAKE });
  return {
    ...input,
    DatabaseName: 'opslake',
    CreateTime: new Date('2024-01-01T00:00:00Z'),
    VersionId: '3',
    Parameters: { ...input.Parameters, ...extraParameters },
  };
}

const notFound = (what: string) => new EntityNotFoundException({ message: `${what} not found.`, $metadata: {} });

describe('GlueCatalog', () => {
  beforeEach(() => glue.reset());

  it('creates every missing table with exactly the TableInput of the registry', async () => {
    glue.on(GetTableCommand).rejects(notFound('Table'));
    glue.on(CreateTableCommand).resolves({});
    const results = await catalog().ensureTables(lakeTables());
    expect(results.every((result) => result.action === 'created')).toBe(true);
    const calls = glue.commandCalls(CreateTableCommand);
    expect(calls).toHaveLength(lakeTables().length);
    for (const [index, table] of lakeTables().entries()) {
      expect(calls[index]?.args[0].input).toEqual({
        CatalogId: undefined,
        DatabaseName: 'opslake',
        TableInput: glueTableInput(table, { lakeLocation: LAKE }),
      });
    }
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it('leaves a table alone when Glue already holds the same definition', async () => {
    glue.on(GetTableCommand).resolves({ Table: stored(lakeTable('stl_scan')) });
    expect(await catalog().ensureTables([lakeTable('stl_scan')])).toEqual([{ table: 'stl_scan', action: 'unchanged' }]);
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
    expect(glue.commandCalls(CreateTableCommand)).toHaveLength(0);
  });

  it('adds a column added to the registry at the end with UpdateTable, keeping parameters set by others, dropping projection', async () => {
    const before = lakeTable('stl_query');
    const after: LakeTable = {
      ...before,
      columns: [...before.columns, { name: 'result_cache_hit', type: 'BOOLEAN', description: 'Served from the result cache.' }],
    };
    glue.on(GetTableCommand).resolves({ Table: stored(before, { has_encrypted_data: 'false', 'projection.cluster.values': 'old' }) });
    glue.on(UpdateTableCommand).resolves({});
    expect(await catalog().ensureTables([after])).toEqual([{ table: 'stl_query', action: 'updated' }]);
    const input = glue.commandCalls(UpdateTableCommand)[0]?.args[0].input;
    const columns = input?.TableInput?.StorageDescriptor?.Columns ?? [];
    expect(columns.map((column) => column.Name)).toEqual([...before.columns.map((column) => column.name), 'result_cache_hit']);
    expect(columns.at(-1)).toEqual({ Name: 'result_cache_hit', Type: 'boolean', Comment: 'Served from the result cache.' });
    expect(input?.TableInput?.PartitionKeys?.map((key) => key.Name)).toEqual(['cluster', 'day']);
    expect(input?.TableInput?.Parameters?.has_encrypted_data).toBe('false');
    // A table made before compaction loses its projection: projection cannot follow a switched partition.
    expect(input?.TableInput?.Parameters?.['projection.cluster.values']).toBeUndefined();
  });

  it('updates a table another run created between its GetTable and CreateTable', async () => {
    const table = lakeTable('stl_explain');
    glue
      .on(GetTableCommand)
      .rejectsOnce(notFound('Table'))
      .resolves({ Table: { ...stored(table), Description: 'old words' } });
    glue.on(CreateTableCommand).rejects(new AlreadyExistsException({ message: 'Table already exists.', $metadata: {} }));
    glue.on(UpdateTableCommand).resolves({});
    expect(await catalog().ensureTables([table])).toEqual([{ table: 'stl_explain', action: 'updated' }]);
  });

  it('says what to do when the database is missing or access is denied', async () => {
    glue.on(GetTableCommand).rejects(notFound('Database opslake'));
    await expect(catalog().ensureTables([lakeTable('stl_query')])).rejects.toThrow(
      /Glue GetTable on opslake.stl_query failed: EntityNotFoundException.*does the Glue database opslake exist/,
    );
    glue.reset();
    glue.on(GetTableCommand).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));
    const error = await catalog()
      .ensureTables([lakeTable('stl_query')])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toMatch(/needs glue:GetTable/);
    expect((error as CatalogError).retryable).toBe(false);
    expect((error as CatalogError).hint).toBe('the role needs glue:GetTable on the database opslake and its tables');
    expect((error as CatalogError).table).toBe('stl_query');
  });

  it('registers partitions in batches of 100, ignoring those that already exist', async () => {
    const table = lakeTable('stl_wlm_query');
    const partitions = Array.from({ length: 250 }, (_, index) => ({
      cluster: index % 2 === 0 ? 'analytics' : 'etl',
      day: new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString().slice(0, 10),
    }));
    glue
      .on(BatchCreatePartitionCommand)
      .resolvesOnce({
        Errors: [
          {
            PartitionValues: ['analytics', '2024-01-01'],
            ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
          },
        ],
      })
      .resolves({});
    const glueCatalog = catalog();
    expect(await glueCatalog.addPartitions(table, partitions)).toEqual({ added: 249, existing: 1 });
    const calls = glue.commandCalls(BatchCreatePartitionCommand);
    expect(calls.map((call) => call.args[0].input.PartitionInputList?.length)).toEqual([100, 100, 50]);
    const first = calls[0]?.args[0].input;
    expect(first?.DatabaseName).toBe('opslake');
    expect(first?.TableName).toBe('stl_wlm_query');
    expect(first?.PartitionInputList?.[0]?.Values).toEqual(['analytics', '2024-01-01']);
    expect(first?.PartitionInputList?.[0]?.StorageDescriptor?.Location).toBe(
      's3://acme-lake/lake/redshift/stl_wlm_query/cluster=analytics/day=2024-01-01/',
    );

    // The same partitions again: known to this instance, Glue is not asked twice.
    expect(await glueCatalog.addPartitions(table, partitions.slice(0, 10))).toEqual({ added: 0, existing: 10 });
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(3);
  });

  it('fails with the first refused partition when Glue refuses for another reason', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        { PartitionValues: ['etl', '2024-01-02'], ErrorDetail: { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } },
      ],
    });
    const error = await catalog()
      .addPartitions(lakeTable('stl_query'), [{ cluster: 'etl', day: '2024-01-02' }])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toMatch(
      /refused 1 of 1 partitions of opslake.stl_query \(first: etl\/2024-01-02: ThrottlingException: Rate exceeded\)/,
    );
    expect((error as CatalogError).retryable).toBe(true);
  });

  it('lists partitions of a day range through an expression on day, page by page, locations relative to the lake', async () => {
    const table = lakeTable('cloudtrail_events');
    const live = 'cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-05/';
    const compacted = 'cloudtrail/events/_compacted/account=111122223333/region=eu-west-1/day=2024-03-05/gen=0123456789abcdef01234567/';
    glue
      .on(GetPartitionsCommand)
      .resolvesOnce({
        Partitions: [{ Values: ['111122223333', 'us-east-1', '2024-03-05'], StorageDescriptor: { Location: `${LAKE}/${live}` } }],
        NextToken: 'page-2',
      })
      .resolves({
        Partitions: [
          { Values: ['111122223333', 'eu-west-1', '2024-03-05'], StorageDescriptor: { Location: `${LAKE}/${compacted}` } },
          { Values: ['111122223333', 'ap-south-1', '2024-03-05'], StorageDescriptor: { Location: 's3://elsewhere/x/' } },
        ],
      });
    const pages = [];
    for await (const page of catalog().listPartitions(table, {
      fromDay: '2024-03-05',
      toDay: '2024-03-06',
      where: { account: '111122223333' },
    })) {
      pages.push(page);
    }
    expect(pages).toEqual([
      [{ values: { account: '111122223333', region: 'us-east-1', day: '2024-03-05' }, location: live }],
      [
        { values: { account: '111122223333', region: 'eu-west-1', day: '2024-03-05' }, location: compacted },
        { values: { account: '111122223333', region: 'ap-south-1', day: '2024-03-05' }, location: undefined },
      ],
    ]);
    const calls = glue.commandCalls(GetPartitionsCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      {
        CatalogId: undefined,
        DatabaseName: 'opslake',
        TableName: 'cloudtrail_events',
        Expression: "day >= '2024-03-05' AND day <= '2024-03-06' AND account = '111122223333'",
        ExcludeColumnSchema: true,
        NextToken: undefined,
      },
      expect.objectContaining({ NextToken: 'page-2' }),
    ]);
    await expect(async () => {
      for await (const _ of catalog().listPartitions(table, {
        fromDay: '2024-03-05',
        toDay: '2024-03-05',
        where: { account: "1' OR '1" },
      })) {
        // never reached
      }
    }).rejects.toThrow(CatalogError);
  });

  it('switches a partition with one UpdatePartition, and creates it when Glue does not know it', async () => {
    const table = lakeTable('stl_query');
    const location = 'redshift/stl_query/_compacted/cluster=etl/day=2024-03-05/gen=0123456789abcdef01234567/';
    glue.on(UpdatePartitionCommand).resolvesOnce({}).rejects(notFound('Partition'));
    glue.on(CreatePartitionCommand).resolves({});
    await catalog().switchPartition(table, { cluster: 'etl', day: '2024-03-05' }, location);
    await catalog().switchPartition(table, { cluster: 'etl', day: '2024-03-06' }, location.replace('2024-03-05', '2024-03-06'));
    const update = glue.commandCalls(UpdatePartitionCommand)[0]?.args[0].input;
    expect(update?.PartitionValueList).toEqual(['etl', '2024-03-05']);
    expect(update?.PartitionInput?.Values).toEqual(['etl', '2024-03-05']);
    expect(update?.PartitionInput?.StorageDescriptor?.Location).toBe(`${LAKE}/${location}`);
    expect(glue.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'UpdatePartitionCommand',
      'UpdatePartitionCommand',
      'CreatePartitionCommand',
    ]);
    expect(glue.commandCalls(CreatePartitionCommand)[0]?.args[0].input.PartitionInput?.Values).toEqual(['etl', '2024-03-06']);
  });
});
