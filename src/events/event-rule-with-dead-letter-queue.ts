import { Annotations, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeadLetterQueue, DeadLetterSource } from '../building-blocks/dead-letter-queue';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * How one target of an EventRuleWithDeadLetterQueue is invoked.
 */
export interface EventTargetOptions {
  /**
   * How many times EventBridge retries a failed invocation, from 0 to 185.
   *
   * @default - the rule's `retryAttempts`
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps trying an event, from 60 seconds to 24 hours.
   *
   * @default - the rule's `maxEventAge`
   */
  readonly maxEventAge?: Duration;

  /**
   * What the target receives instead of the whole event (an input transformation): at most
   * 8,192 characters, from at most 100 fields of the event.
   *
   * @default - the matched event
   */
  readonly input?: events.RuleTargetInput;
}

/**
 * How a queue target of an EventRuleWithDeadLetterQueue is invoked.
 */
export interface QueueTargetOptions extends EventTargetOptions {
  /**
   * The message group every event sent to a FIFO queue joins. Required for a FIFO queue, unset for
   * a standard one.
   *
   * @default - none
   */
  readonly messageGroupId?: string;
}

/**
 * Properties of an EventRuleWithDeadLetterQueue.
 */
export interface EventRuleWithDeadLetterQueueProps extends PatternProps {
  /**
   * The events the rule matches, at most 2,048 characters once rendered. Exactly one of
   * `eventPattern` and `schedule`.
   *
   * @default - none
   */
  readonly eventPattern?: events.EventPattern;

  /**
   * When the rule runs, on the account's default bus. Exactly one of `eventPattern` and `schedule`.
   *
   * @default - none
   */
  readonly schedule?: events.Schedule;

  /**
   * The bus whose events the rule matches. Not with `schedule` (EventBridge runs schedules on the
   * default bus only) or `createEventBus`.
   *
   * @default - the account's default bus, or a new one with `createEventBus`
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Whether to create a bus of its own for the rule, with an archive of the events it matches.
   *
   * @default false
   */
  readonly createEventBus?: boolean;

  /**
   * How long the archive keeps matched events for replay, in whole days, at least 1. An archive
   * is created with `createEventBus`, or on `eventBus` (or the default bus) when this is set.
   *
   * @default - 30 days with `createEventBus`; no archive otherwise
   */
  readonly archiveRetention?: Duration;

  /**
   * How many times EventBridge retries a failed invocation of a target, from 0 to 185. A target's
   * options can override it.
   *
   * @default 10
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps trying an event before it goes to the dead-letter queue, from 60
   * seconds to 24 hours. A target's options can override it.
   *
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;

  /**
   * A customer-managed KMS key for the dead-letter queue. Its policy gets a statement letting
   * EventBridge use it for this rule only; the rule is then named from its construct path, so
   * that statement can name it without a dependency cycle.
   *
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What the rule is for, at most 512 characters.
   *
   * @default - the construct path
   */
  readonly description?: string;
}

// EventBridge's limits: targets per rule, and the size of an event pattern.
const MAX_TARGETS = 5;
const MAX_PATTERN_LENGTH = 2048;
// A target's retry policy: 0 to 185 retries, for 60 seconds to 24 hours.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html
const MAX_RETRY_ATTEMPTS = 185;
const MIN_EVENT_AGE = Duration.minutes(1);
const MAX_EVENT_AGE = Duration.hours(24);
// The characters and length of an event bus's name.
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
// A target's input: a constant or a template of at most 8,192 characters, from at most 100 paths.
const MAX_INPUT_LENGTH = 8192;
const MAX_INPUT_PATHS = 100;

