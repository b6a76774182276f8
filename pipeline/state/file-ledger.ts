import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ledgerDay } from '../cloudtrail/cloudtrail-key.js';
import { OpslakeError, StateStoreError } from '../errors.js';
import type { LedgerEntry } from '../ports/ingestion-ledger.js';
import type { FileLock } from './file-lock.js';
import { fromLedgerRecord, LEDGER_PREFIX, ledgerDays, ledgerHash, toLedgerRecord } from './ledger-records.js';

/** Each line starts `{"pk":"ledger#<64 hex>"`: the id is read at a fixed offset, without parsing the line. */
const LINE_START = Buffer.from(`{"pk":"${LEDGER_PREFIX}`, 'latin1');
/** Hex digits of the hash kept in the index: 128 bits, collisions out of reach, half the memory. */
const ID_LENGTH = 32;
const READ_CHUNK = 4 << 20;
/** Positions pack offset and length in one number: lines shorter than 2 MiB, files smaller than 4 GiB. */
const LENGTH_BITS = 2 ** 21;
const PAGE = 1_000;
/**
 * Entries whose positions stay indexed in memory (about 100 bytes each): several days of an
 * organization trail. Beyond it the least recently used days are dropped and indexed again when asked.
 */
const CACHED_POSITIONS = 4_000_000;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2}|unknown)\.ndjson$/;

interface DayIndex {
  /** Bytes indexed: up to the end of the last complete line. */
  consumed: number;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Id (first 32 hex of the hash) -> offset * 2^21 + length of the entry's latest line. */
  readonly positions: Map<string, number>;
}

function offsetOf(position: number): number {
  return Math.floor(position / LENGTH_BITS);
}

function lengthOf(position: number): number {
  return position % LENGTH_BITS;
}

/**
 * The ledger of the file state store: append-only NDJSON, one file per delivery day
 * (`<state>/ledger/<day>.ndjson`), one line per put; the latest line of an entry wins. A million
 * entries would make the one JSON state file slow to rewrite, so they live apart from it. Lines
 * are appended (O_APPEND) under the store's lock; a line torn by a crash is ignored on read, and
 * the next append starts on a fresh line. A lookup indexes a day file once (id -> where its
 * latest line is), then only what was appended since, and reads just the lines it needs.
 */
export class FileLedger {
  readonly #folder: string;
  readonly #lock: FileLock;
  readonly #days = new Map<string, DayIndex>();

  constructor(stateDirectory: string, lock: FileLock) {
    this.#folder = join(stateDirectory, 'ledger');
    this.#lock = lock;
  }

  async get(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const byDay = new Map<string, Set<string>>();
    for (const key of keys) {
      const day = ledgerDay(key);
      const dayKeys = byDay.get(day) ?? new Set<string>();
      dayKeys.add(key);
      byDay.set(day, dayKeys);
    }
    const found = new Map<string, LedgerEntry>();
    for (const [day, dayKeys] of byDay) {
      const index = await this.#index(day);
      if (index === undefined) continue;
      const wanted = [...dayKeys].flatMap((key) => {
        const position = index.positions.get(ledgerHash(source, key).slice(0, ID_LENGTH));
        return position === undefined ? [] : [position];
      });
      for (const entry of await this.#readLines(day, wanted)) {
        if (entry.source === source && dayKeys.has(entry.key)) found.set(entry.key, entry);
      }
    }
    return found;
  }

