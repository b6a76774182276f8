import { resolve } from 'node:path';
import { InvalidIdentifierError } from '../errors.js';
import { EXPORT_TABLE_NAMES, isExportTableName, type ExportTableName } from '../tables/registry.js';
import { DEFAULT_COMPACTION_SETTINGS, type CompactionSettings, validateCompactionSettings } from './compaction-settings.js';
import { ConfigLocation, describeType, quote } from './config-location.js';
import { assertClusterIdentifier, assertClusterName, assertDatabaseName, assertDbUser, assertSecretArn } from './identifiers.js';
import {
  DEFAULT_EXPORT_SETTINGS,
  type ClusterAuth,
  type ClusterConfig,
  type Connection,
  type ExportSettings,
  type OpslakeConfig,
} from './opslake-config.js';
import { Secret } from './secret.js';

/**
 * The one validator behind every ConfigSource: plain data (parsed YAML, JSON, SSM documents) in,
 * a deep-frozen OpslakeConfig out, or a ConfigError naming the exact parameter and saying what
 * is allowed. It is pure: nothing here touches SQL, keys, files or the network, so a hostile
 * value is refused before anything else can happen to it.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/** Where a cluster document came from; it decides which local-only fields the document may use. */
export type ClusterOrigin =
  | {
      readonly source: 'file';
      /** Folder against which a relative `pglite` path resolves; kept as written when absent. */
      readonly baseDir?: string;
      /** Where `passwordEnv` is looked up. */
      readonly env?: Environment;
    }
  | {
      readonly source: 'ssm';
      /** The name taken from the parameter path; a `name` in the document must equal it. */
      readonly name: string;
      /** The SecureString parameter that holds the password, named in hints and errors. */
      readonly passwordParameter: string;
      /** Its value, when the parameter exists. */
      readonly password?: Secret;
    };

export interface ValidateConfigOptions {
  /** How the whole document is named in errors: the file as the user gave it (`opslake.yaml`). */
  readonly source: string;
  /** Folder against which relative paths (lake, state, catalog, pglite) resolve; kept as written when absent. */
  readonly baseDir?: string;
  /** Where `passwordEnv` is looked up; nothing is read from the process environment. */
  readonly env?: Environment;
}

export const CLUSTER_KEYS = [
  'name',
  'kind',
  'clusterIdentifier',
  'workgroupName',
  'database',
  'dbUser',
  'secretArn',
  'tables',
  'enabled',
  'pglite',
  'postgres',
  'passwordEnv',
] as const;

export const EXPORT_SETTINGS_KEYS = ['slotMinutes', 'latenessMinutes', 'concurrency'] as const;

const TOP_LEVEL_KEYS = ['lake', 'state', 'catalog', 'export', 'compaction', 'clusters'] as const;

/** Redshift creates `dev` in every new cluster and workgroup. */
export const DEFAULT_DATABASE = 'dev';

const MINUTES_PER_DAY = 1440;
const SLOT_MINUTES = { min: 5, max: MINUTES_PER_DAY } as const;
const LATENESS_MINUTES = { min: 0, max: MINUTES_PER_DAY } as const;
const CONCURRENCY = { min: 1, max: 32 } as const;

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()=-]+$/;
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// C0 and C1 controls, line/paragraph separators and bidirectional overrides: none belongs in a
// path or URL, and each can make a value display as something it is not.
function hasUnsafeCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return true;
    if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return true;
  }
  return false;
}

type RawRecord = Readonly<Record<string, unknown>>;

/** Validates a whole configuration document (the shape of `opslake.yaml`). */
export function validateConfig(raw: unknown, options: ValidateConfigOptions): OpslakeConfig {
  const at = new ConfigLocation(options.source);
  if (raw === undefined || raw === null) {
    throw at.error('is empty; expected keys lake, state and clusters (run "opslake demo" to see a complete example)');
  }
  const record = asRecord(raw, at);
  checkKeys(record, TOP_LEVEL_KEYS, at);

  const clustersAt = at.key('clusters');
  const rawClusters = field(record, 'clusters', at) ?? [];
  if (!Array.isArray(rawClusters)) {
    throw clustersAt.error(`expected a list of clusters, got ${describeType(rawClusters)}`);
  }
  const clusters = rawClusters.map((rawCluster, position) => {
    const clusterAt = clustersAt.index(position);
    const origin: ClusterOrigin = { source: 'file', baseDir: options.baseDir, env: options.env };
    return { cluster: validateCluster(rawCluster, clusterAt, origin), at: clusterAt };
  });

  return buildConfig({
    clusters,
    export: validateExportSettings(field(record, 'export', at), at.key('export')),
    compaction: validateCompactionSettings(field(record, 'compaction', at), at.key('compaction')),
    lake: optional(field(record, 'lake', at), (value) => validateLake(value, at.key('lake'), options.baseDir)),
    state: optional(field(record, 'state', at), (value) => validateState(value, at.key('state'), options.baseDir)),
    catalog: optional(field(record, 'catalog', at), (value) => validateCatalog(value, at.key('catalog'), options.baseDir)),
  });
}

