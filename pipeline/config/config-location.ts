import { ConfigError } from '../errors.js';

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names a place in the raw configuration for error messages: the parameter (an SSM parameter
 * name or a file) and the path inside it, e.g. `opslake.yaml: clusters[1].tables[2]` or
 * `/opslake/clusters/analytics: tables[2]`. Indexes count from 0.
 */
export class ConfigLocation {
  constructor(
    readonly parameter: string,
    readonly path: readonly PathSegment[] = [],
  ) {}

  key(name: string): ConfigLocation {
    return new ConfigLocation(this.parameter, [...this.path, name]);
  }

  index(position: number): ConfigLocation {
    return new ConfigLocation(this.parameter, [...this.path, position]);
  }

  toString(): string {
    if (this.path.length === 0) return this.parameter;
    let rendered = '';
    for (const segment of this.path) {
      if (typeof segment === 'number') rendered += `[${segment}]`;
      // A key that is not a plain word (a typo with a newline in it, say) is quoted so that the
      // parameter name stays on one line and cannot be mistaken for another path.
      else if (PLAIN_KEY.test(segment)) rendered += rendered === '' ? segment : `.${segment}`;
      else rendered += `[${quote(segment)}]`;
    }
    return `${this.parameter}: ${rendered}`;
  }

  error(problem: string, options: { cause?: unknown } = {}): ConfigError {
    return new ConfigError(this.toString(), problem, options);
  }
}

/** A value quoted for a message: JSON-escaped (control characters become visible) and cut at 80 characters. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/** What a value is, in words, without showing it (it may be a secret written in the wrong place). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
