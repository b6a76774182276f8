import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../jobs/cli/main.js';
import { createSimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { exportUserSql, type SimulatedExportUser } from '../../../pipeline/simulators/redshift/user-access-sql.js';
import { captureOutput } from '../../harness/capture-output.js';

/**
 * A source whose export user sees only its own rows is said, with the grant it needs, by
 * `opslake export` and `opslake status`; a superuser's or a user with the grant is not. The
 * simulated cluster tells what its user may see through svv_user_info and svv_user_grants.
 */

const run = (...argv: string[]) => captureOutput(() => main(argv));

let work: string;
let config: string;
let dataDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'opslake-access-'));
  dataDir = join(work, 'analytics');
  const sim = await createSimulatedCluster({
    name: 'analytics',
    profile: 'analytics',
    seed: 5,
    start: new Date('2026-11-20T12:20:00Z'),
    historyHours: 2,
    dataDir,
  });
  await sim.close();
  config = join(work, 'opslake.yaml');
  const yaml = [
    `lake: ${join(work, 'lake')}`,
    `state: ${join(work, 'state')}`,
    'clusters:',
    '  - name: analytics',
    '    kind: provisioned',
    '    dbUser: opslake',
    '    views: stl',
    '    tables: [stl_query]',
    `    pglite: ${dataDir}`,
  ];
  await writeFile(config, `${yaml.join('\n')}\n`);
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function exportAs(user: SimulatedExportUser): Promise<{ export: string; status: string; json: string }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  try {
    await db.exec(exportUserSql(user));
  } finally {
    await db.close();
  }
  const exported = await run('export', '--config', config);
  expect(exported.result, exported.stderr).toBe(0);
  const status = await run('status', '--config', config);
  const json = await run('status', '--config', config, '--json');
  return { export: exported.stdout, status: status.stdout, json: json.stdout };
}

describe('opslake status and export on what the export user may see', () => {
  it('warns, naming both grants, when the user sees only its own statements', async () => {
    const out = await exportAs({ superuser: false });
    const grant =
      /the export sees only \S+'s own statements .*grant ALTER USER \S+ SYSLOG ACCESS UNRESTRICTED; or GRANT ROLE sys:monitor TO \S+;/;
    expect(out.export).toMatch(new RegExp(`WARNING analytics: ${grant.source}`));
    expect(out.status).toMatch(new RegExp(`Access:\\n {2}WARNING analytics: ${grant.source}`));
    const [source] = (JSON.parse(out.json) as { sources: Array<{ access: { level: string }; warning: string | null }> }).sources;
    expect(source?.access.level).toBe('own-rows');
    expect(source?.warning).toMatch(grant);
  }, 120_000);

  it('says nothing once the user has sys:monitor, or is a superuser', async () => {
    for (const user of [{ superuser: false, roles: ['sys:monitor'] }, { superuser: true }]) {
      const out = await exportAs(user);
      expect(out.export).not.toContain('WARNING');
      expect(out.status).not.toContain('WARNING');
      const [source] = (JSON.parse(out.json) as { sources: Array<{ access: { level: string }; warning: string | null }> }).sources;
      expect(source?.access.level).toBe(user.superuser ? 'superuser' : 'unrestricted');
      expect(source?.warning).toBeNull();
    }
  }, 240_000);
});
