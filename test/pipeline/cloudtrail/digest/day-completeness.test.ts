import { describe, expect, it } from 'vitest';
import { DayCompleteness, hourOf } from '../../../../pipeline/cloudtrail/digest/day-completeness.js';
import type { DigestFile } from '../../../../pipeline/cloudtrail/digest/digest-file.js';
import { ledgerEntry, logFile } from './digest-trail-support.js';

const ACCOUNT = '111122223333';
const STREAM = ['', '', ACCOUNT, 'eu-west-1'].join('\u0000');

function digest(key: string, start: string, end: string, files: ReturnType<typeof logFile>[]): DigestFile {
  return {
    key,
    account: ACCOUNT,
    startTime: new Date(start),
    endTime: new Date(end),
    endTimeText: end,
    bucket: 'b',
    object: key,
    publicKeyFingerprint: 'f',
    previous: undefined,
    logFiles: files.map((file) => ({ bucket: 'b', key: file.key, hashValue: file.sha256 })),
    sha256: '0'.repeat(64),
  };
}

describe('DayCompleteness', () => {
  it('takes the files a digest delivered after midnight names for the day before, and leaves the next day out', () => {
    const beforeMidnight = logFile(ACCOUNT, 'eu-west-1', new Date('2026-03-01T23:40:00Z'));
    const afterMidnight = logFile(ACCOUNT, 'eu-west-1', new Date('2026-03-02T00:10:00Z'));
    const day = new DayCompleteness('2026-03-01');
    day.addDigest(digest('next-day-digest', '2026-03-01T23:30:31Z', '2026-03-02T00:30:31Z', [beforeMidnight, afterMidnight]), STREAM);
    day.addLedgerEntries([ledgerEntry('s', beforeMidnight), ledgerEntry('s', afterMidnight)]);
    expect(day.rows()).toEqual([
      expect.objectContaining({ file_key: beforeMidnight.key, status: 'verified', day: '2026-03-01', hour: '2026-03-01 23:00:00' }),
    ]);
  });

  it('keeps the latest ledger entry of a key, and leaves quarantined files no digest names out', () => {
    const named = logFile(ACCOUNT, 'eu-west-1', new Date('2026-03-01T10:10:00Z'));
    const stray = logFile(ACCOUNT, 'eu-west-1', new Date('2026-03-01T10:20:00Z'), 'stray');
    const day = new DayCompleteness('2026-03-01');
    day.addDigest(digest('d', '2026-03-01T10:00:31Z', '2026-03-01T11:00:31Z', [named]), STREAM);
    day.addLedgerEntries([
      ledgerEntry('s', named, { status: 'quarantined', sha256: undefined }),
      ledgerEntry('s', stray, { status: 'quarantined' }),
    ]);
    day.addLedgerEntries([ledgerEntry('s', named)]);
    expect(day.rows().map((row) => [row.file_key, row.status, row.finding])).toEqual([[named.key, 'verified', false]]);
  });

  it('cannot judge a file without a SHA-256 in the ledger', () => {
    const named = logFile(ACCOUNT, 'eu-west-1', new Date('2026-03-01T10:10:00Z'));
    const day = new DayCompleteness('2026-03-01');
    day.addDigest(digest('d', '2026-03-01T10:00:31Z', '2026-03-01T11:00:31Z', [named]), STREAM);
    day.addLedgerEntries([ledgerEntry('s', named, { sha256: undefined })]);
    expect(day.rows()).toEqual([expect.objectContaining({ status: 'hash-unknown', finding: false })]);
  });

  it('writes hours as UTC timestamps', () => {
    expect(hourOf(new Date('2026-03-01T09:59:59.999Z'))).toBe('2026-03-01 09:00:00');
  });
});
