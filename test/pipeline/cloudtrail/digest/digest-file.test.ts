import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDigestFile } from '../../../../pipeline/cloudtrail/digest/digest-file.js';
import { UnreadableInputError } from '../../../../pipeline/errors.js';

const KEY =
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/' +
  '111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz';
const LOG = 'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_a.json.gz';
const HASH = 'a'.repeat(64);

/** The sample of CloudTrail's documentation, in its shape: a digest with a previous one and one log file. */
function sample(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    awsAccountId: '111122223333',
    digestStartTime: '2015-08-17T14:01:31Z',
    digestEndTime: '2015-08-17T15:01:31Z',
    digestS3Bucket: 'amzn-s3-demo-bucket',
    digestS3Object: KEY,
    digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2015-08-17T14:52:27Z',
    oldestEventTime: '2015-08-17T14:42:27Z',
    previousDigestS3Bucket: 'amzn-s3-demo-bucket',
    previousDigestS3Object: KEY.replace('150131Z', '140131Z'),
    previousDigestHashValue: '97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d',
    previousDigestHashAlgorithm: 'SHA-256',
    previousDigestSignature: '50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3',
    logFiles: [
      {
        s3Bucket: 'amzn-s3-demo-bucket',
        s3Object: LOG,
        hashValue: HASH,
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2015-08-17T14:52:27Z',
        oldestEventTime: '2015-08-17T14:42:27Z',
      },
    ],
    ...overrides,
  };
}

function failure(bytes: Buffer): UnreadableInputError {
  try {
    parseDigestFile(bytes, KEY);
  } catch (error) {
    if (error instanceof UnreadableInputError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseDigestFile', () => {
  it('reads a gzip digest: times, where it lies, the previous digest, every log file and its own SHA-256', () => {
    const body = JSON.stringify(sample());
    const digest = parseDigestFile(gzipSync(body), KEY);
    expect(digest).toMatchObject({
      key: KEY,
      account: '111122223333',
      endTimeText: '2015-08-17T15:01:31Z',
      bucket: 'amzn-s3-demo-bucket',
      object: KEY,
      publicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
      previous: {
        bucket: 'amzn-s3-demo-bucket',
        object: KEY.replace('150131Z', '140131Z'),
        hashValue: '97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d',
        signature: '50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3',
      },
      logFiles: [{ bucket: 'amzn-s3-demo-bucket', key: LOG, hashValue: HASH }],
    });
    expect(digest.startTime.toISOString()).toBe('2015-08-17T14:01:31.000Z');
    expect(digest.endTime.toISOString()).toBe('2015-08-17T15:01:31.000Z');
    // Of the uncompressed bytes: what the next digest's previousDigestHashValue holds.
    expect(digest.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(parseDigestFile(Buffer.from(body), KEY).sha256).toBe(digest.sha256);
  });

  it('starts a chain when every previous member is null, and holds no log file when there were none', () => {
    const previous = { previousDigestS3Bucket: null, previousDigestS3Object: null, previousDigestHashValue: null };
    const digest = parseDigestFile(gzipSync(JSON.stringify(sample({ ...previous, previousDigestSignature: null, logFiles: [] }))), KEY);
    expect(digest.previous).toBeUndefined();
    expect(digest.logFiles).toEqual([]);
  });

  it.each([
    ['a missing end time', { digestEndTime: undefined }, /digestEndTime is missing or not a string/],
    ['an end time that is not UTC', { digestEndTime: '2015-08-17 15:01:31' }, /digestEndTime "2015-08-17 15:01:31" is malformed/],
    ['an end before the start', { digestStartTime: '2015-08-17T16:00:00Z' }, /digestEndTime is before digestStartTime/],
    ['no logFiles array', { logFiles: {} }, /logFiles is missing or not an array/],
    ['a log file without its key', { logFiles: [{ s3Bucket: 'b', hashValue: HASH, hashAlgorithm: 'SHA-256' }] }, /logFiles\[0\]\.s3Object/],
    [
      'a hash that is not SHA-256 hex',
      { logFiles: [{ s3Bucket: 'b', s3Object: LOG, hashValue: 'abc', hashAlgorithm: 'SHA-256' }] },
      /hashValue/,
    ],
    ['another hash algorithm', { logFiles: [{ s3Bucket: 'b', s3Object: LOG, hashValue: HASH, hashAlgorithm: 'MD5' }] }, /not SHA-256/],
    ['a previous digest named in part', { previousDigestSignature: null }, /named only in part/],
    ['no previousDigestSignature at all', { previousDigestSignature: undefined }, /previousDigestSignature is missing/],
    ['no fingerprint', { digestPublicKeyFingerprint: 42 }, /digestPublicKeyFingerprint/],
  ])('refuses %s as an invalid digest, naming the member', (_what, overrides, message) => {
    const error = failure(gzipSync(JSON.stringify(sample(overrides))));
    expect(error.reason).toBe('invalid-digest');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(KEY);
  });

  it('tells bad gzip, cut-short gzip and bad JSON apart, as the log reader does', () => {
    const gz = gzipSync(JSON.stringify(sample()));
    expect(failure(Buffer.concat([gz.subarray(0, 2), Buffer.from('not deflate at all')])).reason).toBe('unreadable-gzip');
    expect(failure(gz.subarray(0, gz.length - 20)).reason).toBe('truncated');
    expect(failure(gzipSync('{"awsAccountId": ')).reason).toBe('invalid-json');
    expect(failure(gzipSync('[1, 2]')).message).toMatch(/not a JSON object/);
  });
});
