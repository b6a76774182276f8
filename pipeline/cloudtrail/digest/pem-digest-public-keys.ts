import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DigestKeyError } from '../../errors.js';
import type { DigestPublicKey, DigestPublicKeys } from '../../ports/digest-public-keys.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Digest public keys given as a PEM file (the local mode, and a trail whose keys were saved
 * beforehand): every `PUBLIC KEY` or `RSA PUBLIC KEY` block in it, tried on every digest (a
 * file carries no CloudTrail fingerprint). A private key is refused rather than used: the file
 * is meant to be shared.
 */
export class PemDigestPublicKeys implements DigestPublicKeys {
  readonly description: string;
  readonly #keys: readonly DigestPublicKey[];

  constructor(pem: string, description = 'the PEM file') {
    this.description = description;
    const keys: KeyObject[] = [];
    for (const [block, label] of pem.matchAll(PEM_BLOCK)) {
      if (label?.includes('PRIVATE'))
        throw new DigestKeyError(`${description} holds a private key; give the public key (PUBLIC KEY) instead`);
      if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') continue;
      let key: KeyObject;
      try {
        key = createPublicKey(block);
      } catch (error) {
        throw new DigestKeyError(`${description} holds a ${label} block that is not a valid key: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (key.asymmetricKeyType !== 'rsa') {
        throw new DigestKeyError(`${description} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; CloudTrail signs digests with RSA`);
      }
      keys.push(key);
    }
    if (keys.length === 0) throw new DigestKeyError(`${description} holds no PEM public key (-----BEGIN PUBLIC KEY-----)`);
    this.#keys = keys.map((key) => ({ fingerprint: undefined, key }));
  }

  /** Reads the PEM file at `path`. */
  static async fromFile(path: string): Promise<PemDigestPublicKeys> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new DigestKeyError(`cannot read the public key file ${path}: ${code}`, { cause: error });
    }
    return new PemDigestPublicKeys(text, `the PEM file ${path}`);
  }

  async keysFor(): Promise<readonly DigestPublicKey[]> {
    return this.#keys;
  }
}
