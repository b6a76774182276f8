import { describe, expect, it } from 'vitest';
import { escapeStlText, QUERYTXT_LENGTH, stlQueryTxt, stlTextChunks } from '../../../../pipeline/simulators/redshift/stl-text.js';

describe('escapeStlText', () => {
  it('stores a newline as the two characters \\n and a backslash doubled', () => {
    expect(escapeStlText("select 'a\\b'\nfrom t")).toBe("select 'a\\\\b'\\nfrom t");
  });

  it('drops carriage returns', () => {
    expect(escapeStlText('select 1\r\nfrom t')).toBe('select 1\\nfrom t');
  });
});

describe('stlTextChunks', () => {
  it('cuts the escaped text into 200-character pieces, the last one short', () => {
    const text = `${'x'.repeat(199)}\n${'y'.repeat(150)}`;
    const chunks = stlTextChunks(text);
    expect(chunks.map((chunk) => chunk.length)).toEqual([200, 151]);
    // The escape straddles the boundary: the backslash ends piece 0, the n opens piece 1.
    expect(chunks[0]?.endsWith('\\')).toBe(true);
    expect(chunks[1]?.startsWith('n')).toBe(true);
    expect(chunks.join('')).toBe(escapeStlText(text));
  });

  it('keeps real spaces at the end of a full piece', () => {
    const chunks = stlTextChunks(`${'a'.repeat(195)}     from t`);
    expect(chunks[0]).toBe(`${'a'.repeat(195)}     `);
  });

  it('gives one empty piece for an empty statement', () => {
    expect(stlTextChunks('')).toEqual(['']);
  });
});

describe('stlQueryTxt', () => {
  it('cuts the escaped text after 4000 characters', () => {
    const text = 'select 1,\n'.repeat(500);
    expect(stlQueryTxt(text)).toHaveLength(QUERYTXT_LENGTH);
    expect(stlQueryTxt(text)).toBe(escapeStlText(text).slice(0, 4000));
    expect(stlQueryTxt('select 1')).toBe('select 1');
  });
});
