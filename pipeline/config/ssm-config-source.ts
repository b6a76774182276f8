import { GetParametersByPathCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { failureFields, transientAwsError, translateAwsError } from '../aws/aws-errors.js';
import { ConfigError, ConnectionError, InvalidIdentifierError, type OpslakeError } from '../errors.js';
import type { ConfigSource } from '../ports/config-source.js';
import { ConfigLocation, quote } from './config-location.js';
import { assertClusterName } from './identifiers.js';
import type { ClusterConfig, OpslakeConfig } from './opslake-config.js';
import { Secret } from './secret.js';
import { buildConfig, validateCatalog, validateCluster, validateExportSettings, validateLake, validateState } from './validate-config.js';

export interface SsmConfigSourceOptions {
  readonly client: SSMClient;
  /** Root of the parameter tree. Default `/opslake`. */
  readonly rootPath?: string;
  /** Lake root (`s3://bucket/prefix`); SSM does not hold it, the handler's environment does. */
  readonly lake?: string;
  /** State store (`dynamodb://<table>`). */
  readonly state?: string;
  readonly catalog?: string;
}

export const DEFAULT_SSM_ROOT_PATH = '/opslake';

const ROOT_PATH = /^\/[A-Za-z0-9_.\-/]+$/;
/** The largest page GetParametersByPath returns. */
const PAGE_SIZE = 10;

interface ClusterParameters {
  document?: Parameter & { Name: string };
  password?: Parameter & { Name: string };
}

/**
 * Reads the configuration from SSM Parameter Store:
 *
 * - `<root>/clusters/<name>`: one JSON document per cluster, with the fields of one cluster in
 *   `opslake.yaml` (the name comes from the path);
 * - `<root>/clusters/<name>/password`: optional SecureString, the password for a `postgres` URL;
 * - `<root>/export`: optional JSON export settings.
 *
 * Anything else under `<root>/clusters/` is an error (a misplaced parameter would otherwise be
 * silently ignored); other subtrees of the root are left to their owners.
 */
export class SsmConfigSource implements ConfigSource {
  readonly rootPath: string;
  readonly #client: SSMClient;
  readonly #options: SsmConfigSourceOptions;

  constructor(options: SsmConfigSourceOptions) {
    this.rootPath = validRootPath(options.rootPath ?? DEFAULT_SSM_ROOT_PATH);
    this.#client = options.client;
    this.#options = options;
  }

  async load(): Promise<OpslakeConfig> {
    const clustersPrefix = `${this.rootPath}/clusters/`;
    const byName = new Map<string, ClusterParameters>();
    let exportParameter: (Parameter & { Name: string }) | undefined;

    for await (const parameter of this.#parameters()) {
      if (!parameter.Name.startsWith(`${this.rootPath}/`)) continue;
      const relative = parameter.Name.slice(this.rootPath.length + 1).split('/');
      if (relative[0] === 'export' && relative.length === 1) {
        exportParameter = parameter;
        continue;
      }
      if (relative[0] !== 'clusters') continue;
      const [, name, leaf, ...rest] = relative;
      if (name === undefined || name === '' || rest.length > 0 || (leaf !== undefined && leaf !== 'password')) {
        throw new ConfigError(
          parameter.Name,
          `is not a parameter opslake reads; under ${clustersPrefix} there is one JSON document per cluster at ` +
            `${clustersPrefix}<name> and an optional SecureString ${clustersPrefix}<name>/password; move or delete this one`,
        );
      }
      // The name is checked as soon as it is seen: it is about to become a map key, and later a
      // lake key and a state key.
      clusterNameFromPath(name, parameter.Name);
      const entry = byName.get(name) ?? {};
      if (leaf === 'password') entry.password = parameter;
      else entry.document = parameter;
      byName.set(name, entry);
    }

    if (byName.size === 0) {
      throw new ConfigError(
        clustersPrefix,
        `no cluster is configured; put one JSON document per cluster at ${clustersPrefix}<name>, e.g. ` +
          `aws ssm put-parameter --name ${clustersPrefix}analytics --type String ` +
          `--value '{"kind":"provisioned","database":"dev","dbUser":"opslake"}'`,
      );
    }

    const clusters: Array<{ cluster: ClusterConfig; at: ConfigLocation }> = [];
    for (const name of [...byName.keys()].sort()) {
      const { document, password } = byName.get(name) ?? {};
      const passwordParameter = `${clustersPrefix}${name}/password`;
      if (document === undefined) {
        throw new ConfigError(
          passwordParameter,
          `has no cluster beside it; create the JSON document ${clustersPrefix}${name} or delete this parameter`,
        );
      }
      const at = new ConfigLocation(document.Name);
      const cluster = validateCluster(jsonDocument(document), at, {
        source: 'ssm',
        name,
        passwordParameter,
        ...(password === undefined ? {} : { password: passwordOf(password) }),
      });
      clusters.push({ cluster, at });
    }

    return buildConfig({
      clusters,
      export: validateExportSettings(
        exportParameter === undefined ? undefined : jsonDocument(exportParameter),
        new ConfigLocation(exportParameter?.Name ?? `${this.rootPath}/export`),
      ),
      lake: this.#options.lake === undefined ? undefined : validateLake(this.#options.lake, new ConfigLocation('lake')),
      state: this.#options.state === undefined ? undefined : validateState(this.#options.state, new ConfigLocation('state')),
      catalog: this.#options.catalog === undefined ? undefined : validateCatalog(this.#options.catalog, new ConfigLocation('catalog')),
    });
  }

  async *#parameters(): AsyncGenerator<Parameter & { Name: string }> {
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.#send(nextToken);
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name !== undefined) yield { ...parameter, Name: parameter.Name };
      }
      nextToken = page.NextToken;
      // A token seen before would page forever; SSM never does this, a broken proxy might.
      if (nextToken !== undefined && seenTokens.has(nextToken)) {
        throw new ConnectionError(`SSM returned the same page token twice while listing ${this.rootPath}; try again`);
      }
      if (nextToken !== undefined) seenTokens.add(nextToken);
    } while (nextToken !== undefined && nextToken !== '');
  }

  async #send(nextToken: string | undefined): Promise<{ Parameters?: Parameter[]; NextToken?: string }> {
    try {
      return await this.#client.send(
        new GetParametersByPathCommand({
          Path: this.rootPath,
          Recursive: true,
          WithDecryption: true,
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /**
   * Throttling and lost connections are retryable; a 5xx is a retryable ConnectionError; anything
   * else (access denied, a key that cannot decrypt, a path SSM refuses) is a ConfigError naming
   * the root path, since only a change of permissions or settings mends it.
   */
  #translate(error: unknown): OpslakeError {
    const call = {
      service: 'ssm',
      operation: 'GetParametersByPath',
      resource: this.rootPath,
      action: `read the SSM parameters under ${this.rootPath}`,
    } as const;
    return translateAwsError(error, call, (failure) => {
      const transient = transientAwsError(failure);
      if (transient !== undefined) return transient;
      if (failure.retryable) return new ConnectionError(`could not ${call.action}: ${failure.summary}; try again`, failureFields(failure));
      return new ConfigError(this.rootPath, `cannot be read: ${failure.summary}`, { cause: failure.cause, hint: failure.hint });
    });
  }
}

function validRootPath(rootPath: string): string {
  const trimmed = rootPath.length > 1 ? rootPath.replace(/\/+$/, '') : rootPath;
  const segments = trimmed.split('/').slice(1);
  if (!ROOT_PATH.test(trimmed) || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ConfigError(
      'rootPath',
      `${quote(rootPath)} is not an SSM path; use / followed by letters, digits, _ . - and single slashes, such as /opslake`,
    );
  }
  return trimmed;
}

function clusterNameFromPath(name: string, parameterName: string): string {
  try {
    return assertClusterName(name);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) {
      throw new ConfigError(parameterName, `${error.message}; rename the parameter`, { cause: error });
    }
    throw error;
  }
}

