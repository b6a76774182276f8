import { CloudTrailClient, ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudTrailDigestPublicKeys } from '../../../../pipeline/cloudtrail/digest/cloudtrail-digest-public-keys.js';
import { DigestKeyError, ThrottledError } from '../../../../pipeline/errors.js';

const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
const der = (key: typeof first.publicKey) => new Uint8Array(key.export({ type: 'pkcs1', format: 'der' }));
const FROM = new Date('2026-03-01T00:00:00Z');
const TO = new Date('2026-03-03T00:00:00Z');

const cloudtrail = mockClient(CloudTrailClient);
const regions: string[] = [];
const keys = new CloudTrailDigestPublicKeys({
  clientFor: (region) => {
    regions.push(region);
    return new CloudTrailClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  },
});

afterEach(() => {
  cloudtrail.reset();
  regions.length = 0;
});

function sdkError(name: string): Error {
  return Object.assign(new Error(`${name} from CloudTrail`), { name, $metadata: { attempts: 3, httpStatusCode: 400 } });
}

describe('CloudTrailDigestPublicKeys', () => {
  it("lists the region's keys for the period, every page, as DER PKCS#1 keys with their fingerprints", async () => {
    cloudtrail
      .on(ListPublicKeysCommand, { StartTime: FROM, EndTime: TO, NextToken: undefined })
      .resolves({ PublicKeyList: [{ Fingerprint: 'aa'.repeat(16), Value: der(first.publicKey) }], NextToken: 'page-2' })
      .on(ListPublicKeysCommand, { NextToken: 'page-2' })
      .resolves({ PublicKeyList: [{ Fingerprint: 'bb'.repeat(16), Value: der(rotated.publicKey) }, { Fingerprint: 'no value' }] });

    const listed = await keys.keysFor('eu-west-1', FROM, TO);
    expect(listed.map((key) => key.fingerprint)).toEqual(['aa'.repeat(16), 'bb'.repeat(16)]);
    expect(listed[0]?.key.equals(first.publicKey)).toBe(true);
    expect(listed[1]?.key.equals(rotated.publicKey)).toBe(true);
    expect(regions).toEqual(['eu-west-1']);
    expect(cloudtrail.commandCalls(ListPublicKeysCommand).map((call) => call.args[0].input)).toEqual([
      { StartTime: FROM, EndTime: TO, NextToken: undefined },
      { StartTime: FROM, EndTime: TO, NextToken: 'page-2' },
    ]);
    // Asked once per region and period.
    await keys.keysFor('eu-west-1', FROM, TO);
    expect(cloudtrail.commandCalls(ListPublicKeysCommand)).toHaveLength(2);
  });

  it('names the permission when access is denied, and asks again after a failure', async () => {
    cloudtrail.on(ListPublicKeysCommand).rejectsOnce(sdkError('AccessDeniedException')).resolves({ PublicKeyList: [] });
    const error = await keys.keysFor('us-east-1', FROM, TO).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DigestKeyError);
    expect((error as DigestKeyError).retryable).toBe(false);
    expect((error as DigestKeyError).hint).toBe(
      'the role needs cloudtrail:ListPublicKeys in us-east-1 to read the public keys of digest signatures',
    );
    expect((error as Error).cause).toBeDefined();
    await expect(keys.keysFor('us-east-1', FROM, TO)).resolves.toEqual([]);
  });

  it('reports throttling as retryable, and a key that is not DER as a DigestKeyError', async () => {
    cloudtrail.on(ListPublicKeysCommand).rejectsOnce(sdkError('ThrottlingException'));
    await expect(keys.keysFor('ap-south-1', FROM, TO)).rejects.toBeInstanceOf(ThrottledError);
    cloudtrail.on(ListPublicKeysCommand).resolves({ PublicKeyList: [{ Fingerprint: 'cc', Value: new Uint8Array([1, 2, 3]) }] });
    await expect(keys.keysFor('sa-east-1', FROM, TO)).rejects.toThrow(/public key cc in sa-east-1 is not an RSA public key in DER/);
  });
});
