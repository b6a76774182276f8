import {
  AccessDeniedException,
  AlreadyExistsException,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  GlueClient,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cloudTrailLogsView } from '../../../pipeline/catalog/cloudtrail-logs-view.js';
import { GlueCatalog } from '../../../pipeline/catalog/glue-catalog.js';
import { decodePrestoViewText, glueViewInput } from '../../../pipeline/catalog/glue-view-input.js';
import { lakeViews } from '../../../pipeline/catalog/lake-views.js';
import { CatalogError, InvalidIdentifierError } from '../../../pipeline/errors.js';

const glue = mockClient(GlueClient);
const VIEW = cloudTrailLogsView();

function catalog(): GlueCatalog {
  return new GlueCatalog({ client: new GlueClient({ region: 'eu-west-1' }), database: 'opslake', lakeLocation: 's3://acme-lake/lake' });
}

const notFound = () => new EntityNotFoundException({ message: 'Table cloudtrail_logs not found.', $metadata: {} });

describe('glueViewInput', () => {
  it("is an Athena view: VIRTUAL_VIEW with the Presto definition of the view's Trino SQL and columns", () => {
    const input = glueViewInput(VIEW, { database: 'opslake' });
    expect(input).toMatchObject({
      Name: 'cloudtrail_logs',
      TableType: 'VIRTUAL_VIEW',
      Parameters: { presto_view: 'true', comment: 'Presto View' },
      ViewExpandedText: '/* Presto View */',
      PartitionKeys: [],
    });
    expect(input.ViewOriginalText).toMatch(/^\/\* Presto View: [A-Za-z0-9+/]+=*\s\*\/$/);
    const definition = decodePrestoViewText(input.ViewOriginalText) as Record<string, unknown>;
    expect(definition).toMatchObject({ originalSql: VIEW.athenaSql, catalog: 'awsdatacatalog', schema: 'opslake', runAsInvoker: true });
    const columns = definition.columns as Array<{ name: string; type: string }>;
    expect(columns.map((column) => column.name)).toEqual(VIEW.columns.map((column) => column.name));
    expect(columns.find((column) => column.name === 'resources')?.type).toBe(
      'array(row("arn" varchar,"accountid" varchar,"type" varchar))',
    );
    expect(columns.find((column) => column.name === 'timestamp')?.type).toBe('varchar');
    expect(input.StorageDescriptor.Columns.find((column) => column.Name === 'tlsdetails')?.Type).toBe(
      'struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>',
    );
  });

  it('refuses a database name that could not be a Glue database', () => {
    expect(() => glueViewInput(VIEW, { database: 'lake; DROP' })).toThrow(InvalidIdentifierError);
  });
});

describe('GlueCatalog.ensureViews', () => {
  beforeEach(() => glue.reset());

  it('creates a missing view with exactly its view input', async () => {
    glue.on(GetTableCommand).rejects(notFound());
    glue.on(CreateTableCommand).resolves({});
    expect(await catalog().ensureViews(lakeViews())).toEqual([
      { table: 'cloudtrail_logs', action: 'created' },
      { table: 'redshift_statements', action: 'created' },
    ]);
    const creates = glue.commandCalls(CreateTableCommand).map((call) => call.args[0].input);
    expect(creates).toEqual(
      lakeViews().map((view) => ({ DatabaseName: 'opslake', TableInput: glueViewInput(view, { database: 'opslake' }) })),
    );
    expect(creates[0]).toEqual({ DatabaseName: 'opslake', TableInput: glueViewInput(VIEW, { database: 'opslake' }) });
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it('leaves a view alone when Glue holds the same definition, and replaces one that differs', async () => {
    const input = glueViewInput(VIEW, { database: 'opslake' });
    glue.on(GetTableCommand).resolves({ Table: { ...input, DatabaseName: 'opslake', CreateTime: new Date(), VersionId: '2' } });
    expect(await catalog().ensureViews([VIEW])).toEqual([{ table: 'cloudtrail_logs', action: 'unchanged' }]);
    glue.on(GetTableCommand).resolves({ Table: { ...input, ViewOriginalText: '/* Presto View: e30= */' } });
    glue.on(UpdateTableCommand).resolves({});
    expect(await catalog().ensureViews([VIEW])).toEqual([{ table: 'cloudtrail_logs', action: 'updated' }]);
    expect(glue.commandCalls(UpdateTableCommand)[0]?.args[0].input.TableInput).toEqual(input);
  });

  it('replaces the view when another run created it between GetTable and CreateTable', async () => {
    glue.on(GetTableCommand).rejects(notFound());
    glue.on(CreateTableCommand).rejects(new AlreadyExistsException({ message: 'Table already exists.', $metadata: {} }));
    glue.on(UpdateTableCommand).resolves({});
    expect(await catalog().ensureViews([VIEW])).toEqual([{ table: 'cloudtrail_logs', action: 'updated' }]);
  });

  it('fails with a CatalogError that says which permission is missing', async () => {
    glue.on(GetTableCommand).rejects(new AccessDeniedException({ message: 'not authorized', $metadata: {} }));
    const failure = catalog().ensureViews([VIEW]);
    await expect(failure).rejects.toThrow(CatalogError);
    await expect(failure).rejects.toThrow(/GetTable of the view opslake\.cloudtrail_logs failed: AccessDeniedException.*glue:GetTable/);
  });
});
