import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import type { ConfigSource } from '../ports/config-source.js';
import type { OpslakeConfig } from './opslake-config.js';
import { validateConfig, type Environment } from './validate-config.js';

export interface FileConfigSourceOptions {
  /**
   * Where `passwordEnv` names are looked up. Default: empty, so a configuration that names a
   * password variable fails until the caller (the CLI) passes its environment.
   */
  readonly env?: Environment;
}

type Format = 'yaml' | 'json';

const FORMATS: Readonly<Record<string, Format>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/** YAML error codes whose messages are fixed sentences; the others quote the source text. */
const QUOTABLE_YAML_ERRORS: ReadonlySet<string> = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'BLOCK_IN_FLOW',
  'DUPLICATE_KEY',
  'KEY_OVER_1024_CHARS',
  'MISSING_CHAR',
  'MULTILINE_IMPLICIT_KEY',
  'MULTIPLE_ANCHORS',
  'MULTIPLE_DOCS',
  'MULTIPLE_TAGS',
  'TAB_AS_INDENT',
]);

/**
 * Reads the local configuration, `opslake.yaml` (or a `.json` file of the same shape). Relative
 * paths inside it (lake, state, catalog, pglite) resolve against the file's own folder, so the
 * file works from whatever directory the CLI is started in.
 */
export class FileConfigSource implements ConfigSource {
  readonly #path: string;
  readonly #env: Environment;

  constructor(path: string, options: FileConfigSourceOptions = {}) {
    this.#path = path;
    this.#env = options.env ?? {};
  }

  async load(): Promise<OpslakeConfig> {
    const absolute = resolve(this.#path);
    const format = FORMATS[extname(absolute).toLowerCase()];
    if (format === undefined) {
      throw new ConfigError(this.#path, 'is neither YAML nor JSON; name the file with .yaml, .yml or .json');
    }
    const text = await this.#read(absolute);
    const raw = format === 'yaml' ? this.#parseYaml(text) : this.#parseJson(text);
    return validateConfig(raw, { source: this.#path, baseDir: dirname(absolute), env: this.#env });
  }

  async #read(absolute: string): Promise<string> {
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new ConfigError(
          this.#path,
          `no configuration file at ${absolute}; "opslake demo --dir <folder>" writes a working <folder>/opslake.yaml to start from`,
          { cause: error },
        );
      }
      if (code === 'EISDIR')
        throw new ConfigError(this.#path, `${absolute} is a folder; give the path of the opslake.yaml file inside it`, { cause: error });
      throw new ConfigError(this.#path, `cannot read ${absolute} (${code ?? 'unknown error'}); check that it exists and is readable`, {
        cause: error,
      });
    }
  }

  // Parser errors are reported by position only and without their cause: the parsers quote the
  // offending source text, and that text could be a password written where it does not belong.
  #parseYaml(text: string): unknown {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    const [first] = document.errors;
    if (first !== undefined) {
      const { line, col } = lineCounter.linePos(first.pos[0]);
      const what = QUOTABLE_YAML_ERRORS.has(first.code) ? first.message : `unexpected text (${first.code})`;
      throw new ConfigError(`${this.#path}:${line}`, `YAML syntax error at line ${line}, column ${col}: ${what}`);
    }
    try {
      return document.toJS({ maxAliasCount: 100 });
    } catch {
      // Raised for an alias with no anchor and for aliases that expand too far (a "billion
      // laughs" document); the parser's message quotes the alias text, so it is not passed on.
      throw new ConfigError(
        this.#path,
        'YAML aliases cannot be resolved: an alias (*name) refers to no anchor (&name) before it, or they expand too far; ' +
          'write the values out',
      );
    }
  }

  #parseJson(text: string): unknown {
    try {
      return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    } catch (error) {
      const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
      if (position === undefined) throw new ConfigError(this.#path, 'is not valid JSON; check for a missing comma, quote or bracket');
      const before = text.slice(0, Number(position));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      throw new ConfigError(`${this.#path}:${line}`, `JSON syntax error at line ${line}, column ${column}`);
    }
  }
}
