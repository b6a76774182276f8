import { inspect } from 'node:util';
import type { Parameter } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError } from '../../../pipeline/errors.js';
import {
  PASSWORD,
  PASSWORD_START,
  analytics,
  client,
  direct,
  document,
  failure,
  password,
  serve,
  useMockedSsm,
} from './ssm-config-source-support.js';

useMockedSsm();

describe('SsmConfigSource', () => {
  describe('rejects what does not fit, naming the parameter', () => {
    const cases: Array<{ what: string; parameters: Parameter[]; parameter: string; message: string }> = [
      {
        what: 'a document that is not JSON',
        parameters: [document('/opslake/clusters/analytics', `{"kind": "provisioned", "dbUser": ${PASSWORD}}`)],
        parameter: '/opslake/clusters/analytics',
        message: 'is not valid JSON; store one JSON object',
      },
      {
        what: 'export settings that are not JSON',
        parameters: [analytics, document('/opslake/export', 'slotMinutes=15')],
        parameter: '/opslake/export',
        message: 'is not valid JSON',
      },
      {
        what: 'a StringList document',
        parameters: [document('/opslake/clusters/analytics', 'a,b', 'StringList')],
        parameter: '/opslake/clusters/analytics',
        message: 'is a StringList',
      },
      {
        what: 'a table not in the registry',
        parameters: [
          document('/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'x', tables: ['stl_query', 'stl_scan', 'stl_foo'] }),
        ],
        parameter: '/opslake/clusters/analytics: tables[2]',
        message: '"stl_foo" is not an exportable table; choose from stl_query',
      },
      {
        what: 'a name that contradicts the path',
        parameters: [document('/opslake/clusters/analytics', { name: 'billing', kind: 'provisioned', dbUser: 'x' })],
        parameter: '/opslake/clusters/analytics: name',
        message: '"billing" does not match the name in the parameter path, "analytics"',
      },
      {
        what: 'a misspelt key',
        parameters: [document('/opslake/clusters/analytics', { kind: 'provisioned', dbuser: 'x' })],
        parameter: '/opslake/clusters/analytics: dbuser',
        message: 'did you mean dbUser?',
      },
      {
        what: 'bad export settings',
        parameters: [analytics, document('/opslake/export', { slotMinutes: 7 })],
        parameter: '/opslake/export: slotMinutes',
        message: 'does not divide a day',
      },
      {
        what: 'a cluster name SSM allows and we do not',
        parameters: [document('/opslake/clusters/Analytics.Prod', { kind: 'provisioned', dbUser: 'x' })],
        parameter: '/opslake/clusters/Analytics.Prod',
        message: 'invalid cluster name "Analytics.Prod"',
      },
      {
        what: 'a cluster name longer than 63 characters',
        parameters: [document(`/opslake/clusters/${'a'.repeat(64)}`, { kind: 'provisioned', dbUser: 'x' })],
        parameter: `/opslake/clusters/${'a'.repeat(64)}`,
        message: 'use 1-63 lower-case letters',
      },
      {
        what: 'an unknown parameter under a cluster',
        parameters: [analytics, document('/opslake/clusters/analytics/tables', '["stl_query"]')],
        parameter: '/opslake/clusters/analytics/tables',
        message: 'is not a parameter opslake reads; under /opslake/clusters/ there is one JSON document per cluster',
      },
      {
        what: 'a parameter below the password',
        parameters: [analytics, document('/opslake/clusters/analytics/password/old', 'x')],
        parameter: '/opslake/clusters/analytics/password/old',
        message: 'is not a parameter opslake reads',
      },
      {
        what: 'all clusters in one document',
        parameters: [document('/opslake/clusters', [{ name: 'a' }])],
        parameter: '/opslake/clusters',
        message: 'is not a parameter opslake reads',
      },
      {
        what: 'no cluster at all',
        parameters: [document('/opslake/export', { slotMinutes: 15 })],
        parameter: '/opslake/clusters/',
        message: 'no cluster is configured; put one JSON document per cluster at /opslake/clusters/<name>',
      },
      {
        what: 'a pglite folder in SSM',
        parameters: [document('/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'x', pglite: '/tmp/pg' })],
        parameter: '/opslake/clusters/analytics: pglite',
        message: 'is a local mode for a configuration file',
      },
      {
        what: 'passwordEnv in SSM',
        parameters: [
          document('/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'x', postgres: 'postgres://db/dev', passwordEnv: 'X' }),
        ],
        parameter: '/opslake/clusters/analytics: passwordEnv',
        message: 'store the password as the SecureString parameter /opslake/clusters/analytics/password',
      },
      {
        what: 'a password in the document',
        parameters: [document('/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'x', password: PASSWORD })],
        parameter: '/opslake/clusters/analytics: password',
        message:
          'a password is never written in the configuration; ' +
          'store the password as the SecureString parameter /opslake/clusters/analytics/password',
      },
      {
        what: 'a password in the postgres URL',
        parameters: [
          document('/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'x', postgres: `postgres://x:${PASSWORD}@db/dev` }),
        ],
        parameter: '/opslake/clusters/analytics: postgres',
        message: 'has a password in it, which is refused; remove it from the URL and store the password as the SecureString parameter',
      },
      {
        what: 'a password stored as plain String',
        parameters: [direct, password('direct', 'String')],
        parameter: '/opslake/clusters/direct/password',
        message: 'a password must be a SecureString',
      },
      {
        what: 'a password with no cluster',
        parameters: [analytics, password('ghost')],
        parameter: '/opslake/clusters/ghost/password',
        message: 'has no cluster beside it; create the JSON document /opslake/clusters/ghost',
      },
      {
        what: 'a password for a cluster that does not use it',
        parameters: [analytics, password('analytics')],
        parameter: '/opslake/clusters/analytics/password',
        message: 'holds a password, but /opslake/clusters/analytics sets no postgres URL',
      },
    ];

    it.each(cases)('rejects $what', async ({ parameters, parameter, message }) => {
      serve(parameters);
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).parameter).toBe(parameter);
      expect(error.message).toContain(message);
    });

    // Beside each fault sits a valid cluster with a decrypted password, so that the password is
    // in memory, and in the parameters read, when the error is built.
    const withPassword = cases.filter(({ what }) => what !== 'no cluster at all');
    it.each(withPassword)('keeps the password out of the error when it rejects $what', async ({ parameters }) => {
      serve(
        [...parameters, password('direct'), direct].filter(
          (parameter, index, all) => all.findIndex((other) => other.Name === parameter.Name) === index,
        ),
      );
      const error = await failure(new SsmConfigSource({ client }));
      expect(inspect(error, { depth: null, showHidden: true })).not.toContain(PASSWORD_START);
      expect(JSON.stringify({ message: error.message, parameter: (error as ConfigError).parameter })).not.toContain(PASSWORD_START);
    });
  });
});
