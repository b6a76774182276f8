import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { gzipJson, logKey } from '../../pipeline/cloudtrail/cloudtrail-test-support.js';
import { takeCensus } from '../../pipeline/cloudtrail/lake-census.js';

const BIN = fileURLToPath(new URL('../../../bin/opslake.mjs', import.meta.url));
/** Four batches of 64 files: the signal lands in the first, long before the last. */
const FILES = 256;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-interrupt-'));
  for (let i = 0; i < FILES; i += 1) {
    const key = logKey(`file${i}`, { day: '2024-03-04' });
    const path = join(root, 'trail', ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const records = [0, 1].map((n) => ({
      eventVersion: '1.08',
      eventID: `e${i}-${n}`,
      eventTime: '2024-03-04T10:00:00Z',
      eventName: 'GetObject',
      awsRegion: 'us-east-1',
      recipientAccountId: '123456789012',
    }));
    await writeFile(path, gzipJson({ Records: records }));
  }
});
afterAll(async () => rm(root, { recursive: true, force: true }));

/** Runs the real CLI; sends `signal` once its first progress line is out (the run has started and handles signals). */
function ingest(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'cloudtrail', 'ingest', join(root, 'trail'), '--lake', join(root, 'lake'), '--state', join(root, 'state')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (signal !== undefined && !sent && stderr.includes(`files 0/${FILES}`)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('opslake cloudtrail ingest interrupted', () => {
  it('stops at the next batch on SIGINT, exits 130 saying what is committed, and the next run finishes the rest', async () => {
    const stopped = await ingest('SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('SIGINT: stopping at the next safe point');
    const done = Number(/CloudTrail: (\d+) file\(s\) ingested/.exec(stopped.stdout)?.[1]);
    const notStarted = Number(/interrupted: (\d+) file\(s\) not started; everything above is committed/.exec(stopped.stdout)?.[1]);
    expect(done).toBeGreaterThan(0);
    expect(done + notStarted).toBe(FILES);
    // The summary is what the lake and the ledger hold.
    const state = new FileStateStore(join(root, 'state'));
    const after = await takeCensus(join(root, 'lake'), state);
    expect(after.ledger.size).toBe(done);
    expect(after.events).toBe(2 * done);

    const rest = await ingest();
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain(`CloudTrail: ${notStarted} file(s) ingested`);
    const final = await takeCensus(join(root, 'lake'), state);
    expect(final.events).toBe(2 * FILES);
    expect(new Set(final.eventIds).size).toBe(2 * FILES);
  }, 300_000);
});
