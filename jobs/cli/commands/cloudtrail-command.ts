import { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { formatBytes, type CloudTrailIngestSummary } from '../../../pipeline/cloudtrail/cloudtrail-ingest-summary.js';
import { ingestCloudTrail, type IngestProgress } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { ConfigError } from '../../../pipeline/errors.js';
import type { ObjectStore } from '../../../pipeline/ports/object-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { type CompactionSettings, DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { openCompactionCatalog } from '../compaction-catalog.js';
import { type OpenedStateStore, openObjectStore, openStateStore } from '../../shared/open-stores.js';
import { environmentVariable } from '../../shared/environment-variable.js';
import { parseStoreLocation } from '../../shared/store-location.js';
import { DEFAULT_CONFIG_FILE, loadLocalConfig } from '../load-config.js';
import { formatDuration } from '../table-format.js';
import { exitCodesHelp } from '../exit-codes-help.js';
import { EXIT_FAILED, withInterruption } from '../interruption.js';
import { registerCloudtrailVerifyCommand } from './cloudtrail-verify-command.js';
import { registerCloudtrailStatusCommand } from './cloudtrail-status-command.js';

interface IngestFlags {
  config?: string;
  lake?: string;
  state?: string;
  since?: string;
  until?: string;
  concurrency: string;
  force?: boolean;
  glueDatabase?: string;
}

/** Where `ingest` reads: the bucket (or a folder read as the bucket) and a key prefix in it. */
export interface CloudTrailSource {
  readonly store: ObjectStore;
  readonly prefix: string;
}

/**
 * `s3://bucket/prefix` reads the bucket from its root and lists the prefix, so that keys (and
 * the objects named from them) are the same as when the Lambda ingests the files one by one.
 * A local folder is read as if it were the bucket: its relative paths are the keys.
 */
export function openCloudTrailSource(location: string, options: { s3?: S3Client; parameter?: string } = {}): CloudTrailSource {
  const parameter = options.parameter ?? '<source>';
  const parsed = parseStoreLocation(location, parameter);
  if (parsed.kind === 'local') {
    // A mistyped folder would otherwise read as an empty trail: nothing ingested, nothing missing.
    if (!existsSync(parsed.path)) {
      throw new ConfigError(parameter, `no folder at ${parsed.path}; give the trail's folder, or s3://<bucket>[/<prefix>] for its bucket`);
    }
    return { store: new LocalObjectStore(parsed.path), prefix: '' };
  }
  return {
    store: new S3ObjectStore({ client: options.s3 ?? new S3Client({}), bucket: parsed.bucket }),
    prefix: parsed.prefix === '' ? '' : `${parsed.prefix}/`,
  };
}

/** `2024-03-05` (midnight UTC) or a full ISO 8601 time. */
export function parseTimeOption(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw new ConfigError(
      option,
      `${JSON.stringify(value)} is not a date; use YYYY-MM-DD or an ISO 8601 time such as 2024-03-05T14:00:00Z`,
    );
  }
  return new Date(time);
}

/** One progress line: files, events, bytes, rate and time left. */
export function formatIngestProgress(progress: IngestProgress): string {
  const extra = [
    progress.skipped > 0 ? `${progress.skipped} skipped` : '',
    progress.quarantined > 0 ? `${progress.quarantined} quarantined` : '',
    progress.failed > 0 ? `${progress.failed} failed` : '',
  ].filter(Boolean);
  return [
    `files ${progress.filesDone.toLocaleString('en-US')}/${progress.filesTotal.toLocaleString('en-US')}` +
      (extra.length > 0 ? ` (${extra.join(', ')})` : ''),
    `${progress.events.toLocaleString('en-US')} events`,
    `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}`,
    `${Math.round(progress.eventsPerSecond).toLocaleString('en-US')} events/s`,
    `ETA ${progress.etaMs === undefined ? '?' : formatDuration(progress.etaMs / 1000, 'clock')}`,
  ].join(' · ');
}

