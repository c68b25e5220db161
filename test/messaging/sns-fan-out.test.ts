import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, FanOutSubscriberProps, SnsFanOut, SnsFanOutProps } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, patternResourceCount } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeValues } from '../support/tokens';

const ORDERS = { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) };

function build(props: SnsFanOutProps = {}): { stack: Stack; fanOut: SnsFanOut; template: Template } {
  const stack = newStack({ withEnv: true });
  const fanOut = new SnsFanOut(stack, 'Events', props);
  return { stack, fanOut, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack, fifo: boolean): SnsFanOutProps {
  return {
    stage: DeploymentStage.PROD,
    fifo,
    contentBasedDeduplication: fifo || undefined,
    masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }),
    alarmTopic: new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) }),
    subscribers: [
      { name: 'billing', filterPolicy: ORDERS, queueOptions: { consumer: consumerFunction(stack, 'Biller', Duration.seconds(10)), maxReceiveCount: 3 } },
      {
        name: 'shipping',
        filterPolicyWithMessageBody: {
          type: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] })),
          status: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] })),
        },
      },
      { name: 'audit', rawMessageDelivery: false, queueOptions: { retentionPeriod: Duration.days(14) } },
    ],
  };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: any } }) => stack.getLogicalId(construct.node.defaultChild);

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new SnsFanOut(stack, 'Events', fullyConfigured(stack, false));
    fullNag = runNagPacksOfBothMajors(app, { onlyUnder: 'Full/Events' });
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('SnsFanOut', () => {
  describe('snapshots', () => {
    test('defaults with one subscriber, standard', () => {
      const stack = newStack();
      new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'audit' }] });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured, standard', () => {
      const stack = newStack({ withEnv: true });
      new SnsFanOut(stack, 'Events', fullyConfigured(stack, false));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged on what the pattern creates', () => {
      expect(fullyConfiguredNag().v2.filter((finding) => finding.includes(' at Full/Events'))).toEqual([]);
    });

    test('fully configured, FIFO', () => {
      const stack = newStack({ withEnv: true });
      new SnsFanOut(stack, 'Events', fullyConfigured(stack, true));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });
  });

  describe('topic', () => {
    test('is encrypted with a new rotating customer-managed key, retained in PROD', () => {
      const { template, stack, fanOut } = build();
      const key = fanOut.node.findChild('TopicKey') as kms.Key;
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
      build({ stage: DeploymentStage.DEV }).template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });

    test('is encrypted with the given key instead', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Key');
      new SnsFanOut(stack, 'Events', { masterKey: key });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(1);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } });
    });

    test('denies publishing over plain HTTP', () => {
      build().template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    });

    test('uses an existing topic as it is', () => {
      const stack = newStack({ withEnv: true });
      const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:us-east-1:123456789012:orders');
      const fanOut = new SnsFanOut(stack, 'Events', { topic, subscribers: [{ name: 'audit' }] });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::SNS::Topic')).toBe(0);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(0);
      template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:orders' });
      expect(fanOut.topic).toBe(topic);
    });

    test('a FIFO topic fans out to FIFO queues and FIFO subscription dead-letter queues', () => {
      const { template } = build({ fifo: true, contentBasedDeduplication: true, subscribers: [{ name: 'billing' }] });
      template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true });
      template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true });
      template.resourceCountIs('AWS::SQS::Queue', 3);
    });

    test('an existing FIFO topic makes the queues FIFO too', () => {
      const stack = newStack({ withEnv: true });
      const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:us-east-1:123456789012:orders.fifo');
      new SnsFanOut(stack, 'Events', { topic, subscribers: [{ name: 'audit' }] });
      Template.fromStack(stack).allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true });
    });
  });

  describe('subscribers', () => {
    test('each gets a queue with a dead-letter queue, a subscription dead-letter queue, and a subscription', () => {
      const { template, fanOut, stack } = build({ subscribers: [{ name: 'billing' }, { name: 'audit' }] });
      template.resourceCountIs('AWS::SQS::Queue', 6);
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      const billing = fanOut.subscribers.billing;
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': [logicalId(stack, billing.queue.queue), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, billing.subscriptionDeadLetterQueue), 'Arn'] } },
        RawMessageDelivery: true,
      });
      expect(Object.keys(fanOut.subscribers)).toEqual(['billing', 'audit']);
    });

    test('the subscription dead-letter queue keeps notifications 14 days, encrypted, and only the topic may send to it', () => {
      const { template, fanOut, stack } = build({ subscribers: [{ name: 'billing' }] });
      const dlq = fanOut.subscribers.billing.subscriptionDeadLetterQueue;
      expect(template.toJSON().Resources[logicalId(stack, dlq)].Properties).toEqual(expect.objectContaining({
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      }));
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(stack, dlq) }],
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(stack, fanOut.topic as sns.Topic) } } },
            Resource: { 'Fn::GetAtt': [logicalId(stack, dlq), 'Arn'] },
          }]),
        },
      });
    });

    test('filter on message attributes or on the message body', () => {
      const { template } = build({
        subscribers: [
          { name: 'billing', filterPolicy: ORDERS },
          { name: 'shipping', filterPolicyWithMessageBody: { status: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] })) } },
        ],
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { type: ['order'] } });
      template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicyScope: 'MessageBody', FilterPolicy: { status: ['paid'] } });
    });

    test('raw message delivery can be turned off', () => {
      build({ subscribers: [{ name: 'audit', rawMessageDelivery: false }] }).template
        .hasResourceProperties('AWS::SNS::Subscription', { RawMessageDelivery: false });
    });

    test('queue options reach the subscriber queue, and the fan-out stage and alarm topic are its defaults', () => {
      const stack = newStack({ withEnv: true });
      const alarmTopic = new sns.Topic(stack, 'Alarms');
      const fanOut = new SnsFanOut(stack, 'Events', {
        stage: DeploymentStage.DEV,
        alarmTopic,
        subscribers: [{ name: 'billing', queueOptions: { maxReceiveCount: 2 } }],
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }) });
      template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
      template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: logicalId(stack, alarmTopic) }] });
      expect(fanOut.subscribers.billing.queue.alarms).toHaveLength(2);
    });

    test('a subscriber consumer is wired to its queue', () => {
      const stack = newStack({ withEnv: true });
      const consumer = consumerFunction(stack, 'Biller');
      const fanOut = new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing', queueOptions: { consumer } }] });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, fanOut.subscribers.billing.queue.queue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    test('can be added after construction', () => {
      const stack = newStack({ withEnv: true });
      const fanOut = new SnsFanOut(stack, 'Events');
      const added = fanOut.addSubscriber({ name: 'late', filterPolicy: ORDERS });
      expect(fanOut.subscribers.late).toBe(added);
      Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 1);
    });
  });

  describe('alarms', () => {
    test('on failed notifications, and on each dead-letter queue and message age', () => {
      const { template, fanOut, stack } = build({ subscribers: [{ name: 'billing' }, { name: 'audit' }] });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SNS',
        MetricName: 'NumberOfNotificationsFailed',
        Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [logicalId(stack, fanOut.topic as sns.Topic), 'TopicName'] } }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, fanOut.subscribers.billing.subscriptionDeadLetterQueue), 'QueueName'] } }],
        Threshold: 1,
      });
      // 1 for the topic, then per subscriber: its subscription DLQ, its queue's DLQ and message age.
      expect(fanOut.alarms).toHaveLength(7);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    });
  });

  describe('validation', () => {
    const tooManyKeys = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, sns.SubscriptionFilter.existsFilter()]));
    const manyValues = (n: number) => sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });
    const oneValue = sns.FilterOrPolicy.filter(manyValues(1));
    const invalid: Array<[string, SnsFanOutProps, RegExp]> = [
      ['a subscriber name with a space', { subscribers: [{ name: 'bad name' }] }, /subscribers\['bad name'\]\.name is 'bad name'; it must be a letter followed by up to 63 letters, digits or hyphens/],
      ['a subscriber name longer than 64', { subscribers: [{ name: 'a'.repeat(65) }] }, /\.name is 'a{65}'; it must be a letter followed by up to 63/],
      ['a duplicate subscriber name', { subscribers: [{ name: 'audit' }, { name: 'audit' }] }, /subscribers\['audit'\]\.name is 'audit'; it must be unique among the subscribers/],
      ['both kinds of filter policy', { subscribers: [{ name: 'x', filterPolicy: ORDERS, filterPolicyWithMessageBody: { type: sns.FilterOrPolicy.filter(manyValues(1)) } }] },
        /subscribers\['x'\]\.filterPolicyWithMessageBody is \["type"\]; it must be left unset with filterPolicy/],
      ['more than 5 attribute keys', { subscribers: [{ name: 'x', filterPolicy: tooManyKeys }] }, /subscribers\['x'\]\.filterPolicy is '6 keys'; it must be at most 5 keys/],
      ['more than 150 combinations', { subscribers: [{ name: 'x', filterPolicy: { a: manyValues(13), b: manyValues(12) } }] },
        /subscribers\['x'\]\.filterPolicy is '156 combinations of values'; it must be at most 150 combinations/],
      ['more than 5 nested body keys', {
        subscribers: [{
          name: 'x',
          filterPolicyWithMessageBody: {
            order: sns.FilterOrPolicy.policy({ a: oneValue, b: oneValue, c: oneValue }),
            customer: sns.FilterOrPolicy.policy({ d: oneValue, e: oneValue, f: oneValue }),
          },
        }],
      }, /filterPolicyWithMessageBody is '6 keys'; it must be at most 5 keys/],
      ['a standard queue under a FIFO topic', { fifo: true, subscribers: [{ name: 'x', queueOptions: { fifo: false } }] },
        /subscribers\['x'\]\.queueOptions\.fifo is false; it must be true or unset, like the topic/],
      ['a FIFO queue under a standard topic', { subscribers: [{ name: 'x', queueOptions: { fifo: true } }] },
        /subscribers\['x'\]\.queueOptions\.fifo is true; it must be false or unset, like the topic/],
      ['deduplication on a standard topic', { contentBasedDeduplication: true }, /contentBasedDeduplication is true; it must be false or unset unless fifo is true/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test('accepts a token as a filter policy value, and refuses one as a subscriber name, saying why', () => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing', filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: [t.text] }) } }] });
      Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { type: [{ Ref: 'DeployTimeText' }] } });
      expect(() => new SnsFanOut(stack, 'Named', { subscribers: [{ name: t.text }] })).toThrow(
        /\.name is a token, only known at deploy time; it must be a value known at synth: it names the subscriber's queue and constructs\./);
    });

    test('rejects topic options together with an existing topic', () => {
      const stack = newStack({ withEnv: true });
      const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:us-east-1:123456789012:orders');
      expect(() => new SnsFanOut(stack, 'Events', { topic, fifo: true, masterKey: new kms.Key(stack, 'Key') })).toThrow(
        /fifo is true; it must be left unset with an existing topic\.\n {2}- masterKey is 'TestStack\/Key'; it must be left unset with an existing topic/,
      );
    });

    test('addSubscriber rejects a name already taken, and invalid filters', () => {
      const { fanOut } = build({ subscribers: [{ name: 'audit' }] });
      expect(() => fanOut.addSubscriber({ name: 'audit' })).toThrow(/subscribers\['audit'\]\.name is 'audit'; it must be unique/);
      expect(() => fanOut.addSubscriber({ name: 'x', filterPolicy: { a: manyValues(151) } })).toThrow(/151 combinations of values/);
    });

    test('accepts the limits themselves', () => {
      const fiveKeys = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, sns.SubscriptionFilter.existsFilter()]));
      const subscribers: FanOutSubscriberProps[] = [
        { name: 'a'.repeat(64), filterPolicy: fiveKeys },
        { name: 'combos', filterPolicy: { a: manyValues(15), b: manyValues(10) } },
      ];
      expect(() => build({ subscribers })).not.toThrow();
    });
  });

  describe('compliance', () => {
    test('defaults with subscribers: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new SnsFanOut(new Stack(app, 'Defaults'), 'Events', { subscribers: [{ name: 'billing', filterPolicy: ORDERS }, { name: 'audit' }] });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV, FIFO: no unacknowledged finding', () => {
      const app = newApp();
      new SnsFanOut(new Stack(app, 'Dev', { env: TEST_ENV }), 'Events', { stage: DeploymentStage.DEV, fifo: true, subscribers: [{ name: 'audit' }] });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured, with a consumer: no unacknowledged finding on what the pattern creates', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two fan-outs in one stack synthesize, with the same subscriber names', () => {
      const stack = newStack({ withEnv: true });
      new SnsFanOut(stack, 'Orders', { subscribers: [{ name: 'audit' }] });
      new SnsFanOut(stack, 'Payments', { fifo: true, subscribers: [{ name: 'audit' }] });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::SNS::Topic')).toBe(2);
      template.resourceCountIs('AWS::SNS::Subscription', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new SnsFanOut(stack, 'Events', fullyConfigured(stack, true));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // A Data stack with a key, a topic and a fan-out; an App stack that deploys after it, with the
    // fan-out's consumer and publisher and two fan-outs using Data's topic and key. Built once.
    let data: Template;
    let svc: Template;
    let appStack: Stack;
    let key: kms.Key;
    beforeAll(() => {
      const split = clientAfterServer();
      const { dataStack } = split;
      appStack = split.appStack;
      key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      const topic = new sns.Topic(dataStack, 'Topic', { masterKey: key, enforceSSL: true });
      const orders = new SnsFanOut(dataStack, 'Orders', { masterKey: key, subscribers: [{ name: 'billing', queueOptions: { consumer: consumerFunction(appStack, 'Billing') } }] });
      orders.topic.grantPublish(consumerFunction(appStack, 'Publisher'));
      new SnsFanOut(appStack, 'Shipping', { topic, subscribers: [{ name: 'ship' }] });
      new SnsFanOut(appStack, 'Audit', { masterKey: key, subscribers: [{ name: 'audit' }] });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the consumer's mapping and the subscription to Data's topic are in the App stack; Data's key encrypts a topic there", () => {
      data.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
      svc.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      svc.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { 'Fn::GetStackOutput': Match.anyValue() }, Protocol: 'sqs' });
      svc.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });

    test("a subscriber queue's key in another stack than the fan-out's own topic is refused, naming the fix", () => {
      expect(() => new SnsFanOut(appStack, 'Refused', { subscribers: [{ name: 'audit', queueOptions: { encryptionKey: key } }] }))
        .toThrow("subscribers['audit'].queueOptions.encryptionKey is 'Prod/Data/Key (in stack Prod/Data)'; it must be a key in this fan-out's stack (Prod/App), or unset");
    });
  });
});
