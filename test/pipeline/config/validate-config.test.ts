import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { DEFAULT_EXPORT_SETTINGS } from '../../../pipeline/config/opslake-config.js';
import { Secret } from '../../../pipeline/config/secret.js';
import { EXPORT_TABLE_NAMES } from '../../../pipeline/tables/registry.js';
import { cluster, env, firstCluster, load, PASSWORD, PASSWORD_START } from './validate-config-support.js';

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
            views: 'auto',
            tables: [...EXPORT_TABLE_NAMES],
            exports: [],
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

  describe('the result', () => {
    const config = load(
      { lake: './lake', clusters: [cluster({ postgres: 'postgres://opslake@db:5432/dev', passwordEnv: 'ANALYTICS_PASSWORD' })] },
      { env },
    );
    const first = firstCluster(config);

    it('is frozen all the way down', () => {
      if (first === undefined) throw new Error('the config has no cluster');
      expect(() => {
        (config as { lake?: string }).lake = '/elsewhere';
      }).toThrow(TypeError);
      expect(() => (config.clusters as ClusterConfig[]).push(first)).toThrow(TypeError);
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
      const connection = first.connection;
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
