import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../pipeline/errors.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { openCloudTrailSource } from '../../../jobs/cli/commands/cloudtrail-command.js';
import { openObjectStore } from '../../../jobs/shared/open-stores.js';
import { parseStoreLocation } from '../../../jobs/shared/store-location.js';

function refusal(location: string): ConfigError {
  try {
    parseStoreLocation(location, '--lake');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`${location} was accepted`);
}

describe('parseStoreLocation', () => {
  it.each([
    ['s3://lake-bucket/lake', { kind: 's3', bucket: 'lake-bucket', prefix: 'lake' }],
    ['s3://lake-bucket/data/opslake//', { kind: 's3', bucket: 'lake-bucket', prefix: 'data/opslake' }],
    ['s3://lake-bucket', { kind: 's3', bucket: 'lake-bucket', prefix: '' }],
    ['s3://lake-bucket/', { kind: 's3', bucket: 'lake-bucket', prefix: '' }],
    ['./lake', { kind: 'local', path: './lake' }],
    ['/var/data/trail', { kind: 'local', path: '/var/data/trail' }],
  ])('reads %s', (location, expected) => {
    expect(parseStoreLocation(location, '--lake')).toEqual(expected);
  });

  it('refuses an S3 location without a bucket, naming the setting', () => {
    const error = refusal('s3://');
    expect(error.parameter).toBe('--lake');
    expect(error.message).toBe('--lake: expected s3://<bucket>/<prefix>, got "s3://"');
  });

  it('refuses a bucket name S3 would refuse before any request is made', () => {
    expect(refusal('s3://Lake_Bucket/lake').message).toContain('"Lake_Bucket" is not an S3 bucket name');
  });

  it('refuses other schemes rather than take them for a folder', () => {
    expect(refusal('gs://bucket/lake').message).toContain(
      'unsupported location "gs://bucket/lake"; use a folder or s3://<bucket>/<prefix>',
    );
  });
});

describe('the stores opened from a location', () => {
  it('opens the lake under its prefix, and a CloudTrail source at the bucket root with the prefix to list', () => {
    const lake = openObjectStore('s3://lake-bucket/lake/', '--lake');
    expect(lake).toBeInstanceOf(S3ObjectStore);
    expect(lake.location).toBe('s3://lake-bucket/lake/');

    const source = openCloudTrailSource('s3://trail-bucket/AWSLogs/o-a1b2c3d4e5');
    expect(source.store.location).toBe('s3://trail-bucket/');
    expect(source.prefix).toBe('AWSLogs/o-a1b2c3d4e5/');
    expect(openCloudTrailSource('s3://trail-bucket').prefix).toBe('');
  });

  it('opens a folder as a local store, for the lake and for the source alike', () => {
    expect(openObjectStore('./lake', '--lake')).toBeInstanceOf(LocalObjectStore);
    const source = openCloudTrailSource(tmpdir());
    expect(source.store).toBeInstanceOf(LocalObjectStore);
    expect(source.prefix).toBe('');
    // A source folder that is not there is refused, not read as an empty trail.
    expect(() => openCloudTrailSource(join(tmpdir(), 'no-such-trail-folder'))).toThrow(ConfigError);
  });
});
