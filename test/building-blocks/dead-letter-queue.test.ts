import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DeadLetterQueue, DeadLetterQueueProps, DeadLetterSource, DeploymentStage } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { errorLines } from '../support/fixtures';
import { COMPLIANT, runNagPacks } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeValues } from '../support/tokens';

const SOURCE_ARN = 'arn:aws:sqs:us-east-1:123456789012:orders';
const FIFO_SOURCE_ARN = 'arn:aws:sqs:us-east-1:123456789012:orders.fifo';
const RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/orders';

function build(props: DeadLetterQueueProps = { source: DeadLetterSource.LAMBDA_FUNCTION }) {
  const stack = newStack({ withEnv: true });
  const dlq = new DeadLetterQueue(stack, 'Failed', props);
  return { stack, dlq, template: Template.fromStack(stack) };
}

describe('DeadLetterQueue', () => {
  describe('snapshots', () => {
    test('for an SQS source, with a key and an alarm topic', () => {
      const stack = newStack();
      new DeadLetterQueue(stack, 'Failed', {
        source: DeadLetterSource.SQS_QUEUE,
        sourceQueueArn: SOURCE_ARN,
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        alarmTopic: new sns.Topic(stack, 'Alarms'),
      });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });
  });

  describe('queue', () => {
    test('keeps messages the 14-day maximum, encrypted by SQS, and denies plain HTTP', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    });

    test('encrypts with a given key', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.LAMBDA_FUNCTION, encryptionKey: key });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      });
    });

    test('names its SQS source as the only queue that may redrive into it', () => {
      build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: SOURCE_ARN }).template.hasResourceProperties('AWS::SQS::Queue', {
        RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [SOURCE_ARN] },
      });
      build().template.hasResourceProperties('AWS::SQS::Queue', { RedriveAllowPolicy: Match.absent() });
    });

    test('is FIFO for a FIFO source', () => {
      build({ source: DeadLetterSource.SNS_SUBSCRIPTION, fifo: true }).template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true });
    });

    test('is retained in PROD and destroyed in DEV', () => {
      build().template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      build({ source: DeadLetterSource.LAMBDA_FUNCTION, stage: DeploymentStage.DEV }).template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });

    test('keeps the logical id the patterns gave their dead-letter queues before it existed', () => {
      const { stack, dlq } = build();
      expect(stack.getLogicalId(dlq.queue.node.defaultChild as any)).toMatch(/^Failed[0-9A-F]{8}$/);
    });
  });

  describe('alarm', () => {
    test('fires on the first message, and says what it means', () => {
      const { template, dlq } = build({ source: DeadLetterSource.LAMBDA_FUNCTION, alarmDescription: 'An order was lost by the billing function' });
      expect(dlq.alarm).toBeDefined();
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmDescription: 'An order was lost by the billing function',
      });
    });
  });

  describe('validation', () => {
    test('an SQS source needs its queue ARN', () => {
      expect(() => build({ source: DeadLetterSource.SQS_QUEUE })).toThrow(/sourceQueueArn is unset; it must be the ARN of the source queue, since source is SQS_QUEUE/);
    });

    test('other sources take none', () => {
      expect(() => build({ source: DeadLetterSource.SNS_SUBSCRIPTION, sourceQueueArn: SOURCE_ARN }))
        .toThrow(/sourceQueueArn is 'arn:aws:sqs:us-east-1:123456789012:orders'; it must be left unset unless source is SQS_QUEUE/);
    });

    test("an event rule's queue with a key needs the rule's ARN, is never FIFO, and only it takes a rule ARN", () => {
      const stack = newStack({ withEnv: true });
      const encryptionKey = new kms.Key(stack, 'Key');
      expect(() => new DeadLetterQueue(stack, 'A', { source: DeadLetterSource.EVENT_RULE, encryptionKey }))
        .toThrow(/sourceRuleArn is unset; it must be the rule's ARN when the queue has an encryptionKey/);
      expect(() => build({ source: DeadLetterSource.EVENT_RULE, fifo: true })).toThrow(/fifo is true; it must be false or unset for an EVENT_RULE source/);
      expect(() => build({ source: DeadLetterSource.LAMBDA_FUNCTION, sourceRuleArn: RULE_ARN })).toThrow(/sourceRuleArn is '.*'; it must be left unset unless source is EVENT_RULE/);
    });

    test('a source queue given by name, not ARN, is refused, saying what an ARN looks like', () => {
      expect(errorLines(() => build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: 'orders' }))).toContain(
        "  - sourceQueueArn is 'orders'; it must be the source queue's ARN, arn:<partition>:sqs:<region>:<account>:<queue name> "
        + '(such as arn:aws:sqs:us-east-1:123456789012:orders), not its name or URL: the redrive-allow policy names its source queue by ARN.');
    });

    test("a source queue in another region or account than the stack's is refused", () => {
      expect(errorLines(() => build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:orders' }))).toContain(
        "  - sourceQueueArn is 'arn:aws:sqs:eu-west-1:123456789012:orders'; it must be an ARN in this stack's region, us-east-1 (not eu-west-1): "
        + "SQS moves messages only to a dead-letter queue in the source queue's own account and region.");
      expect(errorLines(() => build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: 'arn:aws:sqs:us-east-1:210987654321:orders' }))).toContain(
        "  - sourceQueueArn is 'arn:aws:sqs:us-east-1:210987654321:orders'; it must be an ARN in this stack's account, 123456789012 (not 210987654321): "
        + "SQS moves messages only to a dead-letter queue in the source queue's own account and region.");
    });

    test('a source queue ARN that is a token, or holds tokens, is accepted: it is only known at deploy time', () => {
      const stack = newStack({ withEnv: true });
      new DeadLetterQueue(stack, 'FromToken', { source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: new sqs.Queue(stack, 'Source').queueArn });
      const agnostic = newStack();
      new DeadLetterQueue(agnostic, 'FromFormat', {
        source: DeadLetterSource.SQS_QUEUE,
        sourceQueueArn: agnostic.formatArn({ service: 'sqs', resource: 'orders.fifo' }),
        fifo: true,
      });
      Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2);
    });

    test("an alarm description over CloudWatch's 1,024 characters is refused", () => {
      expect(errorLines(() => build({ source: DeadLetterSource.LAMBDA_FUNCTION, alarmDescription: 'x'.repeat(1025) }))).toContain(
        "  - alarmDescription is '1025 characters'; it must be at most 1,024 characters (CloudWatch's limit for an alarm description).");
      expect(() => build({ source: DeadLetterSource.LAMBDA_FUNCTION, alarmDescription: 'x'.repeat(1024) })).not.toThrow();
    });

    test('a source that is a token is refused, saying why: it decides which policies the queue gets', () => {
      const stack = newStack({ withEnv: true });
      expect(() => new DeadLetterQueue(stack, 'Dlq', { source: deployTimeValues(stack).text as DeadLetterSource })).toThrow(
        'source is a token, only known at deploy time; it must be a value known at synth: it decides which policies the queue gets.');
    });

    test('a FIFO source queue with a standard dead-letter queue is refused, and a standard one with a FIFO dead-letter queue', () => {
      expect(errorLines(() => build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: FIFO_SOURCE_ARN }))).toContain(
        "  - fifo is unset; it must be true, since the source queue orders.fifo is FIFO: a FIFO queue's dead-letter queue must be FIFO too (SQS).");
      expect(errorLines(() => build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: SOURCE_ARN, fifo: true }))).toContain(
        '  - fifo is true; it must be false or unset, since the source queue orders is standard (its name does not end in .fifo): '
        + "a standard queue's dead-letter queue must be standard too (SQS).");
    });

    test('a FIFO source queue with a FIFO dead-letter queue is accepted', () => {
      build({ source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: FIFO_SOURCE_ARN, fifo: true }).template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [FIFO_SOURCE_ARN] },
      });
    });

    test('a source rule given by name, not ARN, is refused, saying what an ARN looks like', () => {
      expect(errorLines(() => build({ source: DeadLetterSource.EVENT_RULE, sourceRuleArn: 'orders' }))).toContain(
        "  - sourceRuleArn is 'orders'; it must be the rule's ARN, arn:<partition>:events:<region>:<account>:rule/<rule name> "
        + '(rule/<bus name>/<rule name> on a custom bus), not its name: the key policy admits EventBridge for aws:SourceArn, which is an ARN.');
      expect(() => build({ source: DeadLetterSource.EVENT_RULE, sourceRuleArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }))
        .toThrow(/sourceRuleArn is 'arn:aws:events:us-east-1:123456789012:event-bus\/orders'; it must be the rule's ARN/);
    });

    test("a source rule in another region than the stack's is refused; one in another account is accepted", () => {
      expect(errorLines(() => build({ source: DeadLetterSource.EVENT_RULE, sourceRuleArn: 'arn:aws:events:eu-west-1:123456789012:rule/orders' }))).toContain(
        "  - sourceRuleArn is 'arn:aws:events:eu-west-1:123456789012:rule/orders'; it must be an ARN in this stack's region, us-east-1 (not eu-west-1): "
        + "EventBridge sends a target's failed events only to a dead-letter queue in the rule's region.");
      expect(() => build({ source: DeadLetterSource.EVENT_RULE, sourceRuleArn: 'arn:aws:events:us-east-1:210987654321:rule/orders' })).not.toThrow();
    });

    test('a source rule ARN on a custom bus, or a token, is accepted', () => {
      const stack = newStack({ withEnv: true });
      const encryptionKey = new kms.Key(stack, 'Key');
      new DeadLetterQueue(stack, 'OnBus', { source: DeadLetterSource.EVENT_RULE, sourceRuleArn: 'arn:aws:events:us-east-1:123456789012:rule/orders-bus/placed', encryptionKey });
      const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });
      new DeadLetterQueue(stack, 'FromToken', { source: DeadLetterSource.EVENT_RULE, sourceRuleArn: rule.ruleArn });
      Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2);
    });

    test('a source none of DeadLetterSource\'s, as untyped configuration may give, is refused, naming the allowed values', () => {
      expect(() => build({ source: 'LAMBDA' as DeadLetterSource })).toThrow(
        "source is 'LAMBDA'; it must be one of DeadLetterSource's values: 'SQS_QUEUE', 'SNS_SUBSCRIPTION', 'LAMBDA_FUNCTION', 'EVENT_RULE', 'STREAM_EVENT_SOURCE'.");
    });

    test('a missing source, as JavaScript may leave it out, is refused rather than left without a redrive-allow policy', () => {
      expect(() => build({ source: undefined as unknown as DeadLetterSource })).toThrow(
        "source is unset; it must be one of DeadLetterSource's values: it is required.");
    });
  });

  describe('as an event rule\'s dead-letter queue', () => {
    test('with a key, the key policy lets EventBridge use it for that rule only', () => {
      const stack = newStack({ withEnv: true });
      const encryptionKey = new kms.Key(stack, 'Key');
      new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.EVENT_RULE, sourceRuleArn: RULE_ARN, encryptionKey });
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([{
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
          }]),
        },
      });
    });

    test('with an imported key, whose policy it cannot change, it warns that events would be lost', () => {
      const stack = newStack({ withEnv: true });
      const encryptionKey = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.EVENT_RULE, sourceRuleArn: RULE_ARN, encryptionKey });
      Annotations.fromStack(stack).hasWarning('/TestStack/Failed', Match.stringLikeRegexp('let events.amazonaws.com use kms:Decrypt'));
    });
  });

  describe('compliance', () => {
    test.each([DeadLetterSource.SNS_SUBSCRIPTION, DeadLetterSource.LAMBDA_FUNCTION, DeadLetterSource.EVENT_RULE, DeadLetterSource.STREAM_EVENT_SOURCE])('as the DLQ of a %s, on its own: no unacknowledged finding', (source) => {
      const app = newApp();
      new DeadLetterQueue(new Stack(app, 'Alone'), 'Failed', { source });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('as the DLQ of an SQS queue that redrives into it: no unacknowledged finding', () => {
      const app = newApp();
      const stack = new Stack(app, 'Redrive', { env: TEST_ENV });
      const dlq = new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: SOURCE_ARN });
      new sqs.Queue(stack, 'Orders', { queueName: 'orders', enforceSSL: true, deadLetterQueue: { queue: dlq.queue, maxReceiveCount: 3 } });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two in one stack synthesize', () => {
      const stack = newStack({ withEnv: true });
      new DeadLetterQueue(stack, 'One', { source: DeadLetterSource.LAMBDA_FUNCTION });
      new DeadLetterQueue(stack, 'Two', { source: DeadLetterSource.SNS_SUBSCRIPTION, fifo: true });
      Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      new DeadLetterQueue(new Stack(app, 'Validated', { env: TEST_ENV }), 'Failed', { source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: FIFO_SOURCE_ARN, fifo: true });
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // A key in a Data stack; dead-letter queues for a queue and for a rule in an App stack. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      new DeadLetterQueue(appStack, 'ForQueue', { source: DeadLetterSource.SQS_QUEUE, sourceQueueArn: appStack.formatArn({ service: 'sqs', resource: 'orders' }), encryptionKey: key });
      new DeadLetterQueue(appStack, 'ForRule', { source: DeadLetterSource.EVENT_RULE, sourceRuleArn: appStack.formatArn({ service: 'events', resource: 'rule', resourceName: 'orders' }), encryptionKey: key });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("both queues are encrypted with Data's key", () => {
      expect(Object.keys(svc.findResources('AWS::SQS::Queue', { Properties: { KmsMasterKeyId: { 'Fn::GetStackOutput': Match.anyValue() } } }))).toHaveLength(2);
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
