import type { Command } from 'commander';
import { type CompactionSummary, formatPartitionResult } from '../../../pipeline/compaction/compaction-summary.js';
import { runCompaction } from '../../../pipeline/compaction/run-compaction.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { lakeTablesWithCustom } from '../../../pipeline/tables/custom-tables.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { openStateStore } from '../../shared/open-stores.js';
import { loadLocalConfig, requireSetting } from '../load-config.js';
import { openConfiguredStores } from '../run-export.js';
import { openCompactionCatalog } from '../compaction-catalog.js';
import { exitCodesHelp } from '../exit-codes-help.js';
import { describeTakeOver, EXIT_FAILED, EXIT_LEASE_HELD, type Interruption, withInterruption } from '../interruption.js';

interface CompactFlags {
  config?: string;
  table?: string[];
  since?: string;
  until?: string;
  dryRun?: boolean;
  glueDatabase?: string;
  takeOverLease?: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new ConfigError(option, `${JSON.stringify(value)} is not a day; use YYYY-MM-DD`);
  return value;
}

/** The tables named on the command line (every table by default), each checked against `all` (the registry and custom exports). */
export function selectTables(names: readonly string[] | undefined, all: readonly LakeTable[]): LakeTable[] {
  if (names === undefined || names.length === 0) return [...all];
  return names.map((name) => {
    const table = all.find((candidate) => candidate.name === name);
    if (table === undefined)
      throw new ConfigError('--table', `no lake table named ${JSON.stringify(name)}; tables: ${all.map((t) => t.name).join(', ')}`);
    return table;
  });
}

/** 1 when a partition failed; else 130/143 when interrupted; else 75 when another run held the lease; else 0. */
export function compactExitCode(summary: CompactionSummary, interruption: Pick<Interruption, 'exitCode'>): number {
  if (summary.failed.length > 0) return EXIT_FAILED;
  if (summary.interrupted) return interruption.exitCode(0);
  return summary.leaseHeldBy === undefined ? 0 : EXIT_LEASE_HELD;
}

export function registerCompactCommand(program: Command): void {
  program
    .command('compact')
    .description('Rewrite closed partitions into few large files, de-duplicated and sorted, and switch readers to them.')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--table <name...>', 'only these lake tables (default: all)')
    .option('--since <day>', 'first day to compact (YYYY-MM-DD); default: the days closed since the last run')
    .option('--until <day>', 'last day to compact; never a day that is not closed yet')
    .option('--dry-run', 'say what would be compacted, write nothing')
    .option('--glue-database <name>', 'Glue database of an S3 lake (default: $OPSLAKE_GLUE_DATABASE)')
    .option('--take-over-lease', 'take the compaction lease over from the run holding it (one that was killed); shows the holder first')
    .addHelpText(
      'after',
      [
        '',
        'A partition is closed when every slot of its day is sealed (Redshift) or its day ended more than',
        'compaction.cloudtrailLatenessMinutes ago (CloudTrail). Compacted files are written under',
        '<table>/_compacted/<partition>/gen=<id>/, the catalog (the local DuckDB catalog, or Glue) is pointed',
        'at them, and what they replace is deleted by a later run once compaction.graceMinutes have passed.',
        '',
        'Examples:',
        '  opslake compact --dry-run',
        '  opslake compact --table cloudtrail_events --since 2024-03-01 --until 2024-03-07',
        '',
        exitCodesHelp({ lease: true }),
      ].join('\n'),
    )
    .action(async (flags: CompactFlags) => {
      const { config } = await loadLocalConfig(flags.config);
      const state = openStateStore(requireSetting(config.state, 'state', 'state: in the config file'), 'state');
      const tables = selectTables(flags.table, await lakeTablesWithCustom(state));
      const since = day(flags.since, '--since');
      const until = day(flags.until, '--until');
      if (since && until && since > until) throw new ConfigError('--until', 'must not be before --since');
      const { lake } = openConfiguredStores(config);
      const lakeLocation = requireSetting(config.lake, 'lake', 'lake:');
      const opened = await openCompactionCatalog({
        lake: lakeLocation,
        lakeDir: lake.location,
        catalogPath: config.catalog,
        glueDatabase: flags.glueDatabase,
      });
      if (opened === undefined) {
        if (lakeLocation.startsWith('s3://')) {
          throw new ConfigError('--glue-database', 'missing: an S3 lake is compacted through its Glue database');
        }
        requireSetting(config.catalog, 'catalog', 'catalog: <file.duckdb> in the config file (readers follow compaction through it)');
        return;
      }
      const { catalog, close } = opened;
      try {
        await withInterruption(async (interruption) => {
          const summary = await runCompaction({
            lake,
            catalog,
            state,
            tables,
            settings: config.compaction,
            ...(since ? { since } : {}),
            ...(until ? { until } : {}),
            ...(flags.dryRun ? { dryRun: true } : {}),
            onPartition: (result) => {
              if (result.status !== 'unchanged' || result.deleted > 0) process.stderr.write(`${formatPartitionResult(result)}\n`);
            },
            signal: interruption.signal,
            ...(flags.takeOverLease ? { takeOverLease: true } : {}),
            onLeaseTakeOver: (held) => process.stderr.write(describeTakeOver(held)),
          });
          process.stdout.write(`${summary.format()}\n`);
          if (summary.interrupted) {
            process.stdout.write(`Interrupted (${interruption.received}): the partitions above are committed; run again to go on.\n`);
          }
          process.exitCode = compactExitCode(summary, interruption);
        });
      } finally {
        close();
      }
    });
}
