import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../jobs/cli/main.js';
import { EXIT_LEASE_HELD } from '../../../jobs/cli/interruption.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { RUN_LEASE_MS } from '../../../pipeline/state/held-lease.js';
import { captureOutput } from '../../harness/capture-output.js';
import { gzipJson, logKey } from '../../pipeline/cloudtrail/cloudtrail-test-support.js';

let root: string;
let config: string;

async function opslake(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(args));
  return { code: result, stdout, stderr };
}

function event(id: string, time: string) {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    recipientAccountId: '123456789012',
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-compact-command-'));
  config = join(root, 'opslake.yaml');
  await writeFile(config, ['lake: ./lake', 'state: ./state', 'catalog: ./catalog.duckdb', 'clusters: []', ''].join('\n'));
  for (const [name, records] of [
    ['one', [event('a', '2024-03-04T10:00:00Z'), event('b', '2024-03-04T11:00:00Z')]],
    ['two', [event('b', '2024-03-04T11:00:00Z'), event('c', '2024-03-04T12:00:00Z')]],
  ] as const) {
    const path = join(root, 'trail', ...logKey(name, { day: '2024-03-04' }).split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, gzipJson({ Records: records }));
  }
  // Live objects to compact: without the config, the ingest knows no catalog and takes the live path.
  const ingest = await opslake('cloudtrail', 'ingest', join(root, 'trail'), '--lake', join(root, 'lake'), '--state', join(root, 'state'));
  expect(ingest.code).toBe(0);
  expect(ingest.stderr).toContain('No catalog configured');
});

afterAll(async () => rm(root, { recursive: true, force: true }));

describe('opslake compact', () => {
  it('says what it would do with --dry-run, then compacts, prints each partition and a summary', async () => {
    const dry = await opslake('compact', '--config', config, '--table', 'cloudtrail_events', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(
      /cloudtrail_events account=123456789012\/region=us-east-1\/day=2024-03-04\/: would compact 2 object\(s\) \(2 new\)/,
    );
    expect(dry.stdout).toContain('0 partition(s) compacted, 0 unchanged, 1 planned, 0 failed');

    const run = await opslake('compact', '--config', config);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/day=2024-03-04\/: 2 object\(s\) \(2 new\) -> 1, 4 -> 3 rows \(1 duplicate\(s\) removed\)/);
    expect(run.stdout).toContain('Compaction: 1 partition(s) compacted');
    const query = await opslake('query', 'cloudtrail_events_unique', '--config', config, '--format', 'json');
    expect(query.code).toBe(0);
  });

  it('exits 75 when another run holds the lease, and takes a killed run lease over with --take-over-lease', async () => {
    const state = new FileStateStore(join(root, 'state'));
    // What a killed run leaves: its lease, not expired yet.
    await state.acquireLease('compaction', 'compact-killed', RUN_LEASE_MS, new Date());
    const held = await opslake('compact', '--config', config);
    expect(held.code).toBe(EXIT_LEASE_HELD);
    expect(held.stdout).toContain('another run (compact-killed) is compacting; nothing done');
    const taken = await opslake('compact', '--config', config, '--take-over-lease');
    expect(taken.code).toBe(0);
    expect(taken.stderr).toMatch(/taking over the lease on compaction from compact-killed \(last renewed \d+ s ago; it would expire at /);
    expect(taken.stdout).toContain('Compaction:');
    // Released at the end: the next run needs no take-over.
    expect((await opslake('compact', '--config', config)).code).toBe(0);
  });

  it('refuses an unknown table and a day that is not one', async () => {
    const table = await opslake('compact', '--config', config, '--table', 'nope');
    expect(table.code).toBe(1);
    expect(table.stderr).toContain('no lake table named "nope"');
    const since = await opslake('compact', '--config', config, '--since', 'yesterday');
    expect(since.code).toBe(1);
    expect(since.stderr).toContain('--since');
  });
});
