import { describe, expect, it } from 'vitest';
import { flatSelectSql, rawSelectSql } from '../../../pipeline/cloudtrail/cloudtrail-sql.js';
import { CLOUDTRAIL_EVENT_COLUMNS, CLOUDTRAIL_TABLES } from '../../../pipeline/tables/cloudtrail-tables.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';
import { defined } from '../../harness/defined.js';

describe('cloudtrail-sql', () => {
  it('selects every column of the table, in order, from both kinds of spool, plus the target id', () => {
    const names = CLOUDTRAIL_EVENT_COLUMNS.map((column) => `"${column.name}"`);
    for (const sql of [rawSelectSql('events', '/tmp/s.ndjson', "['k']", 100), flatSelectSql('events', '/tmp/s.ndjson', 100)]) {
      const select = sql.slice('SELECT '.length, sql.indexOf(' FROM read_json('));
      const aliases = [...select.matchAll(/ AS ("[a-z0-9_]+")/g)].map((match) => match[1]);
      expect(aliases).toEqual(names);
      expect(select.endsWith(', "_p"')).toBe(true);
      expect(sql).toContain("records = 'true'");
    }
  });

  it('reads raw records through typed STRUCTs with their original member names and parses eventTime in one form', () => {
    const sql = rawSelectSql('events', "/tmp/it's.ndjson", "['a', 'b']", 3_000_000);
    expect(sql).toContain(`'userIdentity': 'STRUCT("type" VARCHAR, "principalId" VARCHAR`);
    expect(sql).toContain(`'requestParameters': 'JSON'`);
    expect(sql).toContain(`'readOnly': 'BOOLEAN'`);
    expect(sql).toContain(`strptime("eventTime", '%Y-%m-%dT%H:%M:%SZ') AS "eventtime"`);
    expect(sql).toContain(`['a', 'b']["_p" + 1] AS "source_key"`);
    expect(sql).toContain(`'/tmp/it''s.ndjson'`);
    expect(sql).toContain('maximum_object_size = 4194304');
  });
});

describe('CLOUDTRAIL_TABLES', () => {
  it('declares both tables in the registry, with unique lower-case snake_case columns and string partitions', () => {
    expect(CLOUDTRAIL_TABLES.map((table) => table.name)).toEqual(['cloudtrail_events', 'cloudtrail_insights']);
    for (const table of CLOUDTRAIL_TABLES) {
      expect(lakeTables()).toContain(table);
      const names = table.columns.map((column) => column.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(table.partitionKeys.map((key) => key.name)).toEqual(['account', 'region', 'day']);
      expect(table.columns.find((column) => column.name === 'eventtime')?.type).toBe('TIMESTAMP');
      expect(names).toContain('source_key');
    }
    const events = defined(CLOUDTRAIL_TABLES[0], 'the events table').columns;
    expect(events.find((column) => column.name === 'readonly')?.type).toBe('BOOLEAN');
    expect(events.find((column) => column.name === 'useridentity_sessioncontext_sessionissuer_arn')?.type).toBe('VARCHAR');
  });
});
