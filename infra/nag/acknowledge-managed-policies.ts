import { CfnResource, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { acknowledgeFinding } from './acknowledge-finding.js';

/**
 * Acknowledges each AWS-managed policy on one role (AwsSolutions-IAM4), for roles that CDK
 * itself creates for its deploy-time functions and that their constructs do not let us
 * replace. Each policy is named, so a policy added later is a new finding.
 */
export function acknowledgeManagedPolicies(role: IConstruct, reason: string): void {
  const resource = CfnResource.isCfnResource(role) ? role : role.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new TypeError(`${role.node.path} is not a role resource`);
  const managed = Stack.of(resource).resolve((resource as iam.CfnRole).managedPolicyArns) as unknown[] | undefined;
  for (const arn of managed ?? []) {
    acknowledgeFinding(resource, `AwsSolutions-IAM4[Policy::${flattenCfnReference(arn)}]`, reason);
  }
}
