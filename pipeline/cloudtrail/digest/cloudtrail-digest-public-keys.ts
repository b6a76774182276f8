import { type CloudTrailClient, ListPublicKeysCommand, type ListPublicKeysCommandOutput } from '@aws-sdk/client-cloudtrail';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { failureFields, transientAwsError, translateAwsError } from '../../aws/aws-errors.js';
import { DigestKeyError } from '../../errors.js';
import type { DigestPublicKey, DigestPublicKeys } from '../../ports/digest-public-keys.js';

export interface CloudTrailDigestPublicKeysOptions {
  /** A client in `region`: CloudTrail signs each region's digests with that region's keys. Injected (tests mock it). */
  readonly clientFor: (region: string) => CloudTrailClient;
}

/** CloudTrail hands keys over as DER, PKCS#1 (`RSAPublicKey`); SubjectPublicKeyInfo is read too, in case. */
function publicKeyOf(value: Uint8Array, fingerprint: string, region: string): KeyObject {
  const der = Buffer.from(value);
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      return createPublicKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new DigestKeyError(`CloudTrail's public key ${fingerprint} in ${region} is not an RSA public key in DER`);
}

/**
 * Digest public keys from CloudTrail's `ListPublicKeys`, in the digest's region, for the period
 * asked (every page). Each (region, period) is asked once per run. Failures become typed
 * errors: DigestKeyError (access denied names `cloudtrail:ListPublicKeys`), ThrottledError or
 * ConnectionError when trying again later may help.
 */
export class CloudTrailDigestPublicKeys implements DigestPublicKeys {
  readonly description = 'CloudTrail ListPublicKeys';
  readonly #clientFor: (region: string) => CloudTrailClient;
  readonly #asked = new Map<string, Promise<readonly DigestPublicKey[]>>();

  constructor(options: CloudTrailDigestPublicKeysOptions) {
    this.#clientFor = options.clientFor;
  }

  keysFor(region: string, from: Date, to: Date): Promise<readonly DigestPublicKey[]> {
    const id = `${region}|${from.toISOString()}|${to.toISOString()}`;
    let keys = this.#asked.get(id);
    if (keys === undefined) {
      keys = this.#list(region, from, to);
      // A failed call is not remembered: the next digest asks again.
      keys.catch(() => this.#asked.delete(id));
      this.#asked.set(id, keys);
    }
    return keys;
  }

  async #list(region: string, from: Date, to: Date): Promise<readonly DigestPublicKey[]> {
    const client = this.#clientFor(region);
    const keys: DigestPublicKey[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListPublicKeysCommandOutput;
      try {
        page = await client.send(new ListPublicKeysCommand({ StartTime: from, EndTime: to, NextToken: nextToken }));
      } catch (error) {
        const call = {
          service: 'cloudtrail',
          operation: 'ListPublicKeys',
          resource: region,
          action: `list the digest keys of ${region}`,
        } as const;
        throw translateAwsError(
          error,
          call,
          (failure) =>
            transientAwsError(failure) ?? new DigestKeyError(`could not ${call.action}: ${failure.summary}`, failureFields(failure)),
        );
      }
      for (const listed of page.PublicKeyList ?? []) {
        if (listed.Value === undefined || listed.Fingerprint === undefined) continue;
        keys.push({ fingerprint: listed.Fingerprint, key: publicKeyOf(listed.Value, listed.Fingerprint, region) });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return keys;
  }
}
