import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCloudtrailVerifyCommand, verifiedDays } from '../../../jobs/cli/commands/cloudtrail-verify-command.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { generateDemoTrail, type DemoTrailSummary } from '../../../pipeline/simulators/cloudtrail/demo-trail.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { readCompleteness } from '../../pipeline/cloudtrail/digest/digest-trail-support.js';

/**
 * `opslake cloudtrail verify` on a folder: a trail with hourly signed digests (one file they
 * name lost, one altered), ingested into a lake; the config's state store holds the ledger of what
 * ingestion read, which the command reads as it would in use.
 */
const START = new Date('2026-03-01T00:00:00Z');
const NOW = new Date('2026-03-02T06:00:00Z');
let root: string;
let trail: DemoTrailSummary;
let config: string;
let pem: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-verify-command-'));
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  pem = join(root, 'digest-key.pem');
  await writeFile(pem, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  const dir = join(root, 'trail');
  trail = await generateDemoTrail({
    dir,
    clusterNames: ['analytics'],
    start: START,
    hours: 6,
    seed: 3,
    digests: true,
    digestSigningKey: keys.privateKey,
  });
  const source = new LocalObjectStore(dir);
  // The config's state store holds the ledger ingestion writes, which the command reads.
  await ingestCloudTrail({
    source,
    lake: new LocalObjectStore(join(root, 'lake')),
    state: new FileStateStore(join(root, 'state')),
    cloudtrailLatenessMinutes: 120,
    tempDirectory: root,
  });
  config = join(root, 'opslake.yaml');
  await writeFile(config, 'lake: ./lake\nstate: ./state\nclusters: []\n', 'utf8');
});

afterAll(async () => rm(root, { recursive: true, force: true }));

async function verify(...args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const program = new Command('opslake').exitOverride();
  registerCloudtrailVerifyCommand(program.command('cloudtrail'), {
    stdout: new Writable({
      write: (chunk, _encoding, done) => {
        chunks.push(String(chunk));
        done();
      },
    }),
    now: () => NOW,
  });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['cloudtrail', 'verify', '--source', join(root, 'trail'), '--config', config, ...args], { from: 'user' });
    return { code: typeof process.exitCode === 'number' ? process.exitCode : 0, stdout: chunks.join('') };
  } finally {
    process.exitCode = previous;
  }
}

describe('opslake cloudtrail verify', () => {
  it('finds the lost and the altered file on a folder, checks every signature, writes the table and exits with 1', async () => {
    const { code, stdout } = await verify('--since', '2026-03-01', '--public-key', pem);
    expect(code).toBe(1);
    expect(stdout).toContain('signatures checked with the PEM file');
    expect(stdout).toContain('2 finding(s):');
    expect(stdout).toMatch(new RegExp(`missing +${trail.planted?.missing}`));
    expect(stdout).toMatch(new RegExp(`hash-mismatch +${trail.planted?.changed}`));
    expect(stdout).toContain('its content is not what CloudTrail delivered: the SHA-256 differs from the digest');
    expect(stdout).toMatch(/^444455556666 +us-east-1 +\d+ +1 +0 +0 /m);

    const rows = await readCompleteness(join(root, 'lake'));
    expect(rows.filter((row) => row.finding).map((row) => [row.status, row.file_key])).toEqual(
      [
        ['hash-mismatch', trail.planted?.changed],
        ['missing', trail.planted?.missing],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    expect(rows.filter((row) => row.kind === 'digest').every((row) => row.status === 'digest-verified')).toBe(true);
    expect(rows.filter((row) => row.kind === 'digest')).toHaveLength(trail.digestFiles);
  });

  it('says without a key that signatures went unchecked, and prints JSON when asked', async () => {
    const { code, stdout } = await verify('--since', '2026-03-01', '--until', '2026-03-02', '--json');
    expect(code).toBe(1);
    const printed = JSON.parse(stdout) as { keys: null; findings: number; statuses: Record<string, number>; findingsListed: unknown[] };
    expect(printed).toMatchObject({ keys: null, findings: 2, fromDay: '2026-03-01', toDay: '2026-03-01' });
    expect(printed.statuses['digest-unchecked']).toBe(trail.digestFiles);
    expect(printed.findingsListed).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'missing', key: trail.planted?.missing })]),
    );
  });

  it('refuses a public key file that is not there, naming it', async () => {
    await expect(verify('--public-key', join(root, 'absent.pem'))).rejects.toThrow(/cannot read the public key file .*absent\.pem/);
  });
});

describe('verifiedDays', () => {
  it('verifies the day before --until and its own day by default, --until being exclusive', () => {
    expect(verifiedDays(undefined, undefined, NOW)).toEqual({ fromDay: '2026-03-01', toDay: '2026-03-02' });
    expect(verifiedDays(new Date('2026-02-27T00:00:00Z'), new Date('2026-03-01T00:00:00Z'), NOW)).toEqual({
      fromDay: '2026-02-27',
      toDay: '2026-02-28',
    });
    expect(() => verifiedDays(new Date('2026-03-03T00:00:00Z'), undefined, NOW)).toThrow(ConfigError);
  });
});
