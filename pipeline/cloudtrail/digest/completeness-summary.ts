import type { WrittenObject } from '../../lake/lake-layout.js';
import { COMPLETENESS_STATUSES, type CompletenessStatus } from '../../tables/cloudtrail-completeness-table.js';
import type { CloudTrailPartitionKey } from '../../tables/cloudtrail-tables.js';
import type { QuarantinedFile } from '../cloudtrail-file-outcome.js';
import type { CompletenessRow } from './day-completeness.js';

/** Findings kept in full for the output; beyond them only counted (the table has them all). */
const KEPT_FINDINGS = 1_000;

/** Counts of one account and region. */
export interface StreamCounts {
  readonly account: string;
  readonly region: string;
  readonly counts: ReadonlyMap<CompletenessStatus, number>;
}

/** What a verification found, for the CLI and the demo; the rows themselves are in `cloudtrail_completeness`. */
export class CompletenessSummary {
  readonly fromDay: string;
  readonly toDay: string;
  days = 0;
  /** Where the keys that checked the signatures came from; undefined when none were given. */
  keys: string | undefined;
  readonly #counts = new Map<CompletenessStatus, number>();
  readonly #streams = new Map<string, { account: string; region: string; counts: Map<CompletenessStatus, number> }>();
  /** The first findings, in the order found (see `findingsTotal`). */
  readonly findings: CompletenessRow[] = [];
  findingsTotal = 0;
  readonly objects: WrittenObject<CloudTrailPartitionKey>[] = [];
  readonly quarantined: QuarantinedFile[] = [];
  elapsedMs = 0;

  constructor(fromDay: string, toDay: string) {
    this.fromDay = fromDay;
    this.toDay = toDay;
  }

  add(rows: readonly CompletenessRow[]): void {
    for (const row of rows) {
      this.#counts.set(row.status, (this.#counts.get(row.status) ?? 0) + 1);
      const id = `${row.account}\u0000${row.region}`;
      const stream = this.#streams.get(id) ?? { account: row.account, region: row.region, counts: new Map() };
      stream.counts.set(row.status, (stream.counts.get(row.status) ?? 0) + 1);
      this.#streams.set(id, stream);
      if (!row.finding) continue;
      this.findingsTotal += 1;
      if (this.findings.length < KEPT_FINDINGS) this.findings.push(row);
    }
  }

  count(status: CompletenessStatus): number {
    return this.#counts.get(status) ?? 0;
  }

  /** Rows of a kind: log files or digests. */
  total(kind: 'log' | 'digest'): number {
    let total = 0;
    for (const [status, count] of this.#counts) if (COMPLETENESS_STATUSES[status].kind === kind) total += count;
    return total;
  }

  /** Per account and region, sorted. */
  streams(): StreamCounts[] {
    return [...this.#streams.values()].sort((a, b) => (a.account + a.region < b.account + b.region ? -1 : 1));
  }

  toJSON(): Record<string, unknown> {
    return {
      fromDay: this.fromDay,
      toDay: this.toDay,
      days: this.days,
      keys: this.keys ?? null,
      logFiles: this.total('log'),
      digests: this.total('digest'),
      statuses: Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : 1))),
      findings: this.findingsTotal,
      objectsWritten: this.objects.length,
      quarantined: this.quarantined.length,
    };
  }
}
