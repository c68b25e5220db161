import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DeploymentStage, EventRuleWithDeadLetterQueue, EventRuleWithDeadLetterQueueProps, HardenedFunction, QueueTargetOptions } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, errorLines } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const PLACED: events.EventPattern = { source: ['com.example.orders'], detailType: ['order.placed'] };
const CODE = lambda.Code.fromInline('exports.handler = async () => ({});');

/** Every kind of target, on a rule of its own bus with a customer key: the fully configured case. */
function fullyConfigured(stack: Stack): EventRuleWithDeadLetterQueue {
  const rule = new EventRuleWithDeadLetterQueue(stack, 'Orders', {
    stage: DeploymentStage.PROD,
    eventPattern: PLACED,
    createEventBus: true,
    archiveRetention: Duration.days(7),
    retryAttempts: 5,
    maxEventAge: Duration.hours(1),
    encryptionKey: new kms.Key(stack, 'DlqKey', { enableKeyRotation: true }),
    description: 'Orders placed',
  });
  rule.addFunctionTarget(new HardenedFunction(stack, 'Handler', { code: CODE }), { retryAttempts: 2 });
  rule.addQueueTarget(new sqs.Queue(stack, 'Audit', { enforceSSL: true, fifo: true }), { messageGroupId: 'orders' });
  rule.addStateMachineTarget(new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) }),
    { input: events.RuleTargetInput.fromEventPath('$.detail') });
  rule.addTopicTarget(new sns.Topic(stack, 'Notify', { enforceSSL: true }));
  return rule;
}

function build(props: Partial<EventRuleWithDeadLetterQueueProps> = {}) {
  const stack = newStack({ withEnv: true });
  const pattern = new EventRuleWithDeadLetterQueue(stack, 'Orders', { eventPattern: PLACED, ...props } as EventRuleWithDeadLetterQueueProps);
  return { stack, pattern };
}

