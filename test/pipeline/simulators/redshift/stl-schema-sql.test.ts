import { describe, expect, it } from 'vitest';
import {
  pendingCreateTableSql,
  postgresTypeOf,
  simulatorSetupSql,
  stlCreateTableSql,
} from '../../../../pipeline/simulators/redshift/stl-schema-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../../../pipeline/tables/stl-views.js';
import { defined } from '../../../harness/defined.js';

describe('postgresTypeOf', () => {
  it('keeps CHAR blank-padded and timestamps without a zone', () => {
    expect(postgresTypeOf('char(200)')).toBe('character(200)');
    expect(postgresTypeOf('varchar(64)')).toBe('character varying(64)');
    expect(postgresTypeOf('timestamp')).toBe('timestamp without time zone');
    expect(postgresTypeOf('integer')).toBe('integer');
    expect(postgresTypeOf('bigint')).toBe('bigint');
  });
});

describe('stlCreateTableSql', () => {
  it('creates one table per STL view, in registry order', () => {
    const statements = stlCreateTableSql();
    expect(statements).toHaveLength(STL_VIEW_NAMES.length);
    for (const [index, view] of STL_VIEW_NAMES.entries()) {
      expect(statements[index]).toMatch(new RegExp(`^CREATE TABLE "public"\\."${view}" \\(`));
    }
  });

  it('declares every registry column with its documented type', () => {
    expect(stlCreateTableSql('public')[STL_VIEW_NAMES.indexOf('stl_querytext')]).toBe(
      [
        'CREATE TABLE "public"."stl_querytext" (',
        '  "userid" integer,',
        '  "xid" bigint,',
        '  "pid" integer,',
        '  "query" integer,',
        '  "sequence" integer,',
        '  "text" character(200)',
        ')',
      ].join('\n'),
    );
    const scan = defined(stlCreateTableSql()[STL_VIEW_NAMES.indexOf('stl_scan')], 'the stl_scan table');
    for (const column of STL_VIEWS.stl_scan.columns) expect(scan).toContain(`"${column.name}" ${postgresTypeOf(column.type)}`);
  });

  it('puts the tables in the schema it is given', () => {
    expect(stlCreateTableSql('other')[0]).toMatch(/^CREATE TABLE "other"\."stl_query"/);
  });
});

describe('simulatorSetupSql', () => {
  it('adds the pending twins with visible_at, the state table and getdate()', () => {
    const sql = simulatorSetupSql().join(';\n');
    expect(pendingCreateTableSql()[0]).toMatch(
      /^CREATE TABLE "opslake_sim_pending"\."stl_query" \([\s\S]*"visible_at" timestamp without time zone NOT NULL\n\)$/,
    );
    expect(sql).toContain('CREATE FUNCTION public.getdate() RETURNS timestamp without time zone');
    expect(sql).toContain('CREATE TABLE "opslake_sim"."state"');
  });
});
