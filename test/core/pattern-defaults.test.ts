import { CfnOutput, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeadLetterQueue, DeadLetterSource, DeploymentStage, OperationsScope, PatternDefaults, QueueWithDeadLetterQueue, RestApiLambda } from '../../src';
import { newApp, TEST_ENV } from '../support/app';
import { EVERY_PATTERN } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';

const ALARM_TOPIC_ID = /^PatternOperationsAlarmTopic[0-9A-F]{8}$/;

/**
 * Whether a template keeps anything on deletion: the mark of PROD in every pattern. The REST API's
 * account-wide logging role is retained in every stage (another stack may rely on it) and does not
 * count.
 */
function retainsAnything(stack: Stack | Template): boolean {
  const template = stack instanceof Template ? stack : Template.fromStack(stack);
  return Object.entries(template.toJSON().Resources)
    .some(([id, r]: [string, any]) => r.DeletionPolicy === 'Retain' && !id.startsWith('ApiGatewayAccountLogging'));
}

const appWithContext = (context: Record<string, string>) => newApp({ context });

/**
 * Each pattern built once with default props (so PROD), synthesized once, and shared by the tests
 * that read it (the DEV stage, alarm actions, dashboard sections).
 */
const defaultBuilds = new Map<string, Stack>();
const defaultTemplates = new Map<Stack, Template>();
function defaultTemplate(stack: Stack): Template {
  if (!defaultTemplates.has(stack)) {
    defaultTemplates.set(stack, Template.fromStack(stack));
  }
  return defaultTemplates.get(stack)!;
}
function withDefaults(name: string, build: (stack: Stack) => void): Stack {
  if (!defaultBuilds.has(name)) {
    // In us-east-1, the one region where a StaticWebsite can have alarms (CloudFront's metrics are there).
    const stack = new Stack(newApp(), 'S', { env: TEST_ENV });
    build(stack);
    defaultBuilds.set(name, stack);
  }
  return defaultBuilds.get(name)!;
}

function queueIn(scope: Construct, stage?: DeploymentStage): Stack {
  const stack = scope instanceof Stack ? scope : new Stack(scope, 'Queues');
  new QueueWithDeadLetterQueue(stack, `Jobs${stack.node.children.length}`, { stage });
  return stack;
}

