import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fixtureLogs, logKey } from './cloudtrail-test-support.js';

/**
 * The CloudTrail fuzzer's inputs (issue 11, 4b): files built from the real records of the shared
 * fixtures, mutated in the ways hostile or broken deliveries are.
 */

/** The real records every generated file draws from. */
export const FIXTURE_RECORDS: readonly Record<string, unknown>[] = fixtureLogs()
  .flatMap((file) => file.records)
  .filter((record) => typeof record === 'object' && record !== null && typeof record.eventID === 'string');

/** Values that do not belong where they are put: every JSON type, edge numbers, odd text. */
const strangeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 63, '', ' ', '\u0000', 'null', '{}', '[]'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxKeys: 3 }),
);

/** Account ids and regions that cannot, or can only just, make a partition value of a key. */
const oddPartitionValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', '.', '..', '../../etc', 'a/b', 'a=b', 'x%2Fy', 'us-east-1/../../x', '\u202eevil', 'ünïcödé', ' ', '0', '-1'),
  fc.constantFrom('1'.repeat(13), '1'.repeat(300), '9'.repeat(3000), 'r'.repeat(1100)),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.constant(null),
);

const oddTime: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2024-13-45T25:61:61Z',
    '2024-02-30T00:00:00Z',
    '2024-03-05T14:07:31.123456789Z',
    '2024-03-05T14:07:31+14:00',
    '2024-03-05',
    'yesterday',
    '',
  ),
  fc.integer(),
  fc.double(),
  fc.constant(null),
);

/** One record-level mutation, applied to a copy of a real record. */
export type RecordMutation =
  | { readonly kind: 'swap-type'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'remove'; readonly field: string }
  | { readonly kind: 'add'; readonly where: 'root' | 'userIdentity' | 'requestParameters'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'huge'; readonly bytes: number }
  | { readonly kind: 'deep'; readonly depth: number }
  | { readonly kind: 'account'; readonly value: unknown }
  | { readonly kind: 'region'; readonly value: unknown }
  | { readonly kind: 'time'; readonly value: unknown };

/** One file-level mutation, applied to the JSON text or the gzip bytes. */
export type FileMutation =
  | { readonly kind: 'invalid-utf8'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'cut-json'; readonly at: number }
  | { readonly kind: 'cut-gzip'; readonly at: number }
  | { readonly kind: 'not-gzip' }
  | { readonly kind: 'shape'; readonly body: string };

const FIELDS = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'requestParameters',
  'responseElements',
  'requestID',
  'eventType',
  'recipientAccountId',
  'resources',
  'errorCode',
  'errorMessage',
  'readOnly',
  'tlsDetails',
  'additionalEventData',
  'sessionCredentialFromConsole',
];

export const recordMutation: fc.Arbitrary<RecordMutation> = fc.oneof(
  fc.record({ kind: fc.constant('swap-type' as const), field: fc.constantFrom(...FIELDS), value: strangeValue }),
  fc.record({ kind: fc.constant('remove' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({
    kind: fc.constant('add' as const),
    where: fc.constantFrom('root' as const, 'userIdentity' as const, 'requestParameters' as const),
    field: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'eventid', 'EventID', 'a.b', '')),
    value: strangeValue,
  }),
  fc.record({ kind: fc.constant('huge' as const), bytes: fc.constantFrom(70_000, 1_100_000) }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.constantFrom(64, 500, 3_000) }),
  fc.record({ kind: fc.constant('account' as const), value: oddPartitionValue }),
  fc.record({ kind: fc.constant('region' as const), value: oddPartitionValue }),
  fc.record({ kind: fc.constant('time' as const), value: oddTime }),
);

