import type { KeyObject } from 'node:crypto';

/** A public key that may have signed CloudTrail digests. */
export interface DigestPublicKey {
  /** CloudTrail's fingerprint of the key (what a digest's `digestPublicKeyFingerprint` names); undefined for a key given as a file. */
  readonly fingerprint: string | undefined;
  readonly key: KeyObject;
}

/**
 * Where the public keys of CloudTrail's digest signatures come from: CloudTrail itself
 * (`ListPublicKeys`, one key pair per region and period) or a PEM file given locally.
 */
export interface DigestPublicKeys {
  /** Where the keys come from, for messages: `the PEM file ./key.pem`, `CloudTrail ListPublicKeys`. */
  readonly description: string;
  /** The keys that may have signed the digests of `region` delivered between `from` and `to`. */
  keysFor(region: string, from: Date, to: Date): Promise<readonly DigestPublicKey[]>;
}
