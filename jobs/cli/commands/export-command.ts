import type { Command } from 'commander';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ClusterExporter } from '../../../pipeline/redshift/cluster-exporter.js';
import type { FleetExportResult } from '../../../pipeline/redshift/fleet-exporter.js';
import { formatSqlTimestamp } from '../../../pipeline/redshift/slot-time.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { DIALECTS, EXPORT_TABLE_NAMES, isExportTableName, isSourceViewName, QUERY_TEXT_TABLE } from '../../../pipeline/tables/registry.js';
import { customTableName, type ExportTable, isCustomTableName } from '../../../pipeline/tables/custom-tables.js';
import { renderQueryTextChunks, renderSlotSelect, renderSysQueryTextChunks } from '../../../pipeline/redshift/slot-sql.js';
import { accessWarning } from '../../../pipeline/redshift/source-access.js';
import type { ResolvedDialect } from '../../../pipeline/redshift/source-dialect.js';
import { openSqlRunner } from '../../shared/open-sql-runner.js';
import { ExportProgress } from '../export-progress.js';
import { loadLocalConfig } from '../load-config.js';
import { openConfiguredStores, runExport, selectClusters } from '../run-export.js';
import { formatDuration, formatGaps, formatInstant, formatTable } from '../table-format.js';
import { exitCodesHelp } from '../exit-codes-help.js';
import { EXIT_FAILED, EXIT_LEASE_HELD, type Interruption, withInterruption } from '../interruption.js';

interface ExportFlags {
  config?: string;
  cluster?: string[];
  table?: string[];
  dryRun?: boolean;
  takeOverLease?: boolean;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Export the system views of the configured sources into the lake (incremental, exactly once): ' +
        'STL views, or SYS views on Serverless and Multi-AZ.',
    )
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--cluster <name...>', 'only these clusters (default: every enabled one)')
    .option('--table <name...>', `only these tables: ${EXPORT_TABLE_NAMES.join(', ')}`)
    .option('--dry-run', 'print the planned slots and the SQL, write nothing')
    .option('--take-over-lease', 'take the lease of a cluster over from the run holding it (one that was killed); shows the holder first')
    .addHelpText('after', `\n${exitCodesHelp({ lease: true })}`)
    .addHelpText(
      'after',
      '\nExamples:\n  opslake export --config opslake-demo/opslake.yaml\n' +
        '  opslake export --cluster analytics --table stl_query stl_scan --dry-run',
    )
    .action(async (flags: ExportFlags) => {
      const { config } = await loadLocalConfig(flags.config);
      const tables = parseTables(flags.table);
      if (flags.dryRun) {
        process.stdout.write(await dryRun(config, flags.cluster, tables));
        return;
      }
      const progress = new ExportProgress();
      await withInterruption(async (interruption) => {
        const results = await runExport({
          config,
          ...(flags.cluster ? { clusters: flags.cluster } : {}),
          ...(tables ? { tables } : {}),
          onEvent: progress.onEvent,
          signal: interruption.signal,
          ...(flags.takeOverLease ? { takeOverLease: true } : {}),
        });
        progress.finish();
        process.stdout.write(`${formatExportSummary(results)}\n`);
        if (results.some((result) => result.status === 'interrupted')) {
          process.stdout.write(
            `Interrupted (${interruption.received}): the objects and watermarks above are committed; run again to go on.\n`,
          );
        }
        process.exitCode = exportExitCode(results, interruption);
      });
    });
}

/** 1 when a cluster failed; else 130/143 when interrupted; else 75 when a lease held a cluster back; else 0. */
export function exportExitCode(results: readonly FleetExportResult[], interruption: Pick<Interruption, 'exitCode'>): number {
  if (results.some((result) => result.status === 'failed')) return EXIT_FAILED;
  // A signal that came after the last slot cut nothing short: the run is done.
  if (results.some((result) => result.status === 'interrupted')) return interruption.exitCode(0);
  return results.some((result) => result.status === 'lease-held') ? EXIT_LEASE_HELD : 0;
}

