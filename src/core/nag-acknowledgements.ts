import { IConstruct } from 'constructs';
import { acknowledgeNagFinding, acknowledgeNagFindingOnLaterResources } from './nag';

/**
 * Acknowledges cdk-nag findings in your own code the way the library's patterns do: one call that
 * cdk-nag 3.x and cdk-nag 2.x both honour.
 *
 * cdk-nag 3.x reads acknowledgements given to `Validations.of(scope).acknowledge`; cdk-nag 2.x,
 * which runs as Aspects, reads only the `cdk_nag` metadata that its `NagSuppressions` writes on
 * each CloudFormation resource. `NagAcknowledgements.add` writes both, so an app or a construct
 * library of your own stays at zero findings whichever major its users run. The library does not
 * depend on cdk-nag: nothing here loads it.
 *
 * @example
 * import * as sqs from 'aws-cdk-lib/aws-sqs';
 * import { NagAcknowledgements } from 'cdk-best-practice-patterns';
 *
 * // A dead-letter queue: AwsSolutions-SQS3 and Serverless-SQSRedrivePolicy ask it for one of its own.
 * const deadLetters = new sqs.Queue(this, 'DeadLetters', { enforceSSL: true });
 * const reason = 'This queue is the dead-letter queue of the orders queue, so it needs none of its own.';
 * NagAcknowledgements.add(deadLetters, 'AwsSolutions-SQS3', reason);
 * NagAcknowledgements.add(deadLetters, 'Serverless-SQSRedrivePolicy', reason);
 */
export class NagAcknowledgements {
  /**
   * Acknowledges one cdk-nag finding on a construct and every CloudFormation resource below it.
   *
   * Pass the narrowest id the finding has: a granular id such as
   * `AwsSolutions-IAM5[Action::s3:*]` acknowledges that one action, where the bare rule
   * `AwsSolutions-IAM5` would hide every wildcard of the resource. cdk-nag 2.x gets the same as its
   * rule id with `applies_to`, and a reason beyond Latin-1 base64-encoded, as it expects.
   *
   * cdk-nag 3.x prints the id to acknowledge a finding by with its pack as a prefix
   * (`AwsSolutions::AwsSolutions-SQS3`): that form is accepted as printed.
   *
   * Resources created below `scope` after the call (a policy a later grant adds, say) carry the
   * acknowledgement too: cdk-nag 2.x reads each resource's metadata, which an Aspect writes on them
   * at synth, before 2.x's own Aspects run.
   *
   * @param scope the construct that causes the finding: the narrowest one, not its stack.
   * @param findingId the id cdk-nag reports, such as `AwsSolutions-SQS3` or `AwsSolutions-IAM5[Action::s3:*]`.
   * @param reason why the finding is accepted, in a sentence a reviewer can check (five words or more).
   */
  public static add(scope: IConstruct, findingId: string, reason: string): void {
    // 'AwsSolutions::AwsSolutions-SQS3', as cdk-nag 3.x prints it, is the finding after its pack.
    const printed = /^([A-Za-z0-9.]+)::(\1-.+)$/.exec(findingId);
    const id = printed ? printed[2] : findingId;
    acknowledgeNagFinding(scope, id, reason);
    acknowledgeNagFindingOnLaterResources(scope, id, reason);
  }

  private constructor() {}
}