describe('PatternDefaults', () => {
  describe('stage', () => {
    // DnsRouting keeps no data, so nothing of it is retained in either stage: its stage decides only
    // whether it may be outside us-east-1 (without alarms). test/edge/dns-routing.test.ts proves that
    // an app-wide DEV stage reaches it.
    test.each(EVERY_PATTERN.filter(([name]) => name !== 'DnsRouting'))('an app-wide DEV stage reaches %s', (name, build) => {
      expect(retainsAnything(defaultTemplate(withDefaults(name, build)))).toBe(true);

      const app = newApp();
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      const dev = new Stack(app, 'Dev');
      build(dev);
      expect(retainsAnything(dev)).toBe(false);
    });

    test("a pattern's own stage beats the app-wide one", () => {
      const app = newApp();
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      expect(retainsAnything(queueIn(new Stack(app, 'S'), DeploymentStage.PROD))).toBe(true);
    });

    test('the nearest scope wins: a stack over its cdk.Stage over the app, one field at a time', () => {
      const app = newApp();
      const appTopic = sns.Topic.fromTopicArn(new Stack(app, 'Shared'), 'Topic', 'arn:aws:sns:us-east-1:123456789012:app-alarms');
      PatternDefaults.set(app, { stage: DeploymentStage.DEV, alarmTopic: appTopic });
      const stage = new Stage(app, 'Prod');
      PatternDefaults.set(stage, { stage: DeploymentStage.PROD });
      const devStack = new Stack(stage, 'Sandbox');
      PatternDefaults.set(devStack, { stage: DeploymentStage.DEV });

      expect(PatternDefaults.stageOf(new Stack(app, 'Plain'))).toBe(DeploymentStage.DEV);
      const prodStack = queueIn(new Stack(stage, 'Service'));
      queueIn(devStack);
      expect(retainsAnything(prodStack)).toBe(true);
      expect(retainsAnything(devStack)).toBe(false);
      // The stage came from the cdk.Stage, the alarm topic still from the app.
      Template.fromStack(prodStack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:us-east-1:123456789012:app-alarms'] });
      expect(PatternDefaults.alarmTopicOf(prodStack)).toBe(appTopic);
    });

    test('a second call on the same scope changes only the fields it sets', () => {
      const app = newApp();
      const topic = sns.Topic.fromTopicArn(new Stack(app, 'Shared'), 'Topic', 'arn:aws:sns:us-east-1:123456789012:alarms');
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      PatternDefaults.set(app, { alarmTopic: topic });
      const stack = new Stack(app, 'S');
      expect(PatternDefaults.stageOf(stack)).toBe(DeploymentStage.DEV);
      expect(PatternDefaults.alarmTopicOf(stack)).toBe(topic);
    });

    test('the context key flips the stage of a whole app, and PatternDefaults beats it', () => {
      const app = appWithContext({ [PatternDefaults.STAGE_CONTEXT_KEY]: 'dev' });
      const fromContext = queueIn(new Stack(app, 'FromContext'));
      const fromCode = new Stack(app, 'FromCode');
      PatternDefaults.set(fromCode, { stage: DeploymentStage.PROD });
      queueIn(fromCode);
      expect(retainsAnything(fromContext)).toBe(false);
      expect(retainsAnything(fromCode)).toBe(true);
    });

    test('a context value that is no stage is an error naming the key, the value and the choices', () => {
      const app = appWithContext({ [PatternDefaults.STAGE_CONTEXT_KEY]: 'staging' });
      expect(() => queueIn(new Stack(app, 'S'))).toThrow(
        "The context key cdk-best-practice-patterns:stage is 'staging'; it must be one of: dev, prod.");
    });

    // A stage from JavaScript, JSON or Python is any value. Before this was checked, 'production'
    // compared unequal to PROD and made the pattern DEV: it deleted its data with the stack.
    test.each(['production', 'staging', 'PROD', ''])("a pattern's stage %j from untyped configuration is an error, never DEV", (stage) => {
      const stack = new Stack(newApp(), 'S');
      expect(() => new QueueWithDeadLetterQueue(stack, 'Jobs', { stage: stage as DeploymentStage })).toThrow(
        `QueueWithDeadLetterQueue 'S/Jobs': stage is ${JSON.stringify(stage)}; it must be one of DeploymentStage's values: 'dev', 'prod'.`);
    });

    test('a stage known only at deploy time is an error that says why', () => {
      const stack = new Stack(newApp(), 'S');
      const stage = new CfnParameter(stack, 'Stage').valueAsString as DeploymentStage;
      expect(() => new QueueWithDeadLetterQueue(stack, 'Jobs', { stage })).toThrow(
        "QueueWithDeadLetterQueue 'S/Jobs': stage is a token, only known at deploy time; it must be a value known at synth: "
        + 'it decides what the stack keeps on delete, its high availability and its web ACLs.');
      expect(() => PatternDefaults.set(stack, { stage })).toThrow(/^PatternDefaults.set\('S'\): stage is a token/);
    });

    test('an app-wide stage from untyped configuration is an error naming the scope', () => {
      expect(() => PatternDefaults.set(newApp(), { stage: 'production' as DeploymentStage })).toThrow(
        "PatternDefaults.set(the app): stage is \"production\"; it must be one of DeploymentStage's values: 'dev', 'prod'.");
    });

    test('a building block checks its stage too', () => {
      const stack = new Stack(newApp(), 'S');
      expect(() => new DeadLetterQueue(stack, 'Failures', { source: DeadLetterSource.LAMBDA_FUNCTION, stage: 'production' as DeploymentStage })).toThrow(
        /^DeadLetterQueue 'S\/Failures': stage is "production"; it must be one of DeploymentStage's values/);
    });

    test('setting defaults after a pattern below was created is an error, since the pattern would never see them', () => {
      const app = newApp();
      const stack = queueIn(new Stack(app, 'S'));
      expect(() => PatternDefaults.set(app, { stage: DeploymentStage.DEV })).toThrow(/comes after the pattern 'S\/Jobs0' was created/);
      expect(() => PatternDefaults.set(stack, { stage: DeploymentStage.DEV })).toThrow(/call PatternDefaults.set before creating the patterns/);
      // A scope with no pattern below it yet is fine.
      expect(() => PatternDefaults.set(new Stack(app, 'Other'), { stage: DeploymentStage.DEV })).not.toThrow();
    });
  });

  describe('alarms that always act', () => {
    test.each(EVERY_PATTERN)('every alarm of %s notifies the stack alarm topic in ALARM and back to OK', (name, build) => {
      const template = defaultTemplate(withDefaults(name, build));
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.length).toBeGreaterThan(0);
      const topicId = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => ALARM_TOPIC_ID.test(id));
      expect(topicId).toBeDefined();
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      }
    });

    test('one topic per stack, encrypted with a rotating key CloudWatch may use, TLS-only, only for this account', () => {
      const stack = new Stack(newApp(), 'S');
      queueIn(stack);
      queueIn(stack);
      const template = Template.fromStack(stack);
      expect(Object.keys(template.findResources('AWS::SNS::Topic')).filter((id) => ALARM_TOPIC_ID.test(id))).toHaveLength(1);
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' }),
            Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: Match.anyValue() },
            }),
          ]),
        },
      });
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      expect(PatternDefaults.alarmTopicOf(stack)).toBe(stack.node.findChild('PatternOperations').node.findChild('AlarmTopic'));
    });

    test("a construct of the user's own under the id the stack's operations use is an error that says so", () => {
      const stack = new Stack(newApp(), 'S');
      new Construct(stack, 'PatternOperations');
      expect(() => queueIn(stack)).toThrow("The stack S has a construct named 'PatternOperations' of its own");
    });

    test('each stack has its own topic', () => {
      const app = newApp();
      const one = queueIn(new Stack(app, 'One'));
      const two = queueIn(new Stack(app, 'Two'));
      expect(PatternDefaults.alarmTopicOf(one)).not.toBe(PatternDefaults.alarmTopicOf(two));
      for (const stack of [one, two]) {
        expect(Object.keys(Template.fromStack(stack).findResources('AWS::SNS::Topic')).filter((id) => ALARM_TOPIC_ID.test(id))).toHaveLength(1);
      }
    });

    test('an alarm e-mail, from PatternDefaults or the context key, subscribes to the topic', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      Template.fromStack(queueIn(new Stack(app, 'S'))).hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') },
      });
      const fromContext = appWithContext({ [PatternDefaults.ALARM_EMAIL_CONTEXT_KEY]: 'oncall@example.com' });
      Template.fromStack(queueIn(new Stack(fromContext, 'S'))).hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'oncall@example.com' });
    });

    test("the alarm e-mail's undelivered notifications end in a dead-letter queue only the topic may send to", () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      const template = Template.fromStack(queueIn(new Stack(app, 'S')));
      const queueId = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('PatternOperationsAlarmEmailDeadLetters'))!;
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email', RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      });
      template.hasResource('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 } });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') } } },
            }),
          ]),
        },
      });
    });

    // One app, built and synthesized once with both majors' packs: the test of each reads it.
    let operationsNag: BothMajorsOutcome | undefined;
    test.each([[2], [3]])("the stack's operations, with an alarm e-mail, have no finding in the five packs of cdk-nag %i.x", (major) => {
      if (!operationsNag) {
        const app = newApp();
        PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
        queueIn(new Stack(app, 'S'));
        operationsNag = runNagPacksOfBothMajors(app);
      }
      if (major === 3) {
        expect(operationsNag.v3).toEqual(COMPLIANT);
      } else {
        expect(operationsNag.v2).toEqual([]);
      }
    });

    test('an alarm e-mail that is no address is an error naming where it came from', () => {
      expect(() => PatternDefaults.set(newApp(), { alarmEmail: 'ops' })).toThrow(
        "PatternDefaults.set(the app): alarmEmail is 'ops'; it must be an e-mail address such as ops@example.com.");
      const app = appWithContext({ [PatternDefaults.ALARM_EMAIL_CONTEXT_KEY]: 'ops@' });
      expect(() => queueIn(new Stack(app, 'S'))).toThrow(/The context key cdk-best-practice-patterns:alarmEmail is 'ops@'/);
    });

    test('an app-wide alarm topic replaces the stack topic; a pattern\'s own topic beats it', () => {
      const app = newApp();
      const shared = new Stack(app, 'Shared');
      const appTopic = sns.Topic.fromTopicArn(shared, 'AppTopic', 'arn:aws:sns:us-east-1:123456789012:app-alarms');
      PatternDefaults.set(app, { alarmTopic: appTopic });
      const stack = new Stack(app, 'S');
      new QueueWithDeadLetterQueue(stack, 'Jobs');
      new QueueWithDeadLetterQueue(stack, 'Own', { alarmTopic: sns.Topic.fromTopicArn(stack, 'OwnTopic', 'arn:aws:sns:us-east-1:123456789012:own') });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      const actions = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [id.startsWith('Own'), alarm.Properties.AlarmActions[0]]);
      expect(new Set(actions.filter(([own]) => own).map(([, action]) => action))).toEqual(new Set(['arn:aws:sns:us-east-1:123456789012:own']));
      expect(new Set(actions.filter(([own]) => !own).map(([, action]) => action))).toEqual(new Set(['arn:aws:sns:us-east-1:123456789012:app-alarms']));
    });
  });

  describe('an alarm e-mail with a topic of your own', () => {
    const CONTEXT_KEY = 'the context key cdk-best-practice-patterns:alarmEmail';
    const topicIn = (stack: Stack, name: string) => sns.Topic.fromTopicArn(stack, `${name}Topic`, `arn:aws:sns:us-east-1:123456789012:${name}`);
    /** The one validation error of the app, without the path CDK puts before it. */
    const synthError = (stack: Stack) => {
      try {
        Template.fromStack(stack);
      } catch (e) {
        const errors = (e as Error).message.split('\n').slice(1);
        expect(errors).toHaveLength(1);
        return errors[0].replace(/^ {2}\[[^\]]*\] /, '');
      }
      return undefined;
    };
    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('alarmEmailMissesPattern'))
      .map((w) => [w.id, w.entry.data]);

    test('alarmEmail alone and alarmTopic alone still work, and so does the stack topic given as a pattern\'s own', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      const emailOnly = queueIn(new Stack(app, 'EmailOnly'));
      new QueueWithDeadLetterQueue(emailOnly, 'OnStackTopic', { alarmTopic: PatternDefaults.alarmTopicOf(emailOnly) });
      Template.fromStack(emailOnly).resourceCountIs('AWS::SNS::Subscription', 1);
      expect(warnings(emailOnly)).toEqual([]);

      const other = newApp();
      PatternDefaults.set(other, { alarmTopic: sns.Topic.fromTopicArn(new Stack(other, 'Shared'), 'Topic', 'arn:aws:sns:us-east-1:123456789012:app-alarms') });
      const topicOnly = queueIn(new Stack(other, 'TopicOnly'));
      new QueueWithDeadLetterQueue(topicOnly, 'Own', { alarmTopic: topicIn(topicOnly, 'own') });
      expect(synthError(topicOnly)).toBeUndefined();
      expect(warnings(topicOnly)).toEqual([]);
    });

    test('both in one PatternDefaults.set, or in two calls on the same scope, is an error at once', () => {
      const app = newApp();
      const topic = topicIn(new Stack(app, 'Shared'), 'alarms');
      const message = "PatternDefaults.set(the app) sets both alarmEmail and alarmTopic; alarmEmail subscribes only the stack's own alarm topic, " +
        'which alarmTopic replaces, so the address would hear nothing: subscribe it to your topic (topic.addSubscription(...)) and drop alarmEmail, or drop alarmTopic.';
      expect(() => PatternDefaults.set(app, { alarmEmail: 'ops@example.com', alarmTopic: topic })).toThrow(message);
      PatternDefaults.set(app, { alarmTopic: topic });
      expect(() => PatternDefaults.set(app, { alarmEmail: 'ops@example.com' })).toThrow(message);
    });

    test('alarmEmail on a stack under an alarmTopic above it is an error at synth', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmTopic: topicIn(new Stack(app, 'Shared'), 'alarms') });
      const stack = new Stack(app, 'S');
      PatternDefaults.set(stack, { alarmEmail: 'ops@example.com' });
      queueIn(stack);
      expect(synthError(stack)).toBe("Stack 'S': alarmEmail from PatternDefaults.set('S') subscribes only the stack's own alarm topic, but every pattern " +
        'of the stack notifies a topic of your own instead (alarmTopic from PatternDefaults.set(the app)), so the address would hear nothing: ' +
        'subscribe it to your topic (topic.addSubscription(...)) and drop alarmEmail, or drop alarmTopic.');
    });

    test('alarmEmail on the app and alarmTopic on one stack below is an error for that stack only', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      const own = new Stack(app, 'Own');
      PatternDefaults.set(own, { alarmTopic: topicIn(own, 'team') });
      queueIn(own);
      const plain = queueIn(new Stack(app, 'Plain'));
      // One error, Own's: Plain's topic, with the address subscribed, hears its queue.
      expect(plain.node.findChild('PatternOperations').node.tryFindChild('AlarmEmail')).toBeDefined();
      expect(synthError(own)).toBe("Stack 'Own': alarmEmail from PatternDefaults.set(the app) subscribes only the stack's own alarm topic, but every " +
        "pattern of the stack notifies a topic of your own instead (alarmTopic from PatternDefaults.set('Own')), so the address would hear nothing: " +
        'subscribe it to your topic (topic.addSubscription(...)) and drop alarmEmail, or drop alarmTopic.');
    });

    test('the context key alarmEmail with a PatternDefaults alarmTopic is an error naming the key', () => {
      const app = appWithContext({ [PatternDefaults.ALARM_EMAIL_CONTEXT_KEY]: 'oncall@example.com' });
      PatternDefaults.set(app, { alarmTopic: topicIn(new Stack(app, 'Shared'), 'alarms') });
      const stack = queueIn(new Stack(app, 'S'));
      expect(synthError(stack)).toBe(`Stack 'S': alarmEmail from ${CONTEXT_KEY} subscribes only the stack's own alarm topic, but every pattern ` +
        'of the stack notifies a topic of your own instead (alarmTopic from PatternDefaults.set(the app)), so the address would hear nothing: ' +
        `subscribe it to your topic (topic.addSubscription(...)) and drop ${CONTEXT_KEY}, or drop alarmTopic.`);
    });

    test('every pattern of a stack on a topic of its own, by prop or by defaults below the stack, is an error naming each', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      const stack = new Stack(app, 'S');
      new QueueWithDeadLetterQueue(stack, 'Jobs', { alarmTopic: topicIn(stack, 'jobs') });
      const team = new Construct(stack, 'Team');
      PatternDefaults.set(team, { alarmTopic: topicIn(stack, 'team') });
      new QueueWithDeadLetterQueue(team, 'Orders');
      // A pattern inside another (RestApiLambda's function) counts as the outer one, named by its prop.
      new RestApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'), alarmTopic: topicIn(stack, 'api') });
      expect(synthError(stack)).toBe("Stack 'S': alarmEmail from PatternDefaults.set(the app) subscribes only the stack's own alarm topic, but every " +
        "pattern of the stack notifies a topic of your own instead (alarmTopic from PatternDefaults.set('S/Team'); the alarmTopic prop of 'S/Jobs', 'S/Api'), " +
        'so the address would hear nothing: subscribe it to your topic (topic.addSubscription(...)) and drop alarmEmail, or drop alarmTopic.');
    });

    test('some patterns on a topic of their own, by prop or by defaults below the stack, is a warning on each', () => {
      const app = newApp();
      PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
      const stack = queueIn(new Stack(app, 'S'));
      new QueueWithDeadLetterQueue(stack, 'Own', { alarmTopic: topicIn(stack, 'own') });
      const team = new Construct(stack, 'Team');
      PatternDefaults.set(team, { alarmTopic: topicIn(stack, 'team') });
      new QueueWithDeadLetterQueue(team, 'Orders');
      expect(synthError(stack)).toBeUndefined();
      const tail = "not the stack's alarm topic that alarmEmail from PatternDefaults.set(the app) subscribes, so the address hears none of its " +
        'alarms: subscribe it to that topic too (topic.addSubscription(...)) if it should. [ack: cdk-best-practice-patterns:alarmEmailMissesPattern]';
      expect(warnings(stack)).toEqual([
        ['/S/Own', `QueueWithDeadLetterQueue 'S/Own' notifies a topic of your own (the alarmTopic prop of 'S/Own'), ${tail}`],
        ['/S/Team/Orders', `QueueWithDeadLetterQueue 'S/Team/Orders' notifies a topic of your own (alarmTopic from PatternDefaults.set('S/Team')), ${tail}`],
      ]);
      Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 1);
    });
  });

  describe('operations shared by a stage', () => {
    const ACCOUNT = '111111111111';
    /** Two stages of three stacks, two in eu-west-1 and one in us-east-1, a queue in each. */
    function splitApp(defaults: Parameters<typeof PatternDefaults.set>[1] = {}) {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE, alarmEmail: 'ops@example.com', ...defaults });
      return ['Dev', 'Prod'].map((name) => {
        const stage = new Stage(app, name, { env: { account: ACCOUNT, region: 'eu-west-1' } });
        const stacks = {
          data: queueIn(new Stack(stage, 'Data')),
          web: queueIn(new Stack(stage, 'Web')),
          edge: queueIn(new Stack(stage, 'Edge', { env: { account: ACCOUNT, region: 'us-east-1' } })),
        };
        return { app, stage, ...stacks };
      });
    }
    const stackIds = (stage: Stage) => stage.node.children.filter(Stack.isStack).map((stack) => stack.node.id).sort();
    const types = (stack: Stack) => new Set(Object.values(Template.fromStack(stack).toJSON().Resources).map((r: any) => r.Type));

    test('each stage gets one alarm topic and one dashboard per account and region, in two stacks of its own', () => {
      const [dev, prod] = splitApp();
      for (const { stage } of [dev, prod]) {
        expect(stackIds(stage)).toEqual(['Data', 'Edge', `PatternAlarms-${ACCOUNT}-eu-west-1`, `PatternAlarms-${ACCOUNT}-us-east-1`,
          `PatternDashboard-${ACCOUNT}-eu-west-1`, `PatternDashboard-${ACCOUNT}-us-east-1`, 'Web']);
      }
      const shared = (kind: string, region: string) => prod.stage.node.findChild(`${kind}-${ACCOUNT}-${region}`) as Stack;
      const alarms = shared('PatternAlarms', 'eu-west-1');
      expect(alarms.region).toBe('eu-west-1');
      expect(types(alarms)).toEqual(new Set(['AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']));
      expect(types(shared('PatternDashboard', 'us-east-1'))).toEqual(new Set(['AWS::CloudWatch::Dashboard']));
      // The pattern stacks keep only their patterns, and import the topic of their region.
      for (const stack of [prod.data, prod.web, prod.edge]) {
        const template = Template.fromStack(stack);
        for (const type of ['AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::CloudWatch::Dashboard']) {
          template.resourceCountIs(type, 0);
        }
        for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
          expect(alarm.Properties.AlarmActions).toEqual([{
            'Fn::GetStackOutput': { StackName: `Prod-PatternAlarms-${ACCOUNT}-${stack.region}`, Region: stack.region, OutputName: expect.any(String) },
          }]);
        }
      }
      // The topic's stack deploys first, the dashboard's last.
      expect(prod.web.dependencies).toContain(alarms);
      expect(shared('PatternDashboard', 'eu-west-1').dependencies).toEqual(expect.arrayContaining([prod.data, prod.web]));
      const body = JSON.stringify(Template.fromStack(shared('PatternDashboard', 'eu-west-1')).toJSON());
      expect(body.match(/### [A-Za-z]+ `[^`]+`/g)).toEqual(['### QueueWithDeadLetterQueue `Prod/Data/Jobs0`', '### QueueWithDeadLetterQueue `Prod/Web/Jobs0`']);
      Template.fromStack(alarms).resourceCountIs('AWS::SNS::Subscription', 1);
    });

    test('the dashboard reads outputs, never imports, even where the app keeps strong references: removing a pattern never waits on it', () => {
      const app = newApp({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
      PatternDefaults.set(app, { operations: OperationsScope.STAGE });
      const stack = queueIn(new Stack(app, 'Web'));
      const alarm = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0];
      expect(alarm.Properties.AlarmActions).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/^PatternAlarms:/) }]);
      const dashboard = JSON.stringify(Template.fromStack(app.node.findChild('PatternDashboard') as Stack).toJSON());
      expect(dashboard).toContain('Fn::GetStackOutput');
      expect(dashboard).not.toContain('Fn::ImportValue');
    });

    test('env-agnostic stacks share one topic and one dashboard per stage', () => {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE });
      const stage = new Stage(app, 'Prod');
      queueIn(new Stack(stage, 'One'));
      queueIn(new Stack(stage, 'Two'));
      expect(stackIds(stage)).toEqual(['One', 'PatternAlarms', 'PatternDashboard', 'Two']);
    });

    // One split app, built and synthesized once with both majors' packs: the test of each reads it.
    let sharedNag: BothMajorsOutcome | undefined;
    test.each([[2], [3]])('the shared stacks have no finding in the five packs of cdk-nag %i.x, stages included', (major) => {
      if (!sharedNag) {
        const [{ app, stage: dev }, { stage: prod }] = splitApp();
        // cdk-nag 2.x's Aspects reach into a stage only from the stage itself.
        sharedNag = runNagPacksOfBothMajors(app, { stages: [dev, prod] });
      }
      if (major === 3) {
        expect(sharedNag.v3).toEqual(COMPLIANT);
      } else {
        expect(sharedNag.v2).toEqual([]);
      }
    });

    test('an alarm e-mail set below the stage is an error: the shared topic never sees it', () => {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE });
      const stage = new Stage(app, 'Prod');
      const stack = new Stack(stage, 'Web');
      PatternDefaults.set(stack, { alarmEmail: 'web@example.com' });
      queueIn(stack);
      expect(() => app.synth()).toThrow("Stack 'Prod/Web': alarmEmail from PatternDefaults.set('Prod/Web') is never heard: with OperationsScope.STAGE "
        + "the stack's alarms notify the alarm topic that 'Prod' shares, which subscribes only the alarmEmail set on the stage or the app: set it there instead.");
    });

    test('operations from untyped configuration must be one of the enum values, known at synth', () => {
      expect(() => PatternDefaults.set(newApp(), { operations: 'stage' as OperationsScope })).toThrow(
        "PatternDefaults.set(the app): operations is \"stage\"; it must be one of OperationsScope's values: 'STACK', 'STAGE'.");
      const stack = new Stack(newApp(), 'S');
      expect(() => PatternDefaults.set(stack, { operations: new CfnParameter(stack, 'Ops').valueAsString as OperationsScope })).toThrow(
        "PatternDefaults.set('S'): operations is a token, only known at deploy time; it must be one of OperationsScope's values, known at synth: 'STACK', 'STAGE'.");
    });

    test("a construct of the user's own under a shared stack's id is an error that says so", () => {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE });
      new Construct(app, 'PatternAlarms');
      expect(() => queueIn(new Stack(app, 'S'))).toThrow("'PatternAlarms' is a construct of your own; with OperationsScope.STAGE the patterns of the app keep their shared alarm topic in a stack of that id");
    });

    test('operationsStackPrefix starts the shared stacks\' ids, so two apps in one account need not share them', () => {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE, operationsStackPrefix: 'Photos' });
      const stage = new Stage(app, 'Prod');
      queueIn(new Stack(stage, 'Web'));
      expect(stackIds(stage)).toEqual(['PhotosAlarms', 'PhotosDashboard', 'Web']);
      expect((stage.node.findChild('PhotosAlarms') as Stack).stackName).toBe('Prod-PhotosAlarms');
    });

    test.each([['', '""'], ['9lives', '"9lives"'], ['a_b', '"a_b"'], ['x'.repeat(33), `"${'x'.repeat(33)}"`]])(
      'operationsStackPrefix %j is an error naming the value and the rule', (prefix, shown) => {
        expect(() => PatternDefaults.set(newApp(), { operationsStackPrefix: prefix })).toThrow(
          `PatternDefaults.set(the app): operationsStackPrefix is ${shown}; it must be 1 to 32 letters, digits and hyphens, starting with a letter, `
          + 'known at synth: it starts the names of the stacks OperationsScope.STAGE adds.');
      });

    test('operations set on a construct inside a stack is an error: no pattern would read it', () => {
      const inside = new Construct(new Stack(newApp(), 'S'), 'Inside');
      expect(() => PatternDefaults.set(inside, { operations: OperationsScope.STAGE })).toThrow(
        "PatternDefaults.set('S/Inside') sets operations or operationsStackPrefix on a construct inside a stack; they are read on stacks, stages "
        + 'and the app only: set them on the stack, its cdk.Stage or the app.');
    });

    test("a stack the shared dashboard would give more than CloudFormation's 200 outputs fails the synth with the fix", () => {
      const app = newApp();
      PatternDefaults.set(app, { operations: OperationsScope.STAGE });
      const stack = new Stack(app, 'Crowded');
      // The stack's own outputs, and a queue whose two alarms and queue name the dashboard reads through 3 more.
      for (let i = 0; i < 198; i++) {
        new CfnOutput(stack, `Own${i}`, { value: `${i}` });
      }
      queueIn(stack);
      expect(() => app.synth()).toThrow(/Stack Crowded would have 201 outputs; CloudFormation allows 200\. With OperationsScope\.STAGE, the shared dashboard reads/);
    });
  });

  describe('a dashboard per stack', () => {
    function dashboardBody(stack: Stack | Template): string {
      const template = stack instanceof Template ? stack : Template.fromStack(stack);
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      return JSON.stringify(dashboards[0].Properties.DashboardBody);
    }

    test('one dashboard per stack, with a section per pattern, and none in a stack without patterns', () => {
      const app = newApp();
      const stack = new Stack(app, 'S');
      new QueueWithDeadLetterQueue(stack, 'Orders');
      new QueueWithDeadLetterQueue(stack, 'Invoices');
      const empty = new Stack(app, 'Empty');
      const body = dashboardBody(stack);
      expect(body.match(/### [A-Za-z]+ `[^`]+`/g)).toEqual(['### QueueWithDeadLetterQueue `S/Orders`', '### QueueWithDeadLetterQueue `S/Invoices`']);
      Template.fromStack(empty).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    });

    test.each(EVERY_PATTERN)('%s has a section with its throughput and the state and metric of each alarm', (name, build) => {
      const template = defaultTemplate(withDefaults(name, build));
      const body = dashboardBody(template);
      const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
      expect(body).toMatch(/"type\\":\\"text\\"/);
      expect(body).toMatch(/\\"view\\":\\"timeSeries\\",\\"title\\":\\"[^\\]+\\",\\"region\\":\\"[^]*\\"metrics\\":/);
      for (const id of alarmIds) {
        // Once in the alarm status widget, once as the annotation of its own graph.
        expect(body.split(`"${id}"`).length - 1).toBe(2);
      }
    });

    test('a pattern inside another shows in the outer section only', () => {
      const stack = new Stack(newApp(), 'S');
      new RestApiLambda(stack, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
      expect(dashboardBody(stack).match(/### [A-Za-z]+ `[^`]+`/g)).toEqual(['### RestApiLambda `S/Api`']);
    });

    test('PatternDefaults turns the dashboard off, for a stack or for one pattern', () => {
      const app = newApp();
      const off = new Stack(app, 'Off');
      PatternDefaults.set(off, { dashboard: false });
      queueIn(off);
      const partly = new Stack(app, 'Partly');
      const quiet = new Construct(partly, 'Quiet');
      PatternDefaults.set(quiet, { dashboard: false });
      new QueueWithDeadLetterQueue(quiet, 'Hidden');
      new QueueWithDeadLetterQueue(partly, 'Shown');
      Template.fromStack(off).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
      expect(dashboardBody(partly).match(/### [A-Za-z]+ `[^`]+`/g)).toEqual(['### QueueWithDeadLetterQueue `Partly/Shown`']);
    });

    test('more widgets than CloudWatch allows on a dashboard is an error that says what to do', () => {
      const stack = new Stack(newApp(), 'Crowded');
      // Each queue's section holds 6 widgets: heading, alarm states, 2 graphs, 2 alarm graphs.
      for (let i = 0; i < 84; i++) {
        new QueueWithDeadLetterQueue(stack, `Queue${i}`);
      }
      expect(() => Template.fromStack(stack)).toThrow(/would hold 504 widgets; CloudWatch allows 500\. Turn the dashboard off for some patterns/);
    });
  });
});
