import type { Command } from 'commander';
import { relative } from 'node:path';
import type { FleetExportResult } from '../../../pipeline/redshift/fleet-exporter.js';
import { runDemo, type DemoResult } from '../demo/run-demo.js';
import { formatDuration, formatInstant, formatTable } from '../table-format.js';
import { describeDialect } from './export-command.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline on this machine, no AWS account: simulated clusters and a Serverless workgroup, export, lake, summary.',
    )
    .option('-d, --dir <folder>', 'where the lake, state, catalog and simulated clusters go', './opslake-demo')
    .option('--history-hours <hours>', 'hours of simulated history before the first export', '72')
    .action(async (flags: { dir: string; historyHours: string }) => {
      const started = Date.now();
      process.stdout.write(
        'Simulating two provisioned Redshift clusters, a Serverless workgroup, a Multi-AZ cluster and a CloudTrail trail, ' +
          `exporting and ingesting them into ${flags.dir} ...\n`,
      );
      const result = await runDemo({ dir: flags.dir, historyHours: Number(flags.historyHours) });
      process.stdout.write(`${formatDemoSummary(result)}\nDone in ${Math.round((Date.now() - started) / 1000)} s.\n`);
    });
}

/** Both exports of the demo, per cluster and table: rows, objects written, sealed through, gaps. */
export function formatDemoSummary(result: DemoResult): string {
  const totals = new Map<
    string,
    {
      cluster: string;
      table: string;
      rows: number[];
      objects: number;
      sealed: number;
      sealedThrough: Date | null;
      lag: number | null;
      gaps: number;
    }
  >();
  const notes: string[] = [];
  const read = new Map<string, string>();
  const add = (results: readonly FleetExportResult[], run: number): void => {
    for (const cluster of results) {
      if (cluster.status === 'failed' || cluster.status === 'lease-held') {
        notes.push(`${cluster.cluster} (export ${run + 1}): ${cluster.message}`);
        continue;
      }
      if (cluster.dialect) read.set(cluster.cluster, describeDialect(cluster.cluster, cluster.dialect));
      for (const table of cluster.tables) {
        const id = `${cluster.cluster}/${table.table}`;
        const entry = totals.get(id) ?? {
          cluster: cluster.cluster,
          table: table.table,
          rows: [0, 0],
          objects: 0,
          sealed: 0,
          sealedThrough: null,
          lag: null,
          gaps: 0,
        };
        entry.rows[run] = table.rows;
        entry.objects += table.slotsWritten;
        entry.sealed += table.slotsSealed;
        entry.sealedThrough = table.sealedThrough;
        entry.lag = table.lagSeconds;
        entry.gaps = table.gaps.length;
        totals.set(id, entry);
      }
    }
  };
  add(result.first, 0);
  add(result.second, 1);
  const rows = [...totals.values()].map((entry) => [
    entry.cluster,
    entry.table,
    entry.rows[0] ?? 0,
    entry.rows[1] ?? 0,
    entry.objects,
    entry.sealed,
    formatInstant(entry.sealedThrough),
    formatDuration(entry.lag),
    entry.gaps,
  ]);
  const relativePath = relative(process.cwd(), result.configPath);
  const config = relativePath && !relativePath.startsWith('..') ? relativePath : result.configPath;
  return [
    '',
    formatTable(
      ['cluster', 'table', 'rows (1st export)', 'rows (2nd)', 'objects written', 'slots sealed', 'sealed through (UTC)', 'lag', 'gaps'],
      rows,
    ),
    ...notes,
    '',
    'How each source was read:',
    ...[...read.values()].map((line) => `  ${line}`),
    '',
    `Generated trail: ${result.trail.logFiles} log files, ${result.trail.events} events (${result.trail.dir})`,
    result.cloudtrail.format(),
    formatDemoCompleteness(result),
    '',
    result.compaction.format(),
    '',
    `Lake:    ${result.lakeDir}`,
    `Catalog: ${result.catalogPath} (DuckDB views over the lake)`,
    `Report:  ${result.report.out}`,
    `Config:  ${result.configPath}`,
    '',
    'Next:',
    `  npm run opslake -- status --config ${config}`,
    `  npm run opslake -- query --list`,
    `  npm run opslake -- query redshift_slowest_fingerprints --config ${config}`,
    `  echo "SELECT useridentity.arn, eventname, eventtime FROM cloudtrail_logs LIMIT 10" |`,
    `    npm run opslake -- query --sql - --config ${config}`,
    `  npm run opslake -- export --config ${config} --dry-run`,
    `  npm run opslake -- cloudtrail status --config ${config}`,
    `  npm run opslake -- compact --config ${config} --dry-run`,
  ].join('\n');
}

/** What the trail's digests showed: the planted missing and changed files among the rest. */
function formatDemoCompleteness(result: DemoResult): string {
  const { completeness } = result;
  const count = (status: Parameters<typeof completeness.count>[0]) => completeness.count(status);
  const digestsOk = count('digest-verified') + count('digest-unchecked');
  const keyPath = relative(process.cwd(), result.digestPublicKeyPath);
  const key = keyPath && !keyPath.startsWith('..') ? keyPath : result.digestPublicKeyPath;
  return [
    `CloudTrail digests: ${completeness.total('digest')} digest(s) (${digestsOk} signed and chained as CloudTrail's), ` +
      `${completeness.total('log')} log file(s) checked`,
    `  verified: ${count('verified')}, missing: ${count('missing')}, changed: ${count('hash-mismatch')}, ` +
      `not in any digest: ${count('not-in-digest')}, awaiting their digest: ${count('awaiting-digest')} (cloudtrail_completeness)`,
    `  the digests are signed with the demo's key pair; its public key: ${key}`,
  ].join('\n');
}
