import { describe, expect, it } from 'vitest';
import { isClosedDay, isRecorded, ledgerEntryOf } from '../../../pipeline/cloudtrail/recorded-ingestion.js';
import { ledgerEntry, trailKey } from '../state/ingestion-ledger-contract.js';

describe('isRecorded', () => {
  const key = trailKey('2026-03-01', 1);
  const entry = ledgerEntry(key, { size: 10, etag: 'e1' });

  it('takes an entry as done when size and ETag match where both are known', () => {
    expect(isRecorded(entry, { key, size: 10, etag: 'e1' })).toBe(true);
    expect(isRecorded(entry, { key })).toBe(true);
    expect(isRecorded(ledgerEntry(key, { size: 10, etag: undefined }), { key, size: 10, etag: 'e9' })).toBe(true);
  });

  it('does an input again when it has no entry, or another size or ETag (the object was replaced)', () => {
    expect(isRecorded(undefined, { key, size: 10 })).toBe(false);
    expect(isRecorded(entry, { key, size: 11, etag: 'e1' })).toBe(false);
    expect(isRecorded(entry, { key, size: 10, etag: 'e2' })).toBe(false);
  });
});

describe('isClosedDay', () => {
  it('closes a day once its end plus the lateness has passed', () => {
    expect(isClosedDay('2026-03-01', new Date('2026-03-02T01:59:59Z'), 120)).toBe(false);
    expect(isClosedDay('2026-03-01', new Date('2026-03-02T02:00:00Z'), 120)).toBe(true);
    expect(isClosedDay('not-a-day', new Date('2030-01-01T00:00:00Z'), 120)).toBe(false);
  });
});

describe('ledgerEntryOf', () => {
  it('keeps a quarantined input with its reason, and a digest as digest', () => {
    const key = trailKey('2026-03-01', 2);
    expect(
      ledgerEntryOf(
        'bucket',
        { key, size: 5, etag: 'x' },
        { status: 'quarantined', key, reason: 'truncated', message: 'cut', quarantineKey: 'q', bytesRead: 3 },
        '2026-03-02T00:00:00.000Z',
      ),
    ).toMatchObject({ status: 'quarantined', reason: 'truncated', message: 'cut', size: 5, etag: 'x', day: '2026-03-01', events: 0 });
    expect(ledgerEntryOf('bucket', { key }, { status: 'skipped', key, reason: 'digest' }, '2026-03-02T00:00:00.000Z')).toMatchObject({
      status: 'digest',
      size: 0,
    });
  });
});
