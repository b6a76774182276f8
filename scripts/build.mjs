#!/usr/bin/env node
// Bundles the CLI into dist/opslake.mjs (dependencies stay in node_modules), so that an
// installed package runs without tsx: `node dist/opslake.mjs <command>`.
import { build } from 'esbuild';

await build({
  entryPoints: { opslake: 'jobs/cli/entry.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'info',
});