/** 8192 as '8,192'. */
function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * An EventBridge rule whose targets never lose an event: each target retries within bounds, and
 * what still fails lands in a dead-letter queue that keeps it 14 days and raises an alarm.
 *
 * Applies: a retry policy and a dead-letter queue on every target; the dead-letter queue standard,
 * encrypted, TLS-only, writable by this rule only (also through its KMS key), retained in PROD;
 * a HardenedFunction target invoked through its alias; an optional bus of its own with an archive
 * for replay; alarms on failed invocations, on events that could not even reach the dead-letter
 * queue, on the dead-letter queue, and on throttled function targets.
 *
 * @example
 * import { EventRuleWithDeadLetterQueue, HardenedFunction } from 'cdk-best-practice-patterns';
 *
 * const handler = new HardenedFunction(this, 'Handler', { code: lambda.Code.fromAsset('lambda/order-placed') });
 * const rule = new EventRuleWithDeadLetterQueue(this, 'OrderPlaced', {
 *   eventPattern: { source: ['com.example.orders'], detailType: ['OrderPlaced'] },
 * });
 * rule.addFunctionTarget(handler, { retryAttempts: 3 });
 */
export class EventRuleWithDeadLetterQueue extends Construct {
  /**
   * The rule.
   */
  public readonly rule: events.Rule;

  /**
   * Where events go that a target failed to take within its retry policy.
   */
  public readonly deadLetterQueue: sqs.Queue;

  /**
   * The bus the pattern created, with `createEventBus`.
   */
  public readonly eventBus?: events.EventBus;

  /**
   * The archive of matched events, when there is one.
   */
  public readonly archive?: events.Archive;

  /**
   * The alarms of this pattern: failed invocations, events not delivered to the dead-letter queue,
   * the dead-letter queue not empty, and each plain function target's throttles.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly prelude: PatternPrelude<EventRuleWithDeadLetterQueueProps>;
  private readonly busName?: string;
  private targetCount = 0;
  /** The rule's name when it must be known at synth, else undefined (CloudFormation names it). */
  private fixedRuleName?: string;
  private targetRole?: ManagedPolicyRole;

