import type { LedgerEntry, LedgerStatus } from '../ports/ingestion-ledger.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';

/** Files and events of one delivery day, by ledger status. */
export interface LedgerDay {
  readonly day: string;
  readonly files: Record<LedgerStatus, number>;
  readonly events: number;
  readonly insights: number;
  readonly bytes: number;
}

/** The newest file the ledger holds for an account and region. */
export interface LastDelivery {
  readonly account: string;
  readonly region: string;
  /** From the file name (delivery minute), else the start of its delivery day. */
  readonly deliveredAt: Date;
  readonly key: string;
  readonly recordedAt: Date;
}

export interface QuarantinedEntry {
  readonly key: string;
  readonly reason: string;
  readonly message: string;
  readonly recordedAt: Date;
}

export interface LedgerStatusReport {
  readonly days: readonly LedgerDay[];
  readonly lastDeliveries: readonly LastDelivery[];
  readonly quarantined: readonly QuarantinedEntry[];
  /** Quarantined files beyond the ones listed. */
  readonly quarantinedNotListed: number;
}

const STATUSES: readonly LedgerStatus[] = ['ingested', 'quarantined', 'digest', 'skipped'];

/**
 * What `opslake cloudtrail status` shows, summed up from the ledger's entries as they stream
 * in: files per delivery day and status, the last delivery per account and region (a trail that
 * went quiet shows here), and the quarantined files with their reasons (the newest `maxQuarantined`).
 */
export async function summarizeLedger(pages: AsyncIterable<readonly LedgerEntry[]>, maxQuarantined = 50): Promise<LedgerStatusReport> {
  const days = new Map<string, { files: Record<LedgerStatus, number>; events: number; insights: number; bytes: number }>();
  const last = new Map<string, LastDelivery>();
  const quarantined: QuarantinedEntry[] = [];
  let quarantinedTotal = 0;
  for await (const page of pages) {
    for (const entry of page) {
      const day = days.get(entry.day) ?? {
        files: { ingested: 0, quarantined: 0, digest: 0, skipped: 0 },
        events: 0,
        insights: 0,
        bytes: 0,
      };
      day.files[entry.status] += 1;
      day.events += entry.events;
      day.insights += entry.insights;
      day.bytes += entry.size;
      days.set(entry.day, day);
      const parsed = parseCloudTrailKey(entry.key);
      if (parsed.ok) {
        const deliveredAt = parsed.key.deliveredAt ?? new Date(`${parsed.key.deliveryDate}T00:00:00Z`);
        const id = `${parsed.key.account}/${parsed.key.region}`;
        const seen = last.get(id);
        if (seen === undefined || seen.deliveredAt < deliveredAt) {
          const { account, region } = parsed.key;
          last.set(id, { account, region, deliveredAt, key: entry.key, recordedAt: new Date(entry.recordedAt) });
        }
      }
      if (entry.status === 'quarantined') {
        quarantinedTotal += 1;
        quarantined.push({
          key: entry.key,
          reason: entry.reason ?? 'unknown',
          message: entry.message ?? '',
          recordedAt: new Date(entry.recordedAt),
        });
        // Keep the newest few: memory stays bounded however many files were refused.
        if (quarantined.length > maxQuarantined * 2) keepNewest(quarantined, maxQuarantined);
      }
    }
  }
  keepNewest(quarantined, maxQuarantined);
  return {
    days: [...days].map(([day, totals]) => ({ day, ...totals })).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
    lastDeliveries: [...last.values()].sort((a, b) =>
      a.account === b.account ? (a.region < b.region ? -1 : 1) : a.account < b.account ? -1 : 1,
    ),
    quarantined,
    quarantinedNotListed: quarantinedTotal - quarantined.length,
  };
}

function keepNewest(entries: QuarantinedEntry[], count: number): void {
  entries.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || (a.key < b.key ? -1 : 1));
  entries.splice(count);
}

export { STATUSES as LEDGER_STATUSES };
