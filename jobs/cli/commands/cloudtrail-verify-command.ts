import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Command } from 'commander';
import { CloudTrailDigestPublicKeys } from '../../../pipeline/cloudtrail/digest/cloudtrail-digest-public-keys.js';
import type { CompletenessSummary } from '../../../pipeline/cloudtrail/digest/completeness-summary.js';
import { PemDigestPublicKeys } from '../../../pipeline/cloudtrail/digest/pem-digest-public-keys.js';
import { addDays, verifyCloudTrail } from '../../../pipeline/cloudtrail/digest/verify-cloudtrail.js';
import type { OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { DigestPublicKeys } from '../../../pipeline/ports/digest-public-keys.js';
import type { IngestionLedger } from '../../../pipeline/ports/ingestion-ledger.js';
import { COMPLETENESS_STATUSES, type CompletenessStatus } from '../../../pipeline/tables/cloudtrail-completeness-table.js';
import { openObjectStore } from '../../shared/open-stores.js';
import { loadLocalConfig, requireSetting } from '../load-config.js';
import { openConfiguredState } from '../run-export.js';
import { formatTable } from '../table-format.js';
import { openCloudTrailSource, parseTimeOption } from './cloudtrail-command.js';

interface VerifyFlags {
  source: string;
  since?: string;
  until?: string;
  lake?: string;
  config?: string;
  publicKey?: string;
  json?: boolean;
}

export interface VerifyCommandDependencies {
  readonly stdout?: NodeJS.WritableStream;
  /** The ledger the config's state store holds; tests give one of their own. */
  readonly openLedger?: (config: OpslakeConfig) => IngestionLedger;
  readonly now?: () => Date;
}

/** Findings listed one by one; the rest are in the table. */
const LISTED_FINDINGS = 20;
const LEDGER_METHODS = ['getLedgerEntries', 'putLedgerEntries', 'listLedgerEntries'] as const;

/** The state store as the ingestion ledger it holds; a store that keeps none is refused with what to do. */
function ledgerOf(config: OpslakeConfig): IngestionLedger {
  const state: object = openConfiguredState(config);
  const methods = state as Partial<Record<(typeof LEDGER_METHODS)[number], unknown>>;
  if (LEDGER_METHODS.every((method) => typeof methods[method] === 'function')) return state as IngestionLedger;
  throw new ConfigError('state', `the state store at ${config.state} keeps no ingestion ledger; ingest the trail with this version first`);
}

/** `--public-key <file.pem>`, or `cloudtrail` for the keys CloudTrail lists in each digest's region. */
async function publicKeysOf(option: string | undefined): Promise<DigestPublicKeys | undefined> {
  if (option === undefined) return undefined;
  if (option === 'cloudtrail') return new CloudTrailDigestPublicKeys({ clientFor: (region) => new CloudTrailClient({ region }) });
  return PemDigestPublicKeys.fromFile(option);
}

/** `--since` defaults to the day before `--until`, which defaults to now; `--until` is exclusive. */
export function verifiedDays(since: Date | undefined, until: Date | undefined, now: Date): { fromDay: string; toDay: string } {
  const end = until ?? now;
  const toDay = new Date(end.getTime() - 1).toISOString().slice(0, 10);
  const fromDay = since ? since.toISOString().slice(0, 10) : addDays(toDay, -1);
  if (fromDay > toDay) throw new ConfigError('--until', 'must be later than --since');
  return { fromDay, toDay };
}

const COLUMNS: ReadonlyArray<readonly [string, readonly CompletenessStatus[]]> = [
  ['verified', ['verified']],
  ['missing', ['missing']],
  ['changed', ['hash-mismatch']],
  ['not in digest', ['not-in-digest']],
  ['awaiting', ['awaiting-digest']],
  ['unverified', ['no-digest', 'hash-unknown']],
  ['digests ok', ['digest-verified', 'digest-unchecked']],
  ['digest problems', ['signature-invalid', 'signature-missing', 'key-unknown', 'chain-broken', 'digest-misplaced', 'digest-malformed']],
];

/** The summary a person reads: counts per account and region, then the first findings. */
export function formatVerifySummary(summary: CompletenessSummary): string {
  const rows = summary
    .streams()
    .map((stream) => [
      stream.account,
      stream.region,
      ...COLUMNS.map(([, statuses]) => statuses.reduce((sum, status) => sum + (stream.counts.get(status) ?? 0), 0)),
    ]);
  const lines = [
    `CloudTrail digests, ${summary.fromDay} to ${summary.toDay}: ` +
      `${summary.total('log')} log file(s), ${summary.total('digest')} digest(s); ` +
      (summary.keys ? `signatures checked with ${summary.keys}` : 'signatures not checked (no --public-key)'),
    '',
    rows.length > 0 ? formatTable(['account', 'region', ...COLUMNS.map(([title]) => title)], rows) : 'No digests and no ledger entries.',
    '',
  ];
  if (summary.findingsTotal === 0) {
    lines.push('No findings: every log file the digests name is in the lake as delivered.');
  } else {
    lines.push(`${summary.findingsTotal} finding(s)${summary.findingsTotal > LISTED_FINDINGS ? `, the first ${LISTED_FINDINGS}` : ''}:`);
    for (const row of summary.findings.slice(0, LISTED_FINDINGS)) {
      lines.push(
        `  ${row.status.padEnd(17)} ${row.file_key}`,
        `  ${''.padEnd(17)} ${row.detail ?? COMPLETENESS_STATUSES[row.status].meaning}`,
      );
    }
  }
  if (summary.quarantined.length > 0) lines.push(`Quarantined: ${summary.quarantined.length} malformed digest(s)`);
  lines.push(`Wrote ${summary.objects.length} object(s) of cloudtrail_completeness in ${(summary.elapsedMs / 1000).toFixed(1)} s.`);
  return lines.join('\n');
}

export function registerCloudtrailVerifyCommand(cloudtrail: Command, dependencies: VerifyCommandDependencies = {}): void {
  cloudtrail
    .command('verify')
    .description("Check the lake against CloudTrail's digest files: missing, changed and unlisted log files, forged digests.")
    .requiredOption('--source <location>', 'the CloudTrail bucket as s3://<bucket>[/<prefix>], or a local folder read as the bucket')
    .option('--since <time>', 'first delivery day verified (YYYY-MM-DD or ISO 8601, UTC); default: the day before --until')
    .option('--until <time>', 'verify files delivered before this time; default: now')
    .option('--lake <location>', 'the lake root: a folder or s3://<bucket>/<prefix> (default: lake: of the config file)')
    .option('-c, --config <file>', 'config file whose state: holds the ingestion ledger (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--public-key <file.pem|cloudtrail>', "check digest signatures with this PEM public key, or with CloudTrail's ListPublicKeys")
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Every log file a digest names must have an ingested entry in the ledger whose SHA-256 (of the',
        "uncompressed file) is the digest's hashValue; ingested files that no digest names are reported",
        'too. Digests chain to the previous one; with --public-key each signature is checked. The result',
        'goes to the cloudtrail_completeness table; the command exits with 1 when there are findings.',
        "A local folder keeps a digest's signature in a .opslake-meta-<name>.json file beside it.",
        '',
        'Examples:',
        '  opslake cloudtrail verify --source ./trail --config opslake.yaml --public-key digest-key.pem',
        '  opslake cloudtrail verify --source s3://my-trail-bucket/AWSLogs/o-a1b2c3d4e5/ --since 2024-03-01 --public-key cloudtrail',
      ].join('\n'),
    )
    .action(async (flags: VerifyFlags) => {
      const out = dependencies.stdout ?? process.stdout;
      const now = dependencies.now?.() ?? new Date();
      const { fromDay, toDay } = verifiedDays(parseTimeOption(flags.since, '--since'), parseTimeOption(flags.until, '--until'), now);
      const { config } = await loadLocalConfig(flags.config);
      const lakeLocation = flags.lake ?? requireSetting(config.lake, 'lake', 'lake: in the config file, or pass --lake');
      const ledger = (dependencies.openLedger ?? ledgerOf)(config);
      const source = openCloudTrailSource(flags.source, { parameter: '--source' });
      const lake = openObjectStore(lakeLocation, '--lake');
      const publicKeys = await publicKeysOf(flags.publicKey);
      const { instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
      let summary: CompletenessSummary;
      try {
        summary = await verifyCloudTrail({
          source: source.store,
          prefix: source.prefix,
          ledger,
          lake,
          writer: new ParquetWriter(connection),
          fromDay,
          toDay,
          ...(publicKeys ? { publicKeys } : {}),
          ...(dependencies.now ? { clock: dependencies.now } : {}),
        });
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
      const findings = summary.findings.map((row) => ({ status: row.status, key: row.file_key, detail: row.detail }));
      out.write(
        flags.json
          ? `${JSON.stringify({ ...summary.toJSON(), findingsListed: findings }, null, 2)}\n`
          : `${formatVerifySummary(summary)}\n`,
      );
      if (summary.findingsTotal > 0) process.exitCode = 1;
    });
}
