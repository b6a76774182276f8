import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The cdk-nag pack the app is checked against; its findings are named `AwsSolutions::<rule>`. */
export const NAG_PACK = 'AwsSolutions';

/**
 * Acknowledges one cdk-nag finding on one CloudFormation resource, with the reason it is
 * acceptable. Acknowledgments apply to a construct's whole subtree, so they are only ever put
 * on a resource itself (an L2 stands for its default child): a finding elsewhere in the
 * same stack stays visible.
 *
 * @param rule e.g. `AwsSolutions-IAM5[Action::s3:List*]` or `AwsSolutions-S1`
 */
export function acknowledgeFinding(construct: IConstruct, rule: string, reason: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new TypeError(`${construct.node.path} is not a CloudFormation resource; acknowledge ${rule} on the resource itself`);
  }
  if (reason.trim().length < 20) throw new RangeError(`the reason for ${rule} on ${resource.node.path} must say why it is acceptable`);
  Validations.of(resource).acknowledge({ id: `${NAG_PACK}::${rule}`, reason });
}
