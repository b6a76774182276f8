/**
 * The emulator's own reading of the CSV text COPY writes: where a record ends (in UTF-8 bytes,
 * a quoted field may hold line breaks) and what its fields are. Kept apart from the runner's
 * parser on purpose, so that a test of one is not a test of the other against itself.
 */

const QUOTE = 0x22;
const LF = 0x0a;

/** The byte just past the record that starts at `start` (its line break included). */
export function recordEnd(csv: Buffer, start: number): number {
  let inQuotes = false;
  for (let i = start; i < csv.length; i += 1) {
    const byte = csv[i];
    if (byte === QUOTE) inQuotes = !inQuotes;
    else if (byte === LF && !inQuotes) return i + 1;
  }
  return csv.length;
}

/** The fields of one record (without its line break); null for an unquoted empty field. */
export function csvFields(record: string): (string | null)[] {
  const fields: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (record[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = record.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated quoted field in COPY output');
        value += record.slice(i, quote);
        if (record[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
    } else {
      const comma = record.indexOf(',', i);
      const end = comma < 0 ? record.length : comma;
      fields.push(end === i ? null : record.slice(i, end));
      i = end;
    }
    if (i >= record.length) return fields;
    i += 1; // the comma
  }
}
