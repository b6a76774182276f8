import type { IngestionLedger, LedgerEntry } from '../../pipeline/ports/ingestion-ledger.js';

/** An IngestionLedger in memory, for unit tests of code that reads or writes the ledger. */
export class MemoryIngestionLedger implements IngestionLedger {
  readonly entries = new Map<string, LedgerEntry>();
  /** Entries per page of `listLedgerEntries`: small, so that paging is exercised. */
  readonly pageSize: number;

  constructor(pageSize = 3) {
    this.pageSize = pageSize;
  }

  async getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const found = new Map<string, LedgerEntry>();
    for (const key of keys) {
      const entry = this.entries.get(`${source}\n${key}`);
      if (entry) found.set(key, entry);
    }
    return found;
  }

  async putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    for (const entry of entries) this.entries.set(`${entry.source}\n${entry.key}`, entry);
  }

  async *listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    const inRange = [...this.entries.values()].filter((entry) => entry.day >= range.fromDay && entry.day <= range.toDay);
    for (let start = 0; start < inRange.length; start += this.pageSize) yield inRange.slice(start, start + this.pageSize);
  }
}
