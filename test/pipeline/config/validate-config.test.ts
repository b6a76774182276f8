import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../pipeline/errors.js';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { DEFAULT_EXPORT_SETTINGS } from '../../../pipeline/config/opslake-config.js';
import { Secret } from '../../../pipeline/config/secret.js';
import { validateConfig, type ValidateConfigOptions } from '../../../pipeline/config/validate-config.js';
import { EXPORT_TABLE_NAMES } from '../../../pipeline/tables/registry.js';

const SOURCE = 'opslake.yaml';
const PASSWORD = 'pa55-w0rd-never-shown';
/** A parser that quotes the text around a fault may show only part of it. */
const PASSWORD_START = PASSWORD.slice(0, 6);

/** A valid provisioned cluster with some fields replaced; a field set to undefined is left out. */
function cluster(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { name: 'analytics', kind: 'provisioned', dbUser: 'opslake', ...fields };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function load(raw: unknown, options: Partial<ValidateConfigOptions> = {}) {
  return validateConfig(raw, { source: SOURCE, ...options });
}

function failure(raw: unknown, options: Partial<ValidateConfigOptions> = {}): ConfigError {
  try {
    load(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

const env = { ANALYTICS_PASSWORD: PASSWORD };

describe('validateConfig', () => {
  describe('accepts valid configurations', () => {
    it('applies every default to a minimal provisioned cluster', () => {
      const config = load({ clusters: [cluster()] });
      expect(config).toEqual({
        clusters: [
          {
            name: 'analytics',
            kind: 'provisioned',
            clusterIdentifier: 'analytics',
            database: 'dev',
            auth: { type: 'db-user', dbUser: 'opslake' },
            tables: [...EXPORT_TABLE_NAMES],
            enabled: true,
            connection: { type: 'data-api' },
          },
        ],
        export: DEFAULT_EXPORT_SETTINGS,
        compaction: DEFAULT_COMPACTION_SETTINGS,
      });
      expect(Object.keys(config)).toEqual(['clusters', 'export', 'compaction']);
    });

    it.each([
      {
        what: 'a serverless workgroup with no auth uses IAM and its name as workgroup',
        raw: { name: 'wg', kind: 'serverless' },
        expected: { workgroupName: 'wg', auth: { type: 'iam' } },
      },
      {
        what: 'a serverless workgroup with a secret',
        raw: {
          name: 'wg',
          kind: 'serverless',
          workgroupName: 'wg-prod',
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opslake/wg-AbCdEf',
        },
        expected: {
          workgroupName: 'wg-prod',
          auth: { type: 'secret', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opslake/wg-AbCdEf' },
        },
      },
      {
        what: 'a provisioned cluster with a secret, its own identifier, database, tables and enabled: false',
        raw: {
          name: 'analytics',
          kind: 'provisioned',
          clusterIdentifier: 'analytics-prod',
          database: 'warehouse',
          secretArn: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x',
          tables: ['stl_query', 'query_text'],
          enabled: false,
        },
        expected: {
          clusterIdentifier: 'analytics-prod',
          database: 'warehouse',
          auth: { type: 'secret', secretArn: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x' },
          tables: ['stl_query', 'query_text'],
          enabled: false,
        },
      },
      {
        what: 'a postgres URL with no password',
        raw: cluster({ postgres: 'postgres://opslake@db.example.com:5432/dev' }),
        expected: { connection: { type: 'postgres', url: 'postgres://opslake@db.example.com:5432/dev' } },
      },
    ])('accepts $what', ({ raw, expected }) => {
      const [only] = load({ clusters: [raw] }).clusters;
      expect(only).toMatchObject(expected);
    });

    it('does not give a serverless workgroup a cluster identifier, nor a provisioned cluster a workgroup', () => {
      const config = load({ clusters: [{ name: 'wg', kind: 'serverless' }, cluster()] });
      expect(config.clusters[0]).not.toHaveProperty('clusterIdentifier');
      expect(config.clusters[1]).not.toHaveProperty('workgroupName');
    });

    it('merges partial export settings with the defaults', () => {
      const config = load({ clusters: [], export: { slotMinutes: 30 } });
      expect(config.export).toEqual({ slotMinutes: 30, latenessMinutes: 15, concurrency: 4 });
    });

    it.each([5, 15, 60, 90, 720, 1440])('accepts slots of %i minutes, which divide a day', (slotMinutes) => {
      expect(load({ export: { slotMinutes } }).export.slotMinutes).toBe(slotMinutes);
    });

    it('accepts the bounds of lateness and concurrency', () => {
      expect(load({ export: { latenessMinutes: 0, concurrency: 1 } }).export).toMatchObject({ latenessMinutes: 0, concurrency: 1 });
      expect(load({ export: { latenessMinutes: 1440, concurrency: 32 } }).export).toMatchObject({ latenessMinutes: 1440, concurrency: 32 });
    });

    it('resolves local paths against the base folder and keeps s3:// and dynamodb:// as locations', () => {
      const config = load(
        {
          lake: 's3://my-lake/opslake/',
          state: 'dynamodb://opslake-state',
          catalog: './catalog.duckdb',
          clusters: [cluster({ pglite: 'clusters/analytics' })],
        },
        { baseDir: '/srv/opslake' },
      );
      expect(config.lake).toBe('s3://my-lake/opslake');
      expect(config.state).toBe('dynamodb://opslake-state');
      expect(config.catalog).toBe('/srv/opslake/catalog.duckdb');
      expect(config.clusters[0]?.connection).toEqual({ type: 'pglite', dataDir: '/srv/opslake/clusters/analytics' });
    });

    it('keeps relative paths as written when no base folder is given', () => {
      const config = load({ lake: './lake', state: '../state' });
      expect(config).toMatchObject({ lake: './lake', state: '../state' });
    });

    it('accepts a configuration with no clusters', () => {
      expect(load({ lake: './lake' }).clusters).toEqual([]);
    });
  });

  describe('rejects invalid configurations, naming the parameter', () => {
    const invalid: Array<{ what: string; raw: unknown; parameter: string; message: string; options?: Partial<ValidateConfigOptions> }> = [
      { what: 'nothing at all', raw: null, parameter: SOURCE, message: 'is empty' },
      { what: 'a list at the top', raw: [cluster()], parameter: SOURCE, message: 'expected an object of key: value pairs, got a list' },
      {
        what: 'an unknown top-level key',
        raw: { clusterz: [] },
        parameter: `${SOURCE}: clusterz`,
        message: 'unknown key "clusterz" (did you mean clusters?)',
      },
      {
        what: 'an own __proto__ key',
        raw: JSON.parse('{"__proto__": {"polluted": true}}'),
        parameter: `${SOURCE}: __proto__`,
        message: 'unknown key "__proto__"',
      },
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
        what: 'a misspelt export key',
        raw: { export: { slotMinute: 30 } },
        parameter: `${SOURCE}: export.slotMinute`,
        message: 'did you mean slotMinutes?',
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
        what: 'slots that do not divide a day',
        raw: { export: { slotMinutes: 7 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'does not divide a day (1440 minutes), so slots would cross UTC midnight; choose one of 5, 6, 8, 9, 10',
      },
      {
        what: 'slots shorter than 5 minutes',
        raw: { export: { slotMinutes: 4 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: '4 is out of range; choose a whole number from 5 to 1440',
      },
      {
        what: 'slots longer than a day',
        raw: { export: { slotMinutes: 2880 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'from 5 to 1440',
      },
      {
        what: 'fractional slots',
        raw: { export: { slotMinutes: 60.5 } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'expected a whole number from 5 to 1440, got 60.5',
      },
      {
        what: 'slots as a string',
        raw: { export: { slotMinutes: '60' } },
        parameter: `${SOURCE}: export.slotMinutes`,
        message: 'got a string',
      },
      {
        what: 'negative lateness',
        raw: { export: { latenessMinutes: -1 } },
        parameter: `${SOURCE}: export.latenessMinutes`,
        message: 'from 0 to 1440',
      },
      {
        what: 'lateness over a day',
        raw: { export: { latenessMinutes: 1441 } },
        parameter: `${SOURCE}: export.latenessMinutes`,
        message: '1441 is out of range',
      },
      { what: 'no concurrency', raw: { export: { concurrency: 0 } }, parameter: `${SOURCE}: export.concurrency`, message: 'from 1 to 32' },
      {
        what: 'too much concurrency',
        raw: { export: { concurrency: 33 } },
        parameter: `${SOURCE}: export.concurrency`,
        message: '33 is out of range',
      },
      { what: 'export settings as a list', raw: { export: [60] }, parameter: `${SOURCE}: export`, message: 'got a list' },
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
          'has a password in it, which is refused; remove it from the URL and put the password in an environment variable ' +
          'and name that variable with passwordEnv',
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
      {
        what: 'a lake in an unknown scheme',
        raw: { lake: 'gs://bucket/lake' },
        parameter: `${SOURCE}: lake`,
        message: 'expected a folder or s3://bucket/prefix',
      },
      {
        what: 'a lake bucket that S3 would refuse',
        raw: { lake: 's3://My_Bucket/lake' },
        parameter: `${SOURCE}: lake`,
        message: '"My_Bucket" is not an S3 bucket name',
      },
      {
        what: 'a lake prefix that climbs',
        raw: { lake: 's3://bucket/lake/../other' },
        parameter: `${SOURCE}: lake`,
        message: 'no . or .. segments',
      },
      {
        what: 'a lake prefix with an empty segment',
        raw: { lake: 's3://bucket/lake//x' },
        parameter: `${SOURCE}: lake`,
        message: '"" is not allowed in the S3 prefix',
      },
      {
        what: 'a lake folder with a control character',
        raw: { lake: './la\u0000ke' },
        parameter: `${SOURCE}: lake`,
        message: 'contains a control character',
      },
      { what: 'an empty lake', raw: { lake: ' ' }, parameter: `${SOURCE}: lake`, message: 'is empty' },
      {
        what: 'a state table name DynamoDB would refuse',
        raw: { state: 'dynamodb://a' },
        parameter: `${SOURCE}: state`,
        message: 'is not a DynamoDB table name',
      },
      { what: 'a catalog in Glue', raw: { catalog: 'glue://db' }, parameter: `${SOURCE}: catalog`, message: 'expected a file path' },
    ];

    it.each(invalid)('rejects $what', ({ raw, parameter, message, options }) => {
      const error = failure(raw, options);
      expect(error.parameter).toBe(parameter);
      expect(error.message).toContain(message);
      expect(error.message.startsWith(`${parameter}: `)).toBe(true);
    });

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

  describe('refuses hostile values before anything else happens', () => {
    const hostile = ['a; drop table x', '../../etc', 'a'.repeat(300), 'stl_query\u0000', 'ana\nlytics', "x' or '1'='1", 'x"; --'];
    // Every case reaches the database with a password from the environment once valid, so a
    // validator that looked at the connection first would read the environment.
    const local = { postgres: 'postgres://opslake@db:5432/dev', passwordEnv: 'ANALYTICS_PASSWORD' };
    const fields: Array<{ field: string; raw: (value: string) => Record<string, unknown>; at: string }> = [
      { field: 'name', raw: (value) => cluster({ ...local, name: value }), at: 'clusters[0].name' },
      { field: 'clusterIdentifier', raw: (value) => cluster({ ...local, clusterIdentifier: value }), at: 'clusters[0].clusterIdentifier' },
      {
        field: 'workgroupName',
        raw: (value) => ({ ...local, name: 'wg', kind: 'serverless', workgroupName: value }),
        at: 'clusters[0].workgroupName',
      },
      { field: 'database', raw: (value) => cluster({ ...local, database: value }), at: 'clusters[0].database' },
      { field: 'dbUser', raw: (value) => cluster({ ...local, dbUser: value }), at: 'clusters[0].dbUser' },
      { field: 'secretArn', raw: (value) => cluster({ ...local, dbUser: undefined, secretArn: value }), at: 'clusters[0].secretArn' },
      { field: 'tables', raw: (value) => cluster({ ...local, tables: [value] }), at: 'clusters[0].tables[0]' },
      { field: 'passwordEnv', raw: (value) => cluster({ ...local, passwordEnv: value }), at: 'clusters[0].passwordEnv' },
    ];
    const cases = [
      ...fields.flatMap(({ field, raw, at }) => hostile.map((value) => ({ field, value, raw: raw(value), at }))),
      { field: 'tables', value: 'stl_foo', raw: cluster({ ...local, tables: ['stl_foo'] }), at: 'clusters[0].tables[0]' },
    ];

    it.each(cases)('rejects $field = $value synchronously, with the field named and the environment unread', ({ raw, at }) => {
      const reads: string[] = [];
      const recordingEnv = new Proxy(env, {
        get(target, key) {
          reads.push(String(key));
          return Reflect.get(target, key);
        },
      });
      const error = failure({ clusters: [raw] }, { env: recordingEnv });
      expect(error.parameter).toBe(`${SOURCE}: ${at}`);
      expect(reads).toEqual([]);
    });

    it('reads the environment once every identifier has passed', () => {
      const reads: string[] = [];
      const recordingEnv = new Proxy(env, {
        get(target, key) {
          reads.push(String(key));
          return Reflect.get(target, key);
        },
      });
      load({ clusters: [cluster(local)] }, { env: recordingEnv });
      expect(reads).toEqual(['ANALYTICS_PASSWORD']);
    });

    it('rejects cluster names of 64 characters and accepts 63', () => {
      expect(failure({ clusters: [cluster({ name: `a${'b'.repeat(63)}` })] }).parameter).toBe(`${SOURCE}: clusters[0].name`);
      expect(load({ clusters: [cluster({ name: `a${'b'.repeat(62)}` })] }).clusters[0]?.name).toHaveLength(63);
      expect(failure({ clusters: [cluster({ clusterIdentifier: 'c'.repeat(64) })] }).parameter).toBe(
        `${SOURCE}: clusters[0].clusterIdentifier`,
      );
    });

    it('shows a control character escaped, so the message stays on one line', () => {
      const error = failure({ clusters: [cluster({ name: 'ana\nlytics' })] });
      expect(error.message).toContain('"ana\\nlytics"');
      expect(error.message).not.toContain('\n');
    });
  });

  describe('the result', () => {
    const config = load(
      { lake: './lake', clusters: [cluster({ postgres: 'postgres://opslake@db:5432/dev', passwordEnv: 'ANALYTICS_PASSWORD' })] },
      { env },
    );
    const [first] = config.clusters as ClusterConfig[];

    it('is frozen all the way down', () => {
      if (first === undefined) throw new Error('the config has no cluster');
      expect(() => {
        (config as { lake?: string }).lake = '/elsewhere';
      }).toThrow(TypeError);
      expect(() => (config.clusters as ClusterConfig[]).push(first as ClusterConfig)).toThrow(TypeError);
      expect(() => {
        (config.export as { concurrency: number }).concurrency = 32;
      }).toThrow(TypeError);
      expect(() => (first.tables as string[]).push('stl_foo')).toThrow(TypeError);
      expect(() => {
        (first.auth as { dbUser: string }).dbUser = 'admin';
      }).toThrow(TypeError);
      expect(() => {
        (first.connection as { url: string }).url = 'postgres://evil/dev';
      }).toThrow(TypeError);
      expect(config.lake).toBe('./lake');
    });

    it('does not share its export settings with the defaults', () => {
      expect(config.export).toEqual(DEFAULT_EXPORT_SETTINGS);
      expect(config.export).not.toBe(DEFAULT_EXPORT_SETTINGS);
    });

    it('wraps the password from passwordEnv in a Secret that never prints', () => {
      const connection = first?.connection;
      expect(connection?.type).toBe('postgres');
      const password = connection?.type === 'postgres' ? connection.password : undefined;
      expect(password).toBeInstanceOf(Secret);
      expect(password?.reveal()).toBe(PASSWORD);
      expect(JSON.stringify(config)).not.toContain(PASSWORD_START);
      expect(inspect(config, { depth: null })).not.toContain(PASSWORD_START);
      expect(String(password)).toBe('[redacted]');
      expect(`${String(config.clusters[0]?.connection.type)} ${String(password)}`).not.toContain(PASSWORD_START);
    });
  });
});