/** Progress on stderr: on a terminal one line rewritten in place; otherwise a line every few seconds. */
class IngestProgressView {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  #last = 0;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {
    this.#out = out;
  }

  readonly onProgress = (progress: IngestProgress): void => {
    const now = Date.now();
    const done = progress.filesDone === progress.filesTotal;
    if (!done && now - this.#last < (this.#out.isTTY ? 200 : 5_000)) return;
    this.#last = now;
    const line = formatIngestProgress(progress);
    this.#out.write(this.#out.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
  };

  finish(): void {
    if (this.#out.isTTY) this.#out.write('\r\x1b[K');
  }
}

/** Where the lake and the state (the ledger) are: the options, else the config file's settings. */
export interface LakeAndState {
  readonly lake: ObjectStore;
  /** As configured: a folder or s3://bucket/prefix. */
  readonly lakeLocation: string;
  readonly state: OpenedStateStore;
  readonly cloudtrailLatenessMinutes: number;
  readonly settings: CompactionSettings;
  /** The local DuckDB catalog of the lake (`catalog:` of the config file). */
  readonly catalogPath: string | undefined;
}

export async function lakeAndState(flags: { config?: string; lake?: string; state?: string }): Promise<LakeAndState> {
  if (flags.lake !== undefined && flags.state !== undefined && flags.config === undefined) {
    return {
      lake: openObjectStore(flags.lake, '--lake'),
      lakeLocation: flags.lake,
      state: openStateStore(flags.state, '--state'),
      cloudtrailLatenessMinutes: DEFAULT_COMPACTION_SETTINGS.cloudtrailLatenessMinutes,
      settings: DEFAULT_COMPACTION_SETTINGS,
      catalogPath: undefined,
    };
  }
  if (flags.config === undefined && !existsSync(DEFAULT_CONFIG_FILE) && environmentVariable(process.env, 'OPSLAKE_CONFIG') === undefined) {
    const missing = flags.lake === undefined ? '--lake' : '--state';
    throw new ConfigError(
      missing,
      'missing: pass --lake <folder or s3://bucket/prefix> and --state <folder or dynamodb://table> ' +
        '(the ledger of ingested files lives in the state), or --config <opslake.yaml> that names both',
    );
  }
  const { config } = await loadLocalConfig(flags.config);
  const lake = flags.lake ?? config.lake;
  const state = flags.state ?? config.state;
  if (lake === undefined) throw new ConfigError('--lake', 'missing: pass --lake, or set lake: in the config file');
  if (state === undefined) throw new ConfigError('--state', 'missing: pass --state, or set state: in the config file');
  return {
    lake: openObjectStore(lake, flags.lake === undefined ? 'lake' : '--lake'),
    lakeLocation: lake,
    state: openStateStore(state, flags.state === undefined ? 'state' : '--state'),
    cloudtrailLatenessMinutes: config.compaction.cloudtrailLatenessMinutes,
    settings: config.compaction,
    // The catalog of the config's own lake: another lake given with --lake has its own.
    catalogPath: flags.lake === undefined ? config.catalog : undefined,
  };
}

export function registerCloudtrailCommand(program: Command): void {
  const cloudtrail = program
    .command('cloudtrail')
    .description(
      "CloudTrail logs: ingest them into the lake (backfill), see what the ledger holds, verify the lake against CloudTrail's digests.",
    );
  registerCloudtrailVerifyCommand(cloudtrail);
  cloudtrail
    .command('ingest')
    .description('Ingest CloudTrail log files into the lake as partitioned Parquet; resumes where it stopped.')
    .argument(
      '<source>',
      'the CloudTrail bucket as s3://<bucket>[/<prefix>], or a local folder read as the bucket (its relative paths are the keys)',
    )
    .option('-c, --config <file>', 'config file naming lake and state (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('--lake <location>', 'the lake root: a folder or s3://<bucket>/<prefix> (default: lake: of the config file)')
    .option('--state <location>', 'where the ledger is: a folder or dynamodb://<table> (default: state: of the config file)')
    .option('--since <time>', 'only files delivered at or after this time (YYYY-MM-DD or ISO 8601, UTC)')
    .option('--until <time>', 'only files delivered before this time')
    .option('--concurrency <n>', 'files ingested at once (one core and up to ~400 MB each)', '1')
    .option('--force', 'ingest files again even when the ledger says they are done')
    .option('--glue-database <name>', 'Glue database of an S3 lake (default: $OPSLAKE_GLUE_DATABASE): closed days are compacted directly')
    .addHelpText(
      'after',
      [
        '',
        'Digest files are skipped; Insights go to cloudtrail_insights; unreadable files are copied to',
        '<lake>/_quarantine/cloudtrail/ with a .error.json that says why. Every outcome goes into the',
        'ledger in the state store: a run that stops can be run again, and files the ledger holds with',
        'the same size and ETag are skipped (use --force to redo them). See opslake cloudtrail status.',
        'Files delivered on closed days (older than compaction.cloudtrailLatenessMinutes) are written',
        'straight into compacted partitions and the catalog (catalog: of the config file, or the Glue',
        'database) switched to them; open days go to the live folders, as the SQS handler writes them.',
        '',
        'Examples:',
        '  opslake cloudtrail ingest ./trail --lake ./lake --state ./state',
        '  opslake cloudtrail ingest s3://my-trail-bucket/AWSLogs/o-a1b2c3d4e5/ --lake s3://my-lake/lake \\',
        '      --state dynamodb://opslake-state --since 2024-03-01 --concurrency 2',
        '',
        exitCodesHelp({ lease: false }),
      ].join('\n'),
    )
    .action(async (location: string, flags: IngestFlags) => {
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw new ConfigError('--concurrency', `${JSON.stringify(flags.concurrency)} is not a whole number from 1 to 64`);
      }
      const since = parseTimeOption(flags.since, '--since');
      const until = parseTimeOption(flags.until, '--until');
      if (since && until && since >= until) throw new ConfigError('--until', 'must be later than --since');
      const source = openCloudTrailSource(location);
      const { lake, lakeLocation, state, cloudtrailLatenessMinutes, settings, catalogPath } = await lakeAndState(flags);
      // Closed days go straight into compacted generations when readers' catalog is known.
      const opened = await openCompactionCatalog({
        lake: lakeLocation,
        lakeDir: lake.location,
        catalogPath,
        glueDatabase: flags.glueDatabase,
      });
      if (opened === undefined) {
        process.stderr.write('No catalog configured (catalog: or --glue-database): every file goes to the live folders.\n');
      }
      const view = new IngestProgressView();
      await withInterruption(async (interruption) => {
        let summary: CloudTrailIngestSummary;
        try {
          summary = await ingestCloudTrail({
            source: source.store,
            prefix: source.prefix,
            lake,
            state,
            cloudtrailLatenessMinutes,
            concurrency,
            force: flags.force === true,
            onProgress: view.onProgress,
            signal: interruption.signal,
            ...(opened ? { compacted: { catalog: opened.catalog, state, settings } } : {}),
            ...(since ? { since } : {}),
            ...(until ? { until } : {}),
          });
        } finally {
          view.finish();
          opened?.close();
        }
        if (summary.filesListed === 0) {
          process.stdout.write(
            `No files under ${source.store.location}${source.prefix}${since || until ? ' in that time range' : ''}: nothing to ingest.\n`,
          );
          return;
        }
        process.stdout.write(`${summary.format()}\n`);
        process.exitCode = summary.failed.length > 0 ? EXIT_FAILED : summary.interrupted ? interruption.exitCode(0) : 0;
      });
    });
  registerCloudtrailStatusCommand(cloudtrail);
}
