import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temp folder or file the pipeline makes starts with this (`opslake-compact-`, `opslake-parquet-`, ...). */
const PREFIX = 'opslake-';

/**
 * Removes what an invocation stopped mid-run (a Lambda timeout, an out-of-memory kill) left in
 * the function's temp folder: staged Parquet, downloaded compaction inputs, spools. Nothing
 * trusts them, but a warm sandbox keeps its /tmp, and a few such runs would fill it and fail
 * every later one. Called at the start of an invocation, when none of ours is in use (a sandbox
 * runs one invocation at a time); DuckDB's own spill files are not ours and stay. Outside a
 * Lambda sandbox it removes nothing.
 */
export async function removeLeftoverTempFiles(directory = tmpdir()): Promise<number> {
  let removed = 0;
  // Only where the folder is the sandbox's own: a handler run anywhere else (a test, a laptop)
  // shares its temp folder with other processes, whose folders are not leftovers.
  if (!inLambdaSandbox(process.env)) return 0;
  const entries = await readdir(directory).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(PREFIX)) continue;
    await rm(join(directory, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/** True inside a Lambda execution environment (its runtime API is set for the runtime only). */
function inLambdaSandbox(env: NodeJS.ProcessEnv): boolean {
  return (env.AWS_LAMBDA_RUNTIME_API ?? '') !== '';
}
