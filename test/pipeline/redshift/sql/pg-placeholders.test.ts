import { describe, expect, it } from 'vitest';
import { SqlStatementError } from '../../../../pipeline/errors.js';
import { toPgPlaceholders } from '../../../../pipeline/redshift/sql/pg-placeholders.js';
import { renderSlotSelect } from '../../../../pipeline/redshift/slot-sql.js';

const convert = (text: string, parameters: Record<string, string> = {}) => toPgPlaceholders({ text, parameters });

describe('toPgPlaceholders', () => {
  it('numbers parameters in order of first use and reuses the number of a repeated name', () => {
    expect(convert('SELECT :b, :a, :b', { a: '1', b: '2' })).toEqual({ text: 'SELECT $1, $2, $1', values: ['2', '1'] });
  });

  it('leaves :: casts alone, also right after a parameter', () => {
    expect(convert('SELECT x::int, :n::int, CAST(:t AS timestamp)', { n: '5', t: '2024-01-01 00:00:00' })).toEqual({
      text: 'SELECT x::int, $1::int, CAST($2 AS timestamp)',
      values: ['5', '2024-01-01 00:00:00'],
    });
  });

  it('copies string literals, quoted identifiers and comments unchanged', () => {
    const text = [
      `SELECT ':a', 'it''s :a', E'\\' :a', $$ :a $$, $t$ :a $t$, "col:a", "x"":a"`,
      '-- :a in a comment',
      '/* :a /* nested :a */ :a */ :a',
    ].join('\n');
    const { text: out, values } = convert(text, { a: 'v' });
    expect(out).toBe(text.replace(/ :a$/, ' $1'));
    expect(values).toEqual(['v']);
  });

  it('does not read a word ending in e as the prefix of an escape string', () => {
    expect(convert(`SELECT name'\\' , :a`, { a: '1' }).text).toBe(`SELECT name'\\' , $1`);
  });

  it('treats a dollar inside a word as part of the word', () => {
    expect(convert('SELECT a$b, a$1, :a', { a: 'x' })).toEqual({ text: 'SELECT a$b, a$1, $1', values: ['x'] });
  });

  it('refuses positional parameters, which would collide with the numbered names', () => {
    expect(() => convert('SELECT $1, :a', { a: 'x' })).toThrow(/positional parameter \$1/);
    expect(convert(`SELECT '$1', :a`, { a: 'x' }).text).toBe(`SELECT '$1', $1`);
  });

  it('ignores values that the text does not use', () => {
    expect(convert('SELECT 1', { unused: 'x' })).toEqual({ text: 'SELECT 1', values: [] });
  });

  it('throws a SqlStatementError naming a placeholder without a value', () => {
    expect(() => convert('SELECT :slot_start, :slot_end', { slot_start: 'x' })).toThrow(SqlStatementError);
    expect(() => convert('SELECT :slot_end', {})).toThrow(/:slot_end/);
  });

  it('does not take inherited properties for values', () => {
    expect(() => convert('SELECT :toString', {})).toThrow(SqlStatementError);
  });

  it('rewrites the slot bounds of rendered slot SQL and nothing else', () => {
    const text = renderSlotSelect('stl_scan');
    const out = convert(text, { slot_start: 's', slot_end: 'e' });
    expect(out.values).toEqual(['s', 'e']);
    expect(out.text).toBe(text.replaceAll(':slot_start', '$1').replaceAll(':slot_end', '$2'));
  });
});
