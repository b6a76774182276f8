import { GetParametersByPathCommand, SSMClient, type GetParametersByPathCommandInput, type Parameter } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, expect } from 'vitest';
import type { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';

/** What the SsmConfigSource tests share: a mocked SSM client (no stand-in exists) and parameter builders. */
export const PASSWORD = 'Sup3r-s3cret-pa55word';
/** A parser that quotes the text around a fault may show only part of it. */
export const PASSWORD_START = PASSWORD.slice(0, 6);
export const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
export const ssm = mockClient(client);

/** Resets the mock before each test of the file that calls it, and restores the client after the file. */
export function useMockedSsm(): void {
  beforeEach(() => {
    ssm.reset();
  });

  afterAll(() => {
    ssm.restore();
  });
}

export function document(name: string, value: unknown, type: Parameter['Type'] = 'String'): Parameter {
  return { Name: name, Type: type, Value: typeof value === 'string' ? value : JSON.stringify(value) };
}

export function password(name: string, type: Parameter['Type'] = 'SecureString'): Parameter {
  return { Name: `/opslake/clusters/${name}/password`, Type: type, Value: PASSWORD };
}

/** Serves the parameters in pages of `size`, following NextToken as SSM does. */
export function serve(parameters: Parameter[], size = 10): void {
  ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('page-', ''));
    const end = start + size;
    return { Parameters: parameters.slice(start, end), NextToken: end < parameters.length ? `page-${end}` : undefined };
  });
}

export function calls(): GetParametersByPathCommandInput[] {
  return ssm.commandCalls(GetParametersByPathCommand).map((call) => call.args[0].input);
}

export async function failure(source: SsmConfigSource): Promise<Error> {
  const error: unknown = await source.load().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

export const analytics = document('/opslake/clusters/analytics', {
  kind: 'provisioned',
  clusterIdentifier: 'analytics-prod',
  dbUser: 'opslake',
  tables: ['stl_query'],
});
export const direct = document('/opslake/clusters/direct', {
  kind: 'provisioned',
  dbUser: 'opslake',
  postgres: 'postgres://opslake@db.internal:5439/dev',
});
