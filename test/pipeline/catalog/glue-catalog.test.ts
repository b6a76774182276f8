import {
  AccessDeniedException,
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  GlueClient,
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
    projectedValues: { cluster: ['analytics', 'etl'] },
  });
}

/** A table as GetTable returns it: what was put, plus the fields Glue adds itself. */
function stored(table: LakeTable, extraParameters: Record<string, string> = {}): Table {
  const input = glueTableInput(table, { lakeLocation: LAKE, projectedValues: { cluster: ['analytics', 'etl'] } });
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
        TableInput: glueTableInput(table, { lakeLocation: LAKE, projectedValues: { cluster: ['analytics', 'etl'] } }),
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

  it('adds a column added to the registry at the end with UpdateTable, keeping parameters set by others', async () => {
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
    expect(input?.TableInput?.Parameters?.['projection.cluster.values']).toBe('analytics,etl');
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
});
