import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetSql, parameterSql } from '../../infra/quicksight/data-set-sql.js';
import { parseQueryFile } from '../../pipeline/query/query-definition.js';
import { QueryLibrary } from '../../pipeline/query/query-library.js';
import { sqlTokens } from '../../pipeline/query/sql-tokens.js';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { FLEET, buildTestApp, removeTestApps } from './infra-test-app.js';
import { type Resource, resourceWhere, resources, valueAt } from './template-queries.js';

const PRINCIPAL = 'arn:aws:quicksight:eu-west-1:123456789012:group/default/opslake-admins';

/** The custom SQL of a data set's only physical table. */
const customSql = (dataSet: Resource, field: 'Name' | 'SqlQuery') =>
  valueAt(Object.values(valueAt(dataSet.Properties, 'PhysicalTableMap') as object)[0], 'CustomSql', field);

describe('QuickSightStack', () => {
  afterAll(removeTestApps);

  let template: Template;
  let queries: QueryLibrary;

  beforeAll(async () => {
    const result = await buildTestApp({
      'opslake:clusters': FLEET,
      'opslake:quickSight': true,
      'opslake:quickSightPrincipalArn': PRINCIPAL,
    });
    template = result.template('quickSight');
    queries = await QueryLibrary.load();
  });

  it('is only part of the app when the context flag asks for it', async () => {
    const without = await buildTestApp({ 'opslake:clusters': FLEET });
    expect(without.stacks.quickSight).toBeUndefined();
  });

  it('reads Athena through the opslake workgroup, owned by the configured principal', () => {
    template.hasResourceProperties('AWS::QuickSight::DataSource', {
      Type: 'ATHENA',
      DataSourceParameters: { AthenaParameters: { WorkGroup: 'opslake' } },
      SslProperties: { DisableSsl: false },
      Permissions: [Match.objectLike({ Principal: PRINCIPAL })],
    });
  });

  it('makes a direct-query data set of every query that is not a view', () => {
    const dataSets = resources(template, 'AWS::QuickSight::DataSet').map(([, dataSet]) => dataSet);
    const expected = queries.queries.filter((query) => !query.view);
    expect(dataSets.map((dataSet) => customSql(dataSet, 'Name')).sort()).toEqual(expected.map((q) => q.name).sort());
    for (const dataSet of dataSets) {
      expect(dataSet.Properties.ImportMode).toBe('DIRECT_QUERY');
      const sql = customSql(dataSet, 'SqlQuery') as string;
      // QuickSight cannot bind :name parameters; none may be left.
      expect([...sqlTokens(sql)].filter((token) => token.kind === 'parameter')).toEqual([]);
    }
  });

  it('shows each data set in one dashboard visual of the suggested chart type', () => {
    const [, dashboard] = resourceWhere(template, 'AWS::QuickSight::Dashboard');
    const visuals = valueAt(dashboard.Properties, 'Definition', 'Sheets', 0, 'Visuals') as Array<Record<string, unknown>>;
    const kinds = visuals.map((visual) => Object.keys(visual)[0]);
    const expected = queries.queries
      .filter((query) => !query.view)
      .map(
        (query) =>
          ({ line: 'LineChartVisual', bar: 'BarChartVisual', 'stacked-bar': 'BarChartVisual', table: 'TableVisual' })[query.chart.type],
      );
    expect(kinds).toEqual(expected);
    expect(valueAt(dashboard.Properties, 'Definition', 'DataSetIdentifierDeclarations')).toHaveLength(expected.length);
    expect(valueAt(dashboard.Properties, 'Permissions', 0, 'Principal')).toBe(PRINCIPAL);
  });

  it('lets the QuickSight service role read the lake and use the lake key, nothing more of the bucket', () => {
    const [, policy] = resourceWhere(template, 'AWS::IAM::Policy');
    expect(policy.Properties.Roles).toEqual(['aws-quicksight-service-role-v0']);
    const statements = valueAt(policy.Properties, 'PolicyDocument', 'Statement') as Array<{ Sid: string; Action: string | string[] }>;
    expect(statements.find((s) => s.Sid === 'LakeRead')?.Action).toBe('s3:GetObject');
    for (const statement of statements) expect(JSON.stringify(statement.Action)).not.toMatch(/\*|Delete/);
  });
});

describe('dataSetSql', () => {
  const query = (sql: string, chart = '{ type: line, x: hour, y: statements, series: cluster }') =>
    parseQueryFile(
      'probe',
      `/*\nname: probe\ntitle: Probe\ndescription: d\nparameters:\n  - { name: from_day, type: day, default: today-7d, description: d }\nchart: ${chart}\n*/\n${sql}`,
    );

  it('declares the select list with types from the registry, the functions and the chart', () => {
    const result = dataSetSql(
      query(
        "SELECT cluster, date_trunc('hour', endtime) AS hour, count(*) AS statements, max(starttime) AS latest, querytxt FROM stl_query WHERE day >= :from_day",
      ),
      lakeTables(),
    );
    expect('columns' in result && result.columns).toEqual([
      { name: 'cluster', type: 'STRING' },
      { name: 'hour', type: 'DATETIME' },
      { name: 'statements', type: 'DECIMAL' },
      { name: 'latest', type: 'DATETIME' },
      { name: 'querytxt', type: 'STRING' },
    ]);
  });

  it('casts every column to its declared type around the original statement', () => {
    const result = dataSetSql(
      query("SELECT cluster, date_trunc('hour', endtime) AS hour, count(*) AS statements FROM stl_query WHERE day >= :from_day"),
      lakeTables(),
    );
    expect('sql' in result && result.sql).toContain('TRY_CAST(q."statements" AS double) AS "statements"');
    expect('sql' in result && result.sql).toContain(
      `WHERE day >= ${parameterSql({ name: 'from_day', type: 'day', default: 'today-7d', description: '' })}`,
    );
  });

  it('turns relative defaults into SQL relative to the day the dashboard is read', () => {
    expect(parameterSql({ name: 'd', type: 'day', default: 'today-7d', description: '' })).toBe(
      "format_datetime(date_trunc('day', current_timestamp AT TIME ZONE 'UTC') - INTERVAL '7' DAY, 'yyyy-MM-dd')",
    );
    expect(parameterSql({ name: 't', type: 'timestamp', default: 'now-24h', description: '' })).toBe(
      "format_datetime(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '24' HOUR, 'yyyy-MM-dd HH:mm:ss')",
    );
    expect(parameterSql({ name: 's', type: 'string', default: "it's", description: '' })).toBe("'it''s'");
    expect(parameterSql({ name: 'n', type: 'integer', default: '25', description: '' })).toBe('25');
  });

  it('skips a statement whose columns cannot be named', () => {
    expect(dataSetSql(query('SELECT * FROM stl_query WHERE day >= :from_day', '{ type: table }'), lakeTables())).toHaveProperty('skipped');
  });
});
