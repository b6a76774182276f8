import { describe, expect, it } from 'vitest';
import { fingerprint, normalizeStatement } from '../../../pipeline/redshift/fingerprint.js';

describe('fingerprint', () => {
  it('groups statements that differ only in literals, case and whitespace', () => {
    const a = "SELECT * FROM sales WHERE region = 'EU' AND qty > 10";
    const b = "select *\n  from sales\twhere region='US' and qty>250";
    expect(normalizeStatement(a)).toBe('select * from sales where region=? and qty>?');
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('separates statements of different shape', () => {
    expect(fingerprint('select a from t1')).not.toBe(fingerprint('select b from t1'));
    expect(fingerprint('select a from t1')).not.toBe(fingerprint('select a from t2'));
  });

  it('collapses IN lists, drops comments, keeps digits inside identifiers', () => {
    expect(normalizeStatement("select c2 from t_2020 -- daily\nwhere id in (1, 2, 3) /* x */ and s = 'it''s';")).toBe(
      'select c2 from t_2020 where id in(?) and s=?',
    );
  });

  it('is stable: a known statement keeps its known fingerprint', () => {
    expect(fingerprint('SELECT 1')).toBe('e1c71d1661ae46e0');
  });
});
