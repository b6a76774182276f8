import type { PGlite } from '@electric-sql/pglite';
import type { SqlStatement } from '../../pipeline/ports/sql-runner.js';
import { toPgPlaceholders } from '../../pipeline/redshift/sql/pg-placeholders.js';
import { type Column, fieldWriter, TYPE_NAMES } from './data-api-fields.js';
import type { HeldResult } from './data-api-pages.js';

/**
 * How the emulator runs a statement on PGlite. A query's rows are written by PostgreSQL itself
 * as CSV (`COPY (query) TO '/dev/blob'`): reading a large result through PGlite's row parser
 * costs the emulator several times what the database does, and would swamp what a benchmark
 * means to measure, the client. Both result formats are paged from that one text.
 *
 * COPY takes no bind parameters, and no value is spliced into SQL: each parameter is set as a
 * transaction-local setting and the text reads it back, cast to the type PostgreSQL infers for
 * the placeholder (as binding it would).
 */

export type EmulatorDatabase = Pick<PGlite, 'query' | 'describeQuery' | 'transaction'>;

export type Outcome =
  | { readonly kind: 'finished'; readonly result: HeldResult; readonly resultRows: number }
  | { readonly kind: 'failed'; readonly error: string };

const SETTING = 'opslake_emulator.p';

export class StatementExecutor {
  readonly #db: EmulatorDatabase;
  readonly #typeNames = new Map<number, string>();
  readonly #sqlTypes = new Map<number, string>();

  constructor(db: EmulatorDatabase) {
    this.#db = db;
  }

  /** Runs a statement whose `:name` parameters have been checked; a database error is a FAILED outcome. */
  async run(statement: SqlStatement): Promise<Outcome> {
    try {
      const positional = toPgPlaceholders(statement);
      const described = await this.#db.describeQuery(positional.text);
      if (described.resultFields.length === 0) {
        const result = await this.#db.query(positional.text, [...positional.values]);
        return { kind: 'finished', result: { columns: [], csv: Buffer.alloc(0), rows: 0 }, resultRows: result.affectedRows ?? 0 };
      }
      const types: string[] = [];
      for (const param of described.queryParams) types.push(await this.#sqlType(param.dataTypeID));
      const query = toPgPlaceholders(statement, (n) => `CAST(current_setting('${SETTING}${n}') AS ${types[n - 1] ?? 'text'})`);
      const copied = await this.#db.transaction(async (tx) => {
        for (const [i, value] of query.values.entries()) await tx.query('SELECT set_config($1, $2, true)', [`${SETTING}${i + 1}`, value]);
        return tx.query(`COPY (${query.text.replace(/[\s;]+$/, '')}) TO '/dev/blob' WITH (FORMAT csv)`);
      });
      const columns: Column[] = [];
      for (const field of described.resultFields) {
        columns.push({ name: field.name, typeName: await this.#typeNameOf(field.dataTypeID), field: fieldWriter(field.dataTypeID) });
      }
      const csv = copied.blob ? Buffer.from(await copied.blob.arrayBuffer()) : Buffer.alloc(0);
      const rows = copied.affectedRows ?? 0;
      return { kind: 'finished', result: { columns, csv, rows }, resultRows: rows };
    } catch (error) {
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The Data API's type name of a column (PostgreSQL's internal name, as Redshift's metadata gives it). */
  async #typeNameOf(oid: number): Promise<string> {
    const known = TYPE_NAMES[oid] ?? this.#typeNames.get(oid);
    if (known !== undefined) return known;
    const result = await this.#db.query<{ typname: string }>('SELECT typname FROM pg_type WHERE oid = $1', [oid]);
    const name = result.rows[0]?.typname ?? 'unknown';
    this.#typeNames.set(oid, name);
    return name;
  }

  /** A type as SQL spells it in a cast. */
  async #sqlType(oid: number): Promise<string> {
    const known = this.#sqlTypes.get(oid);
    if (known !== undefined) return known;
    const result = await this.#db.query<{ type: string }>('SELECT format_type($1, NULL) AS type', [oid]);
    const type = result.rows[0]?.type ?? 'text';
    this.#sqlTypes.set(oid, type);
    return type;
  }
}