  constructor(scope: Construct, id: string, props: EventRuleWithDeadLetterQueueProps) {
    super(scope, id);
    this.prelude = PatternPrelude.start(this, 'EventRuleWithDeadLetterQueue', props);
    props = this.prelude.props;
    this.alarms = this.prelude.alarms;
    this.validate(this.prelude.validator, props);

    if (props.createEventBus) {
      this.eventBus = new events.EventBus(this, 'EventBus', { description: `The events of ${this.node.path}` });
    }
    const bus = this.eventBus ?? props.eventBus;
    // The default bus's rules are named without it, in their ARNs and their metrics.
    this.busName = bus && bus.eventBusName !== 'default' ? bus.eventBusName : undefined;
    // A customer key's policy must name the rule, and the rule names the queue through its
    // targets: a name derived from the construct path (unique per stack, stable) breaks the cycle.
    // A fixed name is safe here, unlike a queue's (SQS keeps a deleted name for 60 seconds):
    // - Names.uniqueResourceName hashes the whole path, stack name included, and a stack name is
    //   unique in its account and region, so two stacks or two rules never share a name;
    // - EventBridge frees a rule's name when the rule is deleted, so a destroy and a quick
    //   redeploy create it again under the same name;
    // - the name is the only property of AWS::Events::Rule whose change replaces the rule
    //   (createOnlyProperties in its CloudFormation schema), and a new name is a new rule, so a
    //   replacement never meets its own old name. Moving the construct (a new path) renames it.
    // A key in another stack must not name this stack's bus by reference either (that stack would
    // depend on this one, which depends on it for the key: issue 28): its ARN then holds the bus's
    // name as written in the template.
    const keyElsewhere = props.encryptionKey !== undefined && Stack.of(props.encryptionKey) !== Stack.of(this);
    this.fixedRuleName = props.encryptionKey ? Names.uniqueResourceName(this, { maxLength: 64 }) : undefined;
    const ruleArn = this.fixedRuleName && this.formatRuleArn(keyElsewhere ? literalBusName(bus) : this.busName);

    const deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      source: DeadLetterSource.EVENT_RULE,
      sourceRuleArn: ruleArn,
      encryptionKey: props.encryptionKey,
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      alarmDescription: `An event of ${this.node.path} failed every retry of a target and is in the dead-letter queue`,
    });
    this.deadLetterQueue = deadLetterQueue.queue;

    this.rule = new events.Rule(this, 'Rule', {
      // Read at synth: a queue target in another stack names the rule too (see namedRuleArn).
      ruleName: Lazy.string({ produce: () => this.fixedRuleName }),
      description: props.description ?? `${this.node.path}`.slice(0, 512),
      eventPattern: props.eventPattern,
      schedule: props.schedule,
      eventBus: bus,
    });
    this.validatePatternSize();

    const archiveRetention = props.archiveRetention ?? (props.createEventBus ? Duration.days(30) : undefined);
    if (archiveRetention && props.eventPattern) {
      this.archive = new events.Archive(this, 'Archive', {
        sourceEventBus: bus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
        eventPattern: props.eventPattern,
        retention: archiveRetention,
        description: `Events of ${this.node.path}, for replay`.slice(0, 512),
      });
    }

    this.alarms.push(deadLetterQueue.alarm);
    const failed = this.metric('FailedInvocations');
    const lost = this.metric('InvocationsFailedToBeSentToDlq');
    this.prelude.alarm('FailedInvocationsAlarm', {
      metric: failed,
      threshold: 1,
      orEqual: true,
      description: `A target of ${this.node.path} failed every retry for an event, which went to the dead-letter queue`,
    });
    this.prelude.alarm('NotDeadLetteredAlarm', {
      metric: lost,
      threshold: 1,
      orEqual: true,
      description: `An event of ${this.node.path} failed every retry and could not be put into the dead-letter queue either: it is lost`,
    });
    this.prelude.dashboard([
      { title: 'Matched events and invocations', metrics: [this.metric('TriggeredRules'), this.metric('Invocations')] },
      { title: 'Failed invocations', metrics: [failed, lost] },
    ]);
  }

  /**
   * Invokes a function for each event. A HardenedFunction is invoked through its alias, so its safe
   * deploys cover events too; a plain function also gets an alarm on its throttles.
   *
   * A function in another stack works when the rule's stack deploys after the function's (the
   * invoke permission then lands in the rule's stack). The other way round cannot: the rule lists
   * its targets in itself (AWS::Events::Rule Targets), so it always references the function, and
   * aws-cdk-lib reports a cyclic reference; create the rule in the function's stack or a later one.
   */
  public addFunctionTarget(fn: lambda.IFunction, options: EventTargetOptions = {}): void {
    const index = this.beginTarget(options);
    this.rule.addTarget(new targets.LambdaFunction(fn, { ...this.delivery(options), event: options.input }));
    // A HardenedFunction watches its own throttles; it says so by having alarms of its own.
    if (!('alarms' in fn)) {
      this.prelude.alarm(`Target${index}ThrottlesAlarm`, {
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        orEqual: true,
        description: `The function ${fn.node.path}, a target of ${this.node.path}, is throttled: its events wait for retries`,
      });
    }
  }

  /**
   * Sends each event to a queue: a FIFO queue needs `messageGroupId`. The queue's policy lets only
   * this rule send (a queue in another stack names the rule by an ARN known at synth, so the rule
   * gets a fixed name, as with `encryptionKey`); an encrypted queue's key (when the pattern may change its policy) lets
   * EventBridge encrypt for this account's queues through SQS.
   */
  public addQueueTarget(queue: sqs.IQueue, options: QueueTargetOptions = {}): void {
    const validator = new PropValidator(`EventRuleWithDeadLetterQueue '${this.node.path}' queue target ${queue.node.path}`);
    // EventBridge sends to a FIFO queue only with SqsParameters.MessageGroupId, at most 100
    // characters: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-events-rule-sqsparameters.html
    // (MessageGroupId required, maximum 100), https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-target-sqs.html
    // ("Required for a FIFO queue"). An empty one would be left out of the target (so the rule
    // could never deliver), which is why it is refused like a missing one. A queue is FIFO by its
    // fifo property, or by a name ending in .fifo:
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html
    const fifo = queue.fifo || (!Token.isUnresolved(queue.queueName) && queue.queueName.endsWith('.fifo'));
    const groupId = options.messageGroupId;
    const knownGroupId = groupId === undefined || Token.isUnresolved(groupId) ? undefined : groupId;
    validator.check(!fifo || (groupId !== undefined && knownGroupId !== ''), 'messageGroupId', groupId,
      'a non-empty message group id for a FIFO queue: EventBridge sends to a FIFO queue only with a MessageGroupId');
    validator.check(knownGroupId === undefined || knownGroupId.length <= 100, 'messageGroupId', `${knownGroupId?.length} characters`,
      "at most 100 characters (EventBridge's limit)");
    validator.check(fifo || groupId === undefined, 'messageGroupId', groupId, 'left unset for a standard queue');
    validator.throwIfInvalid();
    this.beginTarget(options);
    // Not aws-cdk-lib's SqsQueue target: for an encrypted queue it grants EventBridge the queue
    // and the key with no condition, or only the account's, so any rule could send.
    this.rule.addTarget({
      bind: () => {
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': Stack.of(queue) === Stack.of(this) ? this.rule.ruleArn : this.namedRuleArn() } },
        }));
        if (queue.encryptionMasterKey) {
          this.admitEventBridgeThroughSqs(queue.encryptionMasterKey, queue);
        }
        targets.addToDeadLetterQueueResourcePolicy(this.rule, this.deadLetterQueue);
        return {
          ...targets.bindBaseTargetConfig(this.delivery(options)),
          arn: queue.queueArn,
          input: options.input,
          targetResource: queue,
          sqsParameters: options.messageGroupId ? { messageGroupId: options.messageGroupId } : undefined,
        };
      },
    });
  }

  /**
   * Starts an execution of a state machine for each event, through the rule's role, which may
   * start only the state machines it targets.
   */
  public addStateMachineTarget(stateMachine: sfn.IStateMachine, options: EventTargetOptions = {}): void {
    this.beginTarget(options);
    this.rule.addTarget(new targets.SfnStateMachine(stateMachine, { ...this.delivery(options), input: options.input, role: this.eventsRole() }));
  }

  /**
   * Publishes each event to a topic, through the rule's role, which may publish to it (and use its
   * key) and to nothing else. The topic's policy is left alone.
   */
  public addTopicTarget(topic: sns.ITopic, options: EventTargetOptions = {}): void {
    this.beginTarget(options);
    // Through the rule's role: aws-cdk-lib's default grants every EventBridge rule in the topic's
    // policy, with no condition.
    this.rule.addTarget(new targets.SnsTopic(topic, {
      ...this.delivery(options),
      message: options.input,
      authorizeUsingRole: true,
      role: this.eventsRole(),
    }));
  }

  /**
   * The rule's ARN without a reference to this stack, for a policy in another one: the rule is
   * named from its construct path (see the constructor), and its bus by the name its template
   * gives it. A reference would make the other stack depend on this one, which depends on it
   * through the target (a DependencyCycle, issue 28). Naming a rule that had no name replaces it
   * on its next deployment.
   */
  private namedRuleArn(): string {
    this.fixedRuleName ??= Names.uniqueResourceName(this, { maxLength: 64 });
    return this.formatRuleArn(literalBusName(this.eventBus ?? this.prelude.props.eventBus));
  }

  private formatRuleArn(busName: string | undefined): string {
    return Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: busName ? `${busName}/${this.fixedRuleName}` : this.fixedRuleName,
    });
  }

  /**
   * SQS encrypts what EventBridge sends with the queue's key, so the key must admit EventBridge.
   * The key cannot name this rule (the rule names the queue, which names the key); the queue's
   * policy, which SQS checks first, does. So the key admits EventBridge only through SQS, for this
   * account.
   */
  private admitEventBridgeThroughSqs(key: kms.IKey, queue: sqs.IQueue): void {
    const stack = Stack.of(this);
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account, 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` },
      },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2('cdk-best-practice-patterns:importedTargetQueueKey',
        `The key of the queue ${queue.node.path} cannot be changed here: let events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey `
        + 'through SQS, or EventBridge cannot send to the queue and every event goes to the dead-letter queue.');
    }
  }

  private validate(v: PropValidator, props: EventRuleWithDeadLetterQueueProps): void {
    v.check((props.eventPattern === undefined) !== (props.schedule === undefined), 'eventPattern', props.eventPattern ? 'set' : undefined,
      'set, or schedule set instead: exactly one of the two');
    v.check(!(props.schedule && (props.eventBus || props.createEventBus)), 'schedule', props.schedule?.expressionString,
      'used without eventBus or createEventBus: EventBridge runs schedules on the default bus only');
    v.check(!(props.eventBus && props.createEventBus), 'createEventBus', props.createEventBus, 'left unset when eventBus is given');
    // A bus imported by name with its ARN (EventBus.fromEventBusName(this, 'Bus', 'arn:...')) would
    // reach the rule, which takes either, but the pattern names the rule in the dead-letter queue's
    // policy and its metrics by the bus's name: the queue would refuse every event. A bus name is
    // 1 to 256 of these characters (the CloudFormation schema of AWS::Events::EventBus):
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
    const busName = props.eventBus?.eventBusName;
    v.check(busName === undefined || Token.isUnresolved(busName) || BUS_NAME.test(busName), 'eventBus', busName,
      'a bus whose name is 1 to 256 letters, digits and . - _ / (import a bus by ARN with events.EventBus.fromEventBusArn, not fromEventBusName)');
    v.check(!(props.archiveRetention && props.schedule), 'archiveRetention', props.archiveRetention?.toHumanString(),
      'left unset for a schedule, whose events are not worth replaying');
    v.wholeDays('archiveRetention', props.archiveRetention, 1);
    // Archive renders the retention in days: a token in another unit would make aws-cdk-lib throw.
    if (props.archiveRetention?.isUnresolved()) {
      v.check(props.archiveRetention.unitLabel() === 'days', 'archiveRetention', `a token in ${props.archiveRetention.unitLabel()}`,
        `given as Duration.days(...) when only known at deploy time: the template holds days, and CloudFormation cannot convert ${props.archiveRetention.unitLabel()}`);
    }
    v.integerInRange('retryAttempts', props.retryAttempts, 0, MAX_RETRY_ATTEMPTS);
    v.secondsInRange('maxEventAge', props.maxEventAge, MIN_EVENT_AGE.toSeconds(), MAX_EVENT_AGE.toSeconds());
    v.check(props.description === undefined || Token.isUnresolved(props.description) || props.description.length <= 512, 'description',
      `${props.description?.length} characters`, 'at most 512 characters');
    if (props.eventPattern !== undefined) {
      for (const problem of patternProblems(props.eventPattern, 'eventPattern', true)) {
        v.check(false, problem.prop, problem.value, problem.allowed);
      }
    }
    const expression = props.schedule?.expressionString;
    const scheduleProblem = expression === undefined || Token.isUnresolved(expression) ? undefined : scheduleExpressionProblem(expression);
    v.check(scheduleProblem === undefined, 'schedule', expression, scheduleProblem ?? '');
    v.throwIfInvalid();
  }

  /** The rendered pattern, as EventBridge counts it, when no token is in it. */
  private validatePatternSize(): void {
    const pattern = (this.rule.node.defaultChild as events.CfnRule).eventPattern;
    const rendered = pattern && JSON.stringify(Stack.of(this).resolve(pattern));
    if (!rendered || JSON.stringify(pattern).includes('${Token[')) {
      return;
    }
    const v = this.prelude.validator;
    v.check(rendered.length <= MAX_PATTERN_LENGTH, 'eventPattern', `${rendered.length} characters`, `at most ${MAX_PATTERN_LENGTH} characters once rendered (EventBridge's limit)`);
    v.throwIfInvalid();
  }

  /** Counts a target, checks its options, and returns its number, from 1. */
  private beginTarget(options: EventTargetOptions): number {
    this.targetCount += 1;
    const v = new PropValidator(`EventRuleWithDeadLetterQueue '${this.node.path}' target ${this.targetCount}`);
    v.check(this.targetCount <= MAX_TARGETS, 'targets', this.targetCount, `at most ${MAX_TARGETS} per rule (EventBridge's limit): use a second rule`);
    v.integerInRange('retryAttempts', options.retryAttempts, 0, MAX_RETRY_ATTEMPTS);
    v.secondsInRange('maxEventAge', options.maxEventAge, MIN_EVENT_AGE.toSeconds(), MAX_EVENT_AGE.toSeconds());
    if (options.input) {
      this.validateInput(v, options.input);
    }
    v.throwIfInvalid();
    return this.targetCount;
  }

  /**
   * A target's input as EventBridge takes it: a constant at most 8,192 characters; or a template at
   * most 8,192 characters, filled from at most 100 paths of the event. Parts known only at deploy
   * time are not counted. Limits: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
   * (Input), https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
   * (InputTemplate, and "as many as 100" InputPathsMap entries).
   */
  private validateInput(v: PropValidator, input: events.RuleTargetInput): void {
    const rendered = input.bind(this.rule);
    const stack = Stack.of(this);
    for (const [field, value] of [['input', rendered.input], ['input template', rendered.inputTemplate]] as const) {
      const text = value === undefined ? undefined : stack.resolve(value);
      if (typeof text === 'string') {
        v.check(text.length <= MAX_INPUT_LENGTH, 'input', `${thousands(text.length)} characters (the ${field})`,
          `at most ${thousands(MAX_INPUT_LENGTH)} characters (EventBridge's limit on a target's ${field})`);
      }
    }
    const paths = rendered.inputPathsMap === undefined ? 0 : Object.keys(rendered.inputPathsMap).length;
    v.check(paths <= MAX_INPUT_PATHS, 'input', `${paths} fields of the event`,
      `at most ${MAX_INPUT_PATHS} fields of the event in one input (EventBridge's limit on an input transformer's paths)`);
  }

  private delivery(options: EventTargetOptions) {
    return {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: options.retryAttempts ?? this.prelude.props.retryAttempts ?? 10,
      maxEventAge: options.maxEventAge ?? this.prelude.props.maxEventAge ?? Duration.hours(2),
    };
  }

  /** The role EventBridge assumes for targets that need one; its grants land in a managed policy. */
  private eventsRole(): iam.IRole {
    this.targetRole ??= new ManagedPolicyRole(this, 'TargetRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets ${this.node.path} invoke its targets`,
    });
    return this.targetRole;
  }

  /** One of the rule's metrics: a rule on a custom bus publishes them with the bus's name as well. */
  private metric(metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { RuleName: this.rule.ruleName, ...(this.busName ? { EventBusName: this.busName } : {}) },
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
    });
  }
}

