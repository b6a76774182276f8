import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReportCommand } from '../../../jobs/cli/commands/report-command.js';
import { buildSmallLake, SMALL_LAKE } from '../../pipeline/catalog/small-lake.js';

let root: string;
let config: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-report-command-'));
  await buildSmallLake(join(root, 'lake'));
  config = join(root, 'opslake.yaml');
  await writeFile(config, 'lake: ./lake\nclusters: []\n', 'utf8');
});

afterAll(async () => rm(root, { recursive: true, force: true }));

async function opslake(...args: string[]): Promise<string> {
  const stdout = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  const program = new Command('opslake').exitOverride();
  registerReportCommand(program, { stdout });
  await program.parseAsync(['report', ...args], { from: 'user' });
  return out.join('');
}

describe('opslake report', () => {
  it('writes report.html beside the config file by default and prints its path', async () => {
    const printed = await opslake('--config', config);
    const out = join(root, 'report.html');
    expect(existsSync(out)).toBe(true);
    expect(printed).toContain(`Report for 2024-02-28 to ${SMALL_LAKE.days[1]}: `);
    expect(printed.trim().endsWith('report.html')).toBe(true);
    expect(await readFile(out, 'utf8')).toContain('Statements per hour and cluster');
  });

  it('writes where --out says, over the days asked for', async () => {
    const out = join(root, 'elsewhere', 'r.html');
    const printed = await opslake('--config', config, '--out', out, '--days', '1');
    expect(printed).toContain(`Report for ${SMALL_LAKE.days[1]} to ${SMALL_LAKE.days[1]}`);
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a number of days that is not a positive whole number', async () => {
    await expect(opslake('--config', config, '--days', '0')).rejects.toThrow(/a whole number of days/);
  });
});
