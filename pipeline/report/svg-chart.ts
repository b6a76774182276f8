import type { ChartType } from '../query/query-definition.js';
import type { ChartData } from './chart-data.js';

/** Colour-blind-safe palette (Okabe-Ito), then greys for `other`. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999'];

const WIDTH = 720;
const MARGIN = { left: 64, right: 16, top: 14, bottom: 44 };
const LINE_HEIGHT = 280;
const BAR_ROW = 22;
const LABEL_WIDTH = 230;

export function seriesColor(index: number, name: string): string {
  return name === 'other' ? '#BBBBBB' : (PALETTE[index % (PALETTE.length - 1)] ?? '#999999');
}

/**
 * An SVG drawing of pivoted data: lines or vertical bars along a time axis, horizontal bars for
 * categories (so long names stay readable). Every drawn value is an element of class `mark` with a
 * `<title>` tooltip. Pure: the same data always gives the same markup.
 */
export function renderChart(data: ChartData, type: Exclude<ChartType, 'table'>, description: string): string {
  if (data.categories.length === 0 || data.series.length === 0) return '';
  if (type === 'line') return lineChart(data, description);
  return data.timeAxis ? columnChart(data, type === 'stacked-bar', description) : barChart(data, description);
}

function lineChart(data: ChartData, description: string): string {
  const plot = plotArea(LINE_HEIGHT);
  const max = Math.max(0, ...data.series.flatMap((series) => series.values.map((value) => value ?? 0)));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] ?? 1;
  const xOf = xScale(data, plot);
  const yOf = (value: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);
  const marks = data.series.map((series, index) => {
    const color = seriesColor(index, series.name);
    const points = series.values.flatMap((value, position) =>
      value === null ? [] : [{ x: xOf(position), y: yOf(value), value, position }],
    );
    const path = points.map((point, order) => `${order === 0 ? 'M' : 'L'}${fmt(point.x)},${fmt(point.y)}`).join(' ');
    const dots = points
      .map(
        (point) =>
          `<circle class="mark" cx="${fmt(point.x)}" cy="${fmt(point.y)}" r="${points.length > 80 ? 1.6 : 2.6}" fill="${color}">` +
          `${markTitle(series.name, data.categories[point.position], point.value)}</circle>`,
      )
      .join('');
    const line = `<path d="${path}" fill="none" stroke="${color}" stroke-width="1.8"/>`;
    return `<g class="series" data-series="${escapeXml(series.name)}">${line}${dots}</g>`;
  });
  return svg(LINE_HEIGHT, description, [yAxis(ticks, plot, yOf), xAxis(data, plot, xOf), ...marks]);
}

function columnChart(data: ChartData, stacked: boolean, description: string): string {
  const plot = plotArea(LINE_HEIGHT);
  const totals = data.categories.map((_, position) =>
    stacked
      ? data.series.reduce((sum, series) => sum + (series.values[position] ?? 0), 0)
      : Math.max(0, ...data.series.map((series) => series.values[position] ?? 0)),
  );
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 1;
  const yOf = (value: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);
  const band = (plot.right - plot.left) / data.categories.length;
  const width = Math.max(1, band * 0.8);
  const xOf = (position: number) => plot.left + band * position + band / 2;
  const rects: string[] = [];
  data.categories.forEach((category, position) => {
    let base = 0;
    data.series.forEach((series, index) => {
      const value = series.values[position];
      if (value === null || value === undefined || value <= 0) return;
      const slot = stacked ? 0 : index;
      const barWidth = stacked ? width : width / data.series.length;
      const x = xOf(position) - width / 2 + slot * barWidth;
      const y0 = yOf(base + value);
      const height = yOf(base) - y0;
      if (stacked) base += value;
      const box = { x, y: y0, width: barWidth, height: Math.max(height, 0.5) };
      rects.push(markRect(box, seriesColor(index, series.name), markTitle(series.name, category, value)));
    });
  });
  return svg(LINE_HEIGHT, description, [yAxis(ticks, plot, yOf), xAxis(data, plot, xOf), ...rects]);
}

