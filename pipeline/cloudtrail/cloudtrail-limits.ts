import { UnreadableInputError } from '../errors.js';
import type { CloudTrailPartition } from './cloudtrail-lake-layout.js';

/**
 * Limits an input must keep to be ingested (DESIGN.md §4, batch isolation). A file that breaks
 * one is quarantined whole with the reason, and the other files of its batch land.
 *
 * CloudTrail's own events stay far below these (CloudTrail truncates large request parameters,
 * and an event of CloudTrail Lake is at most 256 KB; account ids are 12 digits, region names
 * some 20 characters): only a corrupt or forged file reaches them.
 */

/**
 * Bytes of one record's JSON: 32 times CloudTrail Lake's largest event. DuckDB's JSON reader
 * sizes its buffers from the longest line (a 3 MB record made it ask for 32 MiB more, a 7 MB one
 * for 64 MiB, measured with DuckDB 1.5.5), so a record at this limit (some 128 MiB) still fits
 * the 256 MB a connection gets; records over the spool's 4 MiB buffer land whole below it.
 */
export const MAX_RECORD_BYTES = 8 << 20;

/** Bytes of an escaped partition value (account, region); keys stay well under S3's 1024 bytes. */
export const MAX_PARTITION_VALUE_BYTES = 128;

/** Throws UnreadableInputError when a record is over MAX_RECORD_BYTES. */
export function checkRecordSize(bytes: number): void {
  if (bytes > MAX_RECORD_BYTES) {
    throw new UnreadableInputError(
      'record-too-large',
      `a record of ${bytes} bytes is over the limit of ${MAX_RECORD_BYTES} bytes (${MAX_RECORD_BYTES >> 20} MiB)`,
    );
  }
}

/** Throws UnreadableInputError when a partition value cannot name a partition. */
export function checkPartitionValues(partition: CloudTrailPartition): void {
  for (const [name, value] of Object.entries(partition)) {
    if (Buffer.byteLength(value, 'utf8') > MAX_PARTITION_VALUE_BYTES) {
      throw new UnreadableInputError(
        'invalid-partition-value',
        `the ${name} of a record (${value.length} characters escaped, starting ${JSON.stringify(value.slice(0, 40))}) ` +
          `cannot name a partition: values are at most ${MAX_PARTITION_VALUE_BYTES} bytes`,
      );
    }
  }
}
