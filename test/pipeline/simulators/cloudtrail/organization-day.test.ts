import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCloudTrailKey } from '../../../../pipeline/cloudtrail/cloudtrail-key.js';
import {
  generateOrganizationDay,
  type OrganizationDaySummary,
  organizationShape,
} from '../../../../pipeline/simulators/cloudtrail/organization-day.js';

const DAY = '2026-03-04';
let root: string;
let day: OrganizationDaySummary;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-org-day-'));
  day = await generateOrganizationDay({ dir: join(root, 'a'), day: DAY, files: 400, seed: 11 });
});

afterAll(async () => rm(root, { recursive: true, force: true }));

describe('organizationShape', () => {
  it('keeps a file every 5 minutes at most per stream, adding streams as files grow', () => {
    expect(organizationShape(50_000, 100, 1_700)).toEqual({ streams: 174, intervalMinutes: 5 });
    expect(organizationShape(489_600, 100, 1_700)).toEqual({ streams: 1_700, intervalMinutes: 5 });
  });

  it('spreads a small day over the minimum of streams, each file further apart', () => {
    expect(organizationShape(1_000, 100, 1_700)).toEqual({ streams: 100, intervalMinutes: 144 });
    expect(organizationShape(40, 100, 1_700)).toEqual({ streams: 40, intervalMinutes: 1_440 });
  });

  it('refuses a day that cannot hold the files', () => {
    expect(() => organizationShape(0, 100, 1_700)).toThrow(RangeError);
  });
});

describe('generateOrganizationDay', () => {
  it('writes the files asked for, from at least 100 account-regions, under organization keys of the day', () => {
    expect(day.files).toHaveLength(400);
    expect(day.streams).toBe(100);
    const streams = new Set<string>();
    for (const file of day.files) {
      const parsed = parseCloudTrailKey(file.key);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.key).toMatchObject({ kind: 'events', organizationId: 'o-a1b2c3d4e5', deliveryDate: DAY });
      streams.add(`${parsed.key.account}/${parsed.key.region}`);
    }
    expect(streams.size).toBe(100);
  });

  it('counts what it wrote: events and bytes of the files themselves', async () => {
    let events = 0;
    let bytes = 0;
    for (const file of day.files.slice(0, 50)) {
      const gz = await readFile(join(root, 'a', file.key));
      expect(gz.length).toBe(file.size);
      const records = (JSON.parse(gunzipSync(gz).toString('utf8')) as { Records: Array<{ eventTime: string }> }).Records;
      expect(records).toHaveLength(file.events);
      events += records.length;
      bytes += gz.length;
    }
    expect(events).toBeGreaterThan(0);
    expect(day.events).toBe(day.files.reduce((sum, file) => sum + file.events, 0));
    expect(day.compressedBytes).toBe(day.files.reduce((sum, file) => sum + file.size, 0));
    expect(bytes).toBeLessThan(day.compressedBytes);
  });

  it('makes most files small and a few large', () => {
    const small = day.files.filter((file) => file.events <= 10).length;
    const large = day.files.filter((file) => file.events >= 100).length;
    expect(small / day.files.length).toBeGreaterThan(0.6);
    expect(large).toBeGreaterThan(0);
  });

  it('writes the same bytes for the same seed', async () => {
    const again = await generateOrganizationDay({ dir: join(root, 'b'), day: DAY, files: 400, seed: 11 });
    expect(again.files).toEqual(day.files);
    for (const file of day.files.slice(0, 5)) {
      expect((await readFile(join(root, 'b', file.key))).equals(await readFile(join(root, 'a', file.key)))).toBe(true);
    }
  });
});