function barChart(data: ChartData, description: string): string {
  const height = MARGIN.top + data.categories.length * BAR_ROW + 36;
  const plot = { left: LABEL_WIDTH, right: WIDTH - MARGIN.right - 48, top: MARGIN.top, bottom: height - 36 };
  const totals = data.categories.map((_, position) => data.series.reduce((sum, series) => sum + (series.values[position] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 1;
  const xOf = (value: number) => plot.left + (value / top) * (plot.right - plot.left);
  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${fmt(xOf(tick))}" y1="${plot.top}" x2="${fmt(xOf(tick))}" y2="${plot.bottom}" class="grid"/>` +
        `<text x="${fmt(xOf(tick))}" y="${plot.bottom + 16}" text-anchor="middle" class="tick">${formatNumber(tick)}</text>`,
    );
  }
  data.categories.forEach((category, position) => {
    const y = plot.top + position * BAR_ROW + 3;
    const shown = category.length > 34 ? `${category.slice(0, 16)}...${category.slice(-15)}` : category;
    const label = `<title>${escapeXml(category)}</title>${escapeXml(shown)}`;
    parts.push(`<text x="${plot.left - 8}" y="${y + 12}" text-anchor="end" class="label">${label}</text>`);
    let base = 0;
    data.series.forEach((series, index) => {
      const value = series.values[position];
      if (value === null || value === undefined || value <= 0) return;
      const box = { x: xOf(base), y, width: Math.max(xOf(base + value) - xOf(base), 0.5), height: BAR_ROW - 6 };
      parts.push(markRect(box, seriesColor(index, series.name), markTitle(series.name, category, value)));
      base += value;
    });
    parts.push(`<text x="${fmt(xOf(base) + 4)}" y="${y + 12}" class="value">${formatNumber(totals[position] ?? 0)}</text>`);
  });
  return svg(height, description, parts);
}

interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function plotArea(height: number): Plot {
  return { left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
}

/** Time axes place categories by time (gaps stay gaps); other axes space them evenly. */
function xScale(data: ChartData, plot: Plot): (position: number) => number {
  const count = data.categories.length;
  if (data.timeAxis && count > 1) {
    const times = data.categories.map((category) => Date.parse(`${category.replace(' ', 'T')}Z`));
    const first = times[0] ?? 0;
    const span = (times[count - 1] ?? first) - first || 1;
    return (position) => plot.left + (((times[position] ?? first) - first) / span) * (plot.right - plot.left);
  }
  if (count === 1) return () => (plot.left + plot.right) / 2;
  return (position) => plot.left + (position / (count - 1)) * (plot.right - plot.left);
}

function yAxis(ticks: readonly number[], plot: Plot, yOf: (value: number) => number): string {
  return ticks
    .map(
      (tick) =>
        `<line x1="${plot.left}" y1="${fmt(yOf(tick))}" x2="${plot.right}" y2="${fmt(yOf(tick))}" class="grid"/>` +
        `<text x="${plot.left - 6}" y="${fmt(yOf(tick) + 4)}" text-anchor="end" class="tick">${formatNumber(tick)}</text>`,
    )
    .join('');
}

function xAxis(data: ChartData, plot: Plot, xOf: (position: number) => number): string {
  const count = data.categories.length;
  const every = Math.max(1, Math.ceil(count / 7));
  const labels: string[] = [];
  for (let position = 0; position < count; position += every) {
    const category = data.categories[position] ?? '';
    const shown = data.timeAxis ? category.slice(5, 16) : category.length > 14 ? `${category.slice(0, 13)}...` : category;
    labels.push(`<text x="${fmt(xOf(position))}" y="${plot.bottom + 18}" text-anchor="middle" class="tick">${escapeXml(shown)}</text>`);
  }
  return `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" class="axis"/>${labels.join('')}`;
}

function svg(height: number, description: string, parts: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" ` +
    `role="img" aria-label="${escapeXml(description)}">` +
    `${parts.join('')}</svg>`
  );
}

/** Round steps (1, 2, 2.5, 5 times a power of ten) from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / (count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step * 0.999; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 });
}

function fmt(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/** The tooltip of a mark: series, category and value. */
function markTitle(series: string, category: string | undefined, value: number): string {
  return `<title>${escapeXml(`${series}, ${category}: ${formatNumber(value)}`)}</title>`;
}

/** One bar (or bar segment) with its tooltip; coordinates are rounded like every other mark. */
function markRect(box: { x: number; y: number; width: number; height: number }, fill: string, title: string): string {
  const place = `x="${fmt(box.x)}" y="${fmt(box.y)}" width="${fmt(box.width)}" height="${fmt(box.height)}"`;
  return `<rect class="mark" ${place} fill="${fill}">${title}</rect>`;
}
