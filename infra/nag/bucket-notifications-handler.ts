import type { Stack } from 'aws-cdk-lib';
import { acknowledgeManagedPolicies } from './acknowledge-managed-policies.js';

/**
 * The function CDK adds to a stack to set the notifications of an imported bucket runs with the
 * AWS-managed basic execution policy. It only writes its own logs with it; its one other
 * permission, s3:PutBucketNotification on that bucket, is a separate policy.
 */
export function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    const role = child.node.tryFindChild('Role');
    if (role) {
      acknowledgeManagedPolicies(
        role,
        'CDK-provided function that sets the notification of the imported trail bucket at deploy time; its construct offers no way to replace the basic execution policy, which only lets it write its own logs.',
      );
    }
  }
}
