import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DigestFile } from '../../../../pipeline/cloudtrail/digest/digest-file.js';
import { signDigest, signedFieldsOf } from '../../../../pipeline/cloudtrail/digest/digest-signature.js';
import { checkDigest, type DigestCheckInput } from '../../../../pipeline/cloudtrail/digest/digest-verdict.js';

const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY =
  'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/03/01/' +
  '111122223333_CloudTrail-Digest_eu-west-1_t_eu-west-1_20260301T100000Z.json.gz';
const PREVIOUS = KEY.replace('100000Z', '090000Z');

const DIGEST: DigestFile = {
  key: KEY,
  account: '111122223333',
  startTime: new Date('2026-03-01T09:00:00Z'),
  endTime: new Date('2026-03-01T10:00:00Z'),
  endTimeText: '2026-03-01T10:00:00Z',
  bucket: 'trail-bucket',
  object: KEY,
  publicKeyFingerprint: 'f'.repeat(32),
  previous: { bucket: 'trail-bucket', object: PREVIOUS, hashValue: 'b'.repeat(64), signature: 'c0ffee' },
  logFiles: [],
  sha256: 'a'.repeat(64),
};

const SIGNATURE = signDigest(signedFieldsOf(DIGEST), signer.privateKey);

function input(overrides: Partial<DigestCheckInput> = {}): DigestCheckInput {
  return {
    digest: DIGEST,
    signature: SIGNATURE,
    signatureAlgorithm: 'SHA256withRSA',
    keys: [{ fingerprint: 'f'.repeat(32), key: signer.publicKey }],
    foundIn: { bucket: 'trail-bucket', object: KEY },
    previous: { key: PREVIOUS, sha256: 'b'.repeat(64), signature: 'C0FFEE' },
    ...overrides,
  };
}

describe('checkDigest', () => {
  it('verifies a digest signed by a listed key, in its place, linked to the previous digest it records', () => {
    expect(checkDigest(input())).toEqual({ status: 'digest-verified', detail: undefined });
    // A key given as a file has no fingerprint: it is tried on every digest.
    expect(checkDigest(input({ keys: [{ fingerprint: undefined, key: signer.publicKey }] })).status).toBe('digest-verified');
  });

  it('checks the chain without keys, and says the signature was not checked', () => {
    expect(checkDigest(input({ keys: undefined, signature: undefined })).status).toBe('digest-unchecked');
    expect(checkDigest(input({ keys: undefined, previous: 'absent' })).status).toBe('chain-broken');
  });

  it('detects a forged signature: another key, or the same signature over altered content', () => {
    const forged = signDigest(signedFieldsOf(DIGEST), stranger.privateKey);
    expect(checkDigest(input({ signature: forged }))).toEqual({
      status: 'signature-invalid',
      detail: 'the signature does not match the digest: it was forged or the digest was altered',
    });
    expect(checkDigest(input({ digest: { ...DIGEST, sha256: 'e'.repeat(64) } })).status).toBe('signature-invalid');
    expect(checkDigest(input({ signatureAlgorithm: 'SHA1withRSA' })).detail).toBe('signed with SHA1withRSA, not SHA256withRSA');
  });

  it('tells a missing signature and an unknown key apart', () => {
    expect(checkDigest(input({ signature: undefined })).status).toBe('signature-missing');
    const unknown = checkDigest(input({ keys: [{ fingerprint: '0'.repeat(32), key: signer.publicKey }] }));
    expect(unknown).toEqual({ status: 'key-unknown', detail: `no public key has the fingerprint ${'f'.repeat(32)}` });
  });

  it('detects a broken chain: the previous digest gone, replaced, re-signed or unreadable', () => {
    expect(checkDigest(input({ previous: 'absent' })).detail).toBe(`the previous digest ${PREVIOUS} is gone`);
    expect(checkDigest(input({ previous: { key: PREVIOUS, sha256: 'd'.repeat(64), signature: 'c0ffee' } })).detail).toBe(
      `the previous digest ${PREVIOUS} is not the one this digest records (SHA-256 differs)`,
    );
    expect(checkDigest(input({ previous: { key: PREVIOUS, sha256: 'b'.repeat(64), signature: 'beef' } })).status).toBe('chain-broken');
    expect(checkDigest(input({ previous: 'unreadable' })).status).toBe('chain-broken');
    // A chain's first digest links to nothing; a link into a bucket not read is noted, not a finding.
    expect(checkDigest(input({ digest: { ...DIGEST, previous: undefined }, keys: undefined, previous: undefined })).status).toBe(
      'digest-unchecked',
    );
    expect(checkDigest(input({ previous: 'elsewhere' }))).toEqual({
      status: 'digest-verified',
      detail: 'the previous digest is in bucket trail-bucket, not read',
    });
  });

  it('detects a digest moved from where it was delivered, and lists every problem found', () => {
    const moved = checkDigest(input({ foundIn: { bucket: 'trail-bucket', object: `copies/${KEY}` }, previous: 'absent' }));
    expect(moved.status).toBe('digest-misplaced');
    expect(moved.detail).toBe(`it names itself ${KEY}, not the key it was found under; the previous digest ${PREVIOUS} is gone`);
    expect(checkDigest(input({ foundIn: { bucket: 'other-bucket', object: KEY } })).detail).toBe(
      'it names bucket trail-bucket, not other-bucket',
    );
    // A folder has no bucket name to compare.
    expect(checkDigest(input({ foundIn: { bucket: undefined, object: KEY } })).status).toBe('digest-verified');
  });
});
