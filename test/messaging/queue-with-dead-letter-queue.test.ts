import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, HardenedFunction, QueueWithDeadLetterQueue, QueueWithDeadLetterQueueProps } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, onlyAliasId, referencesOnlyAlias } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');

function build(props: QueueWithDeadLetterQueueProps = {}): { stack: Stack; pattern: QueueWithDeadLetterQueue; template: Template } {
  const stack = newStack({ withEnv: true });
  const pattern = new QueueWithDeadLetterQueue(stack, 'Orders', props);
  return { stack, pattern, template: Template.fromStack(stack) };
}

function buildWithConsumer(props: QueueWithDeadLetterQueueProps = {}, timeout?: Duration) {
  const stack = newStack({ withEnv: true });
  const consumer = consumerFunction(stack, 'Consumer', timeout);
  const pattern = new QueueWithDeadLetterQueue(stack, 'Orders', { consumer, ...props });
  return { stack, consumer, pattern, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): QueueWithDeadLetterQueueProps {
  return {
    stage: DeploymentStage.PROD,
    fifo: true,
    contentBasedDeduplication: true,
    maxReceiveCount: 3,
    retentionPeriod: Duration.days(7),
    receiveMessageWaitTime: Duration.seconds(10),
    visibilityTimeout: Duration.minutes(5),
    encryptionKey: new kms.Key(stack, 'QueueKey', { enableKeyRotation: true }),
    oldestMessageAgeThreshold: Duration.minutes(15),
    consumer: consumerFunction(stack, 'Consumer', Duration.seconds(30)),
    batchSize: 5,
    alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }),
  };
}

