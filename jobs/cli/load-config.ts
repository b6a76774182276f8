import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpslakeConfig } from '../../pipeline/config/opslake-config.js';
import { FileConfigSource } from '../../pipeline/config/file-config-source.js';
import { ConfigError } from '../../pipeline/errors.js';
import { environmentVariable } from '../shared/environment-variable.js';

export const DEFAULT_CONFIG_FILE = 'opslake.yaml';

/** The local config file: `--config`, else `$OPSLAKE_CONFIG`, else `./opslake.yaml`. */
export async function loadLocalConfig(path: string | undefined): Promise<{ path: string; config: OpslakeConfig }> {
  const fromEnvironment = environmentVariable(process.env, 'OPSLAKE_CONFIG');
  const chosen = resolve(path ?? fromEnvironment ?? DEFAULT_CONFIG_FILE);
  if (!path && !fromEnvironment && !existsSync(chosen)) {
    throw new ConfigError(
      '--config',
      `no ${DEFAULT_CONFIG_FILE} in ${process.cwd()}; pass --config <file>, ` +
        'or run `opslake demo` to create a demo with its own config file',
    );
  }
  const config = await new FileConfigSource(chosen, { env: process.env }).load();
  return { path: chosen, config };
}

export function requireSetting(value: string | undefined, parameter: string, what: string): string {
  if (!value) throw new ConfigError(parameter, `missing: set ${what}`);
  return value;
}
