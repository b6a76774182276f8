import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { collectRows } from '../ports/query-engine.js';
import { openLocalQueries } from '../query/local-queries.js';
import { QueryLibrary } from '../query/query-library.js';
import type { ChartSuggestion } from '../query/query-definition.js';
import { lakeTables } from '../tables/registry.js';
import type { LakeTable } from '../tables/lake-table.js';
import { renderReportHtml, type PanelResult, type ReportSection } from './report-html.js';

/** A panel of the report: a query of `queries/`, drawn as its header suggests unless overridden. */
export interface ReportPanel {
  readonly query: string;
  readonly chart?: ChartSuggestion;
  /** Columns to list under the chart. */
  readonly table?: readonly string[];
  readonly tableRows?: number;
}

export interface ReportSectionSpec {
  readonly title: string;
  readonly panels: readonly ReportPanel[];
}

/** The local counterpart of the QuickSight dashboards. */
export const REPORT_SECTIONS: readonly ReportSectionSpec[] = [
  {
    title: 'Redshift',
    panels: [
      { query: 'redshift_hourly_statements' },
      { query: 'redshift_queue_wait' },
      // Sizing: how many statements ran at once, what spilled to disk, what Serverless compute cost.
      { query: 'redshift_peak_concurrency' },
      {
        query: 'redshift_spilled_statements',
        chart: { type: 'stacked-bar', x: 'cluster', y: 'spilled_mb', series: 'kind' },
        table: ['cluster', 'fingerprint', 'spilled_runs', 'runs', 'spilled_mb', 'max_spilled_mb', 'avg_seconds', 'example_text'],
        tableRows: 10,
      },
      { query: 'redshift_serverless_cost' },
      {
        query: 'redshift_failed_logins',
        chart: { type: 'stacked-bar', x: 'remote_host', y: 'failed_logins', series: 'user_name' },
        table: ['cluster', 'user_name', 'remote_host', 'failed_logins', 'logins', 'sessions', 'last_seen'],
        tableRows: 10,
      },
      { query: 'redshift_alerts_by_table', table: ['table_name', 'alert', 'events', 'queries', 'solution'], tableRows: 10 },
      {
        query: 'redshift_slowest_fingerprints',
        table: ['fingerprint', 'runs', 'clusters', 'total_seconds', 'avg_seconds', 'max_seconds', 'alerts', 'slowest_text'],
        tableRows: 10,
      },
    ],
  },
  {
    title: 'CloudTrail',
    panels: [
      { query: 'cloudtrail_events_by_identity_type' },
      { query: 'cloudtrail_top_source_ips', table: ['sourceipaddress', 'identity_type', 'events', 'errors', 'principals'], tableRows: 10 },
      { query: 'cloudtrail_errors_over_time' },
    ],
  },
  {
    // What the digests say of the lake: findings first in the table, every status in the chart.
    title: 'CloudTrail completeness',
    panels: [
      {
        query: 'cloudtrail_completeness',
        table: ['hour', 'account', 'region', 'status', 'files', 'example_key', 'example_detail'],
        tableRows: 10,
      },
    ],
  },
];

export interface WriteReportOptions {
  /** The lake root folder. */
  readonly lakeDir: string;
  /**
   * The DuckDB catalog file (the config's `catalog:`): it knows where compacted partitions are.
   * Without it the views read live folders only, which miss a partition once compaction deleted them.
   */
  readonly catalogPath?: string;
  /** The HTML file to write. */
  readonly out: string;
  /** Days covered, ending with `toDay`. Default 7. */
  readonly days?: number;
  /** Last UTC day covered (YYYY-MM-DD); default the newest day in the lake (today when it is empty). */
  readonly toDay?: string;
  readonly title?: string;
  readonly library?: QueryLibrary;
  readonly sections?: readonly ReportSectionSpec[];
  readonly now?: () => Date;
}

export interface ReportSummary {
  readonly out: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly panels: ReadonlyArray<{ readonly query: string; readonly rows: number }>;
}

/**
 * Writes the HTML report of the local lake: every panel's query run on DuckDB over the days asked
 * for, drawn as inline SVG into one self-contained page (written to a temp name, then renamed, so
 * a reader never sees half a file). Returns where it went and what each panel found.
 */
export async function writeReport(options: WriteReportOptions): Promise<ReportSummary> {
  const now = options.now?.() ?? new Date();
  const lakeDir = resolve(options.lakeDir);
  const library = options.library ?? (await QueryLibrary.load());
  const toDay = options.toDay ?? (await newestDay(lakeDir, lakeTables())) ?? now.toISOString().slice(0, 10);
  const fromDay = new Date(Date.parse(`${toDay}T00:00:00Z`) - ((options.days ?? 7) - 1) * 86_400_000).toISOString().slice(0, 10);
  const local = await openLocalQueries({ lakeDir, library, ...(options.catalogPath ? { catalogPath: options.catalogPath } : {}) });
  const sections: ReportSection[] = [];
  try {
    for (const spec of options.sections ?? REPORT_SECTIONS) {
      const panels: PanelResult[] = [];
      for (const panel of spec.panels) {
        const definition = library.get(panel.query);
        const given = Object.fromEntries(
          definition.parameters.flatMap((parameter) =>
            parameter.name === 'from_day' ? [[parameter.name, fromDay]] : parameter.name === 'to_day' ? [[parameter.name, toDay]] : [],
          ),
        );
        const { columns, rows } = await collectRows(local.engine.pages(library.prepare(panel.query, given, now)));
        panels.push({
          definition,
          chart: panel.chart ?? definition.chart,
          columns,
          rows,
          ...(panel.table ? { tableColumns: panel.table } : {}),
          ...(panel.tableRows ? { tableRows: panel.tableRows } : {}),
        });
      }
      sections.push({ title: spec.title, panels });
    }
  } finally {
    await local.close();
  }
  const html = renderReportHtml({ title: options.title ?? 'opslake report', lake: lakeDir, fromDay, toDay, generatedAt: now, sections });
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  await writeFile(temp, html, 'utf8');
  await rename(temp, out);
  return {
    out,
    fromDay,
    toDay,
    panels: sections.flatMap((section) => section.panels.map((panel) => ({ query: panel.definition.name, rows: panel.rows.length }))),
  };
}

/** The newest `day=` partition folder of any table, by walking the partition folders (no file is read). */
export async function newestDay(lakeDir: string, tables: readonly LakeTable[]): Promise<string | undefined> {
  let newest: string | undefined;
  for (const table of tables) {
    const depth = table.partitionKeys.findIndex((key) => key.name === 'day');
    if (depth < 0) continue;
    for (const folder of await foldersAt(join(lakeDir, table.path), depth)) {
      const day = /(?:^|\/)day=(\d{4}-\d{2}-\d{2})$/.exec(folder)?.[1];
      if (day && (!newest || day > newest)) newest = day;
    }
  }
  return newest;
}

async function foldersAt(root: string, depth: number): Promise<string[]> {
  let level = [root];
  for (let index = 0; index <= depth; index += 1) {
    const next: string[] = [];
    for (const folder of level) {
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) next.push(join(folder, entry.name));
    }
    level = next;
  }
  return level;
}
