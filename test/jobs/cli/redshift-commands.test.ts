import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../jobs/cli/main.js';
import { dialectTables } from '../../../pipeline/tables/registry.js';
import { captureOutput } from '../../harness/capture-output.js';
import { lakeFiles } from '../../harness/export-harness.js';

/** The demo simulates and exports four sources and a trail: minutes on a shared machine, not the default two. */
const DEMO_TIMEOUT_MS = 600_000;

let work: string;
const run = (...argv: string[]) => captureOutput(() => main(argv));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'opslake-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('opslake demo, export and status', () => {
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = join(work, 'demo');
    config = join(dir, 'opslake.yaml');
    const demo = await run('demo', '--dir', dir, '--history-hours', '3');
    expect(demo.result, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Lake:');
    expect(demo.stdout).toMatch(/Compaction: \d+ partition\(s\) compacted, \d+ unchanged, 0 planned, 0 failed/);
    for (const cluster of ['analytics', 'etl']) {
      for (const table of dialectTables('stl')) expect(demo.stdout).toMatch(new RegExp(`${cluster}\\s+${table}\\s+[\\d,]+`));
    }
    for (const [cluster, kind] of [
      ['bi', 'serverless'],
      ['warehouse', 'provisioned'],
    ] as const) {
      for (const table of dialectTables('sys', kind)) expect(demo.stdout).toMatch(new RegExp(`${cluster}\\s+${table}\\s+[\\d,]+`));
      expect(demo.stdout).not.toMatch(new RegExp(`${cluster}\\s+stl_`));
    }
    expect(demo.stdout).toContain('bi: SYS views (a Serverless workgroup has only the SYS views)');
    expect(demo.stdout).toMatch(/warehouse: SYS views \(stl_query is refused \(permission denied for relation stl_query\)/);
    expect(demo.stdout).toContain('analytics: STL views (stl_query can be read)');
  }, DEMO_TIMEOUT_MS);

  it('leaves a config file that points at the clusters, lake and state it made', async () => {
    const text = await readFile(config, 'utf8');
    expect(text).toContain('pglite: ./clusters/analytics');
    expect(existsSync(join(dir, 'clusters', 'etl'))).toBe(true);
    const files = [...(await lakeFiles(join(dir, 'lake'))).keys()];
    expect(files.some((key) => key.startsWith('redshift/stl_query/cluster=analytics/day='))).toBe(true);
    expect(files.some((key) => key.startsWith('redshift/query_text/cluster=etl/day='))).toBe(true);
  });

  it('shows watermarks per cluster and table with opslake status', async () => {
    const status = await run('status', '--config', config);
    expect(status.result).toBe(0);
    expect(status.stdout).toMatch(/analytics\s+stl_scan\s+\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(status.stdout.split('\n').filter((line) => /^(analytics|etl)\s/.test(line))).toHaveLength(2 * dialectTables('stl').length);
  });

  it('shows how each source is read and why: auto picks SYS for the Multi-AZ cluster and the workgroup, STL for the others', async () => {
    const status = await run('status', '--config', config);
    const sources = status.stdout.split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(sources[0]).toMatch(/^ {2}source\s+kind\s+views\s+read through\s+why$/);
    expect(sources).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ {2}analytics\s+provisioned\s+auto\s+STL views\s+stl_query can be read \(probed \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
        ),
        expect.stringMatching(/^ {2}etl\s+provisioned\s+auto\s+STL views\s+stl_query can be read/),
        expect.stringMatching(/^ {2}bi\s+serverless\s+auto\s+SYS views\s+a Serverless workgroup has only the SYS views$/),
        expect.stringMatching(
          /^ {2}warehouse\s+provisioned\s+auto\s+SYS views\s+stl_query is refused \(permission denied for relation stl_query\), as on/,
        ),
      ]),
    );
    expect(status.stdout.split('\n').filter((line) => /^warehouse\s/.test(line))).toHaveLength(dialectTables('sys', 'provisioned').length);
    expect(status.stdout.split('\n').filter((line) => /^bi\s/.test(line))).toHaveLength(dialectTables('sys', 'serverless').length);
    const json = JSON.parse((await run('status', '--config', config, '--json')).stdout) as {
      sources: Array<{ cluster: string; dialect: string }>;
      watermarks: Array<{ cluster: string; table: string }>;
    };
    expect(Object.fromEntries(json.sources.map((source) => [source.cluster, source.dialect]))).toEqual({
      analytics: 'stl',
      etl: 'stl',
      bi: 'sys',
      warehouse: 'sys',
    });
    expect(json.watermarks.some((mark) => mark.cluster === 'bi' && mark.table === 'sys_serverless_usage')).toBe(true);
  });

  it('prints the planned slots and SQL with --dry-run and writes nothing', async () => {
    const before = await lakeFiles(join(dir, 'lake'));
    const dry = await run('export', '--config', config, '--cluster', 'etl', '--table', 'stl_wlm_query', '--dry-run');
    expect(dry.result, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('# etl (cluster clock');
    expect(dry.stdout).toContain('## stl_wlm_query');
    expect(dry.stdout).toContain('CAST(:slot_start AS timestamp)');
    expect(dry.stdout).not.toContain('## stl_query');
    const after = await lakeFiles(join(dir, 'lake'));
    expect([...after.keys()]).toEqual([...before.keys()]);
  });

  it('exports again from the demo config, one cluster and table at a time', async () => {
    const again = await run('export', '--config', config, '--cluster', 'analytics', '--table', 'stl_query');
    expect(again.result, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/analytics\s+stl_query/);
    expect(again.stdout).not.toContain('etl');
  });

  it('refuses to replace a folder it did not make', async () => {
    const other = join(work, 'not-a-demo');
    await writeFile(join(work, 'keep.txt'), 'x');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(other);
    await writeFile(join(other, 'precious.txt'), 'keep me');
    const refused = await run('demo', '--dir', other);
    expect(refused.result).toBe(1);
    expect(refused.stderr).toContain('was not made by `opslake demo`');
    expect(await readFile(join(other, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

describe('opslake errors', () => {
  it('names the bad parameter, says what to do and prints no stack', async () => {
    const file = join(work, 'hostile.yaml');
    await writeFile(file, 'lake: ./lake\nstate: ./state\nclusters:\n  - name: "a; drop table x"\n    kind: provisioned\n    dbUser: u\n');
    const bad = await run('export', '--config', file);
    expect(bad.result).toBe(1);
    expect(bad.stderr).toContain('configuration error');
    expect(bad.stderr).toContain('clusters[0].name');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('says how to get a config file when there is none', async () => {
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const missing = await run('status');
      expect(missing.result).toBe(1);
      expect(missing.stderr).toContain('opslake demo');
    } finally {
      process.chdir(cwd);
    }
  });

  it('rejects a table that is not in the registry before connecting anywhere', async () => {
    const bad = await run('export', '--config', join(work, 'nowhere.yaml'), '--table', 'pg_user');
    expect(bad.result).toBe(1);
  });

  it('never shows a configured password, in output, errors or debug stacks', async () => {
    const password = 'Sup3r-S3cret-Passw0rd-%-value';
    const port = await closedPort();
    const file = join(work, 'secret.yaml');
    await writeFile(
      file,
      [
        'lake: ./secret-lake',
        'state: ./secret-state',
        'clusters:',
        '  - name: remote',
        '    kind: provisioned',
        '    dbUser: opslake',
        `    postgres: postgres://opslake@127.0.0.1:${port}/dev`,
        '    passwordEnv: OPSLAKE_TEST_PASSWORD',
      ].join('\n'),
    );
    process.env.OPSLAKE_TEST_PASSWORD = password;
    process.env.OPSLAKE_DEBUG = '1';
    try {
      for (const argv of [
        ['export', '--config', file],
        ['export', '--config', file, '--dry-run'],
        ['status', '--config', file],
      ]) {
        const output = await run(...argv);
        expect(`${output.stdout}${output.stderr}`).not.toContain(password);
        expect(`${output.stdout}${output.stderr}`).not.toContain('Sup3r');
      }
      const failed = await run('export', '--config', file);
      expect(failed.result).toBe(1);
      expect(failed.stdout).toContain('remote: FAILED');
    } finally {
      delete process.env.OPSLAKE_TEST_PASSWORD;
      delete process.env.OPSLAKE_DEBUG;
    }
  });

  it('prints help for every command', async () => {
    const help = await run('--help');
    expect(help.result).toBe(0);
    for (const command of ['demo', 'export', 'status']) expect(help.stdout).toContain(command);
    const exportHelp = await run('export', '--help');
    expect(exportHelp.stdout).toContain('--dry-run');
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