function parseTables(names: string[] | undefined): ExportTable[] | undefined {
  if (!names) return undefined;
  return names.map((name) => {
    if (!isExportTableName(name) && !isCustomTableName(name)) {
      const choices = `${EXPORT_TABLE_NAMES.join(', ')} or custom_<name> of a configured export`;
      throw new ConfigError('--table', `${JSON.stringify(name)} is not an exportable table; choose from ${choices}`);
    }
    return name;
  });
}

/** How a source was read, in one line: `analytics: STL views (stl_query can be read)`. */
export function describeDialect(cluster: string, dialect: ResolvedDialect): string {
  return `${cluster}: ${DIALECTS[dialect.dialect].title} views (${dialect.reason})`;
}

/**
 * One line per (cluster, table): rows, slots, sealed-through, gaps; then how each source was read;
 * failures and held leases said plainly.
 */
export function formatExportSummary(results: readonly FleetExportResult[]): string {
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  for (const result of results) {
    if (result.status === 'failed' || result.status === 'lease-held') {
      notes.push(`${result.cluster}: ${result.status === 'failed' ? 'FAILED' : 'skipped'}: ${result.message}`);
      continue;
    }
    if (result.dialect) notes.push(describeDialect(result.cluster, result.dialect));
    const warning = result.access
      ? accessWarning(
          result.access,
          result.tables.map((table) => table.table),
        )
      : null;
    if (warning) notes.push(`WARNING ${warning}`);
    if (result.status === 'deadline' || result.status === 'interrupted') notes.push(`${result.cluster}: ${result.message}`);
    for (const table of result.tables) {
      rows.push([
        result.cluster,
        table.table,
        table.rows,
        table.slotsWritten,
        table.slotsSealed,
        formatInstant(table.sealedThrough),
        formatDuration(table.lagSeconds),
        formatGaps(table.gaps),
      ]);
    }
  }
  const table =
    rows.length > 0
      ? formatTable(['cluster', 'table', 'rows', 'objects written', 'slots sealed', 'sealed through', 'lag', 'gaps'], rows)
      : '';
  return [table, ...notes].filter(Boolean).join('\n');
}

async function dryRun(
  config: Awaited<ReturnType<typeof loadLocalConfig>>['config'],
  clusterNames: string[] | undefined,
  tables: ExportTable[] | undefined,
): Promise<string> {
  const { lake, state } = openConfiguredStores(config);
  const { instance, connection } = await openDuckDb();
  const out: string[] = [];
  try {
    for (const cluster of selectClusters(config, clusterNames)) {
      const runner = await openSqlRunner(cluster);
      try {
        const exporter = new ClusterExporter({ runner, lake, state, writer: new ParquetWriter(connection) });
        const plan = await exporter.plan({ cluster, settings: config.export, ...(tables ? { tables } : {}) });
        out.push(`# ${cluster.name} (cluster clock ${plan.clusterNow}; ${describeDialect(cluster.name, plan.dialect)})`);
        for (const table of plan.tables) {
          const slots = table.plan.slots;
          out.push(`\n## ${table.table}: ${slots.length} slots, ${slots.filter((slot) => slot.sealed).length} would be sealed`);
          if (table.plan.gap)
            out.push(`gap: ${table.plan.gap.from.toISOString()} .. ${table.plan.gap.to.toISOString()} (rows dropped by the cluster)`);
          for (const slot of slots)
            out.push(`  ${formatSqlTimestamp(slot.start)} .. ${formatSqlTimestamp(slot.end)}${slot.sealed ? '  sealed' : ''}`);
          const custom = (cluster.exports ?? []).find((entry) => customTableName(entry.name) === table.table);
          const sql = custom
            ? custom.sql
            : isSourceViewName(table.table)
              ? renderSlotSelect(table.table)
              : table.table === QUERY_TEXT_TABLE
                ? plan.dialect.dialect === 'sys'
                  ? renderSysQueryTextChunks()
                  : renderQueryTextChunks('query')
                : '';
          out.push('SQL (:slot_start and :slot_end bound per slot):', sql);
        }
      } finally {
        await runner.close();
      }
    }
  } finally {
    instance.closeSync();
  }
  return `${out.join('\n')}\n`;
}
