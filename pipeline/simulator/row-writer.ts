import type { Transaction } from '@electric-sql/pglite';
import { quoteIdent } from '../tables/slot-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES, type StlViewName } from '../tables/stl-views.js';
import { PENDING_SCHEMA } from './stl-schema-sql.js';
import { formatMicros, type RowSink, type SqlCell } from './stl-rows.js';

/**
 * Collects generated rows and writes them with a few large statements: each column goes as one
 * array parameter into `INSERT ... SELECT FROM unnest(...)`, thousands of rows at a time (single-row
 * INSERTs into PGlite are two orders of magnitude slower). A row lands in `public` when already
 * visible at `nowUs`, in the pending schema otherwise, and nowhere when retention has dropped it.
 */

/** Rows per statement: big enough to amortise a round trip, small enough for CHAR(4000) text. */
const BATCH_ROWS: Readonly<Record<StlViewName, number>> = {
  stl_query: 1_000,
  stl_querytext: 5_000,
  stl_wlm_query: 5_000,
  stl_scan: 5_000,
  stl_explain: 5_000,
  stl_ddltext: 5_000,
  stl_utilitytext: 5_000,
  stl_alert_event_log: 2_000,
};

interface Buffer {
  readonly rows: SqlCell[][];
  readonly visibleAt: string[];
}

export interface WriteCounts {
  readonly visible: number;
  readonly pending: number;
  readonly expired: number;
}

function arrayType(type: string): string {
  if (type === 'integer' || type === 'smallint') return 'integer[]';
  if (type === 'bigint') return 'bigint[]';
  if (type === 'double precision') return 'double precision[]';
  if (type === 'boolean') return 'boolean[]';
  if (type === 'timestamp') return 'timestamp[]';
  return 'text[]';
}

/** `INSERT INTO <schema>.<view> (...) SELECT * FROM unnest($1::int[], ...)`; pending tables take `visible_at` last. */
export function renderUnnestInsert(view: StlViewName, pending: boolean): string {
  const columns = STL_VIEWS[view].columns;
  const names = columns.map((column) => quoteIdent(column.name));
  const casts = columns.map((column, index) => `$${index + 1}::${arrayType(column.type)}`);
  if (pending) {
    names.push('"visible_at"');
    casts.push(`$${columns.length + 1}::timestamp[]`);
  }
  const schema = pending ? quoteIdent(PENDING_SCHEMA) : 'public';
  return `INSERT INTO ${schema}.${quoteIdent(view)} (${names.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
}

export class RowWriter implements RowSink {
  private readonly visible = new Map<StlViewName, Buffer>();
  private readonly pending = new Map<StlViewName, Buffer>();
  private counts = { visible: 0, pending: 0, expired: 0 };

  constructor(
    private readonly nowUs: number,
    private readonly retentionCutoffUs: number,
  ) {}

  add(view: StlViewName, values: readonly SqlCell[], completionUs: number, visibleUs: number): void {
    if (completionUs < this.retentionCutoffUs) {
      this.counts.expired++;
      return;
    }
    const isVisible = visibleUs <= this.nowUs;
    const target = isVisible ? this.visible : this.pending;
    let buffer = target.get(view);
    if (!buffer) {
      buffer = { rows: [], visibleAt: [] };
      target.set(view, buffer);
    }
    buffer.rows.push(values as SqlCell[]);
    if (!isVisible) buffer.visibleAt.push(formatMicros(visibleUs));
    if (isVisible) this.counts.visible++;
    else this.counts.pending++;
  }

  /** Writes everything collected so far and empties the buffers. */
  async flush(tx: Pick<Transaction, 'query'>): Promise<WriteCounts> {
    for (const view of STL_VIEW_NAMES) {
      await this.flushBuffer(tx, view, this.visible.get(view), false);
      await this.flushBuffer(tx, view, this.pending.get(view), true);
    }
    this.visible.clear();
    this.pending.clear();
    const counts = this.counts;
    this.counts = { visible: 0, pending: 0, expired: 0 };
    return counts;
  }

  private async flushBuffer(tx: Pick<Transaction, 'query'>, view: StlViewName, buffer: Buffer | undefined, pending: boolean): Promise<void> {
    if (!buffer || buffer.rows.length === 0) return;
    const sql = renderUnnestInsert(view, pending);
    const width = STL_VIEWS[view].columns.length;
    const batch = BATCH_ROWS[view];
    for (let offset = 0; offset < buffer.rows.length; offset += batch) {
      const rows = buffer.rows.slice(offset, offset + batch);
      const parameters: unknown[][] = [];
      for (let column = 0; column < width; column++) parameters.push(rows.map((row) => row[column]));
      if (pending) parameters.push(buffer.visibleAt.slice(offset, offset + batch));
      await tx.query(sql, parameters);
    }
  }
}
