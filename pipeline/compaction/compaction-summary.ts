import type { PartitionResult } from './partition-compactor.js';

const MB = 1_000_000;

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/** One partition's line: inputs, objects before and after, rows, duplicates removed, MB/s, or the error naming the object. */
export function formatPartitionResult(result: PartitionResult): string {
  const name = `${result.table} ${result.path}`;
  switch (result.status) {
    case 'failed':
      return `${name}: FAILED: ${result.error?.message ?? 'unknown error'}`;
    case 'planned':
      return `${name}: would compact ${result.inputs} object(s) (${result.fresh} new) into generation ${result.generation ?? ''}`;
    case 'unchanged':
      return `${name}: nothing new${result.deleted > 0 ? `; ${result.deleted} superseded object(s) deleted` : ''}${
        result.cleanupPending ? '; superseded objects wait for the grace period' : ''
      }`;
    case 'compacted': {
      const rate = result.seconds > 0 ? result.bytesIn / MB / result.seconds : 0;
      return (
        `${name}: ${result.inputs} object(s) (${result.fresh} new) -> ${result.outputs}, ` +
        `${result.rowsIn.toLocaleString('en-US')} -> ${result.rowsOut.toLocaleString('en-US')} rows ` +
        `(${result.duplicatesRemoved.toLocaleString('en-US')} duplicate(s) removed), ` +
        `${megabytes(result.bytesIn)} -> ${megabytes(result.bytesOut)} in ${result.seconds.toFixed(1)} s (${rate.toFixed(1)} MB/s)` +
        (result.deleted > 0 ? `; ${result.deleted} superseded object(s) deleted` : '') +
        (result.cleanupPending ? '; superseded objects wait for the grace period' : '')
      );
    }
  }
}

/** Totals of one compaction run, for the CLI, the demo and the Lambda's metrics. */
export class CompactionSummary {
  readonly results: PartitionResult[] = [];
  /** Set when another run held the lease: this one did nothing. */
  leaseHeldBy: string | undefined;
  stoppedAtDeadline = false;
  /** Set when the run was interrupted (SIGINT, SIGTERM) between partitions: the partitions done are committed. */
  interrupted = false;
  /** Partitions left for the next run because the deadline came. */
  notStarted = 0;

  add(result: PartitionResult): void {
    this.results.push(result);
  }

  count(status: PartitionResult['status']): number {
    return this.results.filter((result) => result.status === status).length;
  }

  get failed(): PartitionResult[] {
    return this.results.filter((result) => result.status === 'failed');
  }

  /** Closed partitions not compacted at the end of the run: failed ones and those the deadline left. */
  get partitionsOverdue(): number {
    return this.count('failed') + this.notStarted;
  }

  total(field: 'inputs' | 'outputs' | 'rowsIn' | 'rowsOut' | 'duplicatesRemoved' | 'bytesIn' | 'bytesOut' | 'deleted'): number {
    return this.results.reduce((sum, result) => sum + result[field], 0);
  }

  format(): string {
    if (this.leaseHeldBy !== undefined) return `Compaction: another run (${this.leaseHeldBy}) is compacting; nothing done.`;
    const compacted = this.results.filter((result) => result.status === 'compacted');
    const lines = [
      `Compaction: ${compacted.length} partition(s) compacted, ${this.count('unchanged')} unchanged, ` +
        `${this.count('planned')} planned, ${this.count('failed')} failed` +
        (this.stoppedAtDeadline ? `; stopped at the deadline with ${this.notStarted} partition(s) left for the next run` : '') +
        (this.interrupted ? `; interrupted with ${this.notStarted} partition(s) of the current table left for the next run` : ''),
    ];
    if (compacted.length > 0) {
      lines.push(
        `  objects ${this.total('inputs')} -> ${this.total('outputs')}, ` +
          `rows ${this.total('rowsIn').toLocaleString('en-US')} -> ${this.total('rowsOut').toLocaleString('en-US')} ` +
          `(${this.total('duplicatesRemoved').toLocaleString('en-US')} duplicate(s) removed), ` +
          `${megabytes(this.total('bytesIn'))} -> ${megabytes(this.total('bytesOut'))}`,
      );
    }
    if (this.total('deleted') > 0) lines.push(`  superseded objects deleted: ${this.total('deleted')}`);
    for (const result of this.failed.slice(0, 20)) lines.push(`  ${formatPartitionResult(result)}`);
    if (this.failed.length > 20) lines.push(`  ... and ${this.failed.length - 20} more failed`);
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return {
      compacted: this.count('compacted'),
      unchanged: this.count('unchanged'),
      planned: this.count('planned'),
      failed: this.count('failed'),
      partitionsOverdue: this.partitionsOverdue,
      stoppedAtDeadline: this.stoppedAtDeadline,
      interrupted: this.interrupted,
      objectsBefore: this.total('inputs'),
      objectsAfter: this.total('outputs'),
      rowsIn: this.total('rowsIn'),
      rowsOut: this.total('rowsOut'),
      duplicatesRemoved: this.total('duplicatesRemoved'),
      deleted: this.total('deleted'),
      ...(this.leaseHeldBy === undefined ? {} : { leaseHeldBy: this.leaseHeldBy }),
    };
  }
}
