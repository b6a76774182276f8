import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DigestFile, parseDigestFile } from '../../../../pipeline/cloudtrail/digest/digest-file.js';
import { checkDigest } from '../../../../pipeline/cloudtrail/digest/digest-verdict.js';
import { sha256Hex } from '../../../../pipeline/simulators/cloudtrail/digest-writer.js';
import { parseCloudTrailKey } from '../../../../pipeline/cloudtrail/cloudtrail-key.js';
import { generateDemoTrail, type DemoTrailSummary } from '../../../../pipeline/simulators/cloudtrail/demo-trail.js';
import { ingestCloudTrail } from '../../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { FileStateStore } from '../../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../../pipeline/store/local-object-store.js';
import { readLakeTable } from '../../cloudtrail/cloudtrail-test-support.js';

let root: string;
let trail: DemoTrailSummary;
let events: Array<Record<string, unknown>>;
const START = new Date('2026-03-01T06:00:00Z');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-demo-trail-'));
  trail = await generateDemoTrail({ dir: join(root, 'trail'), clusterNames: ['analytics', 'etl'], start: START, seed: 7 });
  const summary = await ingestCloudTrail({
    source: new LocalObjectStore(join(root, 'trail')),
    lake: new LocalObjectStore(join(root, 'lake')),
    state: new FileStateStore(join(root, 'state')),
    cloudtrailLatenessMinutes: 120,
    tempDirectory: root,
  });
  expect(summary.toJSON()).toMatchObject({
    filesIngested: trail.logFiles + trail.insightFiles,
    events: trail.events,
    insights: trail.insightEvents,
    skippedDigests: 1,
    quarantined: 0,
    failed: 0,
  });
  events = await readLakeTable(join(root, 'lake'), 'events');
});

afterAll(async () => rm(root, { recursive: true, force: true }));

