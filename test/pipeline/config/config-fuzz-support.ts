import fc from 'fast-check';
import { expect } from 'vitest';
import type { ClusterConfig, OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { EXPORT_TABLE_NAMES } from '../../../pipeline/tables/registry.js';

/**
 * What the configuration fuzzers share: valid documents to start from, values that break them,
 * and the check that a configuration the loader accepted is safe to use. The patterns below are
 * written out again on purpose, from the README's rules rather than from `identifiers.ts`, so a
 * loosened pattern in the loader is caught here.
 */

export const PASSWORD = 'fuzz-Pa55word-not-for-logs';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const DATABASE = /^[a-z_][a-z0-9_$]{0,126}$/;
const DB_USER = /^[a-zA-Z_][a-zA-Z0-9_.@+-]{0,126}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_SEGMENT = /^[A-Za-z0-9!_.*'()=-]+$/;
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/** C0 and C1 controls, line and paragraph separators, bidirectional overrides and isolates. */
function hasUnsafe(text: string): boolean {
  return [...text].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return (
      code <= 0x1f ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });
}

/** The oracle for names that reach keys and SQL: cluster names, identifiers and workgroups. */
export function isSafeName(value: unknown): boolean {
  return typeof value === 'string' && NAME.test(value) && !value.includes('--');
}

export function isSafeDatabase(value: unknown): boolean {
  return typeof value === 'string' && DATABASE.test(value) && !value.includes('--');
}

export function isSafeDbUser(value: unknown): boolean {
  return typeof value === 'string' && DB_USER.test(value) && !value.includes('--');
}

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,8}){0,2}$/);
const database = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
const dbUser = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.@+]{0,12}$/);
const secretArn = fc.stringMatching(/^arn:aws:secretsmanager:[a-z]{2}-[a-z]{4,9}-[1-3]:\d{12}:secret:[A-Za-z0-9/_+=.@]{1,20}$/);
const stlTables = fc.subarray(['stl_query', 'stl_scan', 'stl_querytext', 'query_text'], { minLength: 1 });
const sysTables = fc.subarray(['sys_query_history', 'sys_query_text', 'query_text'], { minLength: 1 });

/** A valid provisioned cluster or Serverless workgroup document, as one entry of `clusters`. */
export const validCluster: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      name,
      kind: fc.constant('provisioned'),
      clusterIdentifier: name,
      database,
      dbUser,
      views: fc.constant('stl'),
      tables: stlTables,
      enabled: fc.boolean(),
      pglite: fc.constantFrom('./clusters/a', 'sim', '/var/lib/opslake/sim'),
    },
    { requiredKeys: ['name', 'kind', 'dbUser'] },
  ),
  fc.record(
    { name, kind: fc.constant('serverless'), workgroupName: name, database, secretArn, views: fc.constant('sys'), tables: sysTables },
    { requiredKeys: ['name', 'kind'] },
  ),
);

const slotMinutes = fc.constantFrom(5, 10, 15, 30, 60, 120, 1440);

/** A valid whole document (the shape of opslake.yaml), with cluster names made unique. */
export const validDocument: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      lake: fc.constantFrom('./lake', 's3://my-bucket/lake/prefix', 's3://bucket.with.dots'),
      state: fc.constantFrom('./state', 'dynamodb://opslake-state'),
      catalog: fc.constant('./catalog.duckdb'),
      export: fc.record(
        { slotMinutes, latenessMinutes: fc.integer({ min: 0, max: 1440 }), concurrency: fc.integer({ min: 1, max: 32 }) },
        { requiredKeys: [] },
      ),
      compaction: fc.record(
        {
          cloudtrailLatenessMinutes: fc.integer({ min: 15, max: 2880 }),
          targetFileMb: fc.integer({ min: 1, max: 1024 }),
          graceMinutes: fc.integer({ min: 0, max: 10080 }),
          memoryLimitMb: fc.integer({ min: 64, max: 16384 }),
        },
        { requiredKeys: [] },
      ),
      clusters: fc.uniqueArray(validCluster, { minLength: 1, maxLength: 3, selector: (entry) => entry.name }),
    },
    { requiredKeys: ['clusters'] },
  )
  .map((document) => structuredClone(document));

