/** How the emulator writes result values: a JSON `Field` per column type, and the errors it answers with. */

/** Raised inside a handler; becomes an AWS JSON error response. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Column {
  readonly name: string;
  readonly typeName: string;
  /** The value as a JSON `Field` union. */
  readonly field: (value: unknown) => string;
}

export const TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1700: 'numeric',
};

const raw = (value: string): string => value;

/**
 * Types read as the database prints them: microseconds of timestamps and digits of big
 * integers must survive, and nothing goes through a JS Date.
 */
export const RAW_TEXT_PARSERS = Object.fromEntries([20, 114, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802].map((oid) => [oid, raw]));

const stringField = (value: unknown): string => `{"stringValue":${JSON.stringify(String(value))}}`;

export function fieldWriter(oid: number): (value: unknown) => string {
  switch (oid) {
    case 16:
      return (value) => `{"booleanValue":${value === true}}`;
    case 21:
    case 23:
    case 26:
      return (value) => `{"longValue":${Number(value)}}`;
    case 20:
      // Written as the digits the database printed: the real service sends a JSON number of
      // any size, and a client has to cope with one beyond 2^53.
      return (value) => {
        const digits = String(value);
        if (!/^-?\d+$/.test(digits)) throw new ServiceError('InternalServerException', 'int8 value is not an integer');
        return `{"longValue":${digits}}`;
      };
    case 700:
    case 701:
      return (value) => {
        const number = Number(value);
        return Number.isFinite(number) ? `{"doubleValue":${JSON.stringify(number)}}` : `{"doubleValue":"${String(number)}"}`;
      };
    default:
      return stringField;
  }
}
