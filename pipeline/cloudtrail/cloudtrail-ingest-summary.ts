import type { FileOutcome, QuarantinedFile } from './cloudtrail-file-outcome.js';
import type { TemporaryCause } from './isolated-ingestion.js';

/**
 * A file that failed alone for a reason other than its content (throttling, the network, a 5xx, a
 * permission): it has no ledger entry and the next run tries it again.
 */
export interface FailedFile {
  readonly key: string;
  readonly message: string;
  readonly cause: TemporaryCause;
}

/** Totals of one ingestion run (a backfill, the demo, one Lambda batch). */
export class CloudTrailIngestSummary {
  /** Inputs listed (after --since/--until), including the ones skipped. */
  filesListed = 0;
  filesIngested = 0;
  events = 0;
  insights = 0;
  unknownFields = 0;
  mistypedFields = 0;
  /** Compressed bytes read from ingested inputs. */
  bytesRead = 0;
  uncompressedBytes = 0;
  objectsWritten = 0;
  parquetBytes = 0;
  skippedDigests = 0;
  /** Network-activity, aggregated and folder-marker keys: not ingested by design. */
  skippedOther = 0;
  /** Inputs the ledger says were done before, with the same size and ETag (resume, replay). */
  skippedExisting = 0;
  readonly quarantined: QuarantinedFile[] = [];
  readonly failed: FailedFile[] = [];
  readonly #partitions = new Set<string>();
  elapsedMs = 0;
  /** Set when the run was interrupted (SIGINT, SIGTERM) between batches. */
  interrupted = false;
  /** Inputs listed but not taken up (interrupted, or stopped after failures): the next run does them. */
  filesNotStarted = 0;

  /** Distinct (table, account, region, day) partitions written to. */
  get partitionsWritten(): number {
    return this.#partitions.size;
  }

  /** Compacted generations the backfill of closed days wrote (DESIGN.md §4). */
  generationsWritten = 0;

  /** The run holding the compaction lease when closed days had to take the live path instead. */
  compactionLeaseHeldBy: string | undefined;

  /** A generation written by the backfill of closed days: its parts are the objects readers get. */
  addGeneration(result: { status: string; outputs: number; bytesOut: number }): void {
    if (result.status !== 'compacted') return;
    this.generationsWritten += 1;
    this.objectsWritten += result.outputs;
    this.parquetBytes += result.bytesOut;
  }

  /** `staged`: the outcome's objects were folded into generations (counted by addGeneration), not put in the lake. */
  add(outcome: FileOutcome, staged = false): void {
    switch (outcome.status) {
      case 'ingested':
        this.filesIngested += 1;
        this.events += outcome.events;
        this.insights += outcome.insights;
        this.unknownFields += outcome.unknownFields;
        this.mistypedFields += outcome.mistypedFields;
        this.bytesRead += outcome.bytesRead;
        this.uncompressedBytes += outcome.uncompressedBytes;
        for (const object of outcome.objects) {
          if (!staged) {
            this.objectsWritten += 1;
            this.parquetBytes += object.bytes;
          }
          const { account, region, day } = object.partition;
          this.#partitions.add(`${object.table}/${account}/${region}/${day}`);
        }
        break;
      case 'quarantined':
        this.quarantined.push(outcome);
        break;
      case 'skipped':
        if (outcome.reason === 'digest') this.skippedDigests += 1;
        else this.skippedOther += 1;
        break;
      case 'recorded':
        this.skippedExisting += 1;
        break;
    }
  }

  addFailure(failure: FailedFile): void {
    this.failed.push(failure);
  }

  /** Human-readable lines for the CLI and the demo. */
  format(): string {
    const seconds = this.elapsedMs / 1000;
    const rate = seconds > 0 ? Math.round(this.events / seconds) : 0;
    const lines = [
      `CloudTrail: ${this.filesIngested} file(s) ingested, ${this.events} event(s) and ${this.insights} insight(s) ` +
        `in ${seconds.toFixed(1)} s (${rate} events/s, ${formatBytes(this.bytesRead)} read)`,
      `  partitions written: ${this.partitionsWritten} (${this.objectsWritten} Parquet object(s), ${formatBytes(this.parquetBytes)})`,
      ...(this.generationsWritten > 0 ? [`  compacted directly: ${this.generationsWritten} partition generation(s) (closed days)`] : []),
      ...(this.compactionLeaseHeldBy === undefined
        ? []
        : [
            `  closed days went to the live folders: ${this.compactionLeaseHeldBy} holds the compaction lease; ` +
              '`opslake compact` compacts them once it is free',
          ]),
      `  skipped: ${this.skippedDigests} digest file(s), ${this.skippedExisting} already ingested, ${this.skippedOther} other`,
      `  quarantined: ${this.quarantined.length}`,
    ];
    for (const file of this.quarantined.slice(0, 10))
      lines.push(`    ${file.key}: ${file.reason}: ${file.message} -> ${file.quarantineKey}`);
    if (this.quarantined.length > 10) lines.push(`    ... and ${this.quarantined.length - 10} more under _quarantine/cloudtrail/`);
    if (this.unknownFields > 0 || this.mistypedFields > 0) {
      lines.push(`  kept in unknown_fields: ${this.unknownFields} unknown field(s), ${this.mistypedFields} value(s) of an unexpected type`);
    }
    if (this.interrupted) {
      lines.push(`  interrupted: ${this.filesNotStarted} file(s) not started; everything above is committed (run again to go on)`);
    }
    if (this.failed.length > 0) {
      lines.push(`  failed, left for a retry: ${this.failed.length} (${this.#causes()}; run again to retry them)`);
      for (const file of this.failed.slice(0, 10)) lines.push(`    ${file.key}: ${file.cause}: ${file.message}`);
      if (this.failed.length > 10) lines.push(`    ... and ${this.failed.length - 10} more`);
    }
    return lines.join('\n');
  }

  /** `2 throttling, 1 network`: the temporary causes of the failures, most frequent first. */
  #causes(): string {
    const counts = new Map<string, number>();
    for (const file of this.failed) counts.set(file.cause, (counts.get(file.cause) ?? 0) + 1);
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([cause, count]) => `${count} ${cause === 'unknown' ? 'of unknown cause' : cause}`)
      .join(', ');
  }

  toJSON(): Record<string, unknown> {
    return {
      filesListed: this.filesListed,
      filesIngested: this.filesIngested,
      events: this.events,
      insights: this.insights,
      quarantined: this.quarantined.length,
      skippedDigests: this.skippedDigests,
      skippedExisting: this.skippedExisting,
      skippedOther: this.skippedOther,
      failed: this.failed.length,
      interrupted: this.interrupted,
      filesNotStarted: this.filesNotStarted,
      partitionsWritten: this.partitionsWritten,
      objectsWritten: this.objectsWritten,
      generationsWritten: this.generationsWritten,
      ...(this.compactionLeaseHeldBy === undefined ? {} : { compactionLeaseHeldBy: this.compactionLeaseHeldBy }),
      bytesRead: this.bytesRead,
      uncompressedBytes: this.uncompressedBytes,
      parquetBytes: this.parquetBytes,
      unknownFields: this.unknownFields,
      mistypedFields: this.mistypedFields,
      elapsedMs: this.elapsedMs,
    };
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
