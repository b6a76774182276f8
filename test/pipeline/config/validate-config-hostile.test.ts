import { describe, expect, it } from 'vitest';
import { cluster, env, failure, load, SOURCE } from './validate-config-support.js';

/** Hostile values in every identifier are refused synchronously, before the environment is read. */
describe('validateConfig', () => {
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
});
