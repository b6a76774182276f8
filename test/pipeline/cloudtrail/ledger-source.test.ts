import { describe, expect, it } from 'vitest';
import { ledgerSourceName } from '../../../pipeline/cloudtrail/ledger-source.js';

describe('ledgerSourceName', () => {
  it('names an S3 source by its bucket, and a folder by its location', () => {
    expect(ledgerSourceName({ location: 's3://my-trail/' })).toBe('my-trail');
    expect(ledgerSourceName({ location: 's3://my-trail/under/prefix/' })).toBe('my-trail/under/prefix');
    expect(ledgerSourceName({ location: '/home/me/trail/' })).toBe('/home/me/trail/');
  });
});
