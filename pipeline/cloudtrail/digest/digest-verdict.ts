import type { DigestPublicKey } from '../../ports/digest-public-keys.js';
import type { CompletenessStatus } from '../../tables/cloudtrail-completeness-table.js';
import type { DigestFile } from './digest-file.js';
import { DIGEST_SIGNATURE_ALGORITHM, digestSignatureMatches, signedFieldsOf } from './digest-signature.js';

/** What is known of a digest when another names it as its previous one. */
export interface ChainLink {
  readonly key: string;
  /** SHA-256 (hex) of the digest, uncompressed. */
  readonly sha256: string;
  /** Its `x-amz-meta-signature`, when the object carries one. */
  readonly signature: string | undefined;
}

export interface DigestCheckInput {
  readonly digest: DigestFile;
  /** The object's `x-amz-meta-signature` and `-algorithm`. */
  readonly signature: string | undefined;
  readonly signatureAlgorithm: string | undefined;
  /** The keys to check the signature with; undefined when none was given (the signature is then not checked). */
  readonly keys: readonly DigestPublicKey[] | undefined;
  /** Where the digest was found: its bucket (unknown for a folder) and its full key. */
  readonly foundIn: { readonly bucket: string | undefined; readonly object: string };
  /**
   * The previous digest the chain names: found (a link), `absent` (not in the source),
   * `unreadable` (there, but not a digest) or `elsewhere` (in a bucket that is not read).
   * Undefined at the start of a chain.
   */
  readonly previous: ChainLink | 'absent' | 'unreadable' | 'elsewhere' | undefined;
}

export interface DigestVerdict {
  readonly status: Extract<
    CompletenessStatus,
    'digest-verified' | 'digest-unchecked' | 'signature-invalid' | 'signature-missing' | 'key-unknown' | 'chain-broken' | 'digest-misplaced'
  >;
  /** Every problem found, in words; undefined when there is none. */
  readonly detail: string | undefined;
}

type Problem = { readonly status: DigestVerdict['status']; readonly text: string };

function placement(input: DigestCheckInput): Problem | undefined {
  const { digest, foundIn } = input;
  if (digest.object !== foundIn.object) {
    return { status: 'digest-misplaced', text: `it names itself ${digest.object}, not the key it was found under` };
  }
  if (foundIn.bucket !== undefined && digest.bucket !== foundIn.bucket) {
    return { status: 'digest-misplaced', text: `it names bucket ${digest.bucket}, not ${foundIn.bucket}` };
  }
  return undefined;
}

function signature(input: DigestCheckInput): Problem | undefined {
  const { digest, keys } = input;
  if (keys === undefined) return undefined;
  if (input.signature === undefined) return { status: 'signature-missing', text: 'the object carries no x-amz-meta-signature' };
  if (input.signatureAlgorithm !== undefined && input.signatureAlgorithm !== DIGEST_SIGNATURE_ALGORITHM) {
    return { status: 'signature-invalid', text: `signed with ${input.signatureAlgorithm}, not ${DIGEST_SIGNATURE_ALGORITHM}` };
  }
  const candidates = keys.filter((key) => key.fingerprint === undefined || key.fingerprint === digest.publicKeyFingerprint);
  if (candidates.length === 0) return { status: 'key-unknown', text: `no public key has the fingerprint ${digest.publicKeyFingerprint}` };
  const fields = signedFieldsOf(digest);
  const signatureHex = input.signature;
  if (candidates.some((key) => digestSignatureMatches(fields, signatureHex, key.key))) return undefined;
  return { status: 'signature-invalid', text: 'the signature does not match the digest: it was forged or the digest was altered' };
}

function chain(input: DigestCheckInput): Problem | undefined {
  const expected = input.digest.previous;
  const found = input.previous;
  if (expected === undefined || found === undefined || found === 'elsewhere') return undefined;
  if (found === 'absent') return { status: 'chain-broken', text: `the previous digest ${expected.object} is gone` };
  if (found === 'unreadable') return { status: 'chain-broken', text: `the previous digest ${expected.object} is not a readable digest` };
  if (found.sha256 !== expected.hashValue) {
    return { status: 'chain-broken', text: `the previous digest ${expected.object} is not the one this digest records (SHA-256 differs)` };
  }
  if (found.signature !== undefined && found.signature.toLowerCase() !== expected.signature.toLowerCase()) {
    return { status: 'chain-broken', text: `the previous digest ${expected.object} carries another signature than this digest records` };
  }
  return undefined;
}

/**
 * Checks one digest: that it lies where it says it was delivered, that its signature is a
 * CloudTrail key's (when keys are given) and that the previous digest it links to is still
 * there and unchanged. The first problem names the status; the detail lists them all.
 */
export function checkDigest(input: DigestCheckInput): DigestVerdict {
  const problems = [placement(input), signature(input), chain(input)].filter((problem) => problem !== undefined);
  const notes = input.previous === 'elsewhere' ? [`the previous digest is in bucket ${input.digest.previous?.bucket}, not read`] : [];
  const [first] = problems;
  const detail = [...problems.map((problem) => problem.text), ...notes].join('; ');
  if (first !== undefined) return { status: first.status, detail };
  return { status: input.keys === undefined ? 'digest-unchecked' : 'digest-verified', detail: detail === '' ? undefined : detail };
}