/** Strings that are wrong in most places: controls, traversal, SQL, shell, bidi, huge, empty. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '../../etc/passwd',
    'a/../../b',
    "x' or '1'='1",
    'x"; drop table stl_query; --',
    'name\u0000',
    'ana\nlytics',
    'evil\u202egnp.exe',
    'a\u2028b',
    'ab--cd',
    'UPPER',
    '-leading',
    '1digit',
    's3://bucket/../x',
    'file:///etc/shadow',
    '$' + '{HOME}',
    '$(id)',
    '%00',
    'a'.repeat(64),
    'x'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('a', '-', '.', '/', '\\', '\u0000', '\t', ' ', '$', "'", '"', ';'), maxLength: 12 }),
);

/** Values of every type: a mutation puts one where a field was. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, 2 ** 53 + 1, 4.5, 1441, 7, 33),
  fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 3 }),
  fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer()), { maxKeys: 3 }),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
);

/** A place in a document and the error location that must be named when a value there is refused. */
export interface Mutation {
  /** Path from the document root: keys and list positions. */
  readonly path: readonly (string | number)[];
  /** `undefined`: the key is removed. */
  readonly value: unknown;
}

const CLUSTER_FIELDS = [
  'name',
  'kind',
  'clusterIdentifier',
  'workgroupName',
  'database',
  'dbUser',
  'secretArn',
  'views',
  'tables',
  'enabled',
  'pglite',
  'postgres',
  'passwordEnv',
  'password',
  'Name',
  'unknownKey',
];
const TOP_FIELDS = ['lake', 'state', 'catalog', 'export', 'compaction', 'clusters', 'lakes', 'extra'];
const EXPORT_FIELDS = ['slotMinutes', 'latenessMinutes', 'concurrency', 'slotminutes'];
const COMPACTION_FIELDS = ['cloudtrailLatenessMinutes', 'targetFileMb', 'graceMinutes', 'memoryLimitMb', 'target'];

/** One field of a document replaced by any value, or removed, or a key added. */
export function mutation(document: Record<string, unknown>): fc.Arbitrary<Mutation> {
  const clusters = Array.isArray(document.clusters) ? document.clusters.length : 0;
  const value = fc.option(anyValue, { nil: undefined, freq: 8 });
  return fc.oneof(
    fc.record({ path: fc.constantFrom(...TOP_FIELDS).map((key) => [key]), value }),
    fc.record({ path: fc.constantFrom(...EXPORT_FIELDS).map((key) => ['export', key]), value }),
    fc.record({ path: fc.constantFrom(...COMPACTION_FIELDS).map((key) => ['compaction', key]), value }),
    fc.record({
      path: fc
        .tuple(fc.nat({ max: Math.max(0, clusters - 1) }), fc.constantFrom(...CLUSTER_FIELDS))
        .map(([at, key]) => ['clusters', at, key]),
      value: fc.option(anyValue, { nil: undefined, freq: 8 }),
    }),
    fc.record({ path: fc.constant(['clusters', clusters]), value: anyValue }),
  );
}

/** A copy of the document with the mutation applied; missing parents are created as objects. */
export function applyMutation(document: Record<string, unknown>, { path, value }: Mutation): Record<string, unknown> {
  const copy = structuredClone(document);
  let parent: Record<string | number, unknown> = copy;
  for (const segment of path.slice(0, -1)) {
    const child = parent[segment];
    if (typeof child !== 'object' || child === null) parent[segment] = {};
    parent = parent[segment] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last === undefined) return copy;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** How validateConfig names a path: `clusters[0].name`. */
export function renderPath(path: readonly (string | number)[]): string {
  let rendered = '';
  for (const segment of path) {
    if (typeof segment === 'number') rendered += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) rendered += rendered === '' ? segment : `.${segment}`;
    else rendered += `[${JSON.stringify(segment)}]`;
  }
  return rendered;
}

/**
 * The refusal must be a ConfigError whose parameter is the document (a missing key or a whole
 * part) or a place at or above the mutated field, and whose message never shows the password.
 */
