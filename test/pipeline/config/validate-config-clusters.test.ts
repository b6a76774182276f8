import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cluster, env, expectRejected, failure, type InvalidCase, PASSWORD, PASSWORD_START, SOURCE } from './validate-config-support.js';

/** Cluster documents refused, naming the field, and passwords kept out of every message. */
describe('validateConfig', () => {
  describe('rejects invalid configurations, naming the parameter', () => {
    const invalid: InvalidCase[] = [
      {
        what: 'clusters that are not a list',
        raw: { clusters: { analytics: {} } },
        parameter: `${SOURCE}: clusters`,
        message: 'expected a list of clusters, got an object',
      },
      {
        what: 'a cluster that is a string',
        raw: { clusters: ['analytics'] },
        parameter: `${SOURCE}: clusters[0]`,
        message: 'expected an object of key: value pairs, got a string',
      },
      {
        what: 'a table not in the registry',
        raw: { clusters: [cluster(), cluster({ name: 'billing', tables: ['stl_query', 'stl_scan', 'stl_foo'] })] },
        parameter: `${SOURCE}: clusters[1].tables[2]`,
        message: '"stl_foo" is not an exportable table; choose from stl_query, stl_querytext,',
      },
      {
        what: 'a misspelt cluster key',
        raw: { clusters: [cluster({ tabels: ['stl_query'] })] },
        parameter: `${SOURCE}: clusters[0].tabels`,
        message: 'unknown key "tabels" (did you mean tables?); allowed keys: name, kind,',
      },
      {
        what: 'a key in the wrong case',
        raw: { clusters: [cluster({ DBUser: 'x' })] },
        parameter: `${SOURCE}: clusters[0].DBUser`,
        message: 'did you mean dbUser?',
      },
      {
        what: 'a key with a newline in it',
        raw: { clusters: [cluster({ 'ta\nbles': [] })] },
        parameter: `${SOURCE}: clusters[0]["ta\\nbles"]`,
        message: 'unknown key "ta\\nbles"',
      },
      {
        what: 'a key with no value',
        raw: { clusters: [cluster({ tables: null })] },
        parameter: `${SOURCE}: clusters[0].tables`,
        message: 'has no value',
      },
      {
        what: 'a cluster with no name',
        raw: { clusters: [{ kind: 'provisioned', dbUser: 'x' }] },
        parameter: `${SOURCE}: clusters[0]`,
        message: 'has no name',
      },
      {
        what: 'an upper-case name',
        raw: { clusters: [cluster({ name: 'Analytics' })] },
        parameter: `${SOURCE}: clusters[0].name`,
        message: 'invalid cluster name "Analytics": use 1-63 lower-case letters',
      },
      {
        what: 'a name that is a number',
        raw: { clusters: [cluster({ name: 42 })] },
        parameter: `${SOURCE}: clusters[0].name`,
        message: 'expected a string, got a whole number',
      },
      {
        what: 'a cluster with no kind',
        raw: { clusters: [{ name: 'a', dbUser: 'x' }] },
        parameter: `${SOURCE}: clusters[0]`,
        message: 'has no kind; set kind: provisioned',
      },
      {
        what: 'an unknown kind',
        raw: { clusters: [cluster({ kind: 'provisoned' })] },
        parameter: `${SOURCE}: clusters[0].kind`,
        message: '"provisoned" is not a kind; choose provisioned or serverless',
      },
      {
        what: 'a provisioned cluster with no credentials',
        raw: { clusters: [{ name: 'a', kind: 'provisioned' }] },
        parameter: `${SOURCE}: clusters[0]`,
        message: 'needs dbUser (temporary credentials for that user) or secretArn',
      },
      {
        what: 'a provisioned cluster with both credentials',
        raw: { clusters: [cluster({ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' })] },
        parameter: `${SOURCE}: clusters[0].secretArn`,
        message: 'exactly one of dbUser and secretArn',
      },
      {
        what: 'a provisioned cluster with a workgroup',
        raw: { clusters: [cluster({ workgroupName: 'wg' })] },
        parameter: `${SOURCE}: clusters[0].workgroupName`,
        message: 'is for serverless workgroups',
      },
      {
        what: 'a serverless workgroup with a dbUser',
        raw: { clusters: [{ name: 'wg', kind: 'serverless', dbUser: 'x' }] },
        parameter: `${SOURCE}: clusters[0].dbUser`,
        message: "takes secretArn, or nothing to use the caller's IAM identity",
      },
      {
        what: 'a serverless workgroup with a cluster identifier',
        raw: { clusters: [{ name: 'wg', kind: 'serverless', clusterIdentifier: 'c' }] },
        parameter: `${SOURCE}: clusters[0].clusterIdentifier`,
        message: 'is for provisioned clusters',
      },
      {
        what: 'a secret that is not a Secrets Manager ARN',
        raw: { clusters: [cluster({ dbUser: undefined, secretArn: 'arn:aws:iam::123456789012:role/x' })] },
        parameter: `${SOURCE}: clusters[0].secretArn`,
        message: 'expected arn:aws:secretsmanager:',
      },
      {
        what: 'tables that are not a list',
        raw: { clusters: [cluster({ tables: 'stl_query' })] },
        parameter: `${SOURCE}: clusters[0].tables`,
        message: 'expected a list of tables, got a string; choose from stl_query',
      },
      {
        what: 'an empty table list',
        raw: { clusters: [cluster({ tables: [] })] },
        parameter: `${SOURCE}: clusters[0].tables`,
        message: 'lists no tables',
      },
      {
        what: 'a table listed twice',
        raw: { clusters: [cluster({ tables: ['stl_scan', 'stl_query', 'stl_scan'] })] },
        parameter: `${SOURCE}: clusters[0].tables[2]`,
        message: '"stl_scan" is listed twice (also at tables[0])',
      },
      {
        what: 'a table that is a number',
        raw: { clusters: [cluster({ tables: [7] })] },
        parameter: `${SOURCE}: clusters[0].tables[0]`,
        message: 'expected a table name, got a whole number; choose from',
      },
      {
        what: 'enabled as a word',
        raw: { clusters: [cluster({ enabled: 'yes' })] },
        parameter: `${SOURCE}: clusters[0].enabled`,
        message: 'expected true or false, got a string',
      },
      {
        what: 'two clusters of one name',
        raw: { clusters: [cluster(), cluster({ dbUser: 'other' })] },
        parameter: `${SOURCE}: clusters[1].name`,
        message: `"analytics" is already the name of ${SOURCE}: clusters[0]; cluster names must be unique`,
      },
      {
        what: 'a password in the file',
        raw: { clusters: [cluster({ password: PASSWORD })] },
        parameter: `${SOURCE}: clusters[0].password`,
        message: 'name that variable with passwordEnv',
      },
      {
        what: 'a password in the URL',
        raw: { clusters: [cluster({ postgres: `postgres://opslake:${PASSWORD}@db:5432/dev` })] },
        parameter: `${SOURCE}: clusters[0].postgres`,
        message:
          'has a password in it, which is refused; remove it from the URL and ' +
          'put the password in an environment variable and name that variable with passwordEnv',
      },
      {
        what: 'a password in the URL query',
        raw: { clusters: [cluster({ postgres: `postgres://db/dev?sslmode=require&Password=${PASSWORD}` })] },
        parameter: `${SOURCE}: clusters[0].postgres`,
        message: 'has a password in it',
      },
      {
        what: 'a URL of another database',
        raw: { clusters: [cluster({ postgres: 'mysql://db/dev' })] },
        parameter: `${SOURCE}: clusters[0].postgres`,
        message: 'is not a postgres:// URL',
      },
      {
        what: 'a URL that does not parse',
        raw: { clusters: [cluster({ postgres: 'db.example.com:5432' })] },
        parameter: `${SOURCE}: clusters[0].postgres`,
        message: 'expected postgres://<user>@<host>:<port>/<database>',
      },
      {
        what: 'pglite and postgres together',
        raw: { clusters: [cluster({ pglite: './a', postgres: 'postgres://db/dev' })] },
        parameter: `${SOURCE}: clusters[0].postgres`,
        message: 'at most one of pglite and postgres',
      },
      {
        what: 'passwordEnv without postgres',
        raw: { clusters: [cluster({ passwordEnv: 'ANALYTICS_PASSWORD' })] },
        parameter: `${SOURCE}: clusters[0].passwordEnv`,
        message: 'is only used with postgres',
      },
      {
        what: 'passwordEnv naming an unset variable',
        raw: { clusters: [cluster({ postgres: 'postgres://db/dev', passwordEnv: 'NOT_SET' })] },
        parameter: `${SOURCE}: clusters[0].passwordEnv`,
        message: 'names the environment variable NOT_SET, which is not set',
        options: { env },
      },
      {
        what: 'passwordEnv with no environment given',
        raw: { clusters: [cluster({ postgres: 'postgres://db/dev', passwordEnv: 'ANALYTICS_PASSWORD' })] },
        parameter: `${SOURCE}: clusters[0].passwordEnv`,
        message: 'which is not set',
      },
      {
        what: 'a pglite URL instead of a folder',
        raw: { clusters: [cluster({ pglite: 'file:///tmp/x' })] },
        parameter: `${SOURCE}: clusters[0].pglite`,
        message: 'expected a PGlite data folder',
      },
    ];

    it.each(invalid)('rejects $what', (invalidCase) => expectRejected(invalidCase));

    it('never puts a password in the message, even where it was written', () => {
      const written = [
        { clusters: [cluster({ password: PASSWORD })] },
        { clusters: [cluster({ postgres: `postgres://opslake:${PASSWORD}@db:5432/dev` })] },
        { clusters: [cluster({ postgres: `postgres://db/dev?password=${PASSWORD}` })] },
        { clusters: [cluster({ postgres: `mysql://opslake:${PASSWORD}@db/dev` })] },
        { clusters: [cluster({ postgres: `${PASSWORD}\n` })] },
        { clusters: [cluster({ postgres: 'postgres://db/dev', passwordEnv: 'ANALYTICS_PASSWORD', tables: ['nope'] })] },
      ];
      for (const raw of written) {
        const error = failure(raw, { env });
        expect(inspect(error, { depth: null })).not.toContain(PASSWORD_START);
        expect(error.parameter).not.toContain(PASSWORD_START);
      }
    });
  });
});
