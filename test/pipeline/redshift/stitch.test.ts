import { describe, expect, it } from 'vitest';
import { decodeEscapes, stitchChunks } from '../../../pipeline/redshift/stitch.js';

const pad = (text: string) => text.padEnd(200, ' ');

describe('stitchChunks', () => {
  it('trims only the padding of the last chunk', () => {
    expect(stitchChunks([pad('select 1')])).toBe('select 1');
  });

  it('keeps real spaces at the end of a full chunk that is not the last', () => {
    const first = `${'x'.repeat(195)}from `;
    expect(first).toHaveLength(200);
    expect(stitchChunks([first, pad('t')])).toBe(`${'x'.repeat(195)}from t`);
  });

  it('joins many chunks in order', () => {
    const text = Array.from({ length: 1234 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const chunks = [];
    for (let i = 0; i < text.length; i += 200) chunks.push(pad(text.slice(i, i + 200)));
    expect(chunks).toHaveLength(7);
    expect(stitchChunks(chunks)).toBe(text);
  });

  it('restores escaped newlines and backslashes, also across a chunk boundary', () => {
    const first = `${'a'.repeat(199)}\\`;
    expect(stitchChunks([first, pad('nselect 2')])).toBe(`${'a'.repeat(199)}\nselect 2`);
    expect(stitchChunks([pad("select 1\\nfrom t where x = '\\\\n'")])).toBe("select 1\nfrom t where x = '\\n'");
  });

  it('returns an empty string for no chunks and keeps an all-blank statement empty', () => {
    expect(stitchChunks([])).toBe('');
    expect(stitchChunks([pad('')])).toBe('');
  });
});

describe('decodeEscapes', () => {
  it('decodes in one left-to-right pass', () => {
    expect(decodeEscapes('a\\\\nb')).toBe('a\\nb');
    expect(decodeEscapes('a\\tb')).toBe('a\\tb');
  });
});
