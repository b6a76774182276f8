import { describe, expect, it } from 'vitest';
import { parameterUses, sqlTokens, toPositional } from '../../../pipeline/query/sql-tokens.js';

describe('toPositional', () => {
  it('replaces each :name by ? and lists the names in order, repeats included', () => {
    expect(toPositional('SELECT 1 FROM t WHERE day BETWEEN :from_day AND :to_day AND x > :from_day')).toEqual({
      sql: 'SELECT 1 FROM t WHERE day BETWEEN ? AND ? AND x > ?',
      order: ['from_day', 'to_day', 'from_day'],
    });
  });

  it('leaves colons inside literals, quoted identifiers and comments alone, and DuckDB casts too', () => {
    const sql = `SELECT '10:00 :not_a_param', "a:b", x::int -- :nor_this\nFROM t /* :nor :this */ WHERE y = :real`;
    expect(toPositional(sql)).toEqual({ sql: sql.replace(':real', '?'), order: ['real'] });
  });

  it('keeps every character of the statement (the tokens put back together give it whole)', () => {
    const sql = 'SELECT a.b, \'it\'\'s\', 1e6, "q""x" FROM t WHERE c <> :p; -- end';
    expect([...sqlTokens(sql)].map((token) => token.text).join('')).toBe(sql);
    expect(parameterUses(sql)).toEqual(['p']);
  });
});
