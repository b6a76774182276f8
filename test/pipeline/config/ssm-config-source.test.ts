import { inspect } from 'node:util';
import { GetParametersByPathCommand, SSMClient, type GetParametersByPathCommandInput, type Parameter } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { Secret } from '../../../pipeline/config/secret.js';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError, ConnectionError, ThrottledError } from '../../../pipeline/errors.js';
import { EXPORT_TABLE_NAMES } from '../../../pipeline/tables/registry.js';

const PASSWORD = 'Sup3r-s3cret-pa55word';
/** A parser that quotes the text around a fault may show only part of it. */
const PASSWORD_START = PASSWORD.slice(0, 6);
const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const ssm = mockClient(client);

function document(name: string, value: unknown, type: Parameter['Type'] = 'String'): Parameter {
  return { Name: name, Type: type, Value: typeof value === 'string' ? value : JSON.stringify(value) };
}

function password(name: string, type: Parameter['Type'] = 'SecureString'): Parameter {
  return { Name: `/opslake/clusters/${name}/password`, Type: type, Value: PASSWORD };
}

/** Serves the parameters in pages of `size`, following NextToken as SSM does. */
function serve(parameters: Parameter[], size = 10): void {
  ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    const end = start + size;
    return { Parameters: parameters.slice(start, end), NextToken: end < parameters.length ? `page-${end}` : undefined };
  });
}

function calls(): GetParametersByPathCommandInput[] {
  return ssm.commandCalls(GetParametersByPathCommand).map((call) => call.args[0].input);
}