const queueLogicalId = (stack: Stack, pattern: QueueWithDeadLetterQueue) => stack.getLogicalId(pattern.queue.node.defaultChild as any);
const dlqLogicalId = (stack: Stack, pattern: QueueWithDeadLetterQueue) => stack.getLogicalId(pattern.deadLetterQueue.node.defaultChild as any);

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new QueueWithDeadLetterQueue(stack, 'Orders', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app, { onlyUnder: 'Full/Orders' });
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('QueueWithDeadLetterQueue', () => {
  describe('snapshots', () => {
    test('defaults, standard', () => {
      const stack = newStack();
      new QueueWithDeadLetterQueue(stack, 'Orders');
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured, FIFO with a consumer', () => {
      const stack = newStack({ withEnv: true });
      new QueueWithDeadLetterQueue(stack, 'Orders', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged on what the pattern creates', () => {
      expect(fullyConfiguredNag().v2.filter((finding) => finding.includes(' at Full/Orders'))).toEqual([]);
    });
  });

  describe('queues', () => {
    test('moves a message to the dead-letter queue after 5 receives', () => {
      const { template, stack, pattern } = build();
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqLogicalId(stack, pattern), 'Arn'] }, maxReceiveCount: 5 },
      });
    });

    test('keeps messages 4 days in the queue and 14 days in the dead-letter queue', () => {
      const { template, stack, pattern } = build();
      expect(template.toJSON().Resources[queueLogicalId(stack, pattern)].Properties.MessageRetentionPeriod).toBe(345600);
      expect(template.toJSON().Resources[dlqLogicalId(stack, pattern)].Properties.MessageRetentionPeriod).toBe(1209600);
      const shortLived = build({ retentionPeriod: Duration.minutes(10) });
      const shortLivedDlq = shortLived.template.toJSON().Resources[dlqLogicalId(shortLived.stack, shortLived.pattern)];
      expect(shortLivedDlq.Properties.MessageRetentionPeriod).toBe(1209600);
    });

    test('long-polls for 20 seconds and hides a received message for 30 seconds', () => {
      build().template.hasResourceProperties('AWS::SQS::Queue', { ReceiveMessageWaitTimeSeconds: 20, VisibilityTimeout: 30 });
    });

    test('encrypts both queues with SQS-managed keys, or with the given KMS key', () => {
      build().template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Key');
      new QueueWithDeadLetterQueue(stack, 'Orders', { encryptionKey: key });
      Template.fromStack(stack).allResourcesProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      });
    });

    test('denies every request over plain HTTP, on both queues', () => {
      const { template, stack, pattern } = build();
      for (const id of [queueLogicalId(stack, pattern), dlqLogicalId(stack, pattern)]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
          },
        });
      }
    });

    test('lets only its source queue redrive into the dead-letter queue', () => {
      const { template, stack, pattern } = build();
      const queueName = template.toJSON().Resources[queueLogicalId(stack, pattern)].Properties.QueueName;
      expect(queueName).toMatch(/^TestStackOrders[0-9A-F]{8}$/);
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [`arn:aws:sqs:us-east-1:123456789012:${queueName}`] },
      });
    });

    test('a FIFO queue gets a FIFO dead-letter queue, and content-based deduplication on request', () => {
      const { template } = build({ fifo: true, contentBasedDeduplication: true });
      template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true });
      template.hasResourceProperties('AWS::SQS::Queue', { ContentBasedDeduplication: true, QueueName: Match.stringLikeRegexp('\\.fifo$') });
    });

    test('PROD retains both queues; DEV destroys them', () => {
      build().template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      build({ stage: DeploymentStage.DEV }).template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });
  });

  describe('consumer', () => {
    test('reads through an event source mapping that reports batch item failures', () => {
      const { template, stack, consumer, pattern } = buildWithConsumer({ batchSize: 100, maxBatchingWindow: Duration.seconds(5) });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: stack.getLogicalId(consumer.node.defaultChild as lambda.CfnFunction) },
        EventSourceArn: { 'Fn::GetAtt': [queueLogicalId(stack, pattern), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
      });
      expect(pattern.eventSourceMapping).toBeDefined();
    });

    test('caps the consumer with the mapping\'s maximum concurrency, not a reservation', () => {
      const { template } = buildWithConsumer({ maxConcurrency: 5 });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 5 } });
      template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
      buildWithConsumer().template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: Match.absent() });
    });

    test('defaults to batches of 10 without a batching window', () => {
      const { template } = buildWithConsumer();
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
      });
    });

    test('grants exactly the consuming actions on this queue, in a managed policy the mapping waits for', () => {
      const { template, stack, pattern } = buildWithConsumer();
      const policies = template.findResources('AWS::IAM::ManagedPolicy');
      expect(Object.values(policies).map((p: any) => p.Properties.PolicyDocument.Statement)).toEqual([[{
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [queueLogicalId(stack, pattern), 'Arn'] },
      }]]);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResource('AWS::Lambda::EventSourceMapping', { DependsOn: [Object.keys(policies)[0]] });
    });

    test('may decrypt with the queue key, and nothing else', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Key');
      new QueueWithDeadLetterQueue(stack, 'Orders', { consumer: consumerFunction(stack, 'Consumer'), encryptionKey: key });
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } }]) },
      });
    });

    test('an imported function with its role is granted through that role', () => {
      const stack = newStack({ withEnv: true });
      const consumer = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:worker',
        role: iam.Role.fromRoleArn(stack, 'WorkerRole', 'arn:aws:iam::123456789012:role/worker'),
      });
      new QueueWithDeadLetterQueue(stack, 'Orders', { consumer });
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['worker'] });
    });

    test('a HardenedFunction consumer is invoked through its alias, and its timeout sets the visibility timeout', () => {
      const stack = newStack({ withEnv: true });
      const consumer = new HardenedFunction(stack, 'Consumer', { code: CODE, timeout: Duration.seconds(20) });
      new QueueWithDeadLetterQueue(stack, 'Orders', { consumer });
      const template = Template.fromStack(stack);
      const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0].Properties;
      const functionId = stack.getLogicalId(consumer.lambdaFunction.node.defaultChild as lambda.CfnFunction);
      expect(referencesOnlyAlias(mapping.FunctionName, onlyAliasId(template), functionId)).toBe(true);
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.anyValue() });
    });

    test('the visibility timeout defaults to 6 times the consumer timeout', () => {
      buildWithConsumer({}, Duration.seconds(20)).template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120 });
      // Lambda's 3-second default gives 18 s, below the 30 s floor.
      buildWithConsumer().template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 30 });
    });
  });

  describe('alarms', () => {
    test('as soon as the dead-letter queue holds a message', () => {
      const { template, stack, pattern } = build();
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqLogicalId(stack, pattern), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
      expect(pattern.alarms).toHaveLength(2);
    });

    test('when the oldest message is older than the threshold', () => {
      const { template, stack, pattern } = build({ oldestMessageAgeThreshold: Duration.minutes(10) });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLogicalId(stack, pattern), 'QueueName'] } }],
        Threshold: 600,
      });
      build().template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
      // With a short retention the default threshold halves it, so the alarm fires before messages expire.
      build({ retentionPeriod: Duration.minutes(30) }).template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 });
    });

    test('notify the alarm topic when given', () => {
      const stack = newStack({ withEnv: true });
      const topic = new sns.Topic(stack, 'Alarms');
      new QueueWithDeadLetterQueue(stack, 'Orders', { alarmTopic: topic });
      const ref = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
      Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [ref], OKActions: [ref] });
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, QueueWithDeadLetterQueueProps, RegExp]> = [
      ['maxReceiveCount 0', { maxReceiveCount: 0 }, /maxReceiveCount is 0; it must be a whole number from 1 to 1000/],
      ['maxReceiveCount 1001', { maxReceiveCount: 1001 }, /maxReceiveCount is 1001; it must be a whole number from 1 to 1000/],
      ['a retention under a minute', { retentionPeriod: Duration.seconds(59) }, /retentionPeriod is 59 seconds; it must be a whole number of seconds from 1 minute to 14 days/],
      ['a retention over 14 days', { retentionPeriod: Duration.days(15) }, /retentionPeriod is 15 days; it must be a whole number of seconds from 1 minute to 14 days/],
      ['a wait time over 20 seconds', { receiveMessageWaitTime: Duration.seconds(21) }, /receiveMessageWaitTime is 21 seconds; it must be a whole number of seconds from 0 seconds to 20 seconds/],
      ['a visibility timeout over 12 hours', { visibilityTimeout: Duration.hours(13) }, /visibilityTimeout is 13 hours; it must be a whole number of seconds from 0 seconds to 12 hours/],
      ['a fractional visibility timeout', { visibilityTimeout: Duration.millis(1500) }, /visibilityTimeout is 1.5 seconds/],
      ['deduplication on a standard queue', { contentBasedDeduplication: true }, /contentBasedDeduplication is true; it must be false or unset unless fifo is true/],
      ['an age threshold under a second', { oldestMessageAgeThreshold: Duration.millis(500) }, /oldestMessageAgeThreshold is '0.5 seconds'; it must be at least 1 second and shorter than the retention period \(345600 seconds\)/],
      ['an age threshold beyond the retention', { retentionPeriod: Duration.hours(1), oldestMessageAgeThreshold: Duration.hours(2) }, /oldestMessageAgeThreshold is '7200 seconds'; it must be at least 1 second and shorter than the retention period \(3600 seconds\)/],
      ['a batch size without a consumer', { batchSize: 5 }, /batchSize is 5; it must be left unset without a consumer/],
      ['a batching window without a consumer', { maxBatchingWindow: Duration.seconds(5) }, /maxBatchingWindow is '5 seconds'; it must be left unset without a consumer/],
      ['a maximum concurrency without a consumer', { maxConcurrency: 5 }, /maxConcurrency is 5; it must be left unset without a consumer/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    const invalidWithConsumer: Array<[string, QueueWithDeadLetterQueueProps, RegExp]> = [
      ['batch size 0', { batchSize: 0 }, /batchSize is 0; it must be a whole number from 1 to 10000/],
      ['batch size 10001', { batchSize: 10001, maxBatchingWindow: Duration.seconds(1) }, /batchSize is 10001; it must be a whole number from 1 to 10000/],
      ['batch size 11 on a FIFO queue', { fifo: true, batchSize: 11 }, /batchSize is 11; it must be a whole number from 1 to 10/],
      ['batch size over 10 without a batching window', { batchSize: 11 }, /batchSize is 11; it must be at most 10 unless maxBatchingWindow is at least 1 second/],
      ['a batching window over 300 seconds', { maxBatchingWindow: Duration.seconds(301) }, /maxBatchingWindow is 301 seconds; it must be a whole number of seconds from 0 seconds to 5 minutes/],
      ['a batching window on a FIFO queue', { fifo: true, maxBatchingWindow: Duration.seconds(1) }, /maxBatchingWindow is '1 second'; it must be left unset for a FIFO queue/],
      ['maximum concurrency 1', { maxConcurrency: 1 }, /maxConcurrency is 1; it must be a whole number from 2 to 1000/],
      ['maximum concurrency 1001', { maxConcurrency: 1001 }, /maxConcurrency is 1001; it must be a whole number from 2 to 1000/],
      ['a fractional maximum concurrency', { maxConcurrency: 2.5 }, /maxConcurrency is 2.5; it must be a whole number from 2 to 1000/],
    ];

    test.each(invalidWithConsumer)('rejects %s', (_name, props, message) => {
      expect(() => buildWithConsumer(props)).toThrow(message);
    });

    test('rejects a visibility timeout under 6 times the consumer timeout, naming both', () => {
      expect(() => buildWithConsumer({ visibilityTimeout: Duration.seconds(60) }, Duration.seconds(30))).toThrow(
        /visibilityTimeout is '60 seconds'; it must be at least 6 times the consumer's timeout of 30 seconds \(180 seconds\)/,
      );
    });

    test('rejects an imported consumer whose role is unknown', () => {
      const stack = newStack({ withEnv: true });
      const consumer = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:worker');
      expect(() => new QueueWithDeadLetterQueue(stack, 'Orders', { consumer })).toThrow(
        /consumer is 'TestStack\/Imported'; it must be a function with a known role/,
      );
    });

    test('reports every invalid prop at once', () => {
      expect(() => build({ maxReceiveCount: 0, receiveMessageWaitTime: Duration.seconds(30) })).toThrow(
        /QueueWithDeadLetterQueue 'TestStack\/Orders' has 2 invalid props/,
      );
    });

    test('accepts the limits themselves', () => {
      expect(() => build({
        maxReceiveCount: 1000,
        retentionPeriod: Duration.days(14),
        receiveMessageWaitTime: Duration.seconds(0),
        visibilityTimeout: Duration.hours(12),
      })).not.toThrow();
      expect(() => buildWithConsumer({ batchSize: 10000, maxBatchingWindow: Duration.seconds(300) })).not.toThrow();
      expect(() => buildWithConsumer({ maxConcurrency: 2 })).not.toThrow();
      expect(() => buildWithConsumer({ maxConcurrency: 1000 })).not.toThrow();
      expect(() => buildWithConsumer({ visibilityTimeout: Duration.seconds(180) }, Duration.seconds(30))).not.toThrow();
    });
  });

  describe('values known only at deploy time', () => {
    // Every prop the constructor validates, as a CfnParameter would give it. `consumer` and `fifo`
    // cannot be tokens; `contentBasedDeduplication` is a boolean, which has no token form.
    it.each<[string, (t: DeployTimeValues) => QueueWithDeadLetterQueueProps, string, unknown]>([
      ['maxReceiveCount', (t) => ({ maxReceiveCount: t.number }), 'AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: { Ref: 'DeployTimeNumber' } }) }],
      ['retentionPeriod', (t) => ({ retentionPeriod: t.duration }), 'AWS::SQS::Queue', { MessageRetentionPeriod: { Ref: 'DeployTimeNumber' } }],
      ['receiveMessageWaitTime', (t) => ({ receiveMessageWaitTime: t.duration }), 'AWS::SQS::Queue', { ReceiveMessageWaitTimeSeconds: { Ref: 'DeployTimeNumber' } }],
      ['visibilityTimeout', (t) => ({ visibilityTimeout: t.duration }), 'AWS::SQS::Queue', { VisibilityTimeout: { Ref: 'DeployTimeNumber' } }],
      ['oldestMessageAgeThreshold', (t) => ({ oldestMessageAgeThreshold: t.duration }), 'AWS::CloudWatch::Alarm', { Threshold: { Ref: 'DeployTimeNumber' } }],
      ['batchSize', (t) => ({ batchSize: t.number }), 'AWS::Lambda::EventSourceMapping', { BatchSize: { Ref: 'DeployTimeNumber' } }],
      ['maxBatchingWindow', (t) => ({ maxBatchingWindow: t.duration }), 'AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: { Ref: 'DeployTimeNumber' } }],
      ['batchSize over 10 with a deploy-time batching window', (t) => ({ batchSize: 100, maxBatchingWindow: t.duration }), 'AWS::Lambda::EventSourceMapping', { BatchSize: 100 }],
      ['maxConcurrency', (t) => ({ maxConcurrency: t.number }), 'AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: { Ref: 'DeployTimeNumber' } } }],
    ])('accepts a token for %s', (_prop, props, type, properties) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new QueueWithDeadLetterQueue(stack, 'Orders', { consumer: consumerFunction(stack, 'Consumer'), ...props(t) });
      Template.fromStack(stack).hasResourceProperties(type, properties);
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new QueueWithDeadLetterQueue(new Stack(app, 'Defaults'), 'Orders');
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, FIFO: no unacknowledged finding', () => {
      const app = newApp();
      new QueueWithDeadLetterQueue(new Stack(app, 'Dev', { env: TEST_ENV }), 'Orders', { stage: DeploymentStage.DEV, fifo: true });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured, with a consumer: no unacknowledged finding on what the pattern creates', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('compliance with a HardenedFunction consumer', () => {
    test('no unacknowledged finding anywhere in the stack, the consumer included', () => {
      const app = newApp();
      const stack = new Stack(app, 'Hardened');
      new QueueWithDeadLetterQueue(stack, 'Orders', { consumer: new HardenedFunction(stack, 'Consumer', { code: CODE }) });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two instances in one stack synthesize, with distinct queue names', () => {
      const stack = newStack({ withEnv: true });
      new QueueWithDeadLetterQueue(stack, 'Orders');
      new QueueWithDeadLetterQueue(stack, 'Payments', { fifo: true });
      const names = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'))
        .map((q: any) => q.Properties.QueueName).filter(Boolean);
      expect(new Set(names).size).toBe(2);
    });
  });

  describe('across stacks', () => {
    // The queue and its key in a Data stack; the consumers in an App stack that deploys after it
    // (as it does when it uses anything of Data), inside a Stage. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      const hardened = new HardenedFunction(appStack, 'Worker', { code: CODE });
      const plain = consumerFunction(appStack, 'Plain');
      const producer = consumerFunction(appStack, 'Producer');
      new QueueWithDeadLetterQueue(dataStack, 'Orders', { consumer: hardened, encryptionKey: key });
      const payments = new QueueWithDeadLetterQueue(dataStack, 'Payments', { consumer: plain });
      payments.queue.grantSendMessages(producer);
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the consumers' mappings and policies are in the consumers' stack", () => {
      data.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
      data.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      svc.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      const consumerPolicies = svc.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('^Lets the consumer of Prod/Data/') },
      });
      expect(Object.keys(consumerPolicies)).toHaveLength(2);
      svc.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetStackOutput': Match.objectLike({ StackName: Match.stringLikeRegexp('Data') }) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    test("the queues' stack references nothing of the consumers' stack", () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new QueueWithDeadLetterQueue(stack, 'Orders', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
