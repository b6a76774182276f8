import { ConfigLocation, describeType, quote } from './config-location.js';
import {
  asRecord,
  booleanField,
  checkKeys,
  field,
  hasUnsafeCharacter,
  identifier,
  localPath,
  type RawRecord,
  rejectField,
  safeString,
} from './config-fields.js';
import { assertClusterIdentifier, assertClusterName, assertDatabaseName, assertDbUser, assertSecretArn } from './identifiers.js';
import type { ClusterAuth, ClusterConfig, Connection } from './opslake-config.js';
import { Secret } from './secret.js';
import { validateCustomExports } from './validate-custom-exports.js';
import { validateTables, validateViews } from './validate-source-views.js';

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

export const CLUSTER_KEYS = [
  'name',
  'kind',
  'clusterIdentifier',
  'workgroupName',
  'database',
  'dbUser',
  'secretArn',
  'views',
  'tables',
  'exports',
  'enabled',
  'pglite',
  'postgres',
  'passwordEnv',
] as const;

/** Redshift creates `dev` in every new cluster and workgroup. */
export const DEFAULT_DATABASE = 'dev';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/** Validates one cluster document: one entry of `clusters` in a file, or one SSM parameter. */
export function validateCluster(raw: unknown, at: ConfigLocation, origin: ClusterOrigin): ClusterConfig {
  const record = asRecord(raw, at);
  checkKeys(record, CLUSTER_KEYS, at, passwordHint(origin));

  const name = clusterName(record, at, origin);
  const kind = clusterKind(record, at);
  const placement = kind === 'provisioned' ? provisionedPlacement(record, at, name) : serverlessPlacement(record, at, name);
  const database = identifier(field(record, 'database', at) ?? DEFAULT_DATABASE, at.key('database'), assertDatabaseName);
  const views = validateViews(record, at, kind);
  const tables = validateTables(field(record, 'tables', at), at.key('tables'), kind, views);
  const exports = validateCustomExports(field(record, 'exports', at), at.key('exports'));
  const enabled = booleanField(record, 'enabled', at) ?? true;
  // Last, because it is the only step that reads anything (the injected environment): every
  // identifier above has been checked by then.
  const connection = clusterConnection(record, at, origin);
  return { name, kind, ...placement, database, views, tables, exports, enabled, connection };
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
