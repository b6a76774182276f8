import type { GetParametersByPathCommand, Parameter, SSMClient } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { anyValue, applyMutation, expectSafeConfig, hostileString, mutation, PASSWORD, validCluster } from './config-fuzz-support.js';

/**
 * Fuzzes the SSM configuration (issue 11, 4c): one JSON document per source under
 * /opslake/clusters/<name>, an optional password SecureString beside it, optional export
 * settings. One parameter at a time is broken (a field of its document, its name, its type, its
 * text); the load either refuses with a ConfigError naming that parameter, or returns a
 * configuration whose names and paths all match their patterns.
 */

const ROOT = '/opslake/clusters/';

/**
 * The parameters served in pages of 10, as SSM does. A plain object rather than the SDK's client
 * under aws-sdk-client-mock: its middleware costs ~60 ms a call, too slow for 1,500 cases.
 */
function fakeSsm(parameters: Parameter[]): SSMClient {
  const send = async (command: GetParametersByPathCommand) => {
    const start = Number(command.input.NextToken ?? '0');
    const end = start + 10;
    return { Parameters: parameters.slice(start, end), NextToken: end < parameters.length ? String(end) : undefined };
  };
  return { send } as unknown as SSMClient;
}

/** A valid SSM cluster document: as in a file, without the local-only pglite. */
const ssmCluster = validCluster.map(({ pglite: _pglite, ...document }) => document);

interface Fault {
  /** Which parameter is broken, by position in the list served. */
  readonly target: number;
  readonly kind: 'field' | 'name' | 'type' | 'text' | 'password';
}

const faults = fc.record({
  clusters: fc.uniqueArray(ssmCluster, { minLength: 1, maxLength: 3, selector: (entry) => entry.name }),
  exportSettings: fc.option(fc.record({ slotMinutes: fc.constantFrom(15, 60), concurrency: fc.integer({ min: 1, max: 32 }) })),
  fault: fc.record({ target: fc.nat({ max: 3 }), kind: fc.constantFrom<Fault['kind']>('field', 'name', 'type', 'text', 'password') }),
  value: anyValue,
  hostile: hostileString,
  cut: fc.nat({ max: 400 }),
  type: fc.constantFrom<Parameter['Type']>('StringList', 'SecureString', 'String', undefined),
});

function parametersOf(clusters: Array<Record<string, unknown>>, exportSettings: unknown): Parameter[] {
  const parameters: Parameter[] = clusters.map((cluster) => ({
    Name: `${ROOT}${String(cluster.name)}`,
    Type: 'String',
    Value: JSON.stringify(cluster),
  }));
  if (exportSettings !== null) parameters.push({ Name: '/opslake/export', Type: 'String', Value: JSON.stringify(exportSettings) });
  return parameters;
}

describe('SSM configuration fuzzing', () => {
  it('one parameter broken: refused naming it, or accepted and safe', async () => {
    await fc.assert(
      fc.asyncProperty(
        faults.chain((input) => {
          const first = input.clusters[0] ?? {};
          return mutation({ clusters: [first] }).map((change) => ({ ...input, change }));
        }),
        async ({ clusters, exportSettings, fault, value, hostile, cut, type, change }) => {
          const parameters = parametersOf(clusters, exportSettings);
          const target = parameters[fault.target % parameters.length];
          if (target === undefined) throw new Error('no parameter to break');
          const isExport = target.Name === '/opslake/export';
          const original = JSON.parse(target.Value ?? '{}') as Record<string, unknown>;
          let named = target.Name ?? '';
          if (fault.kind === 'field') {
            // The cluster mutation's path, taken from below clusters[0], or an export key.
            const [, , ...inner] = change.path;
            const path = isExport ? [String(inner[0] ?? 'slotMinutes')] : inner.length > 0 ? inner : ['kind'];
            const broken = applyMutation({ document: original }, { path: ['document', ...path], value }).document;
            target.Value = JSON.stringify(broken) ?? '';
          } else if (fault.kind === 'name' && !isExport) {
            target.Name = `${ROOT}${hostile}`;
            // Without a name of its own, the document takes the one in the path.
            const { name: _name, ...unnamed } = original;
            target.Value = JSON.stringify(unnamed);
            named = target.Name;
            if (parameters.some((other) => other !== target && other.Name === target.Name)) return;
          } else if (fault.kind === 'type') {
            target.Type = type;
          } else if (fault.kind === 'text') {
            target.Value = (target.Value ?? '').slice(0, cut % Math.max(1, (target.Value ?? '').length));
          } else if (fault.kind === 'password' && !isExport) {
            parameters.push({ Name: `${target.Name}/password`, Type: type, Value: PASSWORD });
            named = `${target.Name}/password`;
          }
          const client = fakeSsm(parameters);
          const result = await new SsmConfigSource({ client, lake: 's3://lake-bucket/lake', state: 'dynamodb://opslake-state' })
            .load()
            .then(
              (config) => ({ config }),
              (error: unknown) => ({ error }),
            );
          if ('config' in result) {
            expectSafeConfig(result.config);
            return;
          }
          if (!(result.error instanceof ConfigError)) throw result.error;
          expect(result.error.message).not.toContain(PASSWORD);
          // A password beside a cluster that has no postgres URL is named on the cluster's side too.
          const places = [named, target.Name ?? '', `${ROOT}${String(original.name)}`];
          const parameter = result.error.parameter;
          if (!places.some((place) => parameter === place || parameter.startsWith(`${place}: `))) {
            expect.fail(`refused at ${parameter}, not at ${places.join(' or ')}: ${result.error.message}`);
          }
        },
      ),
      { seed: 11_405, numRuns: 1_500 },
    );
  });
});
