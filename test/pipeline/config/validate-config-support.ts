import { expect } from 'vitest';
import type { ClusterConfig, OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { validateConfig, type ValidateConfigOptions } from '../../../pipeline/config/validate-config.js';
import { ConfigError } from '../../../pipeline/errors.js';

/** What the validateConfig tests share: a valid cluster to vary, and the ways to run the validator. */

export const SOURCE = 'opslake.yaml';
export const PASSWORD = 'pa55-w0rd-never-shown';
/** A parser that quotes the text around a fault may show only part of it. */
export const PASSWORD_START = PASSWORD.slice(0, 6);

export const env = { ANALYTICS_PASSWORD: PASSWORD };

/** A document that must be refused, the parameter the error names and what its message says. */
export interface InvalidCase {
  readonly what: string;
  readonly raw: unknown;
  readonly parameter: string;
  readonly message: string;
  readonly options?: Partial<ValidateConfigOptions>;
}

/** A valid provisioned cluster with some fields replaced; a field set to undefined is left out. */
export function cluster(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { name: 'analytics', kind: 'provisioned', dbUser: 'opslake', ...fields };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

export function load(raw: unknown, options: Partial<ValidateConfigOptions> = {}) {
  return validateConfig(raw, { source: SOURCE, ...options });
}

export function failure(raw: unknown, options: Partial<ValidateConfigOptions> = {}): ConfigError {
  try {
    load(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** Runs the validator on a case and checks the parameter and message of its error. */
export function expectRejected({ raw, parameter, message, options }: InvalidCase): void {
  const error = failure(raw, options);
  expect(error.parameter).toBe(parameter);
  expect(error.message).toContain(message);
  expect(error.message.startsWith(`${parameter}: `)).toBe(true);
}

/** The first cluster of a configuration that must have one. */
export function firstCluster(config: OpslakeConfig): ClusterConfig {
  const [first] = config.clusters;
  if (first === undefined) throw new Error('expected a configuration with a cluster');
  return first;
}
