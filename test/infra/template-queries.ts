import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';

/** Reading synthesized CloudFormation templates in tests: resources, their properties, IAM statements. */

export type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
export type Resource = { Type: string; Properties: Readonly<Record<string, unknown>> };

export const importValue = (name: string) => ({ 'Fn::ImportValue': `Opslake-Storage:${name}` });
export const joined = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The value at `path` inside a template value; undefined where the path leads nowhere. */
export function valueAt(value: unknown, ...path: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function resources(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type)) as Array<[string, Resource]>;
}

/** The first resource of `type` that `test` accepts, with its logical id; the test fails when there is none. */
export function resourceWhere(
  template: Template,
  type: string,
  test: (entry: [string, Resource]) => boolean = () => true,
): [string, Resource] {
  const found = resources(template, type).find(test);
  if (found === undefined) throw new Error(`the template has no ${type} of that kind`);
  return found;
}

/**
 * Every statement granted to the role of the function whose logical id starts with `prefix`: its inline
 * policy and, where CDK moved statements out of a policy grown too large, its overflow managed policies.
 */
export function policyOf(template: Template, prefix: string): Statement[] {
  const [, fn] = resourceWhere(template, 'AWS::Lambda::Function', ([id]) => id.startsWith(prefix));
  const roleId = valueAt(fn.Properties, 'Role', 'Fn::GetAtt', 0);
  const attached = ([, policy]: [string, Resource]) => asList(policy.Properties.Roles).some((role) => valueAt(role, 'Ref') === roleId);
  const policies = [...resources(template, 'AWS::IAM::Policy'), ...resources(template, 'AWS::IAM::ManagedPolicy')].filter(attached);
  if (policies.length === 0) throw new Error(`the role of ${prefix} has no policy`);
  return policies.flatMap(([, policy]) => valueAt(policy.Properties, 'PolicyDocument', 'Statement') as Statement[]);
}

export function statement(statements: Statement[], sid: string): Statement {
  const found = statements.find((s) => s.Sid === sid);
  expect(found, `statement ${sid}`).toBeDefined();
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
}