const id = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
const targetsOf = (template: Template) => Object.values(template.findResources('AWS::Events::Rule'))[0].Properties.Targets as any[];

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    fullyConfigured(new Stack(app, 'Full', { env: TEST_ENV }));
    fullNag = runNagPacksOfBothMajors(app, { onlyUnder: 'Full/Orders' });
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('EventRuleWithDeadLetterQueue', () => {
  // Built once, read by many tests: a rule on a bus of its own with every kind of target.
  const full = (() => {
    const stack = newStack({ withEnv: true });
    const pattern = fullyConfigured(stack);
    return { stack, pattern, template: Template.fromStack(stack) };
  })();
  const withFunction = (() => {
    const { stack, pattern } = build();
    const fn = consumerFunction(stack, 'Plain');
    pattern.addFunctionTarget(fn);
    return { stack, pattern, fn, template: Template.fromStack(stack) };
  })();

  describe('snapshots', () => {
    test('defaults, with a function target', () => {
      const stack = newStack();
      new EventRuleWithDeadLetterQueue(stack, 'Orders', { eventPattern: PLACED }).addFunctionTarget(new HardenedFunction(stack, 'Handler', { code: CODE }));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: its own bus, an archive, a customer key and every kind of target', () => {
      expect(normalizedTemplate(full.stack)).toMatchSnapshot();
    });
  });

  describe('targets', () => {
    test('every target retries 10 times within 2 hours and then sends the event to the dead-letter queue', () => {
      const [target] = targetsOf(withFunction.template);
      expect(target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(withFunction.stack, withFunction.pattern.deadLetterQueue), 'Arn'] } },
      });
    });

    test('the rule and each target override the retry policy; all four kinds share the one dead-letter queue', () => {
      const targets = targetsOf(full.template);
      expect(targets).toHaveLength(4);
      expect(targets.map((t) => t.RetryPolicy)).toEqual([
        { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        ...Array(3).fill({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 }),
      ]);
      const dlq = { Arn: { 'Fn::GetAtt': [id(full.stack, full.pattern.deadLetterQueue), 'Arn'] } };
      expect(targets.every((t) => JSON.stringify(t.DeadLetterConfig) === JSON.stringify(dlq))).toBe(true);
    });

    test('a HardenedFunction is invoked through its alias, with a permission for this rule only', () => {
      const aliasId = Object.keys(full.template.findResources('AWS::Lambda::Alias'))[0];
      expect(targetsOf(full.template)[0].Arn).toEqual({ Ref: aliasId });
      full.template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { Ref: aliasId },
        Principal: 'events.amazonaws.com',
        SourceArn: Match.anyValue(),
      });
    });

    test('a FIFO queue gets its message group; a state machine its input; both through a role that may start and publish to only them', () => {
      const [, queue, machine] = targetsOf(full.template);
      expect(queue.SqsParameters).toEqual({ MessageGroupId: 'orders' });
      expect(machine.InputPath).toBe('$.detail');
      full.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^Machine') } },
            { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^Notify') } },
          ]),
        },
        Roles: [{ Ref: Match.stringLikeRegexp('^OrdersTargetRole') }],
      });
      full.template.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test("only this rule may send to a queue target, and the topic's policy admits no EventBridge rule at all", () => {
      const ruleArn = { 'Fn::GetAtt': [id(full.stack, full.pattern.rule), 'Arn'] };
      full.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: Match.stringLikeRegexp('^Audit') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
          })]),
        },
      });
      expect(JSON.stringify(full.template.findResources('AWS::SNS::TopicPolicy'))).not.toContain('events.amazonaws.com');
    });

    test("an encrypted queue target's key admits EventBridge only through SQS, for this account", () => {
      const { stack, pattern } = build();
      const key = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });
      pattern.addQueueTarget(new sqs.Queue(stack, 'Encrypted', { encryptionMasterKey: key }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } },
          })]),
        },
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(stack, pattern.rule), 'Arn'] } } },
          })]),
        },
      });
    });
  });

  describe('the dead-letter queue', () => {
    test('is standard, keeps events 14 days, encrypted, TLS-only, and only this rule may send to it', () => {
      const dlqId = id(withFunction.stack, withFunction.pattern.deadLetterQueue);
      const dlq = withFunction.template.toJSON().Resources[dlqId];
      expect(dlq.Properties).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
      expect(dlq.Properties.FifoQueue).toBeUndefined();
      withFunction.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlqId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id(withFunction.stack, withFunction.pattern.rule), 'Arn'] } } },
            }),
          ]),
        },
      });
    });

    test('with a customer key, the key policy lets EventBridge use it for this rule only, named so there is no cycle', () => {
      const ruleName = Object.values(full.template.findResources('AWS::Events::Rule'))[0].Properties.Name;
      expect(ruleName).toMatch(/^TestStackOrders[0-9A-F]{8}$/);
      full.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:events:us-east-1:123456789012:rule/', { Ref: Match.stringLikeRegexp('^OrdersEventBus') }, `/${ruleName}`]] } } },
          })]),
        },
      });
    });

    test('PROD retains it; DEV destroys it', () => {
      withFunction.template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
      Template.fromStack(build({ stage: DeploymentStage.DEV }).stack).allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });
  });

  describe('triggers and buses', () => {
    test('a schedule runs on the default bus, without an archive', () => {
      const { stack } = build({ eventPattern: undefined, schedule: events.Schedule.rate(Duration.hours(1)) });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', EventBusName: Match.absent() });
      template.resourceCountIs('AWS::Events::Archive', 0);
    });

    test('its own bus comes with an archive of the matched events, kept 30 days unless told otherwise', () => {
      const { stack } = build({ createEventBus: true });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30, EventPattern: Match.objectLike({ source: ['com.example.orders'] }) });
      full.template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 7 });
    });
  });

  describe('alarms', () => {
    test('failed invocations, events lost on the way to the dead-letter queue, the dead-letter queue, a plain function target throttled', () => {
      expect(withFunction.pattern.alarms).toHaveLength(4);
      const ruleRef = { Ref: id(withFunction.stack, withFunction.pattern.rule) };
      for (const metricName of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
        withFunction.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Events',
          MetricName: metricName,
          Dimensions: [{ Name: 'RuleName', Value: ruleRef }],
          Threshold: 1,
          AlarmActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
        });
      }
      withFunction.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
    });

    test("a rule on a custom bus is watched with the bus's name, as EventBridge publishes it; a HardenedFunction watches its own throttles", () => {
      const failed = Object.values(full.template.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'FailedInvocations')!;
      expect(failed.Properties.Dimensions).toHaveLength(2);
      expect(failed.Properties.Dimensions).toEqual(expect.arrayContaining([
        { Name: 'EventBusName', Value: { Ref: expect.stringMatching(/^OrdersEventBus/) } },
        { Name: 'RuleName', Value: { Ref: id(full.stack, full.pattern.rule) } },
      ]));
      expect(full.pattern.alarms).toHaveLength(3);
    });
  });

  describe('validation', () => {
    const invalid: Array<[string, Partial<EventRuleWithDeadLetterQueueProps>, RegExp]> = [
      ['neither pattern nor schedule', { eventPattern: undefined }, /eventPattern is unset; it must be set, or schedule set instead: exactly one of the two/],
      ['both pattern and schedule', { schedule: events.Schedule.rate(Duration.hours(1)) }, /eventPattern is 'set'; it must be set, or schedule set instead/],
      ['a schedule on a custom bus', { eventPattern: undefined, schedule: events.Schedule.rate(Duration.hours(1)), createEventBus: true },
        /schedule is 'rate\(1 hour\)'; it must be used without eventBus or createEventBus/],
      ['a bus given and created', { createEventBus: true, eventBus: events.EventBus.fromEventBusName(newStack(), 'Bus', 'orders') }, /createEventBus is true; it must be left unset when eventBus is given/],
      ['an archive for a schedule', { eventPattern: undefined, schedule: events.Schedule.rate(Duration.hours(1)), archiveRetention: Duration.days(7) },
        /archiveRetention is '7 days'; it must be left unset for a schedule/],
      ['an archive retention in hours', { createEventBus: true, archiveRetention: Duration.hours(36) }, /archiveRetention is '36 hours'; it must be a whole number of days, at least 1/],
      ['a bus imported by name with its ARN', { eventBus: events.EventBus.fromEventBusName(newStack(), 'Bus', 'arn:aws:events:us-east-1:123456789012:event-bus/orders') },
        /eventBus is 'arn:aws:events:us-east-1:123456789012:event-bus\/orders'; it must be a bus whose name is 1 to 256 letters, digits and \. - _ \/ \(import a bus by ARN with events.EventBus.fromEventBusArn/],
      ['186 retries', { retryAttempts: 186 }, /retryAttempts is 186; it must be a whole number from 0 to 185/],
      ['a negative retry count', { retryAttempts: -1 }, /retryAttempts is -1; it must be a whole number from 0 to 185/],
      ['an event age under a minute', { maxEventAge: Duration.seconds(59) }, /maxEventAge is 59 seconds; it must be a whole number of seconds from 1 minute to 1 day\./],
      ['an event age over a day', { maxEventAge: Duration.hours(25) }, /maxEventAge is 25 hours; it must be a whole number of seconds from 1 minute to 1 day\./],
      ['a description over 512 characters', { description: 'x'.repeat(513) }, /description is '513 characters'; it must be at most 512 characters/],
      ['a pattern over 2,048 characters', { eventPattern: { source: Array.from({ length: 120 }, (_, i) => `com.example.source-${i}`) } },
        /eventPattern is '\d+ characters'; it must be at most 2048 characters once rendered/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      expect(() => build(props)).toThrow(message);
    });

    test('rejects a sixth target, and out-of-range options of a target', () => {
      const { stack, pattern } = build();
      expect(() => pattern.addFunctionTarget(consumerFunction(stack, 'F0'), { retryAttempts: 200 })).toThrow(/target 1 has 1 invalid prop:\n {2}- retryAttempts is 200/);
      for (let i = 1; i <= 4; i++) pattern.addFunctionTarget(consumerFunction(stack, `F${i}`));
      expect(() => pattern.addFunctionTarget(consumerFunction(stack, 'F6'), { maxEventAge: Duration.seconds(30) }))
        .toThrow(/targets is 6; it must be at most 5 per rule[\s\S]*maxEventAge is 30 seconds; it must be a whole number of seconds from 1 minute to 1 day\./);
    });

    test('a FIFO queue needs a message group; a standard queue takes none', () => {
      const { stack, pattern } = build();
      expect(() => pattern.addQueueTarget(new sqs.Queue(stack, 'Fifo', { fifo: true }))).toThrow(
        'messageGroupId is unset; it must be a non-empty message group id for a FIFO queue: EventBridge sends to a FIFO queue only with a MessageGroupId.');
      expect(() => pattern.addQueueTarget(new sqs.Queue(stack, 'Standard'), { messageGroupId: 'g' })).toThrow(/messageGroupId is 'g'; it must be left unset for a standard queue/);
    });

    test('a FIFO queue with an empty message group id is refused, as one left out would be: the id would not reach the target', () => {
      const { stack, pattern } = build();
      expect(errorLines(() => pattern.addQueueTarget(new sqs.Queue(stack, 'Fifo', { fifo: true }), { messageGroupId: '' }))).toContain(
        "  - messageGroupId is ''; it must be a non-empty message group id for a FIFO queue: EventBridge sends to a FIFO queue only with a MessageGroupId.");
    });

    test('an imported queue is FIFO by its name ending in .fifo, and needs a message group too', () => {
      const { stack, pattern } = build();
      const imported = sqs.Queue.fromQueueArn(stack, 'Ledger', 'arn:aws:sqs:us-east-1:123456789012:ledger.fifo');
      expect(errorLines(() => pattern.addQueueTarget(imported))).toContain(
        '  - messageGroupId is unset; it must be a non-empty message group id for a FIFO queue: EventBridge sends to a FIFO queue only with a MessageGroupId.');
    });

    test('a message group id over 100 characters is refused', () => {
      const { stack, pattern } = build();
      expect(errorLines(() => pattern.addQueueTarget(new sqs.Queue(stack, 'Fifo', { fifo: true }), { messageGroupId: 'g'.repeat(101) }))).toContain(
        "  - messageGroupId is '101 characters'; it must be at most 100 characters (EventBridge's limit).");
    });

    test('a FIFO queue takes a message group id of 100 characters, or a token, as its SqsParameters', () => {
      const { stack, pattern } = build();
      const groupId = Token.asString({ Ref: 'GroupParameter' });
      pattern.addQueueTarget(new sqs.Queue(stack, 'Long', { fifo: true }), { messageGroupId: 'g'.repeat(100) });
      pattern.addQueueTarget(new sqs.Queue(stack, 'Tokened', { fifo: true }), { messageGroupId: groupId });
      expect(targetsOf(Template.fromStack(stack)).map((target) => target.SqsParameters)).toEqual([
        { MessageGroupId: 'g'.repeat(100) },
        { MessageGroupId: { Ref: 'GroupParameter' } },
      ]);
    });

    describe('event patterns EventBridge would refuse, from untyped config', () => {
      // Each: the pattern, and the one line its error must hold.
      const refused: Array<[string, unknown, string]> = [
        ['an empty pattern', {},
          "eventPattern is {}; it must be an object of at least one field to match, such as { source: ['com.example.orders'] }: EventBridge refuses an empty pattern."],
        ['a bare string where an array is needed', { source: 'com.example.orders' },
          "eventPattern.source is 'com.example.orders'; it must be an array of the values to match, such as ['com.example.orders']: EventBridge matches a field against an array, even of one value."],
        ['a bare number in a nested object', { source: ['com.example.orders'], detail: { order: { total: 5 } } },
          'eventPattern.detail.order.total is 5; it must be an array of the values to match, such as [5]: EventBridge matches a field against an array, even of one value.'],
        ['null where an array is needed', { source: ['com.example.orders'], detail: { coupon: null } },
          'eventPattern.detail.coupon is null; it must be an array of the values to match, such as [null]: EventBridge matches a field against an array, even of one value.'],
        ['an empty array', { source: ['com.example.orders'], detail: { state: [] } },
          'eventPattern.detail.state is []; it must be an array of at least one value to match: EventBridge refuses an empty array, which would match nothing.'],
        ['an empty nested object', { source: ['com.example.orders'], detail: {} },
          'eventPattern.detail is {}; it must be an object of at least one field to match: EventBridge refuses an empty object in a pattern.'],
        ['an array inside an array', { source: ['com.example.orders'], detail: { state: [['placed']] } },
          "eventPattern.detail.state[0] is [\"placed\"]; it must be a value (a string, a number, true, false or null) or a content filter such as { prefix: 'x' }, not an array."],
        ['$or with one branch', { source: ['com.example.orders'], detail: { $or: [{ state: ['placed'] }] } },
          'eventPattern.detail.$or is [{"state":["placed"]}]; it must be an array of at least 2 objects, each a pattern of its own.'],
        ['a bare string in a branch of $or', { source: ['com.example.orders'], detail: { $or: [{ state: 'placed' }, { total: [{ numeric: ['>', 100] }] }] } },
          "eventPattern.detail.$or[0].state is 'placed'; it must be an array of the values to match, such as ['placed']: EventBridge matches a field against an array, even of one value."],
      ];

      test.each(refused)('rejects %s, naming the field, the value and what is allowed', (_name, eventPattern, line) => {
        expect(errorLines(() => build({ eventPattern: eventPattern as events.EventPattern })))
          .toEqual(["EventRuleWithDeadLetterQueue 'TestStack/Orders' has 1 invalid prop:", `  - ${line}`]);
      });

      test('reports every refused field at once', () => {
        const lines = errorLines(() => build({ eventPattern: { source: 'a', detail: { state: [] } } as unknown as events.EventPattern }));
        expect(lines[0]).toBe("EventRuleWithDeadLetterQueue 'TestStack/Orders' has 2 invalid props:");
        expect(lines.slice(1).map((l) => l.split(' is ')[0])).toEqual(['  - eventPattern.source', '  - eventPattern.detail.state']);
      });

      test("accepts content filters as array items, aws-cdk-lib's Match helpers, $or and matching null or an empty string", () => {
        const eventPattern: events.EventPattern = {
          source: [{ prefix: 'com.example.' } as unknown as string],
          detail: {
            state: [{ 'anything-but': ['cancelled'] }, 'placed'],
            total: events.Match.greaterThan(100),
            items: events.Match.interval(1, 10),
            region: events.Match.prefix('eu-'),
            coupon: events.Match.exists(),
            note: [null, ''],
            $or: [{ channel: ['web'] }, { channel: events.Match.anythingBut('test') }],
          },
        };
        const { stack } = build({ eventPattern });
        const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
        expect(rule.Properties.EventPattern).toMatchObject({
          source: [{ prefix: 'com.example.' }],
          detail: { total: [{ numeric: ['>', 100] }], items: [{ numeric: ['>=', 1, '<=', 10] }], coupon: [{ exists: true }] },
        });
      });
    });

    describe('schedule expressions EventBridge would refuse', () => {
      const refused: Array<[string, string]> = [
        ['rate(5 hour)', 'a rate expression whose unit is singular for 1 and plural above: rate(5 hours)'],
        ['rate(1 hours)', 'a rate expression whose unit is singular for 1 and plural above: rate(1 hour)'],
        ['rate(0 minutes)', 'a rate expression rate(value unit) whose value is a whole number of at least 1, such as rate(5 minutes)'],
        ['rate(1.5 hours)', 'a rate expression rate(value unit) whose value is a whole number of at least 1, such as rate(5 minutes)'],
        ['rate(30 seconds)', 'a rate expression whose unit is minute, hour or day (minutes, hours or days above 1), such as rate(1 minute) or rate(5 minutes)'],
        ['cron(0 8 * * *)', 'a cron expression of 6 fields (minutes hours day-of-month month day-of-week year), such as cron(0 8 * * ? *)'],
        ['cron(0 0 8 * * ? *)', 'a cron expression of 6 fields (minutes hours day-of-month month day-of-week year), such as cron(0 8 * * ? *)'],
        ['cron(0 8 * * * *)', 'a cron expression with ? in exactly one of day-of-month and day-of-week, such as cron(0 8 * * ? *)'],
        ['cron(0 8 * * MON-FRI *)', 'a cron expression with ? in exactly one of day-of-month and day-of-week, such as cron(0 8 ? * MON-FRI *)'],
        ['cron(0 8 1 * MON *)', 'a cron expression with ? in exactly one of day-of-month and day-of-week, such as cron(0 8 1 * ? *) or cron(0 8 ? * MON *)'],
        ['cron(0 8 ? * ? *)', 'a cron expression with ? in exactly one of day-of-month and day-of-week, such as cron(0 8 * * ? *)'],
        ['at(2030-01-01T08:00:00)', "a rate(value unit) or cron(fields) expression, such as rate(5 minutes) or cron(0 8 * * ? *): EventBridge rules take no other kind (one-time at() schedules are EventBridge Scheduler's)"],
      ];

      test.each(refused)('rejects %s', (expression, allowed) => {
        expect(errorLines(() => build({ eventPattern: undefined, schedule: events.Schedule.expression(expression) })))
          .toEqual(["EventRuleWithDeadLetterQueue 'TestStack/Orders' has 1 invalid prop:", `  - schedule is '${expression}'; it must be ${allowed}.`]);
      });

      test.each([
        ['Schedule.cron, daily', events.Schedule.cron({ minute: '0', hour: '8' })],
        ['Schedule.cron, on weekdays', events.Schedule.cron({ minute: '0', hour: '8', weekDay: 'MON-FRI' })],
        ['Schedule.cron, monthly', events.Schedule.cron({ minute: '0', hour: '8', day: '1' })],
        ['Schedule.rate, one minute', events.Schedule.rate(Duration.minutes(1))],
        ['Schedule.rate, five minutes', events.Schedule.rate(Duration.minutes(5))],
        ['Schedule.rate, one hour', events.Schedule.rate(Duration.hours(1))],
        ['Schedule.rate, two days', events.Schedule.rate(Duration.days(2))],
        ['Schedule.expression, a valid cron', events.Schedule.expression('cron(0 20 * * ? *)')],
        ['Schedule.expression, a valid rate', events.Schedule.expression('rate(5 minutes)')],
        ['Schedule.expression, a token', events.Schedule.expression(Token.asString({ Ref: 'Expression' }))],
        ['Schedule.rate, a token', events.Schedule.rate(Duration.minutes(Token.asNumber({ Ref: 'Minutes' })))],
      ])('accepts %s', (_name, schedule) => {
        const { stack } = build({ eventPattern: undefined, schedule });
        Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 1);
      });
    });

    describe('values known only at deploy time', () => {
      // Every validated prop and target option takes a value known only at deploy time; the
      // validator skips it, and the rule's template refers to the parameter.
      type RuleProps = (t: DeployTimeValues, stack: Stack) => Partial<EventRuleWithDeadLetterQueueProps>;
      type Case = [string, RuleProps, (t: DeployTimeValues) => QueueTargetOptions];
      const none = () => ({});
      it.each<Case>([
        ['retryAttempts', (t) => ({ retryAttempts: t.number }), none],
        ['eventBus, by a name known at deploy time', (t, stack) => ({ eventBus: events.EventBus.fromEventBusName(stack, 'Bus', t.text) }), none],
        ['maxEventAge', (t) => ({ maxEventAge: t.duration }), none],
        ['description', (t) => ({ description: t.text }), none],
        ['archiveRetention', (t) => ({ archiveRetention: Duration.days(t.number) }), none],
        ['eventPattern, a field', (t) => ({ eventPattern: { source: [t.text] } }), none],
        ['eventPattern, a field as a list', (t) => ({ eventPattern: { source: t.list } }), none],
        ['schedule', (t) => ({ eventPattern: undefined, schedule: events.Schedule.expression(t.text) }), none],
        ["a target's retryAttempts", none, (t) => ({ retryAttempts: t.number })],
        ["a target's maxEventAge", none, (t) => ({ maxEventAge: t.duration })],
        ["a target's input", none, (t) => ({ input: events.RuleTargetInput.fromText(t.text) })],
        ["a target's messageGroupId", none, (t) => ({ messageGroupId: t.text })],
      ])('accepts a token for %s', (_prop, props, options) => {
        const stack = newStack({ withEnv: true });
        const t = deployTimeValues(stack);
        const pattern = new EventRuleWithDeadLetterQueue(stack, 'Orders',
          { eventPattern: PLACED, ...props(t, stack) } as EventRuleWithDeadLetterQueueProps);
        expect(() => pattern.addQueueTarget(new sqs.Queue(stack, 'Target', { fifo: true }), { messageGroupId: 'orders', ...options(t) })).not.toThrow();
        const resources = JSON.stringify(Template.fromStack(stack).toJSON().Resources);
        expect(resources.includes('"Ref":"DeployTime')).toBe(true);
      });

      it.each<[string, (t: DeployTimeValues) => Partial<EventRuleWithDeadLetterQueueProps>, RegExp]>([
        ['maxEventAge in minutes', (t) => ({ maxEventAge: Duration.minutes(t.number) }),
          /maxEventAge is 'a token in minutes'; it must be given as Duration.seconds\(\.\.\.\) when only known at deploy time: the template holds seconds/],
        ['archiveRetention in seconds', (t) => ({ archiveRetention: t.duration }),
          /archiveRetention is 'a token in seconds'; it must be given as Duration.days\(\.\.\.\) when only known at deploy time: the template holds days/],
      ])('refuses a token for %s, saying why', (_prop, props, message) => {
        const stack = newStack({ withEnv: true });
        expect(() => new EventRuleWithDeadLetterQueue(stack, 'Orders', { eventPattern: PLACED, ...props(deployTimeValues(stack)) })).toThrow(message);
      });
    });

    describe("a target's input EventBridge would refuse", () => {
      test('a constant input over 8,192 characters', () => {
        const { stack, pattern } = build();
        expect(errorLines(() => pattern.addFunctionTarget(consumerFunction(stack, 'F'), { input: events.RuleTargetInput.fromText('x'.repeat(8191)) }))).toContain(
          "  - input is '8,193 characters (the input)'; it must be at most 8,192 characters (EventBridge's limit on a target's input).");
      });

      test('an input template over 8,192 characters', () => {
        const { stack, pattern } = build();
        const input = events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.id'), note: 'x'.repeat(8192) });
        expect(errorLines(() => pattern.addFunctionTarget(consumerFunction(stack, 'F'), { input }))).toContainEqual(
          expect.stringMatching(/^ {2}- input is '8,2\d\d characters \(the input template\)'; it must be at most 8,192 characters \(EventBridge's limit on a target's input template\)\.$/));
      });

      test('an input from more than 100 fields of the event', () => {
        const { stack, pattern } = build();
        const fields = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, events.EventField.fromPath(`$.detail.f${i}`)]));
        expect(errorLines(() => pattern.addFunctionTarget(consumerFunction(stack, 'F'), { input: events.RuleTargetInput.fromObject(fields) }))).toContain(
          "  - input is '101 fields of the event'; it must be at most 100 fields of the event in one input (EventBridge's limit on an input transformer's paths).");
      });

      test('accepts the limits themselves', () => {
        const { stack, pattern } = build();
        const fields = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, events.EventField.fromPath(`$.detail.f${i}`)]));
        expect(() => pattern.addFunctionTarget(consumerFunction(stack, 'F1'), { input: events.RuleTargetInput.fromText('x'.repeat(8190)) })).not.toThrow();
        expect(() => pattern.addFunctionTarget(consumerFunction(stack, 'F2'), { input: events.RuleTargetInput.fromObject(fields) })).not.toThrow();
        expect(targetsOf(Template.fromStack(stack))[0].Input).toHaveLength(8192);
      });
    });
  });

  describe('compliance', () => {
    test('defaults, with a HardenedFunction target: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      const stack = new Stack(app, 'Defaults');
      new EventRuleWithDeadLetterQueue(stack, 'Orders', { eventPattern: PLACED }).addFunctionTarget(new HardenedFunction(stack, 'Handler', { code: CODE }));
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured: no unacknowledged finding on what the pattern creates', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged on what the pattern creates', () => {
      expect(fullyConfiguredNag().v2.filter((finding) => finding.includes(' at Full/Orders'))).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two rules in one stack synthesize, each with its own dead-letter queue', () => {
      const stack = newStack({ withEnv: true });
      new EventRuleWithDeadLetterQueue(stack, 'Placed', { eventPattern: PLACED }).addQueueTarget(new sqs.Queue(stack, 'A'));
      new EventRuleWithDeadLetterQueue(stack, 'Nightly', { schedule: events.Schedule.rate(Duration.days(1)) }).addQueueTarget(new sqs.Queue(stack, 'B'));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::Rule', 2);
      const dlqs = targetsOf(template).concat(Object.values(template.findResources('AWS::Events::Rule'))[1].Properties.Targets).map((t) => JSON.stringify(t.DeadLetterConfig));
      expect(new Set(dlqs).size).toBe(2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      fullyConfigured(new Stack(app, 'Validated', { env: TEST_ENV }));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // A Data stack with a key, a bus, an encrypted queue and a function; rules in an App stack that
    // deploys after it use them all. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      const bus = new events.EventBus(dataStack, 'Bus');
      const queue = new sqs.Queue(dataStack, 'Orders', { encryptionMasterKey: key, enforceSSL: true });
      const handler = new HardenedFunction(dataStack, 'Handler', { code: lambda.Code.fromInline('exports.handler = async () => {};') });
      const onBus = new EventRuleWithDeadLetterQueue(appStack, 'OnBus', { eventBus: bus, encryptionKey: key, eventPattern: { source: ['shop'] } });
      onBus.addQueueTarget(queue);
      onBus.addFunctionTarget(handler);
      new EventRuleWithDeadLetterQueue(appStack, 'OwnBus', { createEventBus: true, encryptionKey: key, eventPattern: { source: ['shop'] } });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the queue's policy names the rule by a name known at synth, which the rule is given", () => {
      const rules = svc.findResources('AWS::Events::Rule', { Properties: { EventBusName: { 'Fn::GetStackOutput': Match.anyValue() } } });
      const [name] = Object.values(rules).map((rule: any) => rule.Properties.Name);
      expect(name).toMatch(/^ProdAppOnBus/);
      const [busName] = Object.values(data.findResources('AWS::Events::EventBus')).map((b: any) => b.Properties.Name);
      data.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            // The bus by its name in Data's template, the rule by its own: no reference to either stack.
            Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:us-east-1:123456789012:rule/${busName}/${name}` } },
          })]),
        },
      });
    });

    test("the function's invoke permission is in the rule's stack", () => {
      data.resourceCountIs('AWS::Lambda::Permission', 0);
      svc.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
