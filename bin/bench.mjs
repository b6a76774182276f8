#!/usr/bin/env node
// Runs every benchmark in bench/*.bench.ts, each in its own process so that its peak RSS is its
// own. `npm run bench -- <name>` runs the benchmark named <name>, or else every one whose file
// name contains <name>.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const matching = readdirSync(join(root, 'bench'))
  .filter((name) => name.endsWith('.bench.ts') && name.includes(filter))
  .sort();
// A name that is exactly one benchmark's runs that one only (`queries`, not `compat-queries` too).
const files = matching.includes(`${filter}.bench.ts`) ? [`${filter}.bench.ts`] : matching;
if (files.length === 0) {
  console.error(
    `no benchmark matches "${filter}"; available: ${readdirSync(join(root, 'bench'))
      .filter((n) => n.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file), ...process.argv.slice(3)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
