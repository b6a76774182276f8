import { type ConfigLocation, quote } from './config-location.js';
import { localPath, safeString } from './config-fields.js';

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const S3_PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()=-]+$/;

const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

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
