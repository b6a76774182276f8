import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digestSignatureMatches,
  digestStringToSign,
  type SignedDigestFields,
  signDigest,
} from '../../../../pipeline/cloudtrail/digest/digest-signature.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const FIELDS: SignedDigestFields = {
  endTimeText: '2015-05-08T07:19:37Z',
  bucket: 'amzn-s3-demo-bucket',
  object:
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/05/08/' +
    '111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150508T071937Z.json.gz',
  sha256: '4ff08d7c6ecd6eb313257e839645d20363ee3784a2328a7d76b99b53cf3fe0b6',
  previousSignature: '6e6e6e',
};

describe('digestStringToSign', () => {
  it('joins end time, bucket/key, the SHA-256 and the previous signature, one per line', () => {
    expect(digestStringToSign(FIELDS)).toBe(
      `2015-05-08T07:19:37Z\namzn-s3-demo-bucket/${FIELDS.object}\n` +
        '4ff08d7c6ecd6eb313257e839645d20363ee3784a2328a7d76b99b53cf3fe0b6\n6e6e6e',
    );
  });

  it('writes null for the previous signature at the start of a chain', () => {
    expect(
      digestStringToSign({ ...FIELDS, previousSignature: undefined })
        .split('\n')
        .at(-1),
    ).toBe('null');
  });
});

describe('signDigest and digestSignatureMatches', () => {
  it('sign with RSA over SHA-256 in hex, which a PKCS#1 DER copy of the public key verifies', () => {
    const signature = signDigest(FIELDS, privateKey);
    expect(signature).toMatch(/^[0-9a-f]{512}$/);
    // What CloudTrail's ListPublicKeys hands over: the key as DER, PKCS#1.
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    const fromDer = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    expect(digestSignatureMatches(FIELDS, signature, fromDer)).toBe(true);
    expect(verify('sha256', Buffer.from(digestStringToSign(FIELDS)), publicKey, Buffer.from(signature, 'hex'))).toBe(true);
  });

  it('refuses a signature of other fields, of another key, or that is not hex', () => {
    const signature = signDigest(FIELDS, privateKey);
    expect(digestSignatureMatches({ ...FIELDS, sha256: 'f'.repeat(64) }, signature, publicKey)).toBe(false);
    expect(digestSignatureMatches({ ...FIELDS, previousSignature: undefined }, signature, publicKey)).toBe(false);
    expect(digestSignatureMatches({ ...FIELDS, object: `${FIELDS.object}x` }, signature, publicKey)).toBe(false);
    expect(digestSignatureMatches(FIELDS, signDigest(FIELDS, other.privateKey), publicKey)).toBe(false);
    expect(digestSignatureMatches(FIELDS, 'zz', publicKey)).toBe(false);
    // The last byte changed (to 00, or to ff where it already is 00).
    const lastByte = signature.slice(-2) === '00' ? 'ff' : '00';
    expect(digestSignatureMatches(FIELDS, `${signature.slice(0, -2)}${lastByte}`, publicKey)).toBe(false);
  });
});
