import type { Command } from 'commander';
import type { OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import type { SourceAccess, SourceDialect, Watermark, WatermarkKey } from '../../../pipeline/ports/state-store.js';
import { accessWarning } from '../../../pipeline/redshift/source-access.js';
import { customTableName } from '../../../pipeline/tables/custom-tables.js';
import { knownDialect } from '../../../pipeline/redshift/source-dialect.js';
import { DIALECTS, dialectTables } from '../../../pipeline/tables/registry.js';
import { loadLocalConfig } from '../load-config.js';
import { openConfiguredState } from '../run-export.js';
import { formatDuration, formatGaps, formatInstant, formatTable } from '../table-format.js';

/** One configured source as `opslake status` shows it: how it is read, and why. */
export interface SourceStatus {
  readonly cluster: string;
  readonly kind: 'provisioned' | 'serverless';
  readonly views: 'stl' | 'sys' | 'auto';
  /** Null until the first export has probed a provisioned cluster on auto. */
  readonly dialect: 'stl' | 'sys' | null;
  readonly why: string;
  readonly detectedAt: Date | null;
  /** What the export user may see, as the last export found it (null before the first). */
  readonly access: { readonly level: SourceAccess['level']; readonly reason: string; readonly checkedAt: Date } | null;
  /** The grant the source needs so that its export is not a silent fraction of the rows; null when none is. */
  readonly warning: string | null;
}

type WatermarkRow = WatermarkKey & Omit<Watermark, 'updatedAt'> & { readonly updatedAt: Date | null };

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show how each source is read (STL or SYS views, and why), and watermarks, lag and gaps per table.')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--json', 'print JSON ({ sources, watermarks }) instead of tables')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const { config } = await loadLocalConfig(flags.config);
      const state = openConfiguredState(config);
      const sources = sourceStatuses(config, await state.listSourceDialects(), await state.listSourceAccess());
      const watermarks = watermarkRows(config, sources, await state.listWatermarks());
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ sources, watermarks }, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatStatus(sources, watermarks, Date.now()));
    });
}

export function sourceStatuses(
  config: OpslakeConfig,
  recorded: readonly SourceDialect[],
  checked: readonly SourceAccess[] = [],
): SourceStatus[] {
  return config.clusters.map((cluster) => {
    const known = knownDialect(
      cluster,
      recorded.find((dialect) => dialect.cluster === cluster.name),
    );
    const access = checked.find((candidate) => candidate.cluster === cluster.name);
    const tables = [...(known ? dialectTables(known.dialect, cluster.kind).filter((table) => cluster.tables.includes(table)) : [])];
    return {
      cluster: cluster.name,
      kind: cluster.kind,
      views: cluster.views,
      dialect: known?.dialect ?? null,
      why: known?.reason ?? 'not probed yet: the next export finds out whether STL can be read',
      detectedAt: known?.detectedAt ?? null,
      access: access ? { level: access.level, reason: access.reason, checkedAt: access.checkedAt } : null,
      warning: access ? accessWarning(access, tables) : null,
    };
  });
}

/**
 * Every configured (cluster, table) of the dialect the source is read through, also those with
 * nothing sealed yet, then any watermark left from a cluster or table no longer exported.
 */
function watermarkRows(
  config: OpslakeConfig,
  sources: readonly SourceStatus[],
  stored: ReadonlyArray<WatermarkKey & Watermark>,
): WatermarkRow[] {
  const configured = config.clusters.flatMap((cluster) => {
    const dialect = sources.find((source) => source.cluster === cluster.name)?.dialect;
    if (!dialect) return [];
    const tables = new Set<string>(dialectTables(dialect, cluster.kind));
    const custom = (cluster.exports ?? []).map((entry) => customTableName(entry.name));
    return [...cluster.tables.filter((table) => tables.has(table)), ...custom].map((table) => ({ cluster: cluster.name, table }));
  });
  return [
    ...configured.map(
      (key) =>
        stored.find((mark) => mark.cluster === key.cluster && mark.table === key.table) ?? {
          ...key,
          sealedThrough: null,
          version: 0,
          gaps: [],
          updatedAt: null,
        },
    ),
    ...stored.filter((mark) => !configured.some((key) => key.cluster === mark.cluster && key.table === mark.table)),
  ];
}

function formatStatus(sources: readonly SourceStatus[], watermarks: readonly WatermarkRow[], now: number): string {
  if (sources.length === 0 && watermarks.length === 0) return 'No clusters configured and no watermarks stored.\n';
  const out: string[] = [];
  if (sources.length > 0) {
    const rows = sources.map((source) => [
      source.cluster,
      source.kind,
      source.views,
      source.dialect ? `${DIALECTS[source.dialect].title} views` : '-',
      source.detectedAt ? `${source.why} (probed ${formatInstant(source.detectedAt)} UTC)` : source.why,
    ]);
    const table = formatTable(['source', 'kind', 'views', 'read through', 'why'], rows);
    // Indented, so that a line that starts with a cluster name is always a watermark.
    out.push('Sources:', ...table.split('\n').map((line) => `  ${line}`), '');
    const warnings = sources.flatMap((source) => (source.warning ? [`  WARNING ${source.warning}`] : []));
    if (warnings.length > 0) out.push('Access:', ...warnings, '');
  }
  if (watermarks.length > 0) {
    const rows = watermarks.map((mark) => [
      mark.cluster,
      mark.table,
      mark.sealedThrough ? formatInstant(mark.sealedThrough) : 'not yet (no rows seen)',
      formatDuration(mark.sealedThrough ? Math.round((now - mark.sealedThrough.getTime()) / 1000) : null),
      mark.gaps.length,
      formatGaps(mark.gaps),
    ]);
    out.push(formatTable(['cluster', 'table', 'sealed through (UTC)', 'lag', 'gaps', 'gap ranges'], rows));
  }
  return `${out.join('\n')}\n`;
}
