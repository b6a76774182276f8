import { Command, CommanderError } from 'commander';
import { formatError } from './format-error.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerExportCommand } from './commands/export-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { registerQueryCommand } from './commands/query-command.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerCloudtrailCommand } from './commands/cloudtrail-command.js';
import { registerCompactCommand } from './commands/compact-command.js';

/** Builds the `opslake` command line. Each command lives in `commands/<name>-command.ts`. */
export function buildProgram(): Command {
  const program = new Command('opslake')
    .description('Keep the operational history of Amazon Redshift and AWS CloudTrail in a Parquet lake.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemoCommand(program);
  registerExportCommand(program);
  registerStatusCommand(program);
  registerQueryCommand(program);
  registerReportCommand(program);
  registerCloudtrailCommand(program);
  registerCompactCommand(program);
  // More commands register here, one line each.
  return program;
}

/** Runs the CLI; returns the process exit code. Errors print what went wrong and what to do, no stack. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  // Commands report failure through process.exitCode; start from a clean slate so that one
  // in-process call (tests run several) does not inherit another's.
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${formatError(error)}\n`);
    return 1;
  } finally {
    process.exitCode = previous;
  }
}
