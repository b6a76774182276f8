import type { RedshiftType } from './column-types.js';

/** A column of a Redshift system view, declared once; everything else derives from it. */
export interface SourceColumn {
  readonly name: string;
  readonly type: RedshiftType;
  readonly description: string;
  /**
   * Keep CHAR padding. Only text chunks keep it (200 characters in STL, 4,000 in SYS): a chunk
   * that is not the last may really end in spaces, and stitching needs them.
   */
  readonly keepPadding?: boolean;
}

/**
 * Which time decides a row's slot and day. `own`: a column of the view. `borrowed`: the view
 * has no completion time of its own, so rows take the completion time of their statement in
 * `from` (`stl_query.endtime`, `sys_query_history.end_time`) through a semi-join on `joinOn`
 * (columns of the same name on both sides), so a reused id never multiplies rows.
 */
export type Cursor =
  | { readonly kind: 'own'; readonly column: string }
  | { readonly kind: 'borrowed'; readonly from: string; readonly joinOn: readonly string[] };

/**
 * Rows that still change: a SYS history row exists while its statement runs and is rewritten
 * until the statement ends. Only rows whose `column` holds one of `values` are final, and only
 * those are exported; a view that borrows its cursor takes the filter of the view it borrows from.
 */
export interface TerminalFilter {
  readonly column: string;
  readonly values: readonly string[];
}

/**
 * What keeps a slot open besides lateness (DESIGN.md §3), read from the dialect's statement view:
 * - `finished-statements`: statements that have finished running (their end_time is real) but
 *   whose row is not final yet (returning rows to a slow client, committing). They will become
 *   final with that end_time, however late, so no slot from there on may be sealed before.
 * - `open-statements`: every statement still open. Serverless usage is metered when a
 *   transaction ends, so a minute's charge can change until every statement running in it is done.
 */
export type HoldBack = 'finished-statements' | 'open-statements';

export interface SourceView<N extends string = string> {
  readonly name: N;
  readonly description: string;
  readonly columns: readonly SourceColumn[];
  readonly cursor: Cursor;
  /** Columns that identify a row (documented or, where the docs are silent, our best candidate). */
  readonly key: readonly string[];
  readonly terminal?: TerminalFilter;
  readonly holdBack?: HoldBack;
}

export function column(name: string, type: RedshiftType, description: string, keepPadding = false): SourceColumn {
  return keepPadding ? { name, type, description, keepPadding } : { name, type, description };
}
