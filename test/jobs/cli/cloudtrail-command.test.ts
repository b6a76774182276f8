import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIngestProgress, parseTimeOption } from '../../../jobs/cli/commands/cloudtrail-command.js';
import { main } from '../../../jobs/cli/main.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { captureOutput } from '../../harness/capture-output.js';
import { gzipJson, logKey } from '../../pipeline/cloudtrail/cloudtrail-test-support.js';

let root: string;
let trail: string;

async function put(key: string, body: Buffer): Promise<void> {
  const path = join(trail, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
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

async function opslake(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(args));
  return { code: result, stdout, stderr };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-cloudtrail-command-'));
  trail = join(root, 'trail');
  await put(
    logKey('one', { day: '2024-03-04' }),
    gzipJson({ Records: [event('a', '2024-03-04T10:00:00Z'), event('b', '2024-03-04T11:00:00Z')] }),
  );
  await put(logKey('two', { day: '2024-03-05' }), gzipJson({ Records: [event('c', '2024-03-05T10:00:00Z')] }));
  await put(
    'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/03/05/' +
      '123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240305T150000Z.json.gz',
    gzipJson({ awsAccountId: '1', digestStartTime: 'x' }),
  );
  await put(logKey('bad', { day: '2024-03-05' }), Buffer.from('{"Records": ['));
});

afterAll(async () => rm(root, { recursive: true, force: true }));