/**
 * Parses a JSON document. The parser's message is not passed on and the error has no cause:
 * it quotes the text around the fault, which might be a secret pasted into the wrong parameter.
 */
function jsonDocument(parameter: Parameter & { Name: string }): unknown {
  if (parameter.Type === 'StringList') {
    throw new ConfigError(parameter.Name, 'is a StringList; store the JSON document as a String parameter');
  }
  try {
    return JSON.parse(parameter.Value ?? '') as unknown;
  } catch {
    throw new ConfigError(
      parameter.Name,
      'is not valid JSON; store one JSON object, e.g. {"kind":"provisioned","database":"dev","dbUser":"opslake","tables":["stl_query"]}',
    );
  }
}

function passwordOf(parameter: Parameter & { Name: string }): Secret {
  if (parameter.Type !== 'SecureString') {
    throw new ConfigError(
      parameter.Name,
      `is a ${parameter.Type ?? 'plain'} parameter; a password must be a SecureString ` +
        `(aws ssm put-parameter --type SecureString --overwrite --name ${parameter.Name} ...)`,
    );
  }
  if (parameter.Value === undefined || parameter.Value === '') {
    throw new ConfigError(parameter.Name, 'is empty; store the password or delete the parameter');
  }
  return new Secret(parameter.Value);
}
