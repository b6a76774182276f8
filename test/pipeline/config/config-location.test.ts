import { describe, expect, it } from 'vitest';
import { ConfigLocation, describeType, quote } from '../../../pipeline/config/config-location.js';
import { ConfigError } from '../../../pipeline/errors.js';

describe('ConfigLocation', () => {
  it('names a whole parameter by itself', () => {
    expect(new ConfigLocation('/opslake/clusters/analytics').toString()).toBe('/opslake/clusters/analytics');
  });

  it('names a place inside a file as a path of keys and indexes', () => {
    const at = new ConfigLocation('opslake.yaml').key('clusters').index(1).key('tables').index(2);
    expect(at.toString()).toBe('opslake.yaml: clusters[1].tables[2]');
  });

  it('names a field of an SSM document after the parameter', () => {
    expect(new ConfigLocation('/opslake/clusters/analytics').key('tables').index(2).toString()).toBe(
      '/opslake/clusters/analytics: tables[2]',
    );
  });

  it('quotes a key that is not a plain word, so the name stays on one line', () => {
    const at = new ConfigLocation('opslake.yaml').key('clusters').index(0).key('a.b\nc');
    expect(at.toString()).toBe('opslake.yaml: clusters[0]["a.b\\nc"]');
  });

  it('does not change the location it extends', () => {
    const root = new ConfigLocation('opslake.yaml');
    root.key('lake');
    expect(root.toString()).toBe('opslake.yaml');
  });

  it('builds a ConfigError whose parameter is the location', () => {
    const error = new ConfigLocation('opslake.yaml').key('lake').error('is empty');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.parameter).toBe('opslake.yaml: lake');
    expect(error.message).toBe('opslake.yaml: lake: is empty');
  });
});

describe('quote', () => {
  it('escapes control characters and cuts long values', () => {
    expect(quote('a\u0000b')).toBe('"a\\u0000b"');
    expect(quote('x'.repeat(100))).toBe(`"${'x'.repeat(80)}..."`);
  });
});

describe('describeType', () => {
  it.each([
    [null, 'null'],
    [[1], 'a list'],
    ['s', 'a string'],
    [3, 'a whole number'],
    [3.5, 'a number'],
    [true, 'a boolean'],
    [{}, 'an object'],
    [new Uint8Array(1), 'binary data'],
  ])('describes %j as %s', (value, expected) => {
    expect(describeType(value)).toBe(expected);
  });
});
