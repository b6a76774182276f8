import { describe, expect, it } from 'vitest';
import { copyValue, renderCopy, RowWriter } from '../../../../pipeline/simulators/redshift/row-writer.js';
import { defined } from '../../../harness/defined.js';

describe('renderCopy', () => {
  it('lists the registry columns, and visible_at for the pending twin', () => {
    expect(renderCopy('stl_querytext', false)).toBe(
      `COPY public."stl_querytext" ("userid", "xid", "pid", "query", "sequence", "text") FROM '/dev/blob'`,
    );
    expect(renderCopy('stl_querytext', true)).toBe(
      `COPY "opslake_sim_pending"."stl_querytext" ("userid", "xid", "pid", "query", "sequence", "text", "visible_at") FROM '/dev/blob'`,
    );
  });
});

describe('copyValue', () => {
  it('doubles backslashes so that stored escapes arrive as written', () => {
    expect(copyValue("select 1\\nfrom t where p ~ '\\\\d'")).toBe("select 1\\\\nfrom t where p ~ '\\\\\\\\d'");
    expect(copyValue('a\tb\nc')).toBe('a\\tb\\nc');
    expect(copyValue(42)).toBe('42');
  });
});

describe('RowWriter', () => {
  it('sends visible rows to public, later ones to the pending twin, and drops expired ones', async () => {
    const writer = new RowWriter(1_000_000, 100);
    writer.add('stl_ddltext', [1, 2, 3, '', 'a', 'b', 0, 'DROP TABLE t'], 500, 900);
    writer.add('stl_ddltext', [1, 4, 3, '', 'a', 'b', 0, 'CREATE TABLE t (a int)'], 500, 2_000_000);
    writer.add('stl_ddltext', [1, 5, 3, '', 'a', 'b', 0, 'too old'], 50, 60);
    expect(writer.buffered).toBe(2);
    const sent: Array<{ sql: string; text: string }> = [];
    const tx = {
      query: async (sql: string, _parameters?: unknown[], options?: { blob?: Blob }) => {
        sent.push({ sql, text: await defined(options?.blob, 'the COPY blob').text() });
        return { rows: [], fields: [] };
      },
    };
    expect(await writer.flush(tx as never)).toEqual({ visible: 1, pending: 1, expired: 1 });
    expect(sent).toEqual([
      { sql: renderCopy('stl_ddltext', false), text: '1\t2\t3\t\ta\tb\t0\tDROP TABLE t\n' },
      { sql: renderCopy('stl_ddltext', true), text: '1\t4\t3\t\ta\tb\t0\tCREATE TABLE t (a int)\t1970-01-01 00:00:02.000000\n' },
    ]);
    expect(writer.buffered).toBe(0);
  });
});
