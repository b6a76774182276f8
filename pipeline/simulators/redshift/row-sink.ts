import { STL_VIEWS, type StlViewName } from '../../tables/stl-views.js';
import type { PlacedStatement } from './workload-generator.js';

export type SqlCell = string | number;

/** Where generated rows go, with the completion time that decides retention and the time they become visible. */
export interface RowSink {
  add(view: StlViewName, values: readonly SqlCell[], completionUs: number, visibleUs: number): void;
}

/** A placed statement with the query id and transaction id it was given. */
export interface NumberedStatement {
  readonly placed: PlacedStatement;
  /** Queries only. */
  readonly query: number | undefined;
  readonly xid: number;
}

/** Values in the registry's column order; a column the builder forgot is a bug, caught here. */
export function orderedValues(view: StlViewName, row: Readonly<Record<string, SqlCell>>): SqlCell[] {
  const values: SqlCell[] = [];
  for (const { name } of STL_VIEWS[view].columns) {
    const value = row[name];
    if (value === undefined) throw new RangeError(`${view}.${name} has no value`);
    values.push(value);
  }
  return values;
}
