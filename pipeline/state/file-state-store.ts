import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LeaseHeldError, OpslakeError, StateConflictError, StateStoreError } from '../errors.js';
import type {
  CompactionRecord,
  CompactionRecordUpdate,
  CompactionState,
  CompactionWatermark,
  DirtyPartition,
  PartitionRef,
} from '../ports/compaction-state.js';
import type { IngestionLedger, LedgerEntry } from '../ports/ingestion-ledger.js';
import type {
  Lease,
  SourceAccess,
  SourceDialect,
  StateStore,
  TableSchemaUpdate,
  Watermark,
  WatermarkKey,
  WatermarkUpdate,
} from '../ports/state-store.js';
import type { TableSchema } from '../tables/custom-tables.js';
import { FileCompactionState } from './file-compaction-state.js';
import { FileSourceFacts } from './file-source-facts.js';
import { FileLedger } from './file-ledger.js';
import { FileLock, type FileLockOptions } from './file-lock.js';
import {
  assertExpectedVersion,
  assertLeaseOwner,
  assertLeaseTtl,
  EMPTY_WATERMARK,
  fromLeaseRecord,
  fromWatermarkRecord,
  leaseId,
  mayTakeLease,
  toLeaseRecord,
  toWatermarkRecord,
  WATERMARK_PREFIX,
  watermarkId,
} from './state-records.js';

export interface FileStateStoreOptions {
  /** Source of `updated_at` and of the lock's age. Default: the system clock. */
  readonly clock?: () => Date;
  /** Lock tuning (stale age, wait timeout) and test seams. */
  readonly lock?: Omit<FileLockOptions, 'clock'>;
}

interface StateFile {
  readonly format: 1;
  readonly items: Record<string, Record<string, unknown>>;
}

const STATE_FILE = 'state.json';
const LOCK_FILE = 'state.lock';

/**
 * Watermarks and leases in one JSON file (`<directory>/state.json`), with the records and rules
 * of the DynamoDB store. Reads need no lock: the file is only ever replaced whole by a rename,
 * so a reader sees one complete version. Every write is a read-modify-write under a lock file,
 * so two processes on one machine cannot interleave and the version and lease checks hold.
 * The ingestion ledger lives beside it, in `<directory>/ledger/` (see FileLedger).
 */
export class FileStateStore implements StateStore, IngestionLedger, CompactionState {
  readonly directory: string;
  private readonly statePath: string;
  private readonly clock: () => Date;
  private readonly lock: FileLock;
  private readonly ledger: FileLedger;
  private readonly compaction: FileCompactionState;
  private readonly facts: FileSourceFacts;

  constructor(directory: string, options: FileStateStoreOptions = {}) {
    this.directory = resolve(directory);
    this.statePath = join(this.directory, STATE_FILE);
    this.clock = options.clock ?? (() => new Date());
    this.lock = new FileLock(join(this.directory, LOCK_FILE), { ...options.lock, clock: this.clock });
    this.ledger = new FileLedger(this.directory, this.lock);
    this.compaction = new FileCompactionState(this.directory, this.lock);
    this.facts = new FileSourceFacts(
      async () => (await this.read()).items,
      (change) => this.modify(change),
      this.clock,
    );
  }

  getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    return this.ledger.get(source, keys);
  }

  putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    return this.ledger.put(entries);
  }

  listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    return this.ledger.list(range);
  }

  getCompactionRecord(table: string, path: string): Promise<CompactionRecord | undefined> {
    return this.compaction.getCompactionRecord(table, path);
  }

  putCompactionRecord(record: CompactionRecordUpdate, expectedVersion: number): Promise<CompactionRecord> {
    return this.compaction.putCompactionRecord(record, expectedVersion);
  }

  getCompactionWatermark(table: string, scope: string): Promise<CompactionWatermark> {
    return this.compaction.getCompactionWatermark(table, scope);
  }

  putCompactionWatermark(table: string, scope: string, day: string, expectedVersion: number): Promise<CompactionWatermark> {
    return this.compaction.putCompactionWatermark(table, scope, day, expectedVersion);
  }

  markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void> {
    return this.compaction.markPartitionsDirty(partitions, at);
  }

  listDirtyPartitions(table: string): Promise<DirtyPartition[]> {
    return this.compaction.listDirtyPartitions(table);
  }

  clearDirtyPartition(partition: DirtyPartition): Promise<void> {
    return this.compaction.clearDirtyPartition(partition);
  }

  async getWatermark(key: WatermarkKey): Promise<Watermark> {
    const item = (await this.read()).items[watermarkId(key)];
    if (item === undefined) return EMPTY_WATERMARK;
    const { cluster: _cluster, table: _table, ...watermark } = fromWatermarkRecord(item);
    return watermark;
  }

  async putWatermark(key: WatermarkKey, update: WatermarkUpdate, expectedVersion: number): Promise<Watermark> {
    assertExpectedVersion(expectedVersion);
    const record = toWatermarkRecord(key, update, expectedVersion + 1, this.clock());
    await this.modify((items) => {
      const stored = items[record.pk];
      const storedVersion = stored === undefined ? 0 : Number(stored.version);
      if (storedVersion !== expectedVersion) {
        throw new StateConflictError(
          `watermark ${key.cluster}/${key.table} (expected version ${expectedVersion}, stored ${storedVersion})`,
        );
      }
      items[record.pk] = { ...record };
    });
    const { cluster: _cluster, table: _table, ...watermark } = fromWatermarkRecord({ ...record });
    return watermark;
  }

  async listWatermarks(): Promise<ReadonlyArray<WatermarkKey & Watermark>> {
    const { items } = await this.read();
    return Object.entries(items)
      .filter(([pk]) => pk.startsWith(WATERMARK_PREFIX))
      .map(([, item]) => fromWatermarkRecord(item))
      .sort((a, b) => (a.cluster === b.cluster ? compareText(a.table, b.table) : compareText(a.cluster, b.cluster)));
  }

  async acquireLease(scope: string, owner: string, ttlMs: number, now: Date): Promise<Lease> {
    assertLeaseOwner(owner);
    assertLeaseTtl(ttlMs);
    const record = toLeaseRecord(scope, owner, new Date(now.getTime() + ttlMs), now);
    await this.modify((items) => {
      const stored = items[record.pk];
      const held = stored === undefined ? undefined : fromLeaseRecord(stored);
      if (held !== undefined && !mayTakeLease(held, owner, now))
        throw new LeaseHeldError(scope, held.owner, held.expiresAt, held.renewedAt);
      items[record.pk] = { ...record };
    });
    return { scope, owner, expiresAt: new Date(record.expires_at_ms) };
  }

  async releaseLease(lease: Lease): Promise<void> {
    const pk = leaseId(lease.scope);
    await this.modify((items) => {
      const stored = items[pk];
      if (stored === undefined || stored.owner !== lease.owner) return false;
      delete items[pk];
      return true;
    });
  }

  getSourceDialect(cluster: string): Promise<SourceDialect | null> {
    return this.facts.getSourceDialect(cluster);
  }

  recordSourceDialect(dialect: SourceDialect): Promise<SourceDialect> {
    return this.facts.recordSourceDialect(dialect);
  }

  listSourceDialects(): Promise<readonly SourceDialect[]> {
    return this.facts.listSourceDialects();
  }

  getTableSchema(table: string): Promise<TableSchema | null> {
    return this.facts.getTableSchema(table);
  }

  putTableSchema(schema: TableSchemaUpdate, expectedVersion: number): Promise<TableSchema> {
    return this.facts.putTableSchema(schema, expectedVersion);
  }

  listTableSchemas(): Promise<readonly TableSchema[]> {
    return this.facts.listTableSchemas();
  }

  recordSourceAccess(access: SourceAccess): Promise<void> {
    return this.facts.recordSourceAccess(access);
  }

  listSourceAccess(): Promise<readonly SourceAccess[]> {
    return this.facts.listSourceAccess();
  }

  /** Read-modify-write under the lock; `change` returns false when it changed nothing. */
  private async modify(change: (items: Record<string, Record<string, unknown>>) => unknown): Promise<void> {
    await mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      throw new StateStoreError(`could not create the state folder ${this.directory}`, { cause: error });
    });
    await this.lock.withLock(async () => {
      const state = await this.read();
      const items = { ...state.items };
      if (change(items) === false) return;
      await this.write({ format: 1, items });
    });
  }

  private async read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.statePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, items: {} };
      throw new StateStoreError(`could not read ${this.statePath}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateStoreError(
        `${this.statePath} is not valid JSON; restore it, or delete it to start over ` +
          '(every table is then exported again from its oldest retained row)',
        { cause: error },
      );
    }
    const items = (parsed as Partial<StateFile> | null)?.items;
    if (typeof items !== 'object' || items === null || Array.isArray(items)) {
      throw new StateStoreError(`${this.statePath} has no "items" object; it was not written by opslake`);
    }
    return { format: 1, items };
  }

  private async write(state: StateFile): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(state.items).sort(([a], [b]) => compareText(a, b)));
    const tempPath = join(this.directory, `.${STATE_FILE}.${randomUUID()}.tmp`);
    try {
      const handle = await open(tempPath, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify({ format: 1, items: sorted }, null, 2)}\n`);
        // On disk before the rename: a crash leaves the old state or the new one, never an empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tempPath, this.statePath);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      if (error instanceof OpslakeError) throw error;
      throw new StateStoreError(`could not write ${this.statePath}`, { cause: error });
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
