import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionError, OpslakeError, SqlStatementError } from '../../../pipeline/errors.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import { configuredDialect, probeDialect, resolveDialect } from '../../../pipeline/redshift/source-dialect.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { clusterConfig } from '../../harness/export-harness.js';

const NOW = new Date('2026-11-20T12:00:00Z');

/** A runner that answers each probe as the view it reads says: rows, or the database's refusal. */
function runner(answers: Record<string, Error | null>): SqlRunner & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async *pages(statement) {
      asked.push(statement.text);
      const view = /FROM (\w+)/.exec(statement.text)?.[1] ?? '';
      const answer = answers[view];
      if (answer === undefined) throw new Error(`unexpected statement: ${statement.text}`);
      if (answer) throw answer;
      yield [{ readable: 1 }];
    },
    close: async () => undefined,
  };
}

const refused = (view: string) =>
  new SqlStatementError(`statement failed: permission denied for relation ${view} (SQLSTATE 42501)`, {
    databaseMessage: `permission denied for relation ${view}`,
  });

async function state(): Promise<FileStateStore> {
  return new FileStateStore(join(await mkdtemp(join(tmpdir(), 'opslake-dialect-')), 'state'));
}

describe('source dialect', () => {
  it('decides without reading anything where the configuration says', () => {
    expect(configuredDialect({ kind: 'provisioned', views: 'stl' })).toMatchObject({ dialect: 'stl', basis: 'configured' });
    expect(configuredDialect({ kind: 'provisioned', views: 'sys' })).toMatchObject({
      dialect: 'sys',
      reason: 'views: sys in the configuration',
    });
    expect(configuredDialect({ kind: 'serverless', views: 'auto' })).toMatchObject({ dialect: 'sys', basis: 'serverless' });
    expect(configuredDialect({ kind: 'provisioned', views: 'auto' })).toBeNull();
  });

  it('reads a provisioned cluster through STL where stl_query can be read, without asking for SYS', async () => {
    const probe = runner({ stl_query: null, sys_query_history: null });
    await expect(probeDialect(probe, 'analytics')).resolves.toEqual({ dialect: 'stl', reason: 'stl_query can be read' });
    expect(probe.asked).toEqual(['SELECT 1 AS "readable" FROM stl_query LIMIT 1']);
  });

  it('reads it through SYS where STL is refused, and says what the database said', async () => {
    const probe = runner({ stl_query: refused('stl_query'), sys_query_history: null });
    await expect(probeDialect(probe, 'multi')).resolves.toEqual({
      dialect: 'sys',
      reason: 'stl_query is refused (permission denied for relation stl_query), as on a Multi-AZ cluster; sys_query_history can be read',
    });
  });

  it('fails, naming both views, when neither can be read', async () => {
    const probe = runner({ stl_query: refused('stl_query'), sys_query_history: refused('sys_query_history') });
    await expect(probeDialect(probe, 'locked')).rejects.toThrow(
      /locked lets its export user read neither stl_query .* nor sys_query_history/,
    );
  });

  it('does not take a lost connection or a retryable failure for a refusal', async () => {
    const lost = new ConnectionError('lost the connection');
    await expect(probeDialect(runner({ stl_query: lost }), 'analytics')).rejects.toBe(lost);
    const aborted = new SqlStatementError('statement was aborted', { retryable: true, databaseMessage: 'permission denied' });
    await expect(probeDialect(runner({ stl_query: aborted }), 'analytics')).rejects.toBe(aborted);
    const other = new SqlStatementError('syntax error', { databaseMessage: 'syntax error at or near "LIMIT"' });
    await expect(probeDialect(runner({ stl_query: other }), 'analytics')).rejects.toBe(other);
  });

  it('probes once and records what it found; later runs read the record', async () => {
    const store = await state();
    const cluster = clusterConfig('multi');
    const first = runner({ stl_query: refused('stl_query'), sys_query_history: null });
    const resolved = await resolveDialect(cluster, { runner: first, state: store }, { now: NOW, record: true });
    expect(resolved).toMatchObject({ dialect: 'sys', basis: 'detected', detectedAt: NOW });
    expect(await store.getSourceDialect('multi')).toMatchObject({ dialect: 'sys', detectedAt: NOW });

    const second = runner({});
    await expect(resolveDialect(cluster, { runner: second, state: store }, { now: new Date(), record: true })).resolves.toEqual(resolved);
    expect(second.asked).toEqual([]);
  });

  it('records nothing on a dry run, and nothing when the probe could not tell', async () => {
    const store = await state();
    const cluster = clusterConfig('analytics');
    const dry = await resolveDialect(cluster, { runner: runner({ stl_query: null }), state: store }, { now: NOW, record: false });
    expect(dry.dialect).toBe('stl');
    const lost = runner({ stl_query: new ConnectionError('lost the connection') });
    await expect(resolveDialect(cluster, { runner: lost, state: store }, { now: NOW, record: true })).rejects.toBeInstanceOf(OpslakeError);
    expect(await store.listSourceDialects()).toEqual([]);
  });
});
