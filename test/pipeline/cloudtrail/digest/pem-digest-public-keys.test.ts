import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PemDigestPublicKeys } from '../../../../pipeline/cloudtrail/digest/pem-digest-public-keys.js';
import { DigestKeyError } from '../../../../pipeline/errors.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'opslake-pem-'));
});

afterAll(async () => rm(folder, { recursive: true, force: true }));

describe('PemDigestPublicKeys', () => {
  it('reads every public key of a file, SPKI or PKCS#1, with no fingerprint', async () => {
    const path = join(folder, 'keys.pem');
    const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const pkcs1 = second.publicKey.export({ type: 'pkcs1', format: 'pem' });
    await writeFile(path, `comment\n${spki}\n${pkcs1}`);
    const keys = await (await PemDigestPublicKeys.fromFile(path)).keysFor();
    expect(keys.map((key) => key.fingerprint)).toEqual([undefined, undefined]);
    expect(keys[0]?.key.equals(rsa.publicKey)).toBe(true);
    expect(keys[1]?.key.equals(second.publicKey)).toBe(true);
  });

  it('refuses a private key, a non-RSA key, a file without a key and a missing file, without echoing the file', async () => {
    const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => new PemDigestPublicKeys(privatePem)).toThrow(/holds a private key; give the public key/);
    expect(() => new PemDigestPublicKeys(privatePem)).toThrow(expect.not.objectContaining({ message: expect.stringContaining('MII') }));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => new PemDigestPublicKeys(ec)).toThrow(/holds a ec key; CloudTrail signs digests with RSA/);
    expect(() => new PemDigestPublicKeys('-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----')).toThrow(DigestKeyError);
    expect(() => new PemDigestPublicKeys('nothing here')).toThrow(/holds no PEM public key/);
    await expect(PemDigestPublicKeys.fromFile(join(folder, 'absent.pem'))).rejects.toThrow(
      /cannot read the public key file .*absent\.pem: ENOENT/,
    );
  });
});