/** Validates one cluster document: one entry of `clusters` in a file, or one SSM parameter. */
export function validateCluster(raw: unknown, at: ConfigLocation, origin: ClusterOrigin): ClusterConfig {
  const record = asRecord(raw, at);
  checkKeys(record, CLUSTER_KEYS, at, passwordHint(origin));

  const name = clusterName(record, at, origin);
  const kind = clusterKind(record, at);
  const placement = kind === 'provisioned' ? provisionedPlacement(record, at, name) : serverlessPlacement(record, at, name);
  const database = identifier(field(record, 'database', at) ?? DEFAULT_DATABASE, at.key('database'), assertDatabaseName);
  const tables = validateTables(field(record, 'tables', at), at.key('tables'));
  const enabled = booleanField(record, 'enabled', at) ?? true;
  // Last, because it is the only step that reads anything (the injected environment): every
  // identifier above has been checked by then.
  const connection = clusterConnection(record, at, origin);
  return { name, kind, ...placement, database, tables, enabled, connection };
}

/** Validates export settings; absent keys take DEFAULT_EXPORT_SETTINGS. */
export function validateExportSettings(raw: unknown, at: ConfigLocation): ExportSettings {
  if (raw === undefined) return { ...DEFAULT_EXPORT_SETTINGS };
  const record = asRecord(raw, at);
  checkKeys(record, EXPORT_SETTINGS_KEYS, at);

  const slotMinutes = integerField(record, 'slotMinutes', at, SLOT_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.slotMinutes;
  // The lake names a slot's object by its UTC day; a slot that crossed midnight would belong
  // to two day partitions at once.
  if (MINUTES_PER_DAY % slotMinutes !== 0) {
    throw at
      .key('slotMinutes')
      .error(
        `${slotMinutes} does not divide a day (1440 minutes), so slots would cross UTC midnight; choose one of ${slotChoices().join(', ')}`,
      );
  }
  return {
    slotMinutes,
    latenessMinutes: integerField(record, 'latenessMinutes', at, LATENESS_MINUTES) ?? DEFAULT_EXPORT_SETTINGS.latenessMinutes,
    concurrency: integerField(record, 'concurrency', at, CONCURRENCY) ?? DEFAULT_EXPORT_SETTINGS.concurrency,
  };
}

/** Tables to export, each checked against the registry; absent means all of them. */
export function validateTables(raw: unknown, at: ConfigLocation): readonly ExportTableName[] {
  const choices = `choose from ${EXPORT_TABLE_NAMES.join(', ')}`;
  if (raw === undefined) return [...EXPORT_TABLE_NAMES];
  if (!Array.isArray(raw)) throw at.error(`expected a list of tables, got ${describeType(raw)}; ${choices}`);
  if (raw.length === 0) {
    throw at.error('lists no tables; list at least one, leave tables out to export all of them, or set enabled: false');
  }
  const firstSeen = new Map<string, number>();
  return raw.map((value: unknown, position) => {
    const tableAt = at.index(position);
    if (!isExportTableName(value)) {
      const what =
        typeof value === 'string' ? `${quote(value)} is not an exportable table` : `expected a table name, got ${describeType(value)}`;
      throw tableAt.error(`${what}; ${choices}`);
    }
    const earlier = firstSeen.get(value);
    if (earlier !== undefined) throw tableAt.error(`${quote(value)} is listed twice (also at tables[${earlier}])`);
    firstSeen.set(value, position);
    return value;
  });
}

/** The lake root: a local folder (resolved against baseDir) or `s3://bucket/prefix`. */
export function validateLake(raw: unknown, at: ConfigLocation, baseDir?: string): string {
  const value = safeString(raw, at);
  if (value.startsWith('s3://')) return s3Location(value, at);
  return localPath(value, at, baseDir, 'a folder or s3://bucket/prefix');
}

/** The state store: a local folder (resolved against baseDir) or `dynamodb://<table>`. */
export function validateState(raw: unknown, at: ConfigLocation, baseDir?: string): string {
  const value = safeString(raw, at);
  if (value.startsWith('dynamodb://')) {
    const table = value.slice('dynamodb://'.length);
    if (!DYNAMODB_TABLE.test(table)) {
      throw at.error(`${quote(table)} is not a DynamoDB table name; use 3-255 letters, digits, _ . and -, as in dynamodb://opslake-state`);
    }
    return value;
  }
  return localPath(value, at, baseDir, 'a folder or dynamodb://<table>');
}

/** The local DuckDB catalog file, resolved against baseDir. */
export function validateCatalog(raw: unknown, at: ConfigLocation, baseDir?: string): string {
  return localPath(safeString(raw, at), at, baseDir, 'a file path such as ./catalog.duckdb');
}

export interface ConfigParts {
  readonly clusters: ReadonlyArray<{ readonly cluster: ClusterConfig; readonly at: ConfigLocation }>;
  readonly export: ExportSettings;
  /** Absent: the defaults. */
  readonly compaction?: CompactionSettings;
  readonly lake?: string | undefined;
  readonly state?: string | undefined;
  readonly catalog?: string | undefined;
}

/** Puts validated parts together: cluster names must be unique; the result is deep-frozen. */
export function buildConfig(parts: ConfigParts): OpslakeConfig {
  const firstSeen = new Map<string, ConfigLocation>();
  for (const { cluster, at } of parts.clusters) {
    const earlier = firstSeen.get(cluster.name);
    // Names key the lake partitions, the state and the metrics: two sources under one name
    // would overwrite each other's objects and watermarks.
    if (earlier)
      throw at.key('name').error(`${quote(cluster.name)} is already the name of ${earlier.toString()}; cluster names must be unique`);
    firstSeen.set(cluster.name, at);
  }
  const config: OpslakeConfig = {
    clusters: parts.clusters.map(({ cluster }) => cluster),
    export: { ...parts.export },
    compaction: { ...(parts.compaction ?? DEFAULT_COMPACTION_SETTINGS) },
    ...(parts.lake === undefined ? {} : { lake: parts.lake }),
    ...(parts.state === undefined ? {} : { state: parts.state }),
    ...(parts.catalog === undefined ? {} : { catalog: parts.catalog }),
  };
  return deepFreeze(config);
}

function clusterName(record: RawRecord, at: ConfigLocation, origin: ClusterOrigin): string {
  const written = field(record, 'name', at);
  if (origin.source === 'ssm') {
    if (written !== undefined && written !== origin.name) {
      const shown = typeof written === 'string' ? quote(written) : describeType(written);
      throw at
        .key('name')
        .error(`${shown} does not match the name in the parameter path, ${quote(origin.name)}; remove name or make the two equal`);
    }
    return identifier(origin.name, at, assertClusterName);
  }
  if (written === undefined) {
    throw at.error(
      'has no name; give each cluster a name of lower-case letters, digits and hyphens (it appears in lake keys as cluster=<name>)',
    );
  }
  return identifier(written, at.key('name'), assertClusterName);
}

function clusterKind(record: RawRecord, at: ConfigLocation): ClusterConfig['kind'] {
  const kind = field(record, 'kind', at);
  if (kind === 'provisioned' || kind === 'serverless') return kind;
  if (kind === undefined) throw at.error('has no kind; set kind: provisioned (a cluster) or kind: serverless (a workgroup)');
  const shown = typeof kind === 'string' ? quote(kind) : describeType(kind);
  throw at.key('kind').error(`${shown} is not a kind; choose provisioned or serverless`);
}

function provisionedPlacement(record: RawRecord, at: ConfigLocation, name: string): { clusterIdentifier: string; auth: ClusterAuth } {
  rejectField(
    record,
    'workgroupName',
    at,
    'is for serverless workgroups; a provisioned cluster takes clusterIdentifier (default: its name)',
  );
  const clusterIdentifier = identifier(
    field(record, 'clusterIdentifier', at) ?? name,
    at.key('clusterIdentifier'),
    assertClusterIdentifier,
  );
  const dbUser = field(record, 'dbUser', at);
  const secretArn = field(record, 'secretArn', at);
  if (dbUser !== undefined && secretArn !== undefined) {
    throw at.key('secretArn').error('is given together with dbUser; a provisioned cluster takes exactly one of dbUser and secretArn');
  }
  if (dbUser !== undefined)
    return { clusterIdentifier, auth: { type: 'db-user', dbUser: identifier(dbUser, at.key('dbUser'), assertDbUser) } };
  if (secretArn !== undefined) {
    return { clusterIdentifier, auth: { type: 'secret', secretArn: identifier(secretArn, at.key('secretArn'), assertSecretArn) } };
  }
  throw at.error(
    'has no credentials; a provisioned cluster needs dbUser (temporary credentials for that user) or secretArn (a Secrets Manager secret)',
  );
}

function serverlessPlacement(record: RawRecord, at: ConfigLocation, name: string): { workgroupName: string; auth: ClusterAuth } {
  rejectField(
    record,
    'clusterIdentifier',
    at,
    'is for provisioned clusters; a serverless workgroup takes workgroupName (default: its name)',
  );
  rejectField(
    record,
    'dbUser',
    at,
    "is for provisioned clusters; a serverless workgroup takes secretArn, or nothing to use the caller's IAM identity",
  );
  const workgroupName = identifier(field(record, 'workgroupName', at) ?? name, at.key('workgroupName'), assertClusterIdentifier);
  const secretArn = field(record, 'secretArn', at);
  if (secretArn === undefined) return { workgroupName, auth: { type: 'iam' } };
  return { workgroupName, auth: { type: 'secret', secretArn: identifier(secretArn, at.key('secretArn'), assertSecretArn) } };
}

function clusterConnection(record: RawRecord, at: ConfigLocation, origin: ClusterOrigin): Connection {
  const pglite = field(record, 'pglite', at);
  const postgres = field(record, 'postgres', at);
  const passwordEnv = field(record, 'passwordEnv', at);

  if (origin.source === 'ssm') {
    rejectField(
      record,
      'pglite',
      at,
      'is a local mode for a configuration file (opslake.yaml); an SSM cluster is reached through the Data API or a postgres URL',
    );
    rejectField(
      record,
      'passwordEnv',
      at,
      `is for configuration files; in SSM store the password as the SecureString parameter ${origin.passwordParameter}`,
    );
  }
  if (pglite !== undefined && postgres !== undefined) {
    throw at.key('postgres').error('is given together with pglite; a cluster is reached through at most one of pglite and postgres');
  }
  if (passwordEnv !== undefined && postgres === undefined) {
    throw at.key('passwordEnv').error('is only used with postgres (the password of that connection); remove it or add a postgres URL');
  }

  if (pglite !== undefined) {
    return {
      type: 'pglite',
      dataDir: localPath(safeString(pglite, at.key('pglite')), at.key('pglite'), baseDirOf(origin), 'a PGlite data folder'),
    };
  }
  if (postgres === undefined) {
    if (origin.source === 'ssm' && origin.password !== undefined) {
      throw new ConfigLocation(origin.passwordParameter).error(
        `holds a password, but ${at.toString()} sets no postgres URL, the only mode that uses it; ` +
          'add postgres or delete the password parameter',
      );
    }
    return { type: 'data-api' };
  }

  const url = postgresUrl(postgres, at.key('postgres'), passwordHint(origin));
  const password = origin.source === 'ssm' ? origin.password : passwordFromEnvironment(passwordEnv, at.key('passwordEnv'), origin.env);
  return password === undefined ? { type: 'postgres', url } : { type: 'postgres', url, password };
}

function postgresUrl(raw: unknown, at: ConfigLocation, passwordHint: string): string {
  // The URL is never quoted in a message: it is where a password would be if someone wrote one in.
  const example = 'expected postgres://<user>@<host>:<port>/<database>';
  if (typeof raw !== 'string') throw at.error(`${example}, got ${describeType(raw)}`);
  if (hasUnsafeCharacter(raw)) throw at.error(`contains a control character; ${example}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw at.error(`is not a URL; ${example}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw at.error(`is not a postgres:// URL; ${example}`);
  const passwordInQuery = [...url.searchParams.keys()].some((key) => key.toLowerCase().includes('password'));
  if (url.password !== '' || passwordInQuery) {
    throw at.error(`has a password in it, which is refused; remove it from the URL and ${passwordHint}`);
  }
  return raw;
}

function passwordFromEnvironment(raw: unknown, at: ConfigLocation, env: Environment | undefined): Secret | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !ENV_VAR_NAME.test(raw)) {
    const shown = typeof raw === 'string' ? quote(raw) : describeType(raw);
    throw at.error(
      `${shown} is not an environment variable name; use letters, digits and _, starting with a letter or _ (e.g. ANALYTICS_PASSWORD)`,
    );
  }
  const value = env?.[raw];
  if (value === undefined || value === '') {
    throw at.error(`names the environment variable ${raw}, which is not set; set it to the password before running opslake`);
  }
  return new Secret(value);
}

