import type { LedgerEntry, LedgerStatus } from '../../ports/ingestion-ledger.js';
import { type CompletenessStatus, isFinding } from '../../tables/cloudtrail-completeness-table.js';
import { type CloudTrailKey, parseCloudTrailKey } from '../cloudtrail-key.js';
import type { DigestFile } from './digest-file.js';

/** One row of `cloudtrail_completeness`, with the raw values of its partition (account, region, day). */
export interface CompletenessRow {
  readonly account: string;
  readonly region: string;
  readonly day: string;
  /** `YYYY-MM-DD HH:00:00` (UTC). */
  readonly hour: string;
  readonly kind: 'log' | 'digest';
  readonly status: CompletenessStatus;
  readonly finding: boolean;
  readonly file_key: string;
  readonly digest_key: string | null;
  readonly expected_sha256: string | null;
  readonly actual_sha256: string | null;
  readonly ledger_status: LedgerStatus | null;
  readonly detail: string | null;
}

/** `YYYY-MM-DD HH:00:00` of an instant. */
export function hourOf(time: Date): string {
  return `${time.toISOString().slice(0, 13).replace('T', ' ')}:00:00`;
}

/**
 * The files of one trail in one account and region: the key up to the date folders, less the
 * folder that says what they are. A digest covers the log files of its own stream only.
 */
export function streamOf(key: CloudTrailKey): string {
  return [key.prefix, key.organizationId ?? '', key.account, key.region].join('\u0000');
}

/** What is known of one log file of the day: what a digest says of it, what the ledger says. */
interface Slot {
  /** The digest's hashValue, when a digest names the file. */
  hashValue?: string;
  digestKey?: string;
  facts?: LedgerFacts;
}

type LedgerFacts = Pick<LedgerEntry, 'status' | 'sha256' | 'reason'>;

/** The date folder of a key (`.../YYYY/MM/DD/<name>`): for a CloudTrail key, its ledger day, without parsing all of it. */
const DATE_FOLDER = /\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

function dateFolderOf(key: string): string | undefined {
  const match = DATE_FOLDER.exec(key);
  return match === null ? undefined : `${match[1]}-${match[2]}-${match[3]}`;
}

/**
 * The completeness of one delivery day: every log file a digest names, held against the
 * ledger's entries of that day. Digests of the day and of the next (a digest delivered after
 * midnight names files of the hour before it) are added first, then the ledger's entries; the
 * rows come out once both are in. Memory: one small slot per file of the day; keys are parsed
 * once, when the rows are made.
 */
export class DayCompleteness {
  readonly day: string;
  readonly #files = new Map<string, Slot>();
  /** Per stream, the time the digests added cover: from the earliest start to the latest end. */
  readonly #coverage = new Map<string, { from: number; to: number }>();

  constructor(day: string) {
    this.day = day;
  }

  /** A digest delivered on this day or the next; `stream` is its key's (see streamOf). */
  addDigest(digest: DigestFile, stream: string): void {
    const covered = this.#coverage.get(stream);
    const from = digest.startTime.getTime();
    const to = digest.endTime.getTime();
    this.#coverage.set(stream, covered ? { from: Math.min(covered.from, from), to: Math.max(covered.to, to) } : { from, to });
    for (const file of digest.logFiles) {
      if (dateFolderOf(file.key) !== this.day) continue;
      const slot = this.#files.get(file.key);
      if (slot === undefined) this.#files.set(file.key, { hashValue: file.hashValue, digestKey: digest.key });
      else if (slot.hashValue === undefined) Object.assign(slot, { hashValue: file.hashValue, digestKey: digest.key });
    }
  }

  /** Entries of this day's inputs, of the source verified; a later entry of a key replaces an earlier one. */
  addLedgerEntries(entries: readonly LedgerEntry[]): void {
    for (const entry of entries) {
      if (entry.day !== this.day) continue;
      const facts: LedgerFacts = { status: entry.status, sha256: entry.sha256, reason: entry.reason };
      const slot = this.#files.get(entry.key);
      if (slot === undefined) this.#files.set(entry.key, { facts });
      else slot.facts = facts;
    }
  }

  /** The rows of the log files: one per file a digest names, and one per ingested file none names. */
  rows(): CompletenessRow[] {
    const rows: CompletenessRow[] = [];
    for (const [key, slot] of this.#files) {
      const parsed = parseCloudTrailKey(key);
      if (!parsed.ok || (parsed.key.kind !== 'events' && parsed.key.kind !== 'insight')) continue;
      if (slot.hashValue !== undefined) {
        rows.push(this.#row(key, parsed.key, namedStatus(slot.facts, slot.hashValue), slot));
      } else if (slot.facts?.status === 'ingested' && parsed.key.kind === 'events') {
        // Only ingested log files can be missing from a digest; Insights files are not always digested.
        rows.push(this.#row(key, parsed.key, this.#unnamedStatus(parsed.key), slot));
      }
    }
    return rows;
  }

  #unnamedStatus(parsed: CloudTrailKey): { status: CompletenessStatus; detail: string | null } {
    const covered = this.#coverage.get(streamOf(parsed));
    const at = parsed.deliveredAt?.getTime() ?? Date.parse(`${parsed.deliveryDate}T00:00:00Z`);
    if (covered === undefined || at < covered.from) {
      return { status: 'no-digest', detail: 'no digest of its account and region covers its delivery time' };
    }
    if (at >= covered.to) return { status: 'awaiting-digest', detail: 'delivered after the newest digest of its account and region' };
    return { status: 'not-in-digest', detail: 'ingested, but no digest of its account and region names it' };
  }

  #row(
    key: string,
    parsed: CloudTrailKey,
    { status, detail }: { status: CompletenessStatus; detail: string | null },
    slot: Slot,
  ): CompletenessRow {
    const hour = parsed.deliveredAt ? hourOf(parsed.deliveredAt) : `${parsed.deliveryDate} 00:00:00`;
    return {
      account: parsed.account,
      region: parsed.region,
      day: this.day,
      hour,
      kind: 'log',
      status,
      finding: isFinding(status),
      file_key: key,
      digest_key: slot.digestKey ?? null,
      expected_sha256: slot.hashValue ?? null,
      actual_sha256: slot.facts?.sha256 ?? null,
      ledger_status: slot.facts?.status ?? null,
      detail,
    };
  }
}

function namedStatus(facts: LedgerFacts | undefined, hashValue: string): { status: CompletenessStatus; detail: string | null } {
  if (facts === undefined) return { status: 'missing', detail: 'named by a digest; no ingestion of it is recorded' };
  if (facts.status !== 'ingested') {
    const why = facts.reason === undefined ? '' : ` (${facts.reason})`;
    return { status: 'missing', detail: `named by a digest; ${facts.status}${why}, so its events are not in the lake` };
  }
  if (facts.sha256 === undefined) return { status: 'hash-unknown', detail: 'the ledger holds no SHA-256 of it' };
  if (facts.sha256.toLowerCase() !== hashValue) {
    return { status: 'hash-mismatch', detail: 'its content is not what CloudTrail delivered: the SHA-256 differs from the digest' };
  }
  return { status: 'verified', detail: null };
}
