import { describe, expect, it } from 'vitest';
import { ThrottledError } from '../../../../pipeline/errors.js';
import { RESULT_FORMAT_PROBE } from '../../../../pipeline/redshift/sql/data-api-result-format.js';
import { ROWS, collect, expectedRow, operations, setup, statement, useEventsDatabase } from './data-api-sql-runner-support.js';

useEventsDatabase();

const EVENTS = statement('SELECT * FROM events ORDER BY id');
const allEvents = () => Array.from({ length: ROWS }, (_, i) => expectedRow(i + 1));

describe('DataApiSqlRunner choosing its result format', () => {
  it('reads a probe both ways once, then reads every statement as CSV when the two agree', async () => {
    const { emulator, runner } = await setup({}, { resultFormat: 'auto' });

    const first = (await collect(runner.pages(EVENTS))).flat();
    const second = (await collect(runner.pages(statement('SELECT id FROM events WHERE id <= 3 ORDER BY id')))).flat();

    expect(first).toEqual(allEvents());
    expect(second).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const executed = operations(emulator, 'ExecuteStatement').map((request) => [request.input.Sql, request.input.ResultFormat]);
    expect(executed).toEqual([
      [RESULT_FORMAT_PROBE.text, undefined],
      [RESULT_FORMAT_PROBE.text, 'CSV'],
      [EVENTS.text, 'CSV'],
      ['SELECT id FROM events WHERE id <= 3 ORDER BY id', 'CSV'],
    ]);
    expect(operations(emulator, 'GetStatementResult')).toHaveLength(1);
    expect(await runner.resultFormat()).toEqual({ format: 'csv', reason: expect.stringContaining('read the same as typed JSON') });
  });

  it('reads typed JSON when the service writes NULL in CSV as it writes an empty string', async () => {
    const { emulator, runner } = await setup({ csvNulls: 'quoted' }, { resultFormat: 'auto' });

    const rows = (await collect(runner.pages(EVENTS))).flat();

    expect(rows).toEqual(allEvents());
    // An int8 NULL written as "" cannot be read at all; a text NULL would have read as ''.
    const choice = await runner.resultFormat();
    expect(choice.format).toBe('json');
    expect(choice.reason).toMatch(/^typed JSON results, since CSV could not be read: .*column null_integer \(int8\)/);
    expect(operations(emulator, 'ExecuteStatement').at(-1)?.input.ResultFormat).toBeUndefined();
  });

  it("reads typed JSON when the service writes '' in CSV as it writes NULL", async () => {
    const { runner } = await setup({ csvEmptyStrings: 'unquoted' }, { resultFormat: 'auto' });

    const rows = (await collect(runner.pages(EVENTS))).flat();

    expect(rows).toEqual(allEvents());
    expect(await runner.resultFormat()).toEqual({ format: 'json', reason: 'typed JSON results, since CSV reads differently (empty_text)' });
  });

  it('reads typed JSON when the service refuses CSV results', async () => {
    const { runner } = await setup({ resultFormats: ['JSON'] }, { resultFormat: 'auto' });

    const rows = (await collect(runner.pages(EVENTS))).flat();

    expect(rows).toEqual(allEvents());
    const choice = await runner.resultFormat();
    expect(choice.format).toBe('json');
    expect(choice.reason).toMatch(/^typed JSON results, since CSV could not be read: .*ResultFormat must be one of JSON/);
  });

  it('probes again after a probe that could not reach the service, rather than settle on JSON', async () => {
    const { emulator, runner } = await setup({}, { resultFormat: 'auto', maxThrottleRetries: 0 });
    emulator.throttleNext('ExecuteStatement', 1);

    await expect(collect(runner.pages(EVENTS))).rejects.toBeInstanceOf(ThrottledError);
    const rows = (await collect(runner.pages(EVENTS))).flat();

    expect(rows).toEqual(allEvents());
    expect((await runner.resultFormat()).format).toBe('csv');
  });

  it('reads the same rows whether or not the first CSV page starts with the column names', async () => {
    const { runner } = await setup({ csvHeader: false }, { resultFormat: 'csv' });

    expect((await collect(runner.pages(EVENTS))).flat()).toEqual(allEvents());
  });

  it('reads the configured format without a probe', async () => {
    const { emulator, runner } = await setup({}, { resultFormat: 'csv' });

    await collect(runner.pages(EVENTS));

    expect(operations(emulator, 'ExecuteStatement')).toHaveLength(1);
    expect(await runner.resultFormat()).toEqual({ format: 'csv', reason: 'csv results as configured' });
  });
});