/**
 * A custom bus's name without a reference to its stack: for a bus defined in this app, the name
 * its template gives it (aws-cdk-lib names an unnamed bus from its construct path at synth);
 * otherwise its name as the bus says it. Undefined for the default bus, which a rule's ARN omits.
 */
function literalBusName(bus: events.IEventBus | undefined): string | undefined {
  if (bus === undefined || bus.eventBusName === 'default') {
    return undefined;
  }
  const resource = bus.node.defaultChild;
  if (resource instanceof events.CfnEventBus) {
    const name: unknown = Stack.of(bus).resolve(resource.name);
    if (typeof name === 'string') {
      return name;
    }
  }
  return bus.eventBusName;
}

/** One thing EventBridge would refuse in an event pattern: where, what was given, what is allowed. */
interface PatternProblem {
  readonly prop: string;
  readonly value: unknown;
  readonly allowed: string;
}

// Event patterns. A field's value is an array of one or more values, or an object of fields
// (nested, like `detail`); an array holds values (string, number, true, false, null) or content
// filters such as { prefix: 'x' }; `$or` holds at least two patterns. EventBridge refuses an empty
// pattern or object, an empty array, and a bare value where an array is needed.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html (values in a JSON array)
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html (one or more values)
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (content filters, $or)
// Event Ruler, the matcher behind EventBridge (https://aws.amazon.com/blogs/opensource/open-sourcing-event-ruler/),
// refuses the rest: https://github.com/aws/event-ruler/blob/main/src/main/software/amazon/event/ruler/JsonRuleCompiler.java
// ("Empty objects are not allowed", "Empty arrays are not allowed", "must be an object or an array").
// aws-cdk-lib refuses a bare value only at the pattern's top level, without naming the construct.