async function failure(source: SsmConfigSource): Promise<Error> {
  const error: unknown = await source.load().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const analytics = document('/opslake/clusters/analytics', {
  kind: 'provisioned',
  clusterIdentifier: 'analytics-prod',
  dbUser: 'opslake',
  tables: ['stl_query'],
});
const direct = document('/opslake/clusters/direct', {
  kind: 'provisioned',
  dbUser: 'opslake',
  postgres: 'postgres://opslake@db.internal:5439/dev',
});

beforeEach(() => {
  ssm.reset();
});

afterAll(() => {
  ssm.restore();
});

describe('SsmConfigSource', () => {
  it('follows every page, asking for the whole tree with decryption', async () => {
    const workgroups = Array.from({ length: 23 }, (_, index) =>
      document(`/opslake/clusters/wg-${String(index).padStart(2, '0')}`, { kind: 'serverless' }),
    );
    serve(workgroups, 10);
    const config = await new SsmConfigSource({ client }).load();
    expect(config.clusters).toHaveLength(23);
    expect(calls()).toEqual([
      { Path: '/opslake', Recursive: true, WithDecryption: true, MaxResults: 10, NextToken: undefined },
      { Path: '/opslake', Recursive: true, WithDecryption: true, MaxResults: 10, NextToken: 'page-10' },
      { Path: '/opslake', Recursive: true, WithDecryption: true, MaxResults: 10, NextToken: 'page-20' },
    ]);
  });

  it('keeps following when SSM returns an empty page with a token', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [], NextToken: 't1' })
      .resolvesOnce({ Parameters: [analytics], NextToken: 't2' })
      .resolvesOnce({ Parameters: [] });
    const config = await new SsmConfigSource({ client }).load();
    expect(config.clusters.map((cluster) => cluster.name)).toEqual(['analytics']);
    expect(calls().map((input) => input.NextToken)).toEqual([undefined, 't1', 't2']);
  });

  it('builds one cluster per document, named by its path, with the defaults applied', async () => {
    serve([
      document('/opslake/clusters/wg', { kind: 'serverless', name: 'wg' }),
      analytics,
      document('/opslake/cloudtrail/trail', 'anything, not ours'),
    ]);
    const config = await new SsmConfigSource({ client, lake: 's3://lake-bucket/lake', state: 'dynamodb://opslake-state' }).load();
    expect(config).toEqual({
      clusters: [
        {
          name: 'analytics',
          kind: 'provisioned',
          clusterIdentifier: 'analytics-prod',
          database: 'dev',
          auth: { type: 'db-user', dbUser: 'opslake' },
          tables: ['stl_query'],
          enabled: true,
          connection: { type: 'data-api' },
        },
        {
          name: 'wg',
          kind: 'serverless',
          workgroupName: 'wg',
          database: 'dev',
          auth: { type: 'iam' },
          tables: [...EXPORT_TABLE_NAMES],
          enabled: true,
          connection: { type: 'data-api' },
        },
      ],
      export: { slotMinutes: 60, latenessMinutes: 15, concurrency: 4 },
      lake: 's3://lake-bucket/lake',
      state: 'dynamodb://opslake-state',
    });
  });

  it('returns a frozen configuration', async () => {
    serve([analytics]);
    const config = await new SsmConfigSource({ client }).load();
    expect(() => (config.clusters as ClusterConfig[]).pop()).toThrow(TypeError);
    expect(() => {
      (config.clusters[0] as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
  });

  it('applies the export settings of <root>/export', async () => {
    serve([analytics, document('/opslake/export', { slotMinutes: 15, concurrency: 8 })]);
    expect((await new SsmConfigSource({ client }).load()).export).toEqual({ slotMinutes: 15, latenessMinutes: 15, concurrency: 8 });
  });

  it('wraps the SecureString password in a Secret that never prints', async () => {
    serve([password('direct'), direct]);
    const config = await new SsmConfigSource({ client }).load();
    const connection = config.clusters[0]?.connection;
    if (connection?.type !== 'postgres') throw new Error(`expected a postgres connection, got ${connection?.type}`);
    expect(connection.url).toBe('postgres://opslake@db.internal:5439/dev');
    expect(connection.password).toBeInstanceOf(Secret);
    expect(connection.password?.reveal()).toBe(PASSWORD);
    expect(JSON.stringify(config)).not.toContain(PASSWORD_START);
    expect(inspect(config, { depth: null })).not.toContain(PASSWORD_START);
    expect(String(connection.password)).not.toContain(PASSWORD_START);
  });

  it('uses the root path it is given, without a trailing slash', async () => {
    serve([document('/teams/data/opslake/clusters/analytics', { kind: 'provisioned', dbUser: 'opslake' })]);
    const config = await new SsmConfigSource({ client, rootPath: '/teams/data/opslake/' }).load();
    expect(config.clusters[0]?.name).toBe('analytics');
    expect(calls()[0]?.Path).toBe('/teams/data/opslake');
  });

  it.each(['opslake', '/opslake; rm -rf', '/ops lake', '/a//b', '/a/../b', '/', '/opslake\n'])('refuses the root path %j', (rootPath) => {
    expect(() => new SsmConfigSource({ client, rootPath })).toThrow(ConfigError);
    try {
      new SsmConfigSource({ client, rootPath });
    } catch (error) {
      expect((error as ConfigError).parameter).toBe('rootPath');
    }
  });

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
          'a password is never written in the configuration; store the password as the SecureString parameter /opslake/clusters/analytics/password',
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

  it('stops at a hostile name before asking for the next page', async () => {
    serve(
      [
        document('/opslake/clusters/Bad.Name', { kind: 'serverless' }),
        ...Array.from({ length: 15 }, (_, index) => document(`/opslake/clusters/c${index}`, { kind: 'serverless' })),
      ],
      10,
    );
    const error = await failure(new SsmConfigSource({ client }));
    expect((error as ConfigError).parameter).toBe('/opslake/clusters/Bad.Name');
    expect(calls()).toHaveLength(1);
  });

  it('refuses a page token it has already followed', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [analytics], NextToken: 'again' });
    const error = await failure(new SsmConfigSource({ client }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(calls()).toHaveLength(2);
  });

  it('validates the lake and state it is given', async () => {
    serve([analytics]);
    const error = await failure(new SsmConfigSource({ client, lake: 's3://Bad_Bucket/lake' }));
    expect((error as ConfigError).parameter).toBe('lake');
    expect(error.message).toContain('is not an S3 bucket name');
  });

  describe('turns SSM errors into typed errors', () => {
    function sdkError(name: string): Error {
      return Object.assign(new Error(`${name} from SSM`), { name, $metadata: { attempts: 3 } });
    }

    it('says which permissions are missing when access is denied', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('AccessDeniedException'));
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).parameter).toBe('/opslake');
      expect(error.message).toContain('ssm:GetParametersByPath on parameter/opslake/* and kms:Decrypt');
      expect((error as ConfigError).retryable).toBe(false);
    });

    it('reports throttling as retryable', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('ThrottlingException'));
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ThrottledError);
      expect(error.message).toContain('throttled 3 times');
      expect((error as ThrottledError).retryable).toBe(true);
    });

    it('reports anything else as a retryable connection error with its cause', async () => {
      const cause = sdkError('InternalServerError');
      ssm.on(GetParametersByPathCommand).rejects(cause);
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).retryable).toBe(true);
      expect(error.cause).toBe(cause);
      expect(error.message).toContain('InternalServerError');
    });
  });
});