  async put(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const lines = new Map<string, string[]>();
    for (const entry of entries) {
      const record = toLedgerRecord(entry);
      const dayLines = lines.get(record.day) ?? [];
      dayLines.push(`${JSON.stringify(record)}\n`);
      lines.set(record.day, dayLines);
    }
    await mkdir(this.#folder, { recursive: true }).catch((error: unknown) => {
      throw new StateStoreError(`could not create the ledger folder ${this.#folder}`, { cause: error });
    });
    await this.#lock.withLock(async () => {
      for (const [day, dayLines] of lines) await this.#append(day, dayLines.join(''));
    });
  }

  async *list(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    const wanted = new Set(ledgerDays(range));
    let names: string[];
    try {
      names = await readdir(this.#folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StateStoreError(`could not list ${this.#folder}`, { cause: error });
    }
    const days = names.flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).filter((day) => wanted.has(day));
    for (const day of days.sort()) {
      const index = await this.#index(day);
      if (index === undefined) continue;
      const positions = [...index.positions.values()].sort((a, b) => a - b);
      for (let start = 0; start < positions.length; start += PAGE) {
        const page = await this.#readLines(day, positions.slice(start, start + PAGE));
        if (page.length > 0) yield page;
      }
    }
  }

  #path(day: string): string {
    return join(this.#folder, `${day}.ndjson`);
  }

  async #append(day: string, text: string): Promise<void> {
    const path = this.#path(day);
    try {
      const handle = await open(path, 'a+');
      try {
        const { size } = await handle.stat();
        // A crash may have torn the last line: the new lines must not be glued onto it.
        let prefix = '';
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) prefix = '\n';
        }
        await handle.appendFile(`${prefix}${text}`);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new StateStoreError(`could not append to ${path}`, { cause: error });
    }
  }

  /** The day's index, brought up to date with what was appended since it was built; undefined when there is no file. */
  async #index(day: string): Promise<DayIndex | undefined> {
    const path = this.#path(day);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStoreError(`could not read ${path}`, { cause: error });
    }
    let index = this.#days.get(day);
    const replaced = index !== undefined && (index.ino !== info.ino || info.size < index.consumed);
    if (index === undefined || replaced) {
      index = { consumed: 0, size: 0, mtimeMs: 0, ino: Number(info.ino), positions: new Map() };
    } else if (index.size === info.size && index.mtimeMs === info.mtimeMs) {
      this.#touch(day, index);
      return index;
    }
    await this.#scan(path, index);
    index.size = Number(info.size);
    index.mtimeMs = Number(info.mtimeMs);
    this.#touch(day, index);
    return index;
  }

  #touch(day: string, index: DayIndex): void {
    this.#days.delete(day);
    this.#days.set(day, index);
    let total = 0;
    for (const cached of this.#days.values()) total += cached.positions.size;
    for (const [oldest, cached] of this.#days) {
      if (total <= CACHED_POSITIONS || oldest === day) break;
      total -= cached.positions.size;
      this.#days.delete(oldest);
    }
  }

  /** Indexes the complete lines after `consumed`; a line without its newline (torn, or being written) waits. */
  async #scan(path: string, index: DayIndex): Promise<void> {
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw new StateStoreError(`could not read ${path}`, { cause: error });
    });
    try {
      let carry = Buffer.alloc(0);
      let carryStart = index.consumed;
      const chunk = Buffer.alloc(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, READ_CHUNK, carryStart + carry.length);
        if (bytesRead === 0) break;
        const buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        let start = 0;
        for (let end = buffer.indexOf(0x0a, start); end >= 0; end = buffer.indexOf(0x0a, start)) {
          const length = end - start + 1;
          const idStart = start + LINE_START.length;
          // A line torn by a crash (made whole by the next append's newline) does not end with
          // its `}`: it never shadows the entry before it.
          const whole = length > LINE_START.length + ID_LENGTH && buffer[end - 1] === 0x7d;
          if (whole && length < LENGTH_BITS && buffer.compare(LINE_START, 0, LINE_START.length, start, idStart) === 0) {
            index.positions.set(buffer.toString('latin1', idStart, idStart + ID_LENGTH), (carryStart + start) * LENGTH_BITS + length);
          }
          start = end + 1;
        }
        carry = Buffer.from(buffer.subarray(start));
        carryStart += start;
        index.consumed = carryStart;
      }
    } catch (error) {
      if (error instanceof OpslakeError) throw error;
      throw new StateStoreError(`could not read ${path}`, { cause: error });
    } finally {
      await handle.close();
    }
  }

  /** The entries at these positions of a day file, in file order; a line that does not parse (torn) is left out. */
  async #readLines(day: string, positions: readonly number[]): Promise<LedgerEntry[]> {
    if (positions.length === 0) return [];
    const path = this.#path(day);
    const entries: LedgerEntry[] = [];
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw new StateStoreError(`could not read ${path}`, { cause: error });
    });
    try {
      for (const position of [...positions].sort((a, b) => a - b)) {
        const buffer = Buffer.alloc(lengthOf(position));
        await handle.read(buffer, 0, buffer.length, offsetOf(position));
        try {
          entries.push(fromLedgerRecord(JSON.parse(buffer.toString('utf8')) as Record<string, unknown>));
        } catch {
          // A torn line inside the file cannot happen (appends start on a fresh line); a hand-edited one is skipped.
        }
      }
    } finally {
      await handle.close();
    }
    return entries;
  }
}