/** What EventBridge would refuse in a pattern, or in one of its nested objects. Tokens are skipped. */
function patternProblems(pattern: unknown, path: string, top: boolean): PatternProblem[] {
  if (Token.isUnresolved(pattern)) {
    return [];
  }
  if (!isPlainObject(pattern)) {
    return [{ prop: path, value: pattern, allowed: 'an object of the fields to match' }];
  }
  const fields = Object.entries(pattern).filter(([, value]) => value !== undefined);
  if (fields.length === 0) {
    return [{
      prop: path,
      value: pattern,
      allowed: top
        ? "an object of at least one field to match, such as { source: ['com.example.orders'] }: EventBridge refuses an empty pattern"
        : 'an object of at least one field to match: EventBridge refuses an empty object in a pattern',
    }];
  }
  return fields.flatMap(([field, value]) => fieldProblems(`${path}.${field}`, field, value));
}

function fieldProblems(path: string, field: string, value: unknown): PatternProblem[] {
  if (Token.isUnresolved(value)) {
    return [];
  }
  if (field === '$or') {
    if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
      return [{ prop: path, value, allowed: 'an array of at least 2 objects, each a pattern of its own' }];
    }
    return value.flatMap((branch, i) => patternProblems(branch, `${path}[${i}]`, false));
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return [{ prop: path, value, allowed: 'an array of at least one value to match: EventBridge refuses an empty array, which would match nothing' }];
    }
    const nested = value.findIndex((item) => Array.isArray(item));
    return nested < 0 ? [] : [{
      prop: `${path}[${nested}]`,
      value: value[nested],
      allowed: "a value (a string, a number, true, false or null) or a content filter such as { prefix: 'x' }, not an array",
    }];
  }
  if (isPlainObject(value)) {
    return patternProblems(value, path, false);
  }
  const example = `[${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}]`;
  return [{ prop: path, value, allowed: `an array of the values to match, such as ${example}: EventBridge matches a field against an array, even of one value` }];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Schedule expressions of rules: rate(value unit) or cron(6 fields). One-time at() expressions are
