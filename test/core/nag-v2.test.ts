import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DeploymentStage, PatternDefaults } from '../../src';
import { acknowledgeNagFinding } from '../../src/core/nag';
import { newApp } from '../support/app';
import { EVERY_PATTERN, knownBadStack } from '../support/fixtures';
import { runNagV2Packs } from '../support/nag-v2';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

// cdk-nag 2.x reads suppressions from `cdk_nag` metadata, not from Validations: every
// acknowledgement of the library must reach its users too.
describe('cdk-nag 2.x (2.38.2, as Aspects)', () => {
  describe('the helper sees what 2.x reports', () => {
    test('known-bad resources are reported in each of the five packs', () => {
      const app = newApp();
      knownBadStack(app);
      const findings = runNagV2Packs(app);
      expect(findings).toEqual(expect.arrayContaining([
        'AwsSolutions-SQS2 at Bad/Queue/Resource',
        'Serverless-LambdaDLQ at Bad/Function',
        'NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
        'HIPAA.Security-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
        'PCI.DSS.321-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
      ]));
    });

    test('an acknowledgement removes exactly its finding, a granular one only for its resource', () => {
      const app = newApp();
      const stack = new Stack(app, 'Acked');
      const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
      acknowledgeNagFinding(queue, 'AwsSolutions-SQS2', 'This queue exists only to prove the acknowledgement mechanism in a test.');
      const fn = new lambda.Function(stack, 'Function', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: CODE });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      acknowledgeNagFinding(fn, 'AwsSolutions-IAM5[Action::s3:*]', 'A finding this policy does not have, so Resource::* must still be reported.');
      const findings = runNagV2Packs(app);
      expect(findings).not.toContain('AwsSolutions-SQS2 at Acked/Queue/Resource');
      expect(findings).toContain('AwsSolutions-SQS3 at Acked/Queue/Resource');
      expect(findings).toContain('AwsSolutions-IAM5[Resource::*] at Acked/Function/ServiceRole/DefaultPolicy/Resource');
    });
  });

  test('a reason beyond Latin-1 is base64-encoded, as cdk-nag 2.x stores it, and still suppresses', () => {
    const app = newApp();
    const stack = new Stack(app, 'Encoded');
    const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const reason = 'Encryption is someone else’s job here → a test of the encoding.';
    acknowledgeNagFinding(queue, 'AwsSolutions-SQS2', reason);
    const cfn = queue.node.defaultChild as sqs.CfnQueue;
    expect(cfn.getMetadata('cdk_nag').rules_to_suppress).toEqual([
      { id: 'AwsSolutions-SQS2', reason: Buffer.from(reason).toString('base64'), is_reason_encoded: true },
    ]);
    expect(runNagV2Packs(app)).not.toContain('AwsSolutions-SQS2 at Encoded/Queue/Resource');
  });

  describe('every pattern with default props reports nothing unacknowledged', () => {

    test.each(EVERY_PATTERN)('%s', (_name, build) => {
      const app = newApp();
      build(new Stack(app, 'Defaults'));
      expect(runNagV2Packs(app)).toEqual([]);
    });

    test.each(EVERY_PATTERN)('%s, in an app whose stage is DEV', (_name, build) => {
      const app = newApp();
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      build(new Stack(app, 'Dev'));
      expect(runNagV2Packs(app)).toEqual([]);
    });
  });
});