export function expectRefusalNames(error: unknown, source: string, path: readonly (string | number)[]): void {
  if (!(error instanceof ConfigError)) throw error;
  expect(error.message.startsWith(`${error.parameter}: `)).toBe(true);
  expect(error.message).not.toContain(PASSWORD);
  const allowed = [source];
  for (let length = 1; length <= path.length; length += 1) allowed.push(`${source}: ${renderPath(path.slice(0, length))}`);
  const named = allowed.some(
    (parameter) =>
      error.parameter === parameter || error.parameter.startsWith(`${parameter}[`) || error.parameter.startsWith(`${parameter}.`),
  );
  // A key written twice after a mutation (a cluster name made equal to another) is named where it repeats.
  const duplicate = / is already the name of /.test(error.message) && /clusters\[\d+\]\.name$/.test(error.parameter);
  if (!named && !duplicate) expect.fail(`refused at ${error.parameter}, not at ${allowed.join(' or ')}: ${error.message}`);
}

/** Everything a loaded configuration hands on to SQL, keys and paths matches its pattern. */
export function expectSafeConfig(config: OpslakeConfig): void {
  expect(JSON.stringify(config)).not.toContain(PASSWORD);
  const names = new Set<string>();
  for (const cluster of config.clusters) {
    expectSafeCluster(cluster);
    expect(names.has(cluster.name)).toBe(false);
    names.add(cluster.name);
  }
  const { slotMinutes, latenessMinutes, concurrency } = config.export;
  expect(Number.isInteger(slotMinutes) && slotMinutes >= 5 && 1440 % slotMinutes === 0).toBe(true);
  expect(Number.isInteger(latenessMinutes) && latenessMinutes >= 0 && latenessMinutes <= 1440).toBe(true);
  expect(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 32).toBe(true);
  for (const value of Object.values(config.compaction)) expect(Number.isInteger(value) && value >= 0 && value <= 16384).toBe(true);
  if (config.lake !== undefined) expectSafeLocation(config.lake, 's3://');
  if (config.state !== undefined) expectSafeLocation(config.state, 'dynamodb://');
  if (config.catalog !== undefined) expectSafeLocation(config.catalog, undefined);
}

function expectSafeCluster(cluster: ClusterConfig): void {
  expect(isSafeName(cluster.name), cluster.name).toBe(true);
  if (cluster.clusterIdentifier !== undefined) expect(isSafeName(cluster.clusterIdentifier)).toBe(true);
  if (cluster.workgroupName !== undefined) expect(isSafeName(cluster.workgroupName)).toBe(true);
  expect(isSafeDatabase(cluster.database)).toBe(true);
  if (cluster.auth.type === 'db-user') expect(isSafeDbUser(cluster.auth.dbUser)).toBe(true);
  if (cluster.auth.type === 'secret') expect(SECRET_ARN.test(cluster.auth.secretArn)).toBe(true);
  for (const table of cluster.tables) expect(EXPORT_TABLE_NAMES).toContain(table);
  expect(new Set(cluster.tables).size).toBe(cluster.tables.length);
  expect(['stl', 'sys', 'auto']).toContain(cluster.views);
  expect(typeof cluster.enabled).toBe('boolean');
  const { connection } = cluster;
  if (connection.type === 'pglite') expect(hasUnsafe(connection.dataDir)).toBe(false);
  if (connection.type === 'postgres') {
    expect(hasUnsafe(connection.url)).toBe(false);
    expect(new URL(connection.url).password).toBe('');
  }
}

function expectSafeLocation(location: string, scheme: 's3://' | 'dynamodb://' | undefined): void {
  expect(location.trim()).not.toBe('');
  expect(hasUnsafe(location)).toBe(false);
  if (scheme === 's3://' && location.startsWith(scheme)) {
    const [bucket = '', ...segments] = location.slice(scheme.length).split('/');
    expect(S3_BUCKET.test(bucket) && !bucket.includes('..')).toBe(true);
    for (const segment of segments) expect(S3_SEGMENT.test(segment) && segment !== '.' && segment !== '..').toBe(true);
    return;
  }
  if (scheme === 'dynamodb://' && location.startsWith(scheme)) {
    expect(DYNAMODB_TABLE.test(location.slice(scheme.length))).toBe(true);
    return;
  }
  // Anything else is a local path: no URL of another scheme may pass as one.
  expect(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)).toBe(false);
}