describe('generateDemoTrail', () => {
  it('writes the same bytes for the same seed', async () => {
    const again = await generateDemoTrail({ dir: join(root, 'again'), clusterNames: ['analytics', 'etl'], start: START, seed: 7 });
    expect(again.keys).toEqual(trail.keys);
    for (const key of trail.keys.slice(0, 5)) {
      expect((await readFile(join(root, 'again', key))).equals(await readFile(join(root, 'trail', key)))).toBe(true);
    }
  });

  it('lays files out as an organization trail, a custom-prefix trail, an Insight and a digest', () => {
    const parsed = trail.keys.flatMap((key) => {
      const result = parseCloudTrailKey(key);
      return result.ok ? [result.key] : [];
    });
    expect(parsed).toHaveLength(trail.keys.length);
    expect(new Set(parsed.map((key) => key.organizationId))).toEqual(new Set(['o-a1b2c3d4e5', undefined]));
    expect(new Set(parsed.map((key) => key.prefix))).toEqual(new Set(['', 'security/trails']));
    expect(parsed.filter((key) => key.kind === 'insight')).toHaveLength(1);
    expect(parsed.filter((key) => key.kind === 'digest')).toHaveLength(1);
    expect(new Set(parsed.map((key) => key.account)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(parsed.map((key) => key.region)).size).toBeGreaterThanOrEqual(2);
  });

  it('holds many services, every identity type, errors, and sign-ins with and without MFA', () => {
    expect(new Set(events.map((row) => row.eventsource)).size).toBeGreaterThanOrEqual(12);
    expect(new Set(events.map((row) => row.useridentity_type))).toEqual(
      new Set([
        'Root',
        'IAMUser',
        'AssumedRole',
        'FederatedUser',
        'AWSAccount',
        'AWSService',
        'IdentityCenterUser',
        'SAMLUser',
        'WebIdentityUser',
        'Directory',
        'Unknown',
        null,
      ]),
    );
    expect(events.filter((row) => row.errorcode !== null).length).toBeGreaterThan(10);
    const logins = events
      .filter((row) => row.eventname === 'ConsoleLogin')
      .map((row) => JSON.parse(String(row.additionaleventdata)) as { MFAUsed: string });
    expect(new Set(logins.map((login) => login.MFAUsed))).toEqual(new Set(['Yes', 'No']));
    expect(events.some((row) => row.eventname === 'ConsoleLogin' && row.errormessage === 'Failed authentication')).toBe(true);
  });

  it('calls the Redshift control plane and the Data API on the demo clusters', () => {
    const redshift = events.filter(
      (row) => row.eventsource === 'redshift.amazonaws.com' || row.eventsource === 'redshift-data.amazonaws.com',
    );
    const clusters = new Set(
      redshift
        .map((row) => (JSON.parse(String(row.requestparameters ?? '{}')) as { clusterIdentifier?: string }).clusterIdentifier)
        .filter(Boolean),
    );
    expect(clusters).toEqual(new Set(['analytics', 'etl']));
    expect(redshift.some((row) => row.eventname === 'ExecuteStatement')).toBe(true);
    expect(redshift.some((row) => row.eventname === 'DescribeClusters')).toBe(true);
  });

  it('has files whose events fall on both sides of midnight', () => {
    const daysBySource = new Map<string, Set<string>>();
    for (const row of events)
      daysBySource.set(String(row.source_key), (daysBySource.get(String(row.source_key)) ?? new Set()).add(String(row.day)));
    expect([...daysBySource.values()].some((days) => days.size === 2)).toBe(true);
  });
});

describe('generateDemoTrail with digests', () => {
  it('writes hourly signed digests, chained, naming every log file with its SHA-256, but for the two planted', async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = join(root, 'signed');
    const signed = await generateDemoTrail({
      dir,
      clusterNames: ['analytics', 'etl'],
      start: START,
      seed: 7,
      digests: true,
      digestSigningKey: keys.privateKey,
    });
    const store = new LocalObjectStore(dir);
    const digestKeys = signed.keys.filter((key) => key.includes('/CloudTrail-Digest/'));
    expect(signed.digestFiles).toBe(digestKeys.length);
    expect(digestKeys).toHaveLength(6 * 24);

    const named = new Map<string, string>();
    const read = new Map<string, DigestFile>();
    for (const key of digestKeys) {
      const digest = parseDigestFile(await store.getBytes(key), key);
      const previous = digest.previous ? read.get(digest.previous.object) : undefined;
      const metadata = (await store.head(key))?.metadata;
      const verdict = checkDigest({
        digest,
        signature: metadata?.signature,
        signatureAlgorithm: metadata?.['signature-algorithm'],
        keys: [{ fingerprint: digest.publicKeyFingerprint, key: keys.publicKey }],
        foundIn: { bucket: key.startsWith('security/') ? 'acme-security-trail' : 'acme-org-trail', object: key },
        previous: previous && {
          key: previous.key,
          sha256: previous.sha256,
          signature: (await store.head(previous.key))?.metadata?.signature,
        },
      });
      expect(verdict, key).toEqual({ status: 'digest-verified', detail: undefined });
      read.set(key, digest);
      for (const file of digest.logFiles) named.set(file.key, file.hashValue);
    }
    const { missing, changed } = signed.planted ?? { missing: '', changed: '' };
    expect(await store.head(missing)).toBeUndefined();
    expect(named.has(missing)).toBe(true);
    const logs = signed.keys.filter((key) => key.includes('/CloudTrail/'));
    const mismatched = [];
    for (const key of logs.filter((log) => named.has(log))) {
      if (sha256Hex(gunzipSync(await store.getBytes(key))) !== named.get(key)) mismatched.push(key);
    }
    expect(mismatched).toEqual([changed]);
    // The newest files are in no digest yet, as a live trail's are not.
    expect(logs.filter((key) => !named.has(key)).length).toBeGreaterThan(0);
    expect(signed.events).toBe(trail.events);
  });
});
