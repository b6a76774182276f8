#!/usr/bin/env node
// @ts-check
/**
 * Copies DuckDB's Node packages, with the native binding for the Lambda's architecture, into a
 * bundle's node_modules. Runs as the afterBundling hook of the DuckDB functions (plain Node, no
 * TypeScript loader, because CDK runs hooks as shell commands).
 *
 *   node infra/bundling/stage-duckdb.mjs --arch arm64|x86_64 --out <bundle dir> [--project <root>]
 *   node infra/bundling/stage-duckdb.mjs --arch arm64 --prefetch    (fill the cache, e.g. before going offline)
 *
 * The binding for the build machine's own platform is in node_modules already; the other one is
 * fetched once from the npm registry with `npm pack`, checked against the integrity recorded in
 * package-lock.json, and kept in node_modules/.cache/opslake-duckdb/ for later builds.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ELF `e_machine` of each Lambda architecture. */
const ELF_MACHINE = { arm64: 0xb7, x86_64: 0x3e };
/** Node's `process.arch` for each Lambda architecture. */
const NODE_ARCH = { arm64: 'arm64', x86_64: 'x64' };
/** What the bundle needs at run time: the API, its loader, and the loader's libc probe. */
const JS_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', 'detect-libc'];
/** Left out of the bundle: nothing at run time reads them. */
const SKIPPED = /(\.d\.ts|\.map|\.md)$/;

function parseArgs(argv) {
  const args = { arch: '', out: '', prefetch: false, project: resolve(dirname(fileURLToPath(import.meta.url)), '..', '..') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--prefetch') {
      args.prefetch = true;
      i -= 1;
      continue;
    }
    if (value === undefined) fail(`missing value after ${flag}`);
    if (flag === '--arch') args.arch = value;
    else if (flag === '--out') args.out = resolve(value);
    else if (flag === '--project') args.project = resolve(value);
    else fail(`unknown option ${flag}`);
  }
  if (!(args.arch in ELF_MACHINE)) fail('--arch must be arm64 or x86_64');
  if (!args.out && !args.prefetch) fail('--out is required');
  return /** @type {{ arch: 'arm64' | 'x86_64', out: string, prefetch: boolean, project: string }} */ (args);
}

class StageError extends Error {}

/** @returns {never} */
function fail(message) {
  throw new StageError(message);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function copyPackage(from, to) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, dereference: true, filter: (source) => !SKIPPED.test(source) });
}

/** The platform package in a folder: from node_modules when it is the right version, else the cache. */
function platformPackageDir(project, name, version) {
  const installed = join(project, 'node_modules', name);
  if (existsSync(join(installed, 'package.json')) && readJson(join(installed, 'package.json')).version === version) {
    return installed;
  }
  const cached = join(project, 'node_modules', '.cache', 'opslake-duckdb', `${name.replace('/', '+')}@${version}`);
  if (existsSync(join(cached, 'package.json'))) return cached;
  fetchIntoCache(project, name, version, cached);
  return cached;
}

function fetchIntoCache(project, name, version, cached) {
  const expected = lockedIntegrity(project, name, version);
  const work = mkdtempSync(join(tmpdir(), 'opslake-duckdb-'));
  try {
    process.stderr.write(`stage-duckdb: fetching ${name}@${version} from the npm registry (once; cached in ${cached})\n`);
    let packed;
    try {
      packed = execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', work, '--json', '--silent'], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    } catch (error) {
      fail(
        `could not fetch ${name}@${version} from the npm registry (${error instanceof Error ? error.message.split('\n')[0] : error}). ` +
          "Build once where the registry is reachable (the package is then cached), or build for this machine's own architecture (-c opslake:arch=...).",
      );
    }
    const [info] = JSON.parse(packed);
    const tarball = join(work, info.filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (expected && actual !== expected) {
      fail(`${name}@${version}: the downloaded tarball's integrity ${actual} is not the ${expected} recorded in package-lock.json`);
    }
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked], { stdio: 'inherit' });
    mkdirSync(dirname(cached), { recursive: true });
    // Renamed into place whole, so an interrupted fetch never leaves a half-filled cache entry.
    // Two builds may fetch at once: the one that renames second finds the entry there and uses it.
    try {
      renameSync(join(unpacked, 'package'), cached);
    } catch (error) {
      if (!existsSync(join(cached, 'package.json'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function lockedIntegrity(project, name, version) {
  const lockPath = join(project, 'package-lock.json');
  if (!existsSync(lockPath)) return undefined;
  const entry = readJson(lockPath).packages?.[`node_modules/${name}`];
  return entry?.version === version ? entry.integrity : undefined;
}

/** Fails unless every native library in the package is an ELF file for the target machine. */
function checkNativeArch(dir, arch) {
  const natives = readdirSync(dir).filter((file) => file.endsWith('.node') || file.endsWith('.so'));
  if (natives.length === 0) fail(`no native library in ${dir}`);
  for (const file of natives) {
    const header = readFileSync(join(dir, file)).subarray(0, 20);
    const isElf = header.readUInt32BE(0) === 0x7f454c46;
    if (!isElf || header.readUInt16LE(18) !== ELF_MACHINE[arch]) fail(`${join(dir, file)} is not a Linux ${arch} library`);
  }
}

function main() {
  const { arch, out, prefetch, project } = parseArgs(process.argv.slice(2));
  const modules = join(project, 'node_modules');
  const bindingsVersion = readJson(join(modules, '@duckdb', 'node-bindings', 'package.json')).version;
  const platformName = `@duckdb/node-bindings-linux-${NODE_ARCH[arch]}`;
  if (prefetch) {
    checkNativeArch(platformPackageDir(project, platformName, bindingsVersion), arch);
    return;
  }
  for (const name of JS_PACKAGES) copyPackage(join(modules, name), join(out, 'node_modules', name));
  const target = join(out, 'node_modules', platformName);
  copyPackage(platformPackageDir(project, platformName, bindingsVersion), target);
  checkNativeArch(target, arch);
}

try {
  main();
} catch (error) {
  if (!(error instanceof StageError)) throw error;
  process.stderr.write(`stage-duckdb: ${error.message}\n`);
  process.exitCode = 1;
}