function passwordHint(origin: ClusterOrigin): string {
  return origin.source === 'ssm'
    ? `store the password as the SecureString parameter ${origin.passwordParameter}`
    : 'put the password in an environment variable and name that variable with passwordEnv';
}

function baseDirOf(origin: ClusterOrigin): string | undefined {
  return origin.source === 'file' ? origin.baseDir : undefined;
}

function s3Location(value: string, at: ConfigLocation): string {
  const [bucket = '', ...segments] = value.slice('s3://'.length).replace(/\/+$/, '').split('/');
  if (!S3_BUCKET.test(bucket) || bucket.includes('..')) {
    throw at.error(`${quote(bucket)} is not an S3 bucket name; use 3-63 lower-case letters, digits, . and -, as in s3://my-bucket/lake`);
  }
  for (const segment of segments) {
    if (!S3_PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw at.error(
        `${quote(segment)} is not allowed in the S3 prefix; ` +
          "use letters, digits and ! _ . * ' ( ) = -, with single slashes and no . or .. segments",
      );
    }
  }
  return segments.length === 0 ? `s3://${bucket}` : `s3://${bucket}/${segments.join('/')}`;
}

function localPath(value: string, at: ConfigLocation, baseDir: string | undefined, expected: string): string {
  if (URL_SCHEME.test(value)) throw at.error(`${quote(value)} is not supported; expected ${expected}`);
  return baseDir === undefined ? value : resolve(baseDir, value);
}

