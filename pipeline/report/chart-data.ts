import type { ChartSuggestion } from '../query/query-definition.js';
import type { QueryRow, QueryValue } from '../ports/query-engine.js';

export interface ChartSeries {
  readonly name: string;
  /** One value per category; null where the series has no row for it. */
  readonly values: ReadonlyArray<number | null>;
}

/** A result pivoted for drawing: categories along x, one series per value of the series column. */
export interface ChartData {
  readonly categories: readonly string[];
  /** True when every category is a timestamp: x is then a time axis. */
  readonly timeAxis: boolean;
  readonly series: readonly ChartSeries[];
}

export const OTHER_SERIES = 'other';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export interface PivotOptions {
  /** Series beyond this many (by total) are summed into `other`. Default 8. */
  readonly maxSeries?: number;
  /** For category axes: keep the categories with the largest totals, at most this many. Default 15. */
  readonly maxCategories?: number;
}

/**
 * Pivots rows by the chart's x and series columns, summing y. Time axes keep every category in
 * time order; category axes keep the largest ones, largest first. Pure.
 */
export function chartData(rows: readonly QueryRow[], chart: ChartSuggestion, options: PivotOptions = {}): ChartData {
  if (!chart.x || !chart.y) return { categories: [], timeAxis: false, series: [] };
  const x = chart.x;
  const y = chart.y;
  const seriesOf = (row: QueryRow) => (chart.series ? label(row[chart.series] ?? null) : y);
  const timeAxis = rows.length > 0 && rows.every((row) => TIMESTAMP.test(label(row[x] ?? null)));

  const totalsBySeries = new Map<string, number>();
  const totalsByCategory = new Map<string, number>();
  for (const row of rows) {
    const value = numeric(row[y] ?? null);
    totalsBySeries.set(seriesOf(row), (totalsBySeries.get(seriesOf(row)) ?? 0) + value);
    const category = label(row[x] ?? null);
    totalsByCategory.set(category, (totalsByCategory.get(category) ?? 0) + value);
  }
  const maxSeries = options.maxSeries ?? 8;
  const ranked = [...totalsBySeries].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const kept = new Set(ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked);
  const names = [...ranked.filter((name) => kept.has(name)), ...(ranked.length > kept.size ? [OTHER_SERIES] : [])];

  const categories = timeAxis
    ? fillTimeGaps([...totalsByCategory.keys()].sort())
    : [...totalsByCategory]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, options.maxCategories ?? 15)
        .map(([name]) => name);
  const position = new Map(categories.map((category, index) => [category, index]));
  // On a time axis every y of `queries/` is a count or a sum, so an hour without rows is a zero.
  const values = new Map(names.map((name) => [name, categories.map((): number | null => (timeAxis ? 0 : null))]));
  for (const row of rows) {
    const index = position.get(label(row[x] ?? null));
    if (index === undefined) continue;
    const name = kept.has(seriesOf(row)) ? seriesOf(row) : OTHER_SERIES;
    const list = values.get(name);
    if (list) list[index] = (list[index] ?? 0) + numeric(row[y] ?? null);
  }
  return { categories, timeAxis, series: names.map((name) => ({ name, values: values.get(name) ?? [] })) };
}

/** Largest number of buckets a time axis is filled to; beyond it, only the times present are kept. */
const MAX_TIME_BUCKETS = 2000;

/**
 * Adds the missing buckets of a regular time series (the step is the smallest gap seen), so that
 * bars and lines keep time proportional and an hour without rows shows as one.
 */
export function fillTimeGaps(sorted: readonly string[]): string[] {
  const times = sorted.map((category) => Date.parse(`${category.replace(' ', 'T')}Z`));
  if (times.length < 3 || times.some((time) => Number.isNaN(time))) return [...sorted];
  let step = Number.POSITIVE_INFINITY;
  for (let index = 1; index < times.length; index += 1) step = Math.min(step, (times[index] ?? 0) - (times[index - 1] ?? 0));
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  if (!(step >= 60_000) || (last - first) / step > MAX_TIME_BUCKETS) return [...sorted];
  const present = new Set(sorted);
  const filled: string[] = [];
  for (let time = first; time <= last; time += step) {
    const category = new Date(time).toISOString().slice(0, 19).replace('T', ' ');
    filled.push(category);
    present.delete(category);
  }
  // A time off the step grid (irregular data) keeps its own place rather than being lost.
  return present.size === 0 ? filled : [...new Set([...filled, ...present])].sort();
}

export function label(value: QueryValue): string {
  return value === null ? '(none)' : String(value);
}

function numeric(value: QueryValue): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : 0;
}
