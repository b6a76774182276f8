import {
  ConfigError,
  ConnectionError,
  InvalidIdentifierError,
  OpslakeError,
  SqlStatementError,
  ThrottledError,
} from '../../pipeline/errors.js';
import { environmentVariable } from '../shared/environment-variable.js';

/**
 * One or two lines for a person: what went wrong and what to do next. No stack trace (set
 * OPSLAKE_DEBUG=1 for one); messages never carry secrets, since the errors that reach here
 * never put them in.
 */
export function formatError(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const debug = environmentVariable(env, 'OPSLAKE_DEBUG') === '1' ? `\n${stackWithCauses(error)}` : '';
  if (error instanceof ConfigError) {
    return `opslake: configuration error in ${error.message}\n  Fix that value and run again (opslake --help shows the commands).${debug}`;
  }
  if (error instanceof InvalidIdentifierError) return `opslake: ${error.message}${debug}`;
  if (error instanceof SqlStatementError) {
    const id = error.statementId ? ` (statement ${error.statementId})` : '';
    const check = 'Check that the database user may read the STL views (superuser or SYSLOG ACCESS UNRESTRICTED).';
    return `opslake: a statement failed${id}: ${error.databaseMessage ?? error.message}\n  ${check}${debug}`;
  }
  // A refused login or permission is a ConnectionError too, but not a temporary one: its message says what to check.
  if ((error instanceof ThrottledError || error instanceof ConnectionError) && error.retryable) {
    return `opslake: ${error.message}\n  This is usually temporary: run the command again.${debug}`;
  }
  if (error instanceof OpslakeError) return `opslake: ${error.message}${debug}`;
  if (error instanceof Error) return `opslake: unexpected ${error.name}: ${error.message}${debug}`;
  return `opslake: unexpected error: ${String(error)}`;
}

function stackWithCauses(error: unknown): string {
  const lines: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    lines.push(depth === 0 ? '' : 'caused by:', current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter(Boolean).join('\n');
}