/** A string that may hold any text but no control characters; used for paths. */
function safeString(raw: unknown, at: ConfigLocation): string {
  if (typeof raw !== 'string') throw at.error(`expected a string, got ${describeType(raw)}`);
  if (raw.trim() === '') throw at.error('is empty');
  if (hasUnsafeCharacter(raw)) throw at.error(`${quote(raw)} contains a control character, which no path may hold`);
  return raw;
}

function identifier(raw: unknown, at: ConfigLocation, assert: (value: unknown) => string): string {
  try {
    return assert(raw);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) {
      if (typeof raw !== 'string') throw at.error(`expected a string, got ${describeType(raw)}`);
      throw at.error(error.message, { cause: error });
    }
    throw error;
  }
}

function booleanField(record: RawRecord, key: string, at: ConfigLocation): boolean | undefined {
  const value = field(record, key, at);
  if (value === undefined || typeof value === 'boolean') return value;
  throw at.key(key).error(`expected true or false, got ${describeType(value)}`);
}

function integerField(record: RawRecord, key: string, at: ConfigLocation, range: { min: number; max: number }): number | undefined {
  const value = field(record, key, at);
  if (value === undefined) return undefined;
  const allowed = `a whole number from ${range.min} to ${range.max}`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const shown = typeof value === 'number' ? String(value) : describeType(value);
    throw at.key(key).error(`expected ${allowed}, got ${shown}`);
  }
  if (value < range.min || value > range.max) throw at.key(key).error(`${value} is out of range; choose ${allowed}`);
  return value;
}

