import { ConfigError } from '../../pipeline/errors.js';
import { S3_BUCKET_NAME } from '../../pipeline/store/s3-object-store.js';

/** Where a lake or a CloudTrail source lives: a prefix of an S3 bucket, or a local folder. */
export type StoreLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'local'; readonly path: string };

/**
 * The one parser of `s3://bucket/prefix` and local-folder locations (the lake, `--lake`, the
 * `cloudtrail ingest` source). The prefix comes back without trailing slashes ('' for the bucket
 * root). Any other scheme is refused rather than taken for a folder named `gs:`; `parameter`
 * names the setting in the error.
 */
export function parseStoreLocation(location: string, parameter: string): StoreLocation {
  if (location.startsWith('s3://')) {
    const [bucket = '', ...rest] = location.slice('s3://'.length).split('/');
    if (bucket === '') throw new ConfigError(parameter, `expected s3://<bucket>/<prefix>, got ${JSON.stringify(location)}`);
    if (!S3_BUCKET_NAME.test(bucket)) {
      throw new ConfigError(parameter, `${JSON.stringify(bucket)} is not an S3 bucket name; use 3-63 lower-case letters, digits, . and -`);
    }
    return { kind: 's3', bucket, prefix: rest.join('/').replace(/\/+$/, '') };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new ConfigError(parameter, `unsupported location ${JSON.stringify(location)}; use a folder or s3://<bucket>/<prefix>`);
  }
  return { kind: 'local', path: location };
}