describe('opslake cloudtrail ingest', () => {
  it('ingests a folder read as the bucket and ends with a summary; a second run resumes', async () => {
    const lake = join(root, 'lake');
    const state = join(root, 'state');
    const first = await opslake('cloudtrail', 'ingest', trail, '--lake', lake, '--state', state);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('CloudTrail: 2 file(s) ingested, 3 event(s)');
    expect(first.stdout).toContain('partitions written: 2');
    expect(first.stdout).toContain('1 digest file(s)');
    expect(first.stdout).toMatch(/quarantined: 1\n.*truncated/);
    expect(first.stderr).toMatch(/files 4\/4 \(1 skipped, 1 quarantined\) · 3 events · 400 B\/400 B · [\d,]+ events\/s · ETA 0:00\n$/);
    expect(await readdir(join(lake, 'cloudtrail', 'events'))).toEqual(['account=123456789012']);

    const second = await opslake('cloudtrail', 'ingest', trail, '--lake', lake, '--state', state);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 file(s) ingested');
    // Every file is in the ledger: the two ingested, the quarantined one and the digest.
    expect(second.stdout).toContain('4 already ingested');

    const forced = await opslake(
      'cloudtrail',
      'ingest',
      trail,
      '--lake',
      lake,
      '--state',
      state,
      '--force',
      '--since',
      '2024-03-05',
      '--concurrency',
      '2',
    );
    expect(forced.stdout).toContain('1 file(s) ingested, 1 event(s)');
  });

  it('with a catalog in the config, writes closed days straight into compacted partitions readers query', async () => {
    const dir = join(root, 'direct');
    await mkdir(dir, { recursive: true });
    const config = join(dir, 'opslake.yaml');
    await writeFile(config, ['lake: ./lake', 'state: ./state', 'catalog: ./catalog.duckdb', 'clusters: []', ''].join('\n'));
    const run = await opslake('cloudtrail', 'ingest', trail, '--config', config);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('No catalog configured');
    expect(run.stdout).toContain('CloudTrail: 2 file(s) ingested, 3 event(s)');
    expect(run.stdout).toContain('partitions written: 2 (2 Parquet object(s)');
    expect(run.stdout).toContain('compacted directly: 2 partition generation(s) (closed days)');
    expect(await readdir(join(dir, 'lake', 'cloudtrail', 'events'))).toEqual(['_compacted']);
    const sql = join(dir, 'events.sql');
    await writeFile(sql, 'SELECT eventid, day FROM cloudtrail_events ORDER BY eventid\n');
    const query = await opslake('query', '--sql', sql, '--config', config, '--format', 'json');
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([
      { eventid: 'a', day: '2024-03-04' },
      { eventid: 'b', day: '2024-03-04' },
      { eventid: 'c', day: '2024-03-05' },
    ]);
  });

  it('says so when nothing matches, and refuses bad options with what to do', async () => {
    const none = await opslake(
      'cloudtrail',
      'ingest',
      trail,
      '--lake',
      join(root, 'lake2'),
      '--state',
      join(root, 's2'),
      '--since',
      '2030-01-01',
    );
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('nothing to ingest');
    const bad = await opslake(
      'cloudtrail',
      'ingest',
      trail,
      '--lake',
      join(root, 'lake2'),
      '--state',
      join(root, 's2'),
      '--concurrency',
      'many',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--concurrency');
    const missingLake = await opslake('cloudtrail', 'ingest', trail);
    expect(missingLake.code).not.toBe(0);
    expect(missingLake.stderr).toContain('--lake');
    const missingState = await opslake('cloudtrail', 'ingest', trail, '--lake', join(root, 'lake2'));
    expect(missingState.code).toBe(1);
    expect(missingState.stderr).toContain('--state');
    expect(missingState.stderr).toContain('ledger');
    const mistyped = await opslake(
      'cloudtrail',
      'ingest',
      join(root, 'no-such-trail'),
      '--lake',
      join(root, 'lake2'),
      '--state',
      join(root, 's2'),
    );
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain('no folder at');
    expect(mistyped.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('opslake cloudtrail status', () => {
  it('shows files per delivery day and status, the last delivery per account and region, and quarantined files', async () => {
    const lake = join(root, 'lake-status');
    const state = join(root, 'state-status');
    await opslake('cloudtrail', 'ingest', trail, '--lake', lake, '--state', state);
    const shown = await opslake('cloudtrail', 'status', '--state', state, '--since', '2024-03-01', '--until', '2024-03-07');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('CloudTrail files delivered 2024-03-01 to 2024-03-07:');
    expect(shown.stdout).toMatch(/2024-03-04 +1 +0 +0 +0 +2 +0/);
    expect(shown.stdout).toMatch(/2024-03-05 +1 +1 +1 +0 +1 +0/);
    expect(shown.stdout).toMatch(/123456789012 +us-east-1 +2024-03-05 09:05/);
    expect(shown.stdout).toMatch(/Quarantined: 1\n .*bad.*: truncated: /);

    const json = await opslake('cloudtrail', 'status', '--state', state, '--since', '2024-03-04', '--until', '2024-03-04', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ fromDay: '2024-03-04', days: [{ day: '2024-03-04', events: 2 }], quarantined: [] });
    const empty = await opslake('cloudtrail', 'status', '--state', state, '--since', '2020-01-01', '--until', '2020-01-02');
    expect(empty.stdout).toContain('The ledger holds no CloudTrail files delivered in that range.');
  });
});

describe('parseTimeOption', () => {
  it('reads a day as midnight UTC and an ISO time as given, and refuses anything else', () => {
    expect(parseTimeOption('2024-03-05', '--since')).toEqual(new Date('2024-03-05T00:00:00Z'));
    expect(parseTimeOption('2024-03-05T14:00:00+02:00', '--since')).toEqual(new Date('2024-03-05T12:00:00Z'));
    expect(parseTimeOption(undefined, '--since')).toBeUndefined();
    expect(() => parseTimeOption('yesterday', '--until')).toThrow(ConfigError);
  });
});

describe('formatIngestProgress', () => {
  it('shows files, events, bytes, rate and time left', () => {
    expect(
      formatIngestProgress({
        filesDone: 120,
        filesTotal: 480,
        events: 360_201,
        bytesDone: 42 << 20,
        bytesTotal: 168 << 20,
        quarantined: 3,
        skipped: 10,
        failed: 0,
        elapsedMs: 14_000,
        eventsPerSecond: 25_728.6,
        etaMs: 42_000,
      }),
    ).toBe('files 120/480 (10 skipped, 3 quarantined) · 360,201 events · 42.0 MiB/168.0 MiB · 25,729 events/s · ETA 0:42');
  });
});
