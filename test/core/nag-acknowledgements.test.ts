import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagAcknowledgements } from '../../src';
import { newApp } from '../support/app';
import { consumerFunction } from '../support/fixtures';
import { runNagPacks } from '../support/nag';
import { runNagV2Packs } from '../support/nag-v2';

const REASON = 'This queue is the dead-letter queue of the orders queue, so it needs none of its own.';
const SQS_REASON = 'The function owns this queue and manages it whole, so every SQS action is its own.';
const POLICY = 'Users/Function/ServiceRole/DefaultPolicy/Resource';

/** Each cdk-nag major, with what it reports over an app as `rule-id at construct-path`. */
const MAJORS: Array<[string, (app: App) => string[]]> = [
  ['3.x', (app) => runNagPacks(app).flatMap((o) => o.findings)],
  ['2.x', runNagV2Packs],
];

/** A user's own stack: a queue that lacks a dead-letter queue (SQS3), and a role with two wildcards. */
function usersStack(): { app: App; queue: sqs.Queue; fn: lambda.Function } {
  const app = newApp();
  const stack = new Stack(app, 'Users');
  const queue = new sqs.Queue(stack, 'DeadLetters', { enforceSSL: true });
  const fn = consumerFunction(stack, 'Function');
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: [queue.queueArn] }));
  return { app, queue, fn };
}

// The public helper is what users call to acknowledge findings in their own code: it must remove
// exactly the finding it names, under both cdk-nag majors.
describe('NagAcknowledgements.add', () => {
  describe.each(MAJORS)('under cdk-nag %s', (_major, findingsOf) => {
    test('the acknowledged finding is no longer reported, and the rest still is', () => {
      const { app, queue } = usersStack();
      NagAcknowledgements.add(queue, 'AwsSolutions-SQS3', REASON);

      const findings = findingsOf(app);

      expect(findings).not.toContain('AwsSolutions-SQS3 at Users/DeadLetters/Resource');
      expect(findings).toContain(`AwsSolutions-IAM5[Resource::*] at ${POLICY}`);
    });

    test('a granular finding is acknowledged alone', () => {
      const { app, fn } = usersStack();
      NagAcknowledgements.add(fn, 'AwsSolutions-IAM5[Action::sqs:*]', SQS_REASON);

      const findings = findingsOf(app);

      expect(findings).not.toContain(`AwsSolutions-IAM5[Action::sqs:*] at ${POLICY}`);
      expect(findings).toContain(`AwsSolutions-IAM5[Resource::*] at ${POLICY}`);
    });
  });

  test('cdk-nag 2.x gets a granular finding as its rule id with applies_to', () => {
    const { fn } = usersStack();
    NagAcknowledgements.add(fn, 'AwsSolutions-IAM5[Action::sqs:*]', SQS_REASON);
    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([{ id: 'AwsSolutions-IAM5', reason: SQS_REASON, applies_to: ['Action::sqs:*'] }]);
  });

  test('takes the id as cdk-nag 3.x prints it, with its pack as a prefix', () => {
    const { app, queue } = usersStack();
    NagAcknowledgements.add(queue, 'AwsSolutions::AwsSolutions-SQS3', REASON);
    expect((queue.node.defaultChild as sqs.CfnQueue).getMetadata('cdk_nag').rules_to_suppress).toEqual([{ id: 'AwsSolutions-SQS3', reason: REASON }]);

    const aws = runNagPacks(app).find((o) => o.pack === 'AwsSolutions')!;

    expect(aws.findings).not.toContain('AwsSolutions-SQS3 at Users/DeadLetters/Resource');
    expect(() => NagAcknowledgements.add(queue, 'Serverless::AwsSolutions-SQS3', REASON)).toThrow(/not a cdk-nag rule id/);
  });

  test('refuses a malformed id and a reason that explains nothing', () => {
    const { queue } = usersStack();
    expect(() => NagAcknowledgements.add(queue, 'SQS3', REASON)).toThrow(/'SQS3' is not a cdk-nag rule id/);
    expect(() => NagAcknowledgements.add(queue, 'AwsSolutions-SQS3', 'not needed')).toThrow(/needs a reason a reviewer can check/);
  });

  // A grant made after the acknowledgement adds a policy the call never saw: cdk-nag 2.x reads
  // each resource's metadata, so the acknowledgement must reach that policy too.
  test('resources created after the call carry the acknowledgement under cdk-nag 2.x, and others are still reported', () => {
    const app = newApp();
    const fn = consumerFunction(new Stack(app, 'Late'), 'Function');
    NagAcknowledgements.add(fn, 'AwsSolutions-IAM5[Action::s3:*]', 'The function reads and writes any object of the scratch bucket it owns.');
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::scratch/*'] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['arn:aws:sqs:us-east-1:123456789012:jobs'] }));

    const findings = runNagV2Packs(app);

    expect(findings).not.toContain('AwsSolutions-IAM5[Action::s3:*] at Late/Function/ServiceRole/DefaultPolicy/Resource');
    expect(findings).toContain('AwsSolutions-IAM5[Action::sqs:*] at Late/Function/ServiceRole/DefaultPolicy/Resource');
  });

  test('an acknowledgement on an empty stack reaches the resources created in it afterwards, under both majors', () => {
    const acknowledgedEarly = () => {
      const app = newApp();
      const stack = new Stack(app, 'Early');
      NagAcknowledgements.add(stack, 'AwsSolutions-SQS3', REASON);
      new sqs.Queue(stack, 'DeadLetters', { enforceSSL: true });
      return app;
    };

    expect(runNagV2Packs(acknowledgedEarly())).not.toContain('AwsSolutions-SQS3 at Early/DeadLetters/Resource');
    const outcome = runNagPacks(acknowledgedEarly());
    expect(outcome.find((o) => o.pack === 'AwsSolutions')!.findings).not.toContain('AwsSolutions-SQS3 at Early/DeadLetters/Resource');
    // The packs saw the queue: the finding nobody acknowledged is still there.
    expect(outcome.find((o) => o.pack === 'Serverless')!.findings).toContain('Serverless-SQSRedrivePolicy at Early/DeadLetters/Resource');
  });
});
