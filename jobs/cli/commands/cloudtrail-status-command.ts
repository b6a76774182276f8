import type { Command } from 'commander';
import { formatBytes } from '../../../pipeline/cloudtrail/cloudtrail-ingest-summary.js';
import { LEDGER_STATUSES, type LedgerStatusReport, summarizeLedger } from '../../../pipeline/cloudtrail/ledger-status.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { openStateStore } from '../../shared/open-stores.js';
import { loadLocalConfig } from '../load-config.js';
import { formatDuration, formatInstant, formatTable } from '../table-format.js';

interface StatusFlags {
  config?: string;
  state?: string;
  since?: string;
  until?: string;
  days: string;
  json?: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayOption(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new ConfigError(option, `${JSON.stringify(value)} is not a day; use YYYY-MM-DD`);
  return value;
}

/** The delivery days shown: --since/--until, else the last --days days up to today (UTC). */
export function statusRange(flags: Pick<StatusFlags, 'since' | 'until' | 'days'>, now: Date): { fromDay: string; toDay: string } {
  const toDay = dayOption(flags.until, '--until') ?? now.toISOString().slice(0, 10);
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new ConfigError('--days', `${JSON.stringify(flags.days)} is not a whole number from 1 to 3660`);
  const fromDay =
    dayOption(flags.since, '--since') ?? new Date(Date.parse(`${toDay}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  if (fromDay > toDay) throw new ConfigError('--since', 'must not be after --until');
  return { fromDay, toDay };
}

/** The ledger view as text: files per day and status, last deliveries, quarantined files. */
export function formatLedgerStatus(report: LedgerStatusReport, now: Date): string {
  if (report.days.length === 0) return 'The ledger holds no CloudTrail files delivered in that range.';
  const lines = [
    formatTable(
      ['delivery day', ...LEDGER_STATUSES, 'events', 'insights', 'bytes'],
      report.days.map((day) => [
        day.day,
        ...LEDGER_STATUSES.map((status) => day.files[status]),
        day.events,
        day.insights,
        formatBytes(day.bytes),
      ]),
    ),
    '',
    'Last delivery seen per account and region:',
    formatTable(
      ['account', 'region', 'delivered (UTC)', 'ago', 'file'],
      report.lastDeliveries.map((last) => [
        last.account,
        last.region,
        formatInstant(last.deliveredAt),
        formatDuration(Math.max(0, Math.round((now.getTime() - last.deliveredAt.getTime()) / 1000))),
        last.key.slice(last.key.lastIndexOf('/') + 1),
      ]),
    ),
  ];
  const quarantined = report.quarantined.length + report.quarantinedNotListed;
  lines.push('', `Quarantined: ${quarantined}`);
  for (const entry of report.quarantined) lines.push(`  ${entry.key}: ${entry.reason}: ${entry.message}`);
  if (report.quarantinedNotListed > 0) lines.push(`  ... and ${report.quarantinedNotListed} more (narrow the range with --since/--until)`);
  return lines.join('\n');
}

export function registerCloudtrailStatusCommand(cloudtrail: Command): void {
  cloudtrail
    .command('status')
    .description('Show the ingestion ledger: files per delivery day and status, last delivery per account and region, quarantined files.')
    .option('-c, --config <file>', 'config file naming the state (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--state <location>', 'where the ledger is: a folder or dynamodb://<table> (default: state: of the config file)')
    .option('--since <day>', 'first delivery day shown (YYYY-MM-DD, UTC)')
    .option('--until <day>', 'last delivery day shown (default: today)')
    .option('--days <n>', 'days shown when --since is not given', '7')
    .option('--json', 'print JSON instead of tables')
    .action(async (flags: StatusFlags) => {
      const now = new Date();
      const range = statusRange(flags, now);
      let location = flags.state;
      if (location === undefined) {
        const { config } = await loadLocalConfig(flags.config);
        location = config.state;
        if (location === undefined) throw new ConfigError('--state', 'missing: pass --state, or set state: in the config file');
      }
      const state = openStateStore(location, flags.state === undefined ? 'state' : '--state');
      const report = await summarizeLedger(state.listLedgerEntries(range));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...range, ...report }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`CloudTrail files delivered ${range.fromDay} to ${range.toDay}:\n${formatLedgerStatus(report, now)}\n`);
    });
}
