import type { OpslakeConfig } from '../config/opslake-config.js';

/** Loads the configuration once; the result is validated and frozen. Throws ConfigError. */
export interface ConfigSource {
  load(): Promise<OpslakeConfig>;
}
