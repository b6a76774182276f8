import { describe, expect, it } from 'vitest';
import { QueryDefinitionError } from '../../../pipeline/errors.js';
import { prepareAdHocQuery, wordsOf } from '../../../pipeline/query/ad-hoc-query.js';

describe('prepareAdHocQuery', () => {
  it('keeps the statement as written, leading lines and comments included, without its final semicolon', () => {
    const text = "\n-- why\nSELECT ';' AS s -- not the end;\nFROM cloudtrail_logs ;  \n-- after\n";
    expect(prepareAdHocQuery('q.sql', text)).toEqual({
      name: 'q.sql',
      sql: "\n-- why\nSELECT ';' AS s -- not the end;\nFROM cloudtrail_logs",
      parameters: [],
    });
  });

  it('binds each :name once, as text, from the values given, and refuses unknown or missing ones', () => {
    const prepared = prepareAdHocQuery('q.sql', 'SELECT * FROM t WHERE a = :who OR b = :who OR c = :day', { who: "o'brien", day: '05' });
    expect(prepared.parameters).toEqual([
      { name: 'who', type: 'string', value: "o'brien" },
      { name: 'day', type: 'string', value: '05' },
    ]);
    expect(() => prepareAdHocQuery('q.sql', 'SELECT :a', {})).toThrow(/q\.sql: parameter a \(string\) needs a value: --param a=/);
    expect(() => prepareAdHocQuery('q.sql', 'SELECT 1', { a: '1' })).toThrow(QueryDefinitionError);
  });

  it('refuses more than one statement, or none', () => {
    expect(() => prepareAdHocQuery('q.sql', 'SELECT 1; DROP TABLE x')).toThrow(/q\.sql: holds more than one statement/);
    expect(() => prepareAdHocQuery('q.sql', ' -- nothing\n;')).toThrow(/holds no SQL statement/);
  });
});

describe('wordsOf', () => {
  it('gives the plain words of a statement in lower case, not those in literals or comments', () => {
    expect([...wordsOf(`SELECT * FROM Cloudtrail_Logs -- cloudtrail_events\nWHERE x = 'stl_query'`)]).toEqual([
      'select',
      'from',
      'cloudtrail_logs',
      'where',
      'x',
    ]);
  });
});
