import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../pipeline/errors.js';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { allowedTables } from '../../../pipeline/config/validate-source-views.js';
import { dialectTables, EXPORT_TABLE_NAMES, STL_VIEW_NAMES, SYS_VIEW_NAMES } from '../../../pipeline/tables/registry.js';
import { client, document, failure as ssmFailure, serve, useMockedSsm } from './ssm-config-source-support.js';
import { cluster, expectRejected, firstCluster, type InvalidCase, load, SOURCE } from './validate-config-support.js';

const workgroup = (fields: Record<string, unknown> = {}) => ({ name: 'wg', kind: 'serverless', ...fields });

describe('validateConfig: views and the tables they allow', () => {
  it('reads every source through auto by default, and takes stl or sys as written', () => {
    const config = load({
      clusters: [cluster(), cluster({ name: 'b', views: 'stl' }), cluster({ name: 'c', views: 'sys' }), workgroup({ views: 'sys' })],
    });
    expect(config.clusters.map((source) => source.views)).toEqual(['auto', 'stl', 'sys', 'sys']);
    expect(firstCluster(load({ clusters: [workgroup()] })).views).toBe('auto');
  });

  it('exports every table by default: each run keeps those of the dialect the source is read through', () => {
    expect(firstCluster(load({ clusters: [workgroup()] })).tables).toEqual(EXPORT_TABLE_NAMES);
    expect(firstCluster(load({ clusters: [cluster({ views: 'stl' })] })).tables).toEqual(EXPORT_TABLE_NAMES);
  });

  it('accepts the table names of the dialect a source may be read through', () => {
    const sys = ['sys_query_history', 'sys_serverless_usage', 'query_text'];
    expect(firstCluster(load({ clusters: [workgroup({ tables: sys })] })).tables).toEqual(sys);
    const mixed = ['stl_query', 'sys_query_history', 'query_text'];
    expect(firstCluster(load({ clusters: [cluster({ tables: mixed })] })).tables).toEqual(mixed);
  });

  it('allows on each kind and setting exactly the tables of its dialects', () => {
    const stl = dialectTables('stl', 'provisioned');
    expect(allowedTables('provisioned', 'stl')).toEqual(stl);
    expect(allowedTables('serverless', 'auto')).toEqual(dialectTables('sys', 'serverless'));
    expect(allowedTables('serverless', 'sys')).toContain('sys_serverless_usage');
    expect(allowedTables('provisioned', 'sys')).not.toContain('sys_serverless_usage');
    expect(allowedTables('provisioned', 'auto')).toEqual([
      ...STL_VIEW_NAMES,
      ...SYS_VIEW_NAMES.filter((v) => v !== 'sys_serverless_usage'),
      'query_text',
    ]);
  });

  const invalid: InvalidCase[] = [
    {
      what: 'an unknown views setting',
      raw: { clusters: [cluster({ views: 'stv' })] },
      parameter: `${SOURCE}: clusters[0].views`,
      message: '"stv" is not a family of system views; choose auto (the default',
    },
    {
      what: 'views that are not a word',
      raw: { clusters: [cluster({ views: ['stl'] })] },
      parameter: `${SOURCE}: clusters[0].views`,
      message: 'a list is not a family of system views',
    },
    {
      what: 'STL views for a Serverless workgroup',
      raw: { clusters: [workgroup({ views: 'stl' })] },
      parameter: `${SOURCE}: clusters[0].views`,
      message: 'is stl, but a Serverless workgroup has no STL views; set views: sys or leave views out',
    },
    {
      what: 'an STL view on a Serverless workgroup',
      raw: { clusters: [workgroup({ tables: ['sys_query_history', 'stl_query'] })] },
      parameter: `${SOURCE}: clusters[0].tables[1]`,
      message: '"stl_query" is an STL view, and a Serverless workgroup has only the SYS views; choose from sys_query_history,',
    },
    {
      what: 'Serverless usage on a provisioned cluster',
      raw: { clusters: [cluster({ tables: ['sys_serverless_usage'] })] },
      parameter: `${SOURCE}: clusters[0].tables[0]`,
      message: '"sys_serverless_usage" exists only on Serverless workgroups',
    },
    {
      what: 'a SYS view with views: stl',
      raw: { clusters: [cluster({ views: 'stl', tables: ['stl_query', 'sys_query_text'] })] },
      parameter: `${SOURCE}: clusters[0].tables[1]`,
      message: '"sys_query_text" is a SYS view, and views: stl reads the STL views; choose from stl_query,',
    },
    {
      what: 'an STL view with views: sys',
      raw: { clusters: [cluster({ views: 'sys', tables: ['stl_scan'] })] },
      parameter: `${SOURCE}: clusters[0].tables[0]`,
      message: '"stl_scan" is an STL view, and views: sys reads the SYS views',
    },
  ];

  it.each(invalid)('rejects $what', (invalidCase) => expectRejected(invalidCase));
});

describe('SsmConfigSource: views', () => {
  useMockedSsm();

  it('takes views from the JSON document and names the parameter when it is wrong', async () => {
    serve([document('/opslake/clusters/wg', { kind: 'serverless', views: 'sys', tables: ['sys_query_history', 'query_text'] })]);
    const config = await new SsmConfigSource({ client }).load();
    expect(config.clusters[0]).toMatchObject({ name: 'wg', views: 'sys', workgroupName: 'wg', auth: { type: 'iam' } });

    serve([document('/opslake/clusters/wg', { kind: 'serverless', tables: ['stl_query'] })]);
    const error = await ssmFailure(new SsmConfigSource({ client }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('/opslake/clusters/wg: tables[0]: "stl_query" is an STL view, and a Serverless workgroup has only');
  });
});
