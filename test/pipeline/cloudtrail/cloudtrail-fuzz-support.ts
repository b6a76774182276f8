import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { SOURCE_KEY_COLUMN } from '../../../pipeline/tables/cloudtrail-tables.js';
import type { WrittenFile } from './cloudtrail-fuzz-files.js';
import { readLakeTable } from './cloudtrail-test-support.js';

/**
 * The check of a lake and ledger after a fuzzed ingest (issue 11, 4b): every input ingested or
 * quarantined with a reason, none left failing, no event lost from a file that was ingested and
 * none doubled.
 */

/** What the invariants found, for the closing table. */
export interface TrailVerdict {
  readonly files: number;
  readonly ingested: number;
  readonly quarantined: number;
  readonly eventsLanded: number;
  /** Events of files recorded as ingested that are not in the lake. */
  readonly eventsLost: number;
  /** Event ids with more than one row. */
  readonly eventsDoubled: number;
  /** Inputs with no ledger entry, or an entry neither ingested nor quarantined with a reason. */
  readonly inputsFailing: number;
}

/**
 * Reads the lake (DuckDB alone) and the ledger after an ingest and checks every file of the
 * trail: ingested with each of its landed events once and as many as the ledger says (all of
 * them when the file was not mutated), or quarantined with a reason and a `.error.json`.
 */
export async function judgeTrail(files: readonly WrittenFile[], lakeDir: string, stateDir: string): Promise<TrailVerdict> {
  const rows = [...(await lakeRows(lakeDir, 'events')), ...(await lakeRows(lakeDir, 'insights'))];
  const byId = new Map<string, Array<Record<string, unknown>>>();
  for (const row of rows) {
    const id = String(row.eventid);
    byId.set(id, [...(byId.get(id) ?? []), row]);
  }
  const ledger = await ledgerByKey(stateDir);
  const quarantinedKeys = await quarantineRecords(lakeDir);
  let ingested = 0;
  let quarantined = 0;
  let eventsLost = 0;
  let inputsFailing = 0;
  for (const file of files) {
    const entry = ledger.get(file.key);
    const landed = file.eventIds.filter((id) => byId.has(id));
    for (const id of landed) {
      for (const row of byId.get(id) ?? []) expect(row[SOURCE_KEY_COLUMN], `event ${id}`).toBe(file.key);
    }
    if (entry?.status === 'ingested') {
      ingested += 1;
      if (!file.mutated) eventsLost += file.eventIds.length - landed.length;
      else eventsLost += Math.max(0, entry.events + entry.insights - landed.length);
    } else if (entry?.status === 'quarantined' && (entry.reason ?? '') !== '' && quarantinedKeys.has(file.key)) {
      quarantined += 1;
      // A file nothing is wrong with is never quarantined.
      if (!file.mutated) eventsLost += file.eventIds.length - landed.length;
    } else {
      inputsFailing += 1;
    }
  }
  const eventsDoubled = [...byId.values()].filter((found) => found.length > 1).length;
  return { files: files.length, ingested, quarantined, eventsLanded: rows.length, eventsLost, eventsDoubled, inputsFailing };
}

/** The rows of a table; none when a failed run left its folder without a Parquet file. */
async function lakeRows(lakeDir: string, table: 'events' | 'insights'): Promise<Array<Record<string, unknown>>> {
  const names = await readdir(join(lakeDir, 'cloudtrail', table), { recursive: true }).catch(() => [] as string[]);
  return names.some((name) => name.endsWith('.parquet')) ? readLakeTable(lakeDir, table) : [];
}

async function ledgerByKey(stateDir: string): Promise<Map<string, LedgerEntry>> {
  const store = new FileStateStore(stateDir);
  const entries = new Map<string, LedgerEntry>();
  // Every generated file is delivered on one day (the ledger is listed day by day).
  for await (const page of store.listLedgerEntries({ fromDay: '2024-03-05', toDay: '2024-03-05' })) {
    for (const entry of page) entries.set(entry.key, entry);
  }
  return entries;
}

/** The source keys named by the `.error.json` files under `_quarantine/`. */
async function quarantineRecords(lakeDir: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const root = join(lakeDir, '_quarantine');
  const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.error.json')) continue;
    const record = JSON.parse(await readFile(join(root, name), 'utf8')) as { key?: string; reason?: string };
    if (typeof record.key === 'string' && typeof record.reason === 'string' && record.reason !== '') keys.add(record.key);
  }
  return keys;
}
