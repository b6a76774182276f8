import { createHash } from 'node:crypto';

/**
 * Groups statements that differ only in literals: comments dropped, string and numeric literals
 * replaced by `?`, lists of them collapsed, whitespace collapsed, lower case. Pure and stable:
 * the fingerprint of a statement never changes between runs or versions of the data.
 */
export function normalizeStatement(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$."])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w$])/gi, '?')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)')
    .replace(/\s*([,;=<>])\s*/g, '$1')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/;+$/, '')
    .trim();
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** First 16 hex digits of the sha256 of the normalised statement. */
export function fingerprint(sql: string): string {
  return sha256Hex(normalizeStatement(sql)).slice(0, 16);
}
