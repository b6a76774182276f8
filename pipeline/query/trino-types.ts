/**
 * Trino type names (as `CAST` and `TRY_CAST` take them) in DuckDB's spelling:
 * `array(varchar)` is `VARCHAR[]`, `row(a bigint)` is `STRUCT("a" BIGINT)`, `map(varchar, json)`
 * is `MAP(VARCHAR, JSON)`, a timestamp of any precision is `TIMESTAMP`.
 */
const SIMPLE: Readonly<Record<string, string>> = {
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'REAL',
  double: 'DOUBLE',
  decimal: 'DECIMAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
  varbinary: 'BLOB',
  uuid: 'UUID',
};

export class UnsupportedTypeError extends RangeError {
  constructor(type: string) {
    super(`the type ${type} has no DuckDB equivalent here`);
    this.name = 'UnsupportedTypeError';
  }
}

/** DuckDB's spelling of a Trino type; throws UnsupportedTypeError for one it does not know. */
export function duckDbType(trino: string): string {
  const tokens = trino.match(/"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*|\d+|[(),]/g) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.toLowerCase();
  const take = (): string => {
    const token = tokens[at];
    if (token === undefined) throw new UnsupportedTypeError(trino);
    at += 1;
    return token;
  };
  const expect = (text: string) => {
    if (take() !== text) throw new UnsupportedTypeError(trino);
  };
  const type = (): string => {
    const name = take().toLowerCase();
    if (name === 'array') {
      expect('(');
      const element = type();
      expect(')');
      return `${element}[]`;
    }
    if (name === 'map') {
      expect('(');
      const key = type();
      expect(',');
      const value = type();
      expect(')');
      return `MAP(${key}, ${value})`;
    }
    if (name === 'row') {
      expect('(');
      const fields: string[] = [];
      do {
        const field = take();
        const quoted = field.startsWith('"') ? field : `"${field}"`;
        fields.push(`${quoted} ${type()}`);
      } while (peek() === ',' && take());
      expect(')');
      return `STRUCT(${fields.join(', ')})`;
    }
    if (name === 'double' && peek() === 'precision') take();
    const simple = SIMPLE[name];
    if (simple === undefined) throw new UnsupportedTypeError(trino);
    let parameters = '';
    if (peek() === '(') {
      const list: string[] = [];
      take();
      do list.push(take());
      while (peek() === ',' && take());
      expect(')');
      parameters = `(${list.join(', ')})`;
    }
    if ((name === 'timestamp' || name === 'time') && peek() === 'with') {
      for (const word of ['with', 'time', 'zone']) if (take().toLowerCase() !== word) throw new UnsupportedTypeError(trino);
      return name === 'timestamp' ? 'TIMESTAMPTZ' : 'TIMETZ';
    }
    // Only DECIMAL keeps its parameters: DuckDB's VARCHAR has no length and its TIMESTAMP one precision.
    return name === 'decimal' ? `${simple}${parameters}` : simple;
  };
  const out = type();
  if (at !== tokens.length) throw new UnsupportedTypeError(trino);
  return out;
}
