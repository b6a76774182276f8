import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LambdaArch } from '../opslake-settings.js';

/** The repository root: the lock file, node_modules and the handlers' sources live under it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Node packages that are never bundled by esbuild but copied whole (native code inside). */
export const DUCKDB_EXTERNALS = ['@duckdb/node-api'];

/**
 * esbuild settings for a handler that uses DuckDB. The handler is bundled as ESM (the project is
 * ESM, and the SDK and Powertools ship ESM builds), with `require` restored for the CommonJS
 * packages that esbuild inlines. DuckDB is left external and copied into the bundle's
 * node_modules afterwards with the native binding of the target architecture, not the build
 * machine's: `stage-duckdb.mjs` fetches it when this machine does not have it.
 */
export function duckDbBundling(arch: LambdaArch): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner:
      "import { createRequire as __opslakeCreateRequire } from 'node:module'; const require = __opslakeCreateRequire(import.meta.url);",
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // The SDK is bundled (pinned by the lock file) rather than taken from the runtime.
    externalModules: DUCKDB_EXTERNALS,
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        `node ${shellQuote(join(inputDir, 'infra', 'bundling', 'stage-duckdb.mjs'))} --arch ${arch} --out ${shellQuote(outputDir)} --project ${shellQuote(inputDir)}`,
      ],
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
