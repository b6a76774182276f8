import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryDefinitionError } from '../../../pipeline/errors.js';
import { QueryLibrary } from '../../../pipeline/query/query-library.js';

let dir: string;

function file(name: string, body: string, extra = ''): string {
  return `/*\nname: ${name}\ntitle: ${name} title\ndescription: about ${name}\nchart: { type: table }\n${extra}*/\n${body}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opslake-query-library-'));
  await writeFile(join(dir, 'events_unique.sql'), file('events_unique', 'SELECT * FROM events', 'view: events_unique\n'));
  await writeFile(
    join(dir, 'recent_unique.sql'),
    file('recent_unique', 'SELECT * FROM events_unique WHERE day >= ?', 'view: recent_unique\n'),
  );
  await writeFile(
    join(dir, 'denied.sql'),
    file(
      'denied',
      'SELECT count(*) AS n FROM recent_unique WHERE day >= :from_day',
      'parameters: [{ name: from_day, type: day, default: today-1d, description: First day }]\n',
    ),
  );
  await writeFile(join(dir, 'README.md'), 'not a query');
});

afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('QueryLibrary', () => {
  it('loads every .sql file, sorted by name, the same way synchronously', async () => {
    const library = await QueryLibrary.load(dir);
    expect(library.queries.map((query) => query.name)).toEqual(['denied', 'events_unique', 'recent_unique']);
    expect(QueryLibrary.loadSync(dir).queries).toEqual(library.queries);
  });

  it('orders views so that a view comes after the views it reads, and finds the views a query reads', async () => {
    const library = await QueryLibrary.load(dir);
    expect(library.views().map((view) => view.view)).toEqual(['events_unique', 'recent_unique']);
    expect(library.viewsUsedBy(library.get('denied')).map((view) => view.name)).toEqual(['recent_unique']);
  });

  it('binds parameters when preparing a query', async () => {
    const library = await QueryLibrary.load(dir);
    expect(library.prepare('denied', {}, new Date('2024-03-05T10:00:00Z'))).toEqual({
      name: 'denied',
      sql: 'SELECT count(*) AS n FROM recent_unique WHERE day >= :from_day',
      parameters: [{ name: 'from_day', type: 'day', value: '2024-03-04' }],
    });
  });

  it('suggests close names for an unknown query', async () => {
    const library = await QueryLibrary.load(dir);
    expect(() => library.get('unique')).toThrow(/no such query in queries\/; did you mean events_unique, recent_unique\?/);
    expect(() => library.get('zzz')).toThrow(/opslake query --list shows them/);
  });

  it('refuses two files that define the same view', () => {
    const a = { name: 'a', title: 'A', description: 'A', parameters: [], chart: { type: 'table' as const }, view: 'v', sql: 'SELECT 1' };
    expect(() => new QueryLibrary([a, { ...a, name: 'b' }])).toThrow(QueryDefinitionError);
  });

  it('loads the queries of this repository without error, each with a title and a chart', async () => {
    const library = await QueryLibrary.load();
    expect(library.queries.length).toBeGreaterThanOrEqual(19);
    expect(library.views().map((view) => view.view)).toEqual(['cloudtrail_events_unique']);
  });
});
