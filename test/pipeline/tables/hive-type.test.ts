import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../../pipeline/errors.js';
import { duckDbTypeText, hiveTypeText, parseHiveType, trinoTypeText } from '../../../pipeline/tables/hive-type.js';

describe('parseHiveType', () => {
  it('reads nested DDL types in any case and spacing, names lower-cased as Hive keeps them', () => {
    const type = parseHiveType('STRUCT< Type:STRING, sessionIssuer: STRUCT<arn:string>, tags: map<string,string>, list: ARRAY<STRING> >');
    expect(type).toEqual({
      kind: 'struct',
      fields: [
        { name: 'type', type: { kind: 'string' } },
        { name: 'sessionissuer', type: { kind: 'struct', fields: [{ name: 'arn', type: { kind: 'string' } }] } },
        { name: 'tags', type: { kind: 'map', key: { kind: 'string' }, value: { kind: 'string' } } },
        { name: 'list', type: { kind: 'array', element: { kind: 'string' } } },
      ],
    });
  });

  it('prints each engine its own spelling of the same type', () => {
    const type = parseHiveType('array<struct<arn:string,attributes:map<string,string>>>');
    expect(hiveTypeText(type)).toBe('array<struct<arn:string,attributes:map<string,string>>>');
    expect(trinoTypeText(type)).toBe('array(row("arn" varchar,"attributes" map(varchar,varchar)))');
    expect(duckDbTypeText(type)).toBe('STRUCT("arn" VARCHAR, "attributes" MAP(VARCHAR, VARCHAR))[]');
  });

  it('refuses types it does not know, unbalanced brackets and trailing text', () => {
    for (const bad of ['int', 'struct<a:string', 'array<string>>', 'struct<a string>', 'map<string>']) {
      expect(() => parseHiveType(bad), bad).toThrow(InvalidIdentifierError);
    }
  });
});