export const fileMutation: fc.Arbitrary<FileMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('invalid-utf8' as const),
    at: fc.nat(),
    bytes: fc.constantFrom([0xff], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]),
  }),
  fc.record({ kind: fc.constant('cut-json' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cut-gzip' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('not-gzip' as const) }),
  fc.record({
    kind: fc.constant('shape' as const),
    body: fc.constantFrom('', '[]', '{}', 'null', '"Records"', '{"Records": {}}', '{"Records": [1, "a", null]}', '{"Records": []}'),
  }),
);

/** A generated file: which fixture records it holds, and what was done to it. */
export interface FileSpec {
  readonly records: readonly number[];
  readonly recordMutations: ReadonlyArray<{ readonly record: number; readonly mutation: RecordMutation }>;
  readonly fileMutation: FileMutation | null;
  /** Records cut down to the fields every event has (a small gzip). */
  readonly essential?: boolean;
}

export const fileSpec: fc.Arbitrary<FileSpec> = fc
  .array(fc.nat({ max: FIXTURE_RECORDS.length - 1 }), { minLength: 1, maxLength: 6 })
  .chain((records) =>
    fc.record({
      records: fc.constant(records),
      recordMutations: fc.array(fc.record({ record: fc.nat({ max: records.length - 1 }), mutation: recordMutation }), { maxLength: 2 }),
      fileMutation: fc.option(fileMutation, { freq: 3 }),
    }),
  );

const ESSENTIAL_FIELDS = ['eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'recipientAccountId'];

/**
 * The fixture record with the shortest JSON, cut down to the fields every event has, followed
 * by the same record whole: the first makes a gzip small enough to cut at every byte.
 */
export function smallRecords(): number[] {
  const [shortest] = FIXTURE_RECORDS.map((record, index) => ({ index, length: JSON.stringify(record).length })).sort(
    (a, b) => a.length - b.length,
  );
  if (shortest === undefined) throw new Error('no fixture record');
  return [shortest.index];
}

/** A copy of a fixture record with only the fields every event has. */
export function essentialRecord(index: number): Record<string, unknown> {
  const record = FIXTURE_RECORDS[index] ?? {};
  return Object.fromEntries(ESSENTIAL_FIELDS.filter((field) => field in record).map((field) => [field, record[field]]));
}

/** The gzip length of a file of these records, unmutated (with event ids of the tag's length). */
export function gzipLength(spec: Pick<FileSpec, 'records' | 'essential'>, tag: string): number {
  const body = spec.records.map((index, position) => ({ ...recordOf(index, spec.essential === true), eventID: `${tag}-${position}` }));
  return gzipSync(Buffer.from(JSON.stringify({ Records: body }))).length;
}

function recordOf(index: number, essential: boolean): Record<string, unknown> {
  return essential ? essentialRecord(index) : structuredClone(FIXTURE_RECORDS[index] ?? {});
}

/** A file of a generated trail as written: its key, the event ids its records carry and whether it was changed. */
export interface WrittenFile {
  readonly key: string;
  readonly eventIds: readonly string[];
  readonly mutated: boolean;
  readonly faults: number;
}

function deep(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { d: value };
  return value;
}

function mutateRecord(record: Record<string, unknown>, mutation: RecordMutation): void {
  switch (mutation.kind) {
    case 'swap-type':
      record[mutation.field] = mutation.value;
      return;
    case 'remove':
      delete record[mutation.field];
      return;
    case 'add': {
      const target = mutation.where === 'root' ? record : record[mutation.where];
      // defineProperty, so that a key named __proto__ becomes a member rather than a prototype.
      if (typeof target === 'object' && target !== null && !Array.isArray(target) && mutation.field !== 'eventID') {
        Object.defineProperty(target, mutation.field, { value: mutation.value, enumerable: true, writable: true, configurable: true });
      }
      return;
    }
    case 'huge':
      record.requestParameters = { blob: 'x'.repeat(mutation.bytes), list: Array.from({ length: 1000 }, (_, index) => index) };
      return;
    case 'deep':
      record.requestParameters = deep(mutation.depth);
      return;
    case 'account':
      record.recipientAccountId = mutation.value;
      if (typeof record.userIdentity === 'object' && record.userIdentity !== null) {
        (record.userIdentity as Record<string, unknown>).accountId = mutation.value;
      }
      return;
    case 'region':
      record.awsRegion = mutation.value;
      return;
    case 'time':
      record.eventTime = mutation.value;
      return;
  }
}

function applyFileMutation(json: Buffer, mutation: FileMutation | null): Buffer {
  if (mutation === null) return gzipSync(json);
  switch (mutation.kind) {
    case 'invalid-utf8': {
      const at = mutation.at % (json.length + 1);
      return gzipSync(Buffer.concat([json.subarray(0, at), Buffer.from(mutation.bytes), json.subarray(at)]));
    }
    case 'cut-json':
      return gzipSync(json.subarray(0, mutation.at % json.length));
    case 'cut-gzip': {
      const gzip = gzipSync(json);
      // Past the end, the cut is at the last byte: a file is never left whole by a cut.
      return gzip.subarray(0, Math.min(mutation.at, gzip.length - 1));
    }
    case 'not-gzip':
      return json;
    case 'shape':
      return gzipSync(Buffer.from(mutation.body));
  }
}

/**
 * Writes one file of a trail under `trail`, with fresh event ids (`<tag>-<n>`) so that every
 * event of a generated trail is unique and can be counted in the lake.
 */
export async function writeFileSpec(trail: string, tag: string, spec: FileSpec): Promise<WrittenFile> {
  const records = spec.records.map((index, position) => {
    const record = recordOf(index, spec.essential === true);
    record.eventID = `${tag}-${position}`;
    return record;
  });
  for (const { record, mutation } of spec.recordMutations) {
    const target = records[record];
    if (target !== undefined) mutateRecord(target, mutation);
  }
  const body = applyFileMutation(Buffer.from(JSON.stringify({ Records: records })), spec.fileMutation);
  const key = logKey(tag, { day: '2024-03-05' });
  const path = join(trail, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
  const faults = spec.recordMutations.length + (spec.fileMutation === null ? 0 : 1);
  return { key, eventIds: records.map((record) => String(record.eventID)), mutated: faults > 0, faults };
}
