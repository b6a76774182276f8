import { CloudTrailClient, ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailDigestPublicKeys } from '../../../../pipeline/cloudtrail/digest/cloudtrail-digest-public-keys.js';
import { PemDigestPublicKeys } from '../../../../pipeline/cloudtrail/digest/pem-digest-public-keys.js';
import { verifyCloudTrail } from '../../../../pipeline/cloudtrail/digest/verify-cloudtrail.js';
import { ledgerSourceName } from '../../../../pipeline/cloudtrail/ledger-source.js';
import { openDuckDb } from '../../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../../pipeline/lake/parquet-writer.js';
import type { DigestPublicKeys } from '../../../../pipeline/ports/digest-public-keys.js';
import { DigestChainWriter, digestKey, publicKeyFingerprint } from '../../../../pipeline/simulators/cloudtrail/digest-writer.js';
import { LocalObjectStore } from '../../../../pipeline/store/local-object-store.js';
import { MemoryIngestionLedger } from '../../../fakes/memory-ingestion-ledger.js';
import { MemoryObjectStore } from '../../../fakes/memory-object-store.js';
import { ledgerEntry, logFile, readCompleteness, type TrailFile, writeLog } from './digest-trail-support.js';

const DAY = '2026-03-01';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00Z`);
const A = { account: '111122223333', region: 'eu-west-1' };
const B = { account: '444455556666', region: 'us-east-1' };
const C = { account: '777788889999', region: 'us-east-1' };
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });

let root: string;
let source: LocalObjectStore;
let ledger: MemoryIngestionLedger;
let pem: string;
const planted: Record<string, string> = {};

/** Hourly digests of one stream, each naming the files delivered in its hour. */
async function digests(
  stream: { account: string; region: string },
  files: readonly TrailFile[],
  hours: readonly number[],
  alter: (hour: number, key: string) => Promise<void> = async () => undefined,
): Promise<string[]> {
  const writer = new DigestChainWriter(source, {
    bucket: 'trail-bucket',
    privateKey: signer.privateKey,
    fingerprint: publicKeyFingerprint(signer.publicKey),
  });
  const keys: string[] = [];
  for (const hour of hours) {
    const start = new Date(Date.parse(`${DAY}T00:00:31Z`) + hour * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);
    const named = files.filter((file) => file.key.includes(`T${String(hour).padStart(2, '0')}`));
    const key = digestKey(`AWSLogs/${stream.account}`, stream.account, stream.region, 'trail', 'us-east-1', end);
    await writer.write({ key, account: stream.account, start, end, logFiles: named });
    await alter(hour, key);
    keys.push(key);
  }
  return keys;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-verify-'));
  source = new LocalObjectStore(join(root, 'trail'));
  ledger = new MemoryIngestionLedger();
  const name = ledgerSourceName(source);
  pem = join(root, 'digest-key.pem');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(pem, signer.publicKey.export({ type: 'spki', format: 'pem' }));

  // Stream A: one file never delivered (missing), one changed after delivery, one quarantined, one
  // that no digest names, one delivered after the last digest, and a forged last digest.
  const a = ['09:10', '09:40', '10:10', '10:40', '11:10'].map((time) => logFile(A.account, A.region, at(time)));
  const [ok, missing, changed, quarantined, lastHour] = a as [TrailFile, TrailFile, TrailFile, TrailFile, TrailFile];
  const unlisted = logFile(A.account, A.region, at('11:20'), 'unlisted');
  const late = logFile(A.account, A.region, at('12:05'));
  for (const file of [ok, changed, quarantined, lastHour, unlisted, late]) await writeLog(source, file);
  await ledger.putLedgerEntries([
    ledgerEntry(name, ok),
    ledgerEntry(name, changed, { sha256: 'e'.repeat(64) }),
    ledgerEntry(name, quarantined, { status: 'quarantined', reason: 'truncated', sha256: undefined }),
    ledgerEntry(name, lastHour),
    ledgerEntry(name, unlisted),
    ledgerEntry(name, late),
    ledgerEntry('another-bucket', missing),
  ]);
  const aDigests = await digests(A, a, [9, 10, 11], async (hour, key) => {
    if (hour !== 11) return;
    // Re-signed by someone else's key: the content is CloudTrail's, the signature is not.
    const { signDigest } = await import('../../../../pipeline/cloudtrail/digest/digest-signature.js');
    const bytes = await source.getBytes(key);
    const { parseDigestFile } = await import('../../../../pipeline/cloudtrail/digest/digest-file.js');
    const parsed = parseDigestFile(bytes, key);
    const forged = signDigest({ ...parsed, previousSignature: parsed.previous?.signature }, forger.privateKey);
    await source.putBytes(key, bytes, { metadata: { signature: forged, 'signature-algorithm': 'SHA256withRSA' } });
  });
  Object.assign(planted, { ok: ok.key, missing: missing.key, changed: changed.key, quarantined: quarantined.key });
  Object.assign(planted, { unlisted: unlisted.key, late: late.key, forged: aDigests[2] ?? '' });

  // Stream B: its 10:00 digest is deleted (the chain breaks, its files are then named by none), and a
  // malformed digest follows.
  const b = ['09:15', '10:15'].map((time) => logFile(B.account, B.region, at(time)));
  for (const file of b) await writeLog(source, file);
  await ledger.putLedgerEntries(b.map((file) => ledgerEntry(name, file)));
  const bDigests = await digests(B, b, [9, 10, 11]);
  await source.delete(bDigests[1] ?? '');
  const malformed = digestKey(`AWSLogs/${B.account}`, B.account, B.region, 'trail', 'us-east-1', at('13:00'));
  await source.putBytes(malformed, '{"awsAccountId": "444455556666"}');
  Object.assign(planted, { orphan: b[1]?.key, deleted: bDigests[1], afterGap: bDigests[2], malformed });

  // Stream C has no digests at all.
  const c = logFile(C.account, C.region, at('09:30'));
  await writeLog(source, c);
  await ledger.putLedgerEntries([ledgerEntry(name, c)]);
  planted.undigested = c.key;
});

afterAll(async () => rm(root, { recursive: true, force: true }));

/** `withKey`: the PEM file of the signer's public key, or the keys given. */
async function verify(lakeName: string, withKey: boolean | DigestPublicKeys, prefix?: string) {
  const lakeDir = join(root, lakeName);
  const lake = new LocalObjectStore(lakeDir);
  const { instance, connection } = await openDuckDb();
  try {
    const summary = await verifyCloudTrail({
      source,
      ledger,
      lake,
      writer: new ParquetWriter(connection),
      fromDay: DAY,
      toDay: DAY,
      clock: () => new Date('2026-03-02T08:00:00Z'),
      tempDirectory: root,
      ...(withKey === true ? { publicKeys: await PemDigestPublicKeys.fromFile(pem) } : withKey ? { publicKeys: withKey } : {}),
      ...(prefix ? { prefix } : {}),
    });
    return { summary, rows: await readCompleteness(lakeDir), lakeDir, lake };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const statusOf = (rows: Array<Record<string, unknown>>, key: string | undefined) => rows.find((row) => row.file_key === key)?.status;

describe('verifyCloudTrail', () => {
  it('reports a missing log file, an unlisted one and a changed one, each once, in the lake table', async () => {
    const { rows, summary } = await verify('lake-keyed', true);
    expect(statusOf(rows, planted.ok)).toBe('verified');
    expect(rows.find((row) => row.file_key === planted.missing)).toMatchObject({
      status: 'missing',
      finding: true,
      ledger_status: null,
      account: A.account,
      region: A.region,
      day: DAY,
      hour: `${DAY} 09:00:00`,
      source: ledgerSourceName(source),
      verified_at: '2026-03-02 08:00:00',
    });
    expect(rows.find((row) => row.file_key === planted.changed)).toMatchObject({
      status: 'hash-mismatch',
      actual_sha256: 'e'.repeat(64),
      expected_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(rows.find((row) => row.file_key === planted.quarantined)).toMatchObject({ status: 'missing', ledger_status: 'quarantined' });
    expect(String(rows.find((row) => row.file_key === planted.quarantined)?.detail)).toContain('quarantined (truncated)');
    expect(statusOf(rows, planted.unlisted)).toBe('not-in-digest');
    expect(statusOf(rows, planted.late)).toBe('awaiting-digest');
    expect(statusOf(rows, planted.undigested)).toBe('no-digest');
    expect(rows.filter((row) => row.file_key === planted.missing)).toHaveLength(1);
    expect(summary.count('missing')).toBe(2);
    expect(summary.count('hash-mismatch')).toBe(1);
    expect(summary.count('not-in-digest')).toBe(2);
  });

  it('detects a forged digest signature and a chain broken by a deleted digest, and verifies the others', async () => {
    const { rows } = await verify('lake-keyed-2', true);
    const digests = rows.filter((row) => row.kind === 'digest');
    expect(rows.find((row) => row.file_key === planted.forged)).toMatchObject({ status: 'signature-invalid', finding: true });
    expect(rows.find((row) => row.file_key === planted.afterGap)).toMatchObject({
      status: 'chain-broken',
      digest_key: planted.deleted,
      detail: `the previous digest ${planted.deleted} is gone`,
    });
    // The files of the deleted digest's hour are now named by none.
    expect(statusOf(rows, planted.orphan)).toBe('not-in-digest');
    expect(digests.filter((row) => row.status === 'digest-verified')).toHaveLength(3);
    expect(digests.map((row) => row.hour)).toContain(`${DAY} 12:00:00`);
  });

  it('quarantines a malformed digest with its reason, like any unreadable input', async () => {
    const { rows, summary, lake } = await verify('lake-quarantine', false);
    const row = rows.find((candidate) => candidate.file_key === planted.malformed);
    expect(row).toMatchObject({ kind: 'digest', status: 'digest-malformed', finding: true });
    expect(String(row?.detail)).toMatch(/digestStartTime is missing.*\(quarantined as _quarantine\/cloudtrail\/2026-03-02\/.*\.json\.gz\)/);
    const [quarantined] = summary.quarantined;
    expect(quarantined).toMatchObject({ key: planted.malformed, reason: 'invalid-digest' });
    const record = JSON.parse((await lake.getBytes(`${quarantined?.quarantineKey}.error.json`)).toString());
    expect(record).toMatchObject({ key: planted.malformed, reason: 'invalid-digest' });
    expect((await lake.getBytes(quarantined?.quarantineKey ?? '')).toString()).toBe('{"awsAccountId": "444455556666"}');
  });

  it("checks signatures with the keys CloudTrail's ListPublicKeys gives for each digest's region, matched by fingerprint", async () => {
    const cloudtrail = mockClient(CloudTrailClient);
    const der = (key: typeof signer.publicKey) => new Uint8Array(key.export({ type: 'pkcs1', format: 'der' }));
    cloudtrail.on(ListPublicKeysCommand).resolves({
      PublicKeyList: [
        { Fingerprint: publicKeyFingerprint(signer.publicKey), Value: der(signer.publicKey) },
        // Another of the period's keys: the forged digest claims the signer's fingerprint, so this one is never tried.
        { Fingerprint: publicKeyFingerprint(forger.publicKey), Value: der(forger.publicKey) },
      ],
    });
    const regions: string[] = [];
    const keys = new CloudTrailDigestPublicKeys({
      clientFor: (region) => {
        regions.push(region);
        return new CloudTrailClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      },
    });
    try {
      const { rows, summary } = await verify('lake-listed-keys', keys);
      expect(statusOf(rows, planted.forged)).toBe('signature-invalid');
      expect(rows.filter((row) => row.status === 'digest-verified')).toHaveLength(3);
      expect(summary.keys).toBe('CloudTrail ListPublicKeys');
      expect(new Set(regions)).toEqual(new Set([A.region, B.region]));
      expect(cloudtrail.commandCalls(ListPublicKeysCommand).length).toBeGreaterThan(0);
    } finally {
      cloudtrail.restore();
    }
  });

  it('checks chains without a key and says signatures went unchecked', async () => {
    const { rows, summary } = await verify('lake-unkeyed', false);
    expect(statusOf(rows, planted.forged)).toBe('digest-unchecked');
    expect(statusOf(rows, planted.afterGap)).toBe('chain-broken');
    expect(summary.keys).toBeUndefined();
  });

  it("judges only what lies under the prefix given: one account's digests and log files", async () => {
    const { rows } = await verify('lake-prefix', true, `AWSLogs/${B.account}/`);
    expect(new Set(rows.map((row) => row.account))).toEqual(new Set([B.account]));
    expect(statusOf(rows, planted.orphan)).toBe('not-in-digest');
    expect(statusOf(rows, planted.afterGap)).toBe('chain-broken');
  });

  it('compares the bucket a digest names with the S3 bucket it is read from', async () => {
    const copy = async (bucket: string) => {
      const store = new (class extends MemoryObjectStore {
        override readonly location = `s3://${bucket}/`;
      })();
      for await (const info of source.list('')) {
        const metadata = (await source.head(info.key))?.metadata;
        await store.putBytes(info.key, await source.getBytes(info.key), metadata ? { metadata } : {});
      }
      return store;
    };
    const { instance, connection } = await openDuckDb();
    try {
      const statuses = async (bucket: string) => {
        const summary = await verifyCloudTrail({
          source: await copy(bucket),
          ledger,
          lake: new MemoryObjectStore(),
          writer: new ParquetWriter(connection),
          fromDay: DAY,
          toDay: DAY,
          tempDirectory: root,
        });
        return ['digest-unchecked', 'digest-misplaced', 'chain-broken'].map((status) => summary.count(status as 'chain-broken'));
      };
      // In the bucket they name: as from the folder. Elsewhere: every readable digest is misplaced.
      expect(await statuses('trail-bucket')).toEqual([4, 0, 1]);
      expect(await statuses('copied-bucket')).toEqual([0, 5, 0]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('writes one object per account, region and day, named after the source, and replaces it when run again', async () => {
    const first = await verify('lake-again', true);
    const again = await verify('lake-again', true);
    expect(again.rows).toEqual(first.rows);
    expect(first.summary.objects.map((object) => object.key).sort()).toEqual(
      [A, B, C].map((stream) =>
        expect.stringMatching(
          new RegExp(`^cloudtrail/completeness/account=${stream.account}/region=${stream.region}/day=${DAY}/[0-9a-f]{32}\\.parquet$`),
        ),
      ),
    );
    expect((await readFile(join(first.lakeDir, first.summary.objects[0]?.key ?? ''))).subarray(0, 4).toString()).toBe('PAR1');
  });
});
