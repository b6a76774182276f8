import { describe, expect, it } from 'vitest';
import { chartData, fillTimeGaps } from '../../../pipeline/report/chart-data.js';

describe('chartData', () => {
  it('pivots rows by x and series on a time axis, an hour without rows counting as zero', () => {
    const rows = [
      { hour: '2024-03-05 10:00:00', cluster: 'etl', statements: 4 },
      { hour: '2024-03-05 10:00:00', cluster: 'analytics', statements: 1 },
      { hour: '2024-03-05 13:00:00', cluster: 'etl', statements: 2 },
      { hour: '2024-03-05 11:00:00', cluster: 'etl', statements: 3 },
    ];
    expect(chartData(rows, { type: 'line', x: 'hour', y: 'statements', series: 'cluster' })).toEqual({
      categories: ['2024-03-05 10:00:00', '2024-03-05 11:00:00', '2024-03-05 12:00:00', '2024-03-05 13:00:00'],
      timeAxis: true,
      series: [
        { name: 'etl', values: [4, 3, 0, 2] },
        { name: 'analytics', values: [1, 0, 0, 0] },
      ],
    });
  });

  it('keeps the largest categories first on a category axis and folds small series into other', () => {
    const rows = ['a', 'b', 'c', 'd'].flatMap((series, index) => [
      { ip: '10.0.0.1', type: series, n: 10 - index },
      { ip: '10.0.0.2', type: series, n: 1 },
    ]);
    const data = chartData(rows, { type: 'stacked-bar', x: 'ip', y: 'n', series: 'type' }, { maxSeries: 3 });
    expect(data.timeAxis).toBe(false);
    expect(data.categories).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(data.series).toEqual([
      { name: 'a', values: [10, 1] },
      { name: 'b', values: [9, 1] },
      { name: 'other', values: [15, 2] },
    ]);
    expect(chartData(rows, { type: 'bar', x: 'ip', y: 'n' }, { maxCategories: 1 }).categories).toEqual(['10.0.0.1']);
  });

  it('draws nothing for a table chart or a result without rows', () => {
    expect(chartData([{ a: 1 }], { type: 'table' })).toEqual({ categories: [], timeAxis: false, series: [] });
    expect(chartData([], { type: 'line', x: 'hour', y: 'n' }).categories).toEqual([]);
  });
});

describe('fillTimeGaps', () => {
  it('fills a regular series and leaves an irregular time in its place', () => {
    expect(fillTimeGaps(['2024-03-05 00:00:00', '2024-03-05 01:00:00', '2024-03-05 03:00:00'])).toEqual([
      '2024-03-05 00:00:00',
      '2024-03-05 01:00:00',
      '2024-03-05 02:00:00',
      '2024-03-05 03:00:00',
    ]);
    expect(fillTimeGaps(['2024-03-05 00:00:00', '2024-03-05 01:00:00', '2024-03-05 02:30:00'])).toEqual([
      '2024-03-05 00:00:00',
      '2024-03-05 01:00:00',
      '2024-03-05 02:00:00',
      '2024-03-05 02:30:00',
    ]);
  });
});
