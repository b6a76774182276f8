import { inspect } from 'node:util';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { Secret } from '../../../pipeline/config/secret.js';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError, ConnectionError } from '../../../pipeline/errors.js';
import { EXPORT_TABLE_NAMES } from '../../../pipeline/tables/registry.js';
import {
  PASSWORD,
  PASSWORD_START,
  analytics,
  calls,
  client,
  direct,
  document,
  failure,
  password,
  serve,
  ssm,
  useMockedSsm,
} from './ssm-config-source-support.js';

useMockedSsm();

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
          views: 'auto',
          tables: ['stl_query'],
          exports: [],
          enabled: true,
          connection: { type: 'data-api' },
        },
        {
          name: 'wg',
          kind: 'serverless',
          workgroupName: 'wg',
          database: 'dev',
          auth: { type: 'iam' },
          views: 'auto',
          tables: [...EXPORT_TABLE_NAMES],
          exports: [],
          enabled: true,
          connection: { type: 'data-api' },
        },
      ],
      export: { slotMinutes: 60, latenessMinutes: 15, concurrency: 4 },
      compaction: { cloudtrailLatenessMinutes: 120, targetFileMb: 128, graceMinutes: 60, memoryLimitMb: 1024 },
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
});
