import { ConfigError } from '../../pipeline/errors.js';

/** How one variable is checked: a pattern and the rule it stands for, said to whoever set it wrong. */
export interface VariableRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/**
 * The one reader of environment variables in `jobs/`. Values are trimmed (a pasted value often
 * ends with a newline) and a blank value counts as unset. A value that breaks its rule is refused
 * with a ConfigError that names the variable; the value is quoted only up to 80 characters.
 */
export function environmentVariable(env: NodeJS.ProcessEnv, name: string, rule?: VariableRule): string | undefined {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (rule !== undefined && !rule.pattern.test(value)) {
    const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
    throw new ConfigError(name, `${JSON.stringify(shown)} is not valid; ${rule.rule}`);
  }
  return value;
}

/** Like `environmentVariable`, for a variable the job cannot run without. */
export function requiredEnvironmentVariable(env: NodeJS.ProcessEnv, name: string, rule?: VariableRule): string {
  const value = environmentVariable(env, name, rule);
  if (value === undefined) {
    const state = env[name] === undefined ? 'is not set' : 'is blank';
    throw new ConfigError(name, `environment variable ${state} (the CDK stack sets it)`);
  }
  return value;
}
