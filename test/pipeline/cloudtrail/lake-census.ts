import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { IngestionLedger, LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';
import { readLakeTable } from './cloudtrail-test-support.js';

/** What a local lake and its ledger hold after a run, counted without the project's own readers. */
export interface LakeCensus {
  /** Rows of cloudtrail_events by source key. */
  readonly eventsBySource: ReadonlyMap<string, number>;
  readonly events: number;
  readonly eventIds: readonly string[];
  /** Parquet objects under cloudtrail/. */
  readonly objects: number;
  /** Quarantine copies (not their .error.json). */
  readonly quarantined: readonly string[];
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.sort();
}

/** `days`: the delivery days whose ledger entries count (the DynamoDB ledger lists day by day: keep it short). */
export async function takeCensus(
  lakeDir: string,
  ledger: IngestionLedger,
  days: { fromDay: string; toDay: string } = { fromDay: '2024-03-01', toDay: '2024-03-31' },
): Promise<LakeCensus> {
  const rows = await readLakeTable(lakeDir, 'events');
  const eventsBySource = new Map<string, number>();
  for (const row of rows) eventsBySource.set(String(row.source_key), (eventsBySource.get(String(row.source_key)) ?? 0) + 1);
  const objects = (await filesUnder(join(lakeDir, 'cloudtrail'))).filter((file) => file.endsWith('.parquet')).length;
  const quarantined = (await filesUnder(join(lakeDir, '_quarantine'))).filter((file) => !file.endsWith('.error.json'));
  const entries = new Map<string, LedgerEntry>();
  for await (const page of ledger.listLedgerEntries(days)) for (const entry of page) entries.set(entry.key, entry);
  return {
    eventsBySource,
    events: rows.length,
    eventIds: rows.map((row) => String(row.eventid)).sort(),
    objects,
    quarantined,
    ledger: entries,
  };
}
