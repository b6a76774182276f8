import { describe, expect, it } from 'vitest';
import { RecordScanner, type RawRecord } from '../../../pipeline/cloudtrail/record-scanner.js';
import { UnreadableInputError } from '../../../pipeline/errors.js';
import { fixtureLogs } from './cloudtrail-test-support.js';
import { gunzipSync } from 'node:zlib';

function scan(text: string | Buffer, chunkSize = 1 << 20): { records: RawRecord[]; rootKeys: readonly string[] } {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const scanner = new RecordScanner();
  const records: RawRecord[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) records.push(...scanner.push(bytes.subarray(i, i + chunkSize)));
  const document = scanner.finish();
  return { records, rootKeys: document.rootKeys };
}

function membersOf(record: RawRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let m = 0; m < record.members.length; m += 4) {
    const [ks, ke, vs, ve] = record.members.slice(m, m + 4) as [number, number, number, number];
    out[JSON.parse(record.text.toString('utf8', ks, ke)) as string] = JSON.parse(record.text.toString('utf8', vs, ve));
  }
  return out;
}

function refusal(text: string): UnreadableInputError {
  try {
    scan(text);
  } catch (error) {
    if (error instanceof UnreadableInputError) return error;
    throw error;
  }
  throw new Error('expected the scanner to refuse the document');
}

describe('RecordScanner', () => {
  it('yields every record of every fixture with its members, whatever the chunk size', () => {
    for (const fixture of fixtureLogs()) {
      const body = fixture.body[0] === 0x1f ? gunzipSync(fixture.body) : fixture.body;
      for (const size of [1, 7, 300, 1 << 20]) {
        const { records } = scan(body, size);
        expect(
          records.map((record) => JSON.parse(record.text.toString('utf8'))),
          `${fixture.name} in chunks of ${size}`,
        ).toEqual(fixture.records);
        expect(records.map(membersOf)).toEqual(fixture.records);
      }
    }
  });

  it('finds the end of strings whose escapes and quotes straddle chunks', () => {
    const record = { a: 'say \\"hi\\" \\\\', b: ['x"y', { c: '}]{[' }], d: '\\\\\\"' };
    const text = JSON.stringify({ Other: { nested: ['"', '\\'] }, Records: [record, record] });
    for (let size = 1; size <= 12; size += 1) {
      const { records, rootKeys } = scan(text, size);
      expect(records.map(membersOf)).toEqual([record, record]);
      expect(rootKeys).toEqual(['Other', 'Records']);
    }
  });

  it('accepts members of the root object around Records, and an empty Records', () => {
    expect(scan('{"before": 1, "Records": [], "after": {"x": [true, null]}}').records).toEqual([]);
  });

  it.each([
    ['truncated', '{"Records":[{"eventID":"a"},{"eventID":"b"', /cut short/],
    ['truncated', '{"Records":[{"eventID":"a"}]', /cut short/],
    ['invalid-json', '', /empty/],
    ['invalid-json', '{"Records":[{"eventID" "a"}]}', /colon/],
    ['invalid-json', '{"Records":[{"eventID":"a",}]}', /member name/],
    ['invalid-json', '{"Records":[{"a":1} {"b":2}]}', /missing comma/],
    ['invalid-json', '{"Records":[]} trailing', /after the end/],
    ['truncated', '{"Records":[]', /cut short/],
    ['no-records', '{"records":[{"eventID":"a"}]}', /no Records array.*"records"/],
    ['no-records', '{"Records":{"eventID":"a"}}', /not an array/],
    ['not-cloudtrail', '[{"eventID":"a"}]', /JSON array/],
    ['invalid-record', '{"Records":[{"eventID":"a"}, "b"]}', /element 2 of Records is a string/],
    ['digest-body', '{"awsAccountId":"1","digestStartTime":"2024-03-05T14:00:00Z","logFiles":[]}', /digest/],
  ])('refuses with reason %s: %s', (reason, text, message) => {
    const error = refusal(text);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
  });
});
