import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UnreadableInputError } from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { QuarantinedFile } from './cloudtrail-file-outcome.js';
import { quarantineKeys } from './cloudtrail-lake-layout.js';
import type { UnreadableReason } from './record-scanner.js';

/** What the quarantine's `.error.json` holds. */
export interface QuarantineRecord {
  readonly source: string;
  readonly key: string;
  readonly reason: UnreadableReason;
  readonly message: string;
  readonly quarantinedAt: string;
  readonly bytes: number;
}

export interface QuarantineOptions {
  /** The lake, where `_quarantine/` is. */
  readonly lake: ObjectStore;
  /** When the input is quarantined: names its folder. */
  readonly now: Date;
  /** Where the copy waits on its way (the input may be large, and memory stays flat). */
  readonly tempRoot: string;
  /** Bytes read from the input before it was refused, for the outcome. */
  readonly bytesRead?: number;
}

/** Copies the input `key` of `source` to `_quarantine/` with a `.error.json` that says why. */
export async function quarantineInput(
  source: ObjectStore,
  key: string,
  error: UnreadableInputError,
  options: QuarantineOptions,
): Promise<QuarantinedFile> {
  const { lake, now } = options;
  const keys = quarantineKeys(key, now);
  const reason = error.reason as UnreadableReason;
  const folder = await mkdtemp(join(options.tempRoot, 'opslake-quarantine-'));
  try {
    const copy = join(folder, 'input');
    await pipeline(await source.getStream(key), createWriteStream(copy));
    await lake.putFile(keys.data, copy);
    const info = await source.head(key);
    const record: QuarantineRecord = {
      source: `${source.location}${key}`,
      key,
      reason,
      message: error.message,
      quarantinedAt: now.toISOString(),
      bytes: info?.size ?? 0,
    };
    await lake.putBytes(keys.error, `${JSON.stringify(record, null, 2)}\n`, { contentType: 'application/json' });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return { status: 'quarantined', key, reason, message: error.message, quarantineKey: keys.data, bytesRead: options.bytesRead ?? 0 };
}