function rejectField(record: RawRecord, key: string, at: ConfigLocation, problem: string): void {
  if (Object.hasOwn(record, key)) throw at.key(key).error(problem);
}

/**
 * The value of a key, or undefined when the key is absent. A key written with no value (YAML
 * `tables:` and nothing after it) is an error rather than a silent default.
 */
function field(record: RawRecord, key: string, at: ConfigLocation): unknown {
  if (!Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  if (value === null || value === undefined) throw at.key(key).error('has no value; give one or remove the key to take the default');
  return value;
}

function optional<T>(value: unknown, validate: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : validate(value);
}

function asRecord(raw: unknown, at: ConfigLocation): RawRecord {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const prototype: unknown = Object.getPrototypeOf(raw);
    if (prototype === Object.prototype || prototype === null) return raw as RawRecord;
  }
  throw at.error(`expected an object of key: value pairs, got ${describeType(raw)}`);
}

function checkKeys(record: RawRecord, allowed: readonly string[], at: ConfigLocation, passwordHintText?: string): void {
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    if (passwordHintText !== undefined && key.toLowerCase().includes('password')) {
      throw at.key(key).error(`a password is never written in the configuration; ${passwordHintText}`);
    }
    const suggestion = closestKey(key, allowed);
    throw at
      .key(key)
      .error(
        `unknown key ${quote(key)}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}; allowed keys: ${allowed.join(', ')}`,
      );
  }
}

function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = lower === candidate.toLowerCase() ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

function slotChoices(): number[] {
  const choices: number[] = [];
  for (let minutes = SLOT_MINUTES.min; minutes <= SLOT_MINUTES.max; minutes += 1) {
    if (MINUTES_PER_DAY % minutes === 0) choices.push(minutes);
  }
  return choices;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
