import { InvalidIdentifierError } from '../errors.js';

/**
 * Identifiers that reach SQL text, S3 keys or DynamoDB keys are checked here first. The
 * patterns are deliberately narrower than what AWS allows: a name that passes is safe in a key
 * segment, a hive partition value and a SQL identifier without quoting.
 */
const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const DATABASE_NAME = /^[a-z_][a-z0-9_$]{0,126}$/;
const DB_USER = /^[a-zA-Z_][a-zA-Z0-9_.@+-]{0,126}$/;
const CLUSTER_IDENTIFIER = /^[a-z][a-z0-9-]{0,62}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

function check(kind: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value) || value.includes('--')) {
    throw new InvalidIdentifierError(kind, shown(value), rule);
  }
  return value;
}

/** A rejected value as text; an object is only named, since String() throws on one without a prototype. */
function shown(value: unknown): string {
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? '(a list)' : '(an object)';
  return String(value);
}

/** Our name for a cluster or workgroup: lower-case letters, digits and single hyphens, 1-63 characters. */
export function assertClusterName(value: unknown): string {
  return check('cluster name', value, CLUSTER_NAME, 'use 1-63 lower-case letters, digits and single hyphens, starting with a letter');
}

/** A Redshift cluster identifier or Serverless workgroup name (same rules as AWS, lower-case). */
export function assertClusterIdentifier(value: unknown): string {
  return check(
    'cluster identifier',
    value,
    CLUSTER_IDENTIFIER,
    'use 1-63 lower-case letters, digits and single hyphens, starting with a letter',
  );
}

export function assertDatabaseName(value: unknown): string {
  return check('database name', value, DATABASE_NAME, 'use lower-case letters, digits, _ and $, starting with a letter or _');
}

export function assertDbUser(value: unknown): string {
  return check('database user', value, DB_USER, 'use letters, digits and _ . @ + -, starting with a letter or _');
}

export function assertSecretArn(value: unknown): string {
  return check('secret ARN', value, SECRET_ARN, 'expected arn:aws:secretsmanager:<region>:<account>:secret:<name>');
}
