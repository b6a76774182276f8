import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailLogsView } from '../../pipeline/catalog/cloudtrail-logs-view.js';
import { redshiftStatementsView } from '../../pipeline/catalog/redshift-statements-view.js';
import { athenaLakeViewDdl } from '../../pipeline/tables/lake-view.js';
import { QueryLibrary } from '../../pipeline/query/query-library.js';
import { buildTestApp, FLEET, removeTestApps } from './infra-test-app.js';

describe('loadLakeSources', () => {
  afterAll(removeTestApps);

  let calls: Array<{ action: string; parameters: { QueryString: string; WorkGroup: string } }>;
  let queries: QueryLibrary;

  beforeAll(async () => {
    const template = (await buildTestApp({ 'opslake:clusters': FLEET })).template('storage');
    // The stack's other deploy-time calls (the tables' partition indexes) are not views.
    calls = Object.values(template.findResources('Custom::AWS'))
      .map((resource) => JSON.parse(String(resource.Properties?.Create)))
      .filter((call) => call.action === 'startQueryExecution');
    queries = await QueryLibrary.load();
  });

  it('has the storage stack create the lake views, then the views of queries/, by running their DDL in the workgroup', () => {
    const views = calls.map((call) => /^CREATE OR REPLACE VIEW (\w+) AS\n/.exec(call.parameters.QueryString)?.[1]);
    expect(views).toEqual(['cloudtrail_logs', 'redshift_statements', ...queries.views().map((query) => query.view)]);
    expect(calls[1]?.parameters.QueryString).toBe(athenaLakeViewDdl(redshiftStatementsView()));
    expect(calls[0]).toMatchObject({ action: 'startQueryExecution', parameters: { WorkGroup: 'opslake' } });
    expect(calls[0]?.parameters.QueryString).toBe(`CREATE OR REPLACE VIEW cloudtrail_logs AS\n${cloudTrailLogsView().athenaSql}`);
  });
});
