import { describe, expect, it } from 'vitest';
import { QueryDefinitionError } from '../../../pipeline/errors.js';
import { parseQueryFile } from '../../../pipeline/query/query-definition.js';

const GOOD = `/*
name: hourly
title: Statements per hour
description: >
  Counts statements.
parameters:
  - { name: from_day, type: day, default: today-7d, description: First day }
chart: { type: line, x: hour, y: statements, series: cluster }
*/
SELECT cluster, date_trunc('hour', endtime) AS hour, count(*) AS statements
FROM stl_query WHERE day >= :from_day GROUP BY 1, 2;
`;

function withHeader(header: string, body = 'SELECT 1 AS x'): string {
  return `/*\n${header}\n*/\n${body}`;
}

describe('parseQueryFile', () => {
  it('reads the YAML header and keeps the statement without its final semicolon', () => {
    expect(parseQueryFile('hourly', GOOD)).toEqual({
      name: 'hourly',
      title: 'Statements per hour',
      description: 'Counts statements.',
      parameters: [{ name: 'from_day', type: 'day', default: 'today-7d', description: 'First day' }],
      chart: { type: 'line', x: 'hour', y: 'statements', series: 'cluster' },
      sql: "SELECT cluster, date_trunc('hour', endtime) AS hour, count(*) AS statements\nFROM stl_query WHERE day >= :from_day GROUP BY 1, 2",
    });
  });

  it('reads a view file', () => {
    const view = parseQueryFile(
      'uniq',
      withHeader('name: uniq\ntitle: U\ndescription: D\nchart: { type: table }\nview: events_unique', 'SELECT * FROM t'),
    );
    expect(view.view).toBe('events_unique');
    expect(view.parameters).toEqual([]);
  });

  it.each([
    ['no header', 'SELECT 1', /starts with a \/\* \.\.\. \*\/ header/],
    [
      'a name other than the file',
      withHeader('name: other\ntitle: T\ndescription: D\nchart: { type: table }'),
      /differs from the file name hourly/,
    ],
    ['no title', withHeader('name: hourly\ndescription: D\nchart: { type: table }'), /needs a title/],
    [
      'an unknown field',
      withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: table }\nowner: me'),
      /unknown header field owner/,
    ],
    ['a chart without axes', withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: line }'), /a line chart needs x and y/],
    ['an unknown chart', withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: pie, x: a, y: b }'), /chart type "pie"/],
    [
      'an undeclared parameter',
      withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: table }', 'SELECT :x AS y'),
      /:x is used but not declared/,
    ],
    [
      'an unused parameter',
      withHeader(
        'name: hourly\ntitle: T\ndescription: D\nchart: { type: table }\nparameters: [{ name: x, type: integer, description: X }]',
      ),
      /parameter x is declared but not used/,
    ],
    [
      'a default that cannot bind',
      withHeader(
        'name: hourly\ntitle: T\ndescription: D\nchart: { type: table }\nparameters: [{ name: x, type: day, default: yesterday, description: X }]',
        'SELECT :x AS y',
      ),
      /not a valid day/,
    ],
    [
      'two statements',
      withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: table }', 'SELECT 1; DROP TABLE t'),
      /more than one statement/,
    ],
    ['bad YAML', withHeader('name: [hourly'), /header is not valid YAML/],
  ])('refuses a file with %s, naming it', (_, text, message) => {
    expect(() => parseQueryFile('hourly', text)).toThrow(QueryDefinitionError);
    expect(() => parseQueryFile('hourly', text)).toThrow(message);
  });

  it('accepts a semicolon inside a literal', () => {
    expect(
      parseQueryFile('hourly', withHeader('name: hourly\ntitle: T\ndescription: D\nchart: { type: table }', "SELECT 'a;b' AS x;")).sql,
    ).toBe("SELECT 'a;b' AS x");
  });
});