// EventBridge Scheduler's, not rules'.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html (rate and cron rules only)
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html (value positive; minute(s), hour(s),
// day(s); singular for 1, plural above)
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html (6 fields; ? in one of
// day-of-month and day-of-week)
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (at() is EventBridge Scheduler's)
// aws-cdk-lib's Schedule.rate and Schedule.cron write valid ones; Schedule.expression takes any string.
const RATE_UNITS = ['minute', 'hour', 'day'];

/** What EventBridge would refuse in a rule's schedule expression, as what is allowed instead, or undefined. */
function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    return rateProblem(rate[1]);
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    return cronProblem(cron[1]);
  }
  return 'a rate(value unit) or cron(fields) expression, such as rate(5 minutes) or cron(0 8 * * ? *): '
    + "EventBridge rules take no other kind (one-time at() schedules are EventBridge Scheduler's)";
}

function rateProblem(body: string): string | undefined {
  const parts = body.trim().split(/\s+/);
  const value = /^\d+$/.test(parts[0]) ? Number(parts[0]) : NaN;
  if (parts.length !== 2 || !(value >= 1)) {
    return 'a rate expression rate(value unit) whose value is a whole number of at least 1, such as rate(5 minutes)';
  }
  const unit = parts[1];
  const singular = unit.replace(/s$/, '');
  if (!RATE_UNITS.includes(singular)) {
    return 'a rate expression whose unit is minute, hour or day (minutes, hours or days above 1), such as rate(1 minute) or rate(5 minutes)';
  }
  const expected = value === 1 ? singular : `${singular}s`;
  return unit === expected ? undefined : `a rate expression whose unit is singular for 1 and plural above: rate(${value} ${expected})`;
}

function cronProblem(body: string): string | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return 'a cron expression of 6 fields (minutes hours day-of-month month day-of-week year), such as cron(0 8 * * ? *)';
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if ((dayOfMonth === '?') !== (dayOfWeek === '?')) {
    return undefined;
  }
  const withDays = (dom: string, dow: string) => `cron(${minutes} ${hours} ${dom} ${month} ${dow} ${year})`;
  let fixes: string[];
  if (dayOfMonth === '?') {
    fixes = [withDays('*', '?')];
  } else if (dayOfWeek === '*') {
    fixes = [withDays(dayOfMonth, '?')];
  } else if (dayOfMonth === '*') {
    fixes = [withDays('?', dayOfWeek)];
  } else {
    fixes = [withDays(dayOfMonth, '?'), withDays('?', dayOfWeek)];
  }
  return `a cron expression with ? in exactly one of day-of-month and day-of-week, such as ${fixes.join(' or ')}`;
}
