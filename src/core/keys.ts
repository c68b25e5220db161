import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Every customer-managed key the library creates: rotation on, and a key policy that lets nobody
 * create a grant on it unless the grant is for an AWS resource or the caller is an AWS service.
 * A grant is a second, easily overlooked way to hand out a key's use; this way only AWS services
 * acting for the account's resources may use one.
 */
export function createPatternKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    // Both conditions in one block: the deny applies only when neither is true. IfExists, so a
    // request that carries neither key is denied too.
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}
