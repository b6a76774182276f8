import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { ledgerDay, parseCloudTrailKey } from '../../../pipeline/cloudtrail/cloudtrail-key.js';
import { ledgerSourceName } from '../../../pipeline/cloudtrail/ledger-source.js';
import type { IngestionLedger, LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';
import type { ObjectStore } from '../../../pipeline/ports/object-store.js';

/** A ledger held in memory for the one verification the demo runs. */
class DemoLedger implements IngestionLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  async getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const found = new Map<string, LedgerEntry>();
    for (const key of keys) {
      const entry = this.#entries.get(`${source}\n${key}`);
      if (entry !== undefined) found.set(key, entry);
    }
    return found;
  }

  async putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    for (const entry of entries) this.#entries.set(`${entry.source}\n${entry.key}`, entry);
  }

  async *listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    yield [...this.#entries.values()].filter((entry) => entry.day >= range.fromDay && entry.day <= range.toDay);
  }
}

/**
 * The ledger entries of the demo trail's log files, as ingestion records them: every file the
 * demo ingested (the quarantined ones as such), with the size read and the SHA-256 of its
 * uncompressed content. The demo's file state store keeps no ledger, so the demo builds this
 * one from the files it ingested, for `verifyCloudTrail` to hold the trail's digests against.
 */
export async function demoLedger(
  source: ObjectStore,
  quarantined: ReadonlyMap<string, string>,
  recordedAt: Date,
): Promise<IngestionLedger> {
  const ledger = new DemoLedger();
  const name = ledgerSourceName(source);
  const entries: LedgerEntry[] = [];
  for await (const info of source.list('')) {
    const parsed = parseCloudTrailKey(info.key);
    if (!parsed.ok || (parsed.key.kind !== 'events' && parsed.key.kind !== 'insight')) continue;
    const reason = quarantined.get(info.key);
    const content = reason === undefined ? gunzipSync(await source.getBytes(info.key)) : undefined;
    const records = content === undefined ? 0 : (JSON.parse(content.toString('utf8')) as { Records: unknown[] }).Records.length;
    entries.push({
      source: name,
      key: info.key,
      day: ledgerDay(info.key),
      account: parsed.key.account,
      region: parsed.key.region,
      size: info.size,
      ...(content === undefined
        ? { status: 'quarantined', reason: reason ?? 'unreadable' }
        : { status: 'ingested', sha256: createHash('sha256').update(content).digest('hex') }),
      events: parsed.key.kind === 'events' ? records : 0,
      insights: parsed.key.kind === 'insight' ? records : 0,
      partitions: [],
      recordedAt: recordedAt.toISOString(),
    });
  }
  await ledger.putLedgerEntries(entries);
  return ledger;
}
