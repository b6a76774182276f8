import type { ChartSuggestion, QueryDefinition } from '../query/query-definition.js';
import type { QueryColumn, QueryRow } from '../ports/query-engine.js';
import { chartData, label } from './chart-data.js';
import { escapeXml, formatNumber, renderChart, seriesColor } from './svg-chart.js';

export interface PanelResult {
  readonly definition: QueryDefinition;
  /** The chart drawn; the query's suggestion unless the panel overrides it. */
  readonly chart: ChartSuggestion;
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly QueryRow[];
  /** Columns listed in a table under the chart (every column for table charts). */
  readonly tableColumns?: readonly string[];
  readonly tableRows?: number;
}

export interface ReportSection {
  readonly title: string;
  readonly panels: readonly PanelResult[];
}

export interface ReportModel {
  readonly title: string;
  readonly lake: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly generatedAt: Date;
  readonly sections: readonly ReportSection[];
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #dde2ea; --panel: #ffffff; --page: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--page); }
header { padding: 20px 28px 12px; background: #17202f; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c7cfdb; }
main { padding: 8px 28px 28px; }
h2 { margin: 22px 0 10px; font-size: 18px; }
.grid { stroke: var(--line); stroke-width: 1; }
.axis { stroke: #9aa3b2; stroke-width: 1; }
.tick, .label, .value { font-size: 11px; fill: var(--muted); }
.label { fill: var(--ink); }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(760px, 1fr)); gap: 16px; }
.panel.wide { grid-column: 1 / -1; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; overflow: hidden; }
.panel h3 { margin: 0 0 4px; font-size: 15px; }
.panel .description { margin: 0 0 10px; color: var(--muted); font-size: 12.5px; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0; list-style: none;
  font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; vertical-align: -1px; }
table { width: 100%; margin-top: 10px; border-collapse: collapse; font-size: 12px; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.text { min-width: 280px; max-width: 520px; }
details summary { cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  font: 11.5px ui-monospace, SFMono-Regular, Menlo, monospace; }
details pre { margin: 4px 0 0; padding: 6px; background: #f6f8fa; border-radius: 4px; white-space: pre-wrap;
  word-break: break-word; font-size: 11.5px; }
.table-wrap { overflow-x: auto; }
.empty { color: var(--muted); font-style: italic; }
footer { padding: 0 28px 24px; color: var(--muted); font-size: 12px; }
`;

/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG, no script and no
 * external resource (the Content-Security-Policy forbids both), so it opens offline from a file.
 * Pure: the same model gives the same page.
 */
export function renderReportHtml(model: ReportModel): string {
  const sections = model.sections
    .map(
      (section) =>
        `<section class="group"><h2>${escapeXml(section.title)}</h2>` +
        `<div class="panels">${section.panels.map(renderPanel).join('\n')}</div></section>`,
    )
    .join('\n');
  const generated = escapeXml(model.generatedAt.toISOString().slice(0, 16).replace('T', ' '));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(model.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeXml(model.title)}</h1>
<p>Lake ${escapeXml(model.lake)} &middot; days ${escapeXml(model.fromDay)} to ${escapeXml(model.toDay)} (UTC)
&middot; generated ${generated} UTC</p>
</header>
<main>
${sections}
</main>
<footer>Each panel is a query of queries/ run on DuckDB over the local lake;
<code>opslake query &lt;name&gt;</code> runs the same SQL, and Athena runs it unchanged.</footer>
</body>
</html>
`;
}

function renderPanel(panel: PanelResult): string {
  const { definition, chart } = panel;
  const header = `<h3>${escapeXml(definition.title)}</h3><p class="description">${escapeXml(definition.description)}</p>`;
  const tableColumns = panel.tableColumns ?? (chart.type === 'table' ? panel.columns.map((column) => column.name) : []);
  // A table that shows statement text gets the whole width of the page.
  const wide = panel.rows.some((row) => tableColumns.some((column) => label(row[column] ?? null).length > 60));
  const name = escapeXml(definition.name);
  const attributes = `class="panel${wide ? ' wide' : ''}" id="${name}" data-query="${name}" data-rows="${panel.rows.length}"`;
  if (panel.rows.length === 0)
    return `<article ${attributes} data-empty="true">${header}<p class="empty">No rows in this range.</p></article>`;
  let figure = '';
  if (chart.type !== 'table') {
    const data = chartData(panel.rows, chart);
    const svg = renderChart(data, chart.type, definition.title);
    const legend =
      chart.series === undefined
        ? ''
        : `<ul class="legend">${data.series.map((series, index) => legendItem(series.name, index)).join('')}</ul>`;
    figure = `<figure class="chart" data-chart="${chart.type}">${svg}${legend}</figure>`;
  }
  const table = tableColumns.length > 0 ? renderTable(panel, tableColumns) : '';
  return `<article ${attributes}>${header}${figure}${table}</article>`;
}

function renderTable(panel: PanelResult, columns: readonly string[]): string {
  const rows = panel.rows.slice(0, panel.tableRows ?? 20);
  const head = columns.map((column) => `<th>${escapeXml(column)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map((column) => {
        const value = row[column] ?? null;
        if (typeof value === 'number') return `<td class="number">${formatNumber(value)}</td>`;
        const text = label(value);
        if (text.length <= 60) return `<td>${escapeXml(text)}</td>`;
        // Statement text is the point of some panels: its first line, and the whole of it (as
        // text, never markup) one click away, without a script.
        const whole = text.length > 20_000 ? `${text.slice(0, 20_000)}...` : text;
        const summary = escapeXml(text.replace(/\s+/g, ' ').slice(0, 160));
        return `<td class="text"><details><summary>${summary}</summary><pre>${escapeXml(whole)}</pre></details></td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  const more = panel.rows.length > rows.length ? `<p class="description">${rows.length} of ${panel.rows.length} rows.</p>` : '';
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${more}`;
}

function legendItem(name: string, index: number): string {
  return `<li><i style="background:${seriesColor(index, name)}"></i>${escapeXml(name)}</li>`;
}
