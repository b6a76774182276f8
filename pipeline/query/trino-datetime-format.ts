/**
 * Trino's `date_format` and `date_parse` take MySQL-style specifiers; DuckDB's `strftime` and
 * `strptime` take C-style ones. Each specifier maps to one form, or has none in DuckDB (week
 * numbering modes, day suffixes), which is then refused by name.
 */
const FORMAT: Readonly<Record<string, string>> = {
  a: '%a', // weekday abbreviation
  b: '%b', // month abbreviation
  c: '%-m', // month, numeric
  d: '%d',
  e: '%-d',
  f: '%f', // microseconds, 6 digits
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M', // minutes
  j: '%j',
  k: '%-H',
  l: '%-I',
  M: '%B', // month name
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  W: '%A', // weekday name
  w: '%w',
  Y: '%Y',
  y: '%y',
  '%': '%%',
};

/** Parsing reads a padded and an unpadded number alike, and DuckDB's parser takes only the padded forms. */
const PARSE: Readonly<Record<string, string>> = { c: '%m', e: '%d', k: '%H', l: '%I' };

export class UnsupportedFormatError extends RangeError {
  readonly specifier: string;

  constructor(specifier: string) {
    super(`the format specifier %${specifier} has no DuckDB equivalent`);
    this.name = 'UnsupportedFormatError';
    this.specifier = specifier;
  }
}

/** A `date_format` (or, with `parsing`, `date_parse`) format in `strftime`/`strptime` form. */
export function strftimeFormat(trino: string, parsing = false): string {
  let out = '';
  for (let index = 0; index < trino.length; index += 1) {
    const char = trino.charAt(index);
    if (char !== '%') {
      out += char;
      continue;
    }
    const specifier = trino.charAt(index + 1);
    const mapped = (parsing ? PARSE[specifier] : undefined) ?? FORMAT[specifier];
    if (mapped === undefined) throw new UnsupportedFormatError(specifier);
    out += mapped;
    index += 1;
  }
  return out;
}
