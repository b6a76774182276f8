import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FileConfigSource } from '../../../pipeline/config/file-config-source.js';
import type { OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { validateConfig } from '../../../pipeline/config/validate-config.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { useTempFolders } from '../../harness/temp-folders.js';
import {
  applyMutation,
  expectRefusalNames,
  expectSafeConfig,
  isSafeDatabase,
  isSafeDbUser,
  isSafeName,
  type Mutation,
  mutation,
  PASSWORD,
  validDocument,
} from './config-fuzz-support.js';

/**
 * Fuzzes the configuration loader (issue 11, 4c): valid documents with one field replaced by a
 * value of any type, removed or added, as plain data and as YAML files; and YAML texts cut and
 * spliced at random. Whatever the input, the loader either refuses it with a ConfigError that
 * names the parameter, or returns a configuration whose every name and path matches its pattern.
 * Seeds are fixed so a failure reproduces; a failing seed's case goes into the regression list.
 */

const SOURCE = 'opslake.yaml';
const env = { FUZZ_PASSWORD: PASSWORD };

type Outcome = { config: OpslakeConfig } | { error: unknown };

function outcome(load: () => OpslakeConfig): Outcome {
  try {
    return { config: load() };
  } catch (error) {
    return { error };
  }
}

/** Fields with an exact rule: for these the loader must accept a value if and only if it is valid. */
function exactRule(document: Record<string, unknown>, { path, value }: Mutation): boolean | undefined {
  if (value === undefined) return undefined;
  const [top, position, key] = path;
  if (top === 'clusters' && typeof position === 'number' && typeof key === 'string' && path.length === 3) {
    const clusters = document.clusters as Array<Record<string, unknown>>;
    const target = clusters[position];
    if (target === undefined) return undefined;
    const others = clusters.filter((_, index) => index !== position).map((entry) => entry.name);
    const provisioned = target.kind === 'provisioned';
    if (key === 'name') return isSafeName(value) && !others.includes(value);
    if (key === 'database') return isSafeDatabase(value);
    if (key === 'clusterIdentifier') return provisioned && isSafeName(value);
    if (key === 'workgroupName') return !provisioned && isSafeName(value);
    if (key === 'dbUser') return provisioned && target.secretArn === undefined && isSafeDbUser(value);
    if (key === 'enabled') return typeof value === 'boolean';
    return undefined;
  }
  if (top === 'export' && typeof position === 'string' && path.length === 2) {
    const ranges: Record<string, [number, number]> = { slotMinutes: [5, 1440], latenessMinutes: [0, 1440], concurrency: [1, 32] };
    const range = ranges[position];
    if (range === undefined) return false;
    const inRange = typeof value === 'number' && Number.isInteger(value) && value >= range[0] && value <= range[1];
    return inRange && (position !== 'slotMinutes' || 1440 % value === 0);
  }
  return undefined;
}

function check(document: Record<string, unknown>, change: Mutation, result: Outcome): void {
  const valid = exactRule(document, change);
  if ('config' in result) {
    expectSafeConfig(result.config);
    if (valid === false) expect.fail(`accepted ${JSON.stringify(change)}`);
    return;
  }
  expectRefusalNames(result.error, SOURCE, change.path);
  if (valid === true) expect.fail(`refused a valid ${JSON.stringify(change)}: ${String(result.error)}`);
}

const mutated = validDocument.chain((document) => mutation(document).map((change) => ({ document, change })));

const folder = useTempFolders('opslake-config-fuzz-');

describe('configuration fuzzing', () => {
  it('every valid generated document loads and is safe', () => {
    fc.assert(
      fc.property(validDocument, (document) => {
        expectSafeConfig(validateConfig(document, { source: SOURCE, env }));
      }),
      { seed: 11_401, numRuns: 300 },
    );
  });

  it('one field replaced, removed or added: refused naming it, or accepted and safe (plain data)', () => {
    fc.assert(
      fc.property(mutated, ({ document, change }) => {
        check(
          document,
          change,
          outcome(() => validateConfig(applyMutation(document, change), { source: SOURCE, env })),
        );
      }),
      { seed: 11_402, numRuns: 3_000 },
    );
  });

  it('the same through opslake.yaml files read by FileConfigSource', async () => {
    const dir = folder();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    let written = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async ({ document, change }) => {
        written += 1;
        const path = join(dir, `case-${written}.yaml`);
        await writeFile(path, stringify(applyMutation(document, change)));
        const source = new FileConfigSource(path, { env });
        const result = await source.load().then(
          (config): Outcome => ({ config }),
          (error: unknown): Outcome => ({ error }),
        );
        // YAML may turn a value into another (a string of digits stays a string, a lone
        // surrogate does not survive), so only the weaker property holds: named refusal or safe.
        if ('config' in result) expectSafeConfig(result.config);
        else expectRefusalNames(result.error, path, change.path);
      }),
      { seed: 11_403, numRuns: 300 },
    );
  });

  it('YAML text cut, spliced and garbled: a ConfigError or a safe configuration, nothing else', async () => {
    const dir = folder();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const garbled = validDocument.chain((document) => {
      const text = stringify(document);
      return fc.record({
        text: fc.constant(text),
        cut: fc.nat({ max: text.length }),
        insert: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 8 }),
          fc.constantFrom('*a', '&a ', '!!binary ', '!!js/function ', '<<: *x', '\t', ':', '- ', '{', '"', "'", '\uFEFF', '#'),
        ),
        drop: fc.nat({ max: 20 }),
      });
    });
    let written = 0;
    await fc.assert(
      fc.asyncProperty(garbled, async ({ text, cut, insert, drop }) => {
        written += 1;
        const path = join(dir, `garbled-${written}.yaml`);
        await writeFile(path, `${text.slice(0, cut)}${insert}${text.slice(cut + drop)}`);
        const result = await new FileConfigSource(path, { env }).load().then(
          (config): Outcome => ({ config }),
          (error: unknown): Outcome => ({ error }),
        );
        if ('config' in result) expectSafeConfig(result.config);
        else if (!(result.error instanceof ConfigError)) throw result.error;
      }),
      { seed: 11_404, numRuns: 300 },
    );
  });

  describe('regressions found by the fuzzer', () => {
    it('seed 11402: a name given as an object without a prototype is a ConfigError, not a TypeError', () => {
      const document = { clusters: [{ name: Object.create(null), kind: 'serverless' }] };
      const error = outcome(() => validateConfig(document, { source: SOURCE }));
      expect('error' in error && error.error).toBeInstanceOf(ConfigError);
      expectRefusalNames('error' in error ? error.error : undefined, SOURCE, ['clusters', 0, 'name']);
    });

    it('seed 11404: an alias with no anchor is a ConfigError that does not quote the text around it', async () => {
      const dir = folder();
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'alias.yaml');
      await writeFile(path, `clusters:\n  - name: a\n    kind: serverless\n    tables: *${PASSWORD}\n`);
      const error: unknown = await new FileConfigSource(path).load().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).not.toContain(PASSWORD.slice(0, 8));
    });
  });

  it('a YAML alias bomb is refused rather than expanded', async () => {
    const dir = folder();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = `*a${level - 1}`;
      lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => previous).join(', ')}]`);
    }
    const path = join(dir, 'bomb.yaml');
    await writeFile(path, `${lines.join('\n')}\nclusters: *a8\n`);
    await expect(new FileConfigSource(path).load()).rejects.toBeInstanceOf(ConfigError);
  });
});
