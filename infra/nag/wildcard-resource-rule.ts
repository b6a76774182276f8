import { Stack } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag finding for one wildcard resource of a policy, spelled as cdk-nag spells it (its
 * own flattening of the resolved ARN), so the acknowledgment names that resource and no other.
 */
export function wildcardResourceRule(scope: IConstruct, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resourceArn))}]`;
}
