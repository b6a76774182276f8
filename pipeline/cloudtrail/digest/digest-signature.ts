import { type KeyObject, sign, verify } from 'node:crypto';
import type { DigestFile } from './digest-file.js';

/** The only algorithm CloudTrail signs digests with (`x-amz-meta-signature-algorithm`). */
export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withRSA';

/** The object metadata that carries a digest's signature (S3's `x-amz-meta-signature`), and its algorithm. */
export const SIGNATURE_METADATA = 'signature';
export const SIGNATURE_ALGORITHM_METADATA = 'signature-algorithm';

/** What a digest's signature covers. */
export type SignedDigestFields = Pick<DigestFile, 'endTimeText' | 'bucket' | 'object' | 'sha256'> & {
  /** The previous digest's signature as written; absent at the start of a chain. */
  readonly previousSignature: string | undefined;
};

export function signedFieldsOf(digest: DigestFile): SignedDigestFields {
  return { ...digest, previousSignature: digest.previous?.signature };
}

/**
 * The string CloudTrail signs: `digestEndTime`, `digestS3Bucket/digestS3Object`, the hex SHA-256
 * of the uncompressed digest and the previous digest's hex signature (`null` at the start of a
 * chain, as CloudTrail's own validators write it), one per line. The signature covers the
 * previous one, so a chain cannot be re-linked without every later signature changing.
 */
export function digestStringToSign(fields: SignedDigestFields): string {
  return `${fields.endTimeText}\n${fields.bucket}/${fields.object}\n${fields.sha256}\n${fields.previousSignature ?? 'null'}`;
}

/** Signs like CloudTrail (RSA PKCS#1 v1.5 over SHA-256, hex): the demo trail and tests sign their digests with this. */
export function signDigest(fields: SignedDigestFields, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(digestStringToSign(fields), 'utf8'), privateKey).toString('hex');
}

/** True when `signatureHex` is `publicKey`'s signature of the digest. A signature that is not hex never matches. */
export function digestSignatureMatches(fields: SignedDigestFields, signatureHex: string, publicKey: KeyObject): boolean {
  if (!/^(?:[0-9a-f]{2})+$/i.test(signatureHex)) return false;
  try {
    return verify('sha256', Buffer.from(digestStringToSign(fields), 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
  } catch {
    // A key of another type (not RSA) cannot have made it.
    return false;
  }
}
