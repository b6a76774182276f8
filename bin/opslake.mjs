#!/usr/bin/env node
// Runs the TypeScript CLI directly from a checkout (tsx), so `npm start` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../jobs/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
