import { ArnFormat, Aws, CfnOutput, CrossStackReferences, Duration, Lazy, ReferenceStrength, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { createPatternKey } from './keys';
import { acknowledgeNagFinding } from './nag';
import { alarmEmailFor, dashboardWanted, OperationsScope, operationsScopeOf, operationsStackPrefixOf } from './pattern-defaults';

/** CloudWatch's limits on a dashboard and on one alarm status widget. */
const MAX_DASHBOARD_WIDGETS = 500;
const MAX_ALARMS_PER_STATUS_WIDGET = 100;

/**
 * What a pattern shows on its stack's dashboard.
 */
export interface DashboardSectionOptions {
  /** The kind of pattern, e.g. `QueueWithDeadLetterQueue`. */
  readonly kind: string;
  /** The pattern's alarms: read when the dashboard is rendered, so alarms added later show too. */
  readonly alarms: cloudwatch.IAlarm[];
  /** Graphs of what flows through the pattern: requests, messages, invocations. */
  readonly throughput: ThroughputGraph[];
}

/** One graph of a dashboard section. */
export interface ThroughputGraph {
  readonly title: string;
  readonly metrics: cloudwatch.IMetric[];
  /** Where the metrics live, when not in the stack's region: CloudFront's are all in us-east-1. */
  readonly region?: string;
}

/**
 * What every stack that holds a pattern shares, created once, the first time it is needed: the
 * topic every alarm notifies when no other is set, and the dashboard with a section per pattern.
 * With `OperationsScope.STAGE` the stacks of a stage in one account and region share them, from
 * two stacks added to the stage (see `OperationsScope`).
 */
export class StackOperations extends Construct {
  /** The operations that hold the alarm topic of the patterns in the stack that holds `scope`. */
  public static of(scope: IConstruct): StackOperations {
    return StackOperations.inStack(operationsStack(scope, SharedOperations.ALARMS, true)!);
  }

  /** The operations that hold the dashboard of the patterns in the stack that holds `scope`. */
  public static dashboardOf(scope: IConstruct): StackOperations {
    return StackOperations.inStack(operationsStack(scope, SharedOperations.DASHBOARD, true)!);
  }

  /**
   * The alarm topic of the patterns in the stack that holds `scope`, if a pattern (or
   * `PatternDefaults.alarmTopicOf`) has created it, without creating it, its stack or the
   * operations construct.
   */
  public static existingAlarmTopicOf(scope: IConstruct): sns.ITopic | undefined {
    const existing = operationsStack(scope, SharedOperations.ALARMS, false)?.node.tryFindChild(OPERATIONS_ID);
    return existing && isStackOperations(existing) ? existing.topic : undefined;
  }

  private static inStack(stack: Stack): StackOperations {
    const existing = stack.node.tryFindChild(OPERATIONS_ID);
    if (existing && !isStackOperations(existing)) {
      throw new Error(`The stack ${stack.node.path} has a construct named '${OPERATIONS_ID}' of its own; the patterns keep the stack's alarm topic ` +
        'and dashboard under that id, so rename yours.');
    }
    return existing ?? new StackOperations(stack, OPERATIONS_ID);
  }

  private topic?: sns.Topic;
  private autoScalingAllowed = false;
  private readonly sections: DashboardSection[] = [];
  private rendered?: DashboardWidget[];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, OPERATIONS_SYMBOL, { value: true });
  }

  /**
   * The stack's alarm topic: encrypted with a rotating key that CloudWatch may use, TLS-only, and
   * subscribed to the `alarmEmail` of `PatternDefaults` or of the context key when there is one.
   */
  public get alarmTopic(): sns.Topic {
    if (!this.topic) {
      const stack = Stack.of(this);
      // Nothing waits in a topic (SNS delivers or drops each message within its retries), so the
      // key and the topic go with the stack whatever the stage.
      const key = createPatternKey(this, 'AlarmTopicKey', `Encrypts the alarm notifications of ${stack.stackName}`, RemovalPolicy.DESTROY);
      // CloudWatch encrypts each notification with the key when it publishes an alarm's change.
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }));
      this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Alarms', masterKey: key, enforceSSL: true });
      // Only this account's alarms may publish: the topic policy guards against a confused deputy.
      this.topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }));
      const email = alarmEmailFor(stack);
      if (email) {
        this.subscribeEmail(this.topic, email);
      }
    }
    return this.topic;
  }

  /**
   * Subscribes the alarm e-mail, with a dead-letter queue, as every subscription of the library
   * has: a notification SNS cannot hand over to e-mail delivery after its retries waits there 14
   * days (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html). A bounce or an
   * unconfirmed subscription happens after that hand-off, and never reaches it. The queue is
   * encrypted with a key SQS manages: SNS may send to it without a key policy naming the topic,
   * which would make the topic's key and the topic reference each other. Nothing alarms on it:
   * the alarm's only listener would be the e-mail that failed.
   */
  private subscribeEmail(topic: sns.Topic, email: string): void {
    const deadLetters = new sqs.Queue(this, 'AlarmEmailDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The queue policy that lets this topic (and only it) send is added by the subscription.
    new sns.Subscription(this, 'AlarmEmail', { topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email, deadLetterQueue: deadLetters });
    acknowledgeNagFinding(deadLetters, 'Serverless-SQSRedrivePolicy',
      'This is the dead-letter queue of the alarm e-mail subscription, the end of the chain: a DLQ of its own would only move its messages again.');
    acknowledgeNagFinding(deadLetters, 'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of an SNS subscription (its redrive policy), which the rule does not recognise as a DLQ.');
  }

  /**
   * Lets EC2 Auto Scaling publish scaling events to the alarm topic: it publishes as its
   * service-linked role, which then needs the topic's key through SNS.
   */
  public allowAutoScalingNotifications(): void {
    if (this.autoScalingAllowed) {
      return;
    }
    this.autoScalingAllowed = true;
    const stack = Stack.of(this);
    this.alarmTopic.masterKey!.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAutoScalingNotifications',
      // Matched by ARN rather than named as the principal: KMS rejects a policy that names a role
      // which does not exist yet, and the service-linked role appears with the first group.
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
        },
        StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` },
      },
    }));
  }

  /**
   * Adds a pattern's section to the stack's dashboard, creating the dashboard with the first one,
   * unless `PatternDefaults` turns the dashboard off for the pattern. A pattern inside another
   * pattern shows in the outer one's section.
   */
  public addSection(pattern: IConstruct, options: DashboardSectionOptions): void {
    if (!dashboardWanted(pattern)) {
      return;
    }
    if (this.sections.length === 0) {
      // The body is rendered once the tree is complete, so alarms added to a pattern later (a
      // fan-out's new subscriber) show too.
      new cloudwatch.CfnDashboard(this, 'Dashboard', {
        dashboardBody: Lazy.string({ produce: () => Stack.of(this).toJsonString({ widgets: this.widgets }) }),
      });
      this.node.addValidation({ validate: () => this.validateDashboard() });
    }
    this.sections.push({ pattern, ...options });
  }

  private validateDashboard(): string[] {
    const widgets = this.widgets.length;
    return widgets > MAX_DASHBOARD_WIDGETS
      ? [`The dashboard of stack ${Stack.of(this).stackName} would hold ${widgets} widgets; CloudWatch allows ${MAX_DASHBOARD_WIDGETS}. ` +
        'Turn the dashboard off for some patterns with PatternDefaults.set(scope, { dashboard: false }), or split the stack.']
      : [];
  }

  /**
   * The dashboard's widgets, section after section: a heading, the state of the pattern's alarms,
   * graphs of its throughput, and a graph of each alarm's metric against its threshold. Written as
   * CloudWatch's dashboard JSON directly rather than through the widget classes of aws-cloudwatch:
   * loading those cost every pattern's synth about 20 ms in a fresh process, for the same output.
   */
  private get widgets(): DashboardWidget[] {
    this.rendered ??= renderSections(this.sections.filter((section) =>
      !this.sections.some((other) => other !== section && section.pattern.node.scopes.includes(other.pattern))));
    return this.rendered;
  }
}

const OPERATIONS_ID = 'PatternOperations';

/** The two stacks a stage gets with `OperationsScope.STAGE`, by their ids after `operationsStackPrefix`. */
enum SharedOperations {
  ALARMS = 'Alarms',
  DASHBOARD = 'Dashboard',
}

/** Marks a stack that holds a stage's shared operations, in every copy of the library (see below). */
const SHARED_STACK_SYMBOL = Symbol.for('cdk-best-practice-patterns.SharedOperationsStack');

/**
 * The stack that holds the alarm topic or the dashboard of the patterns in `scope`'s stack: that
 * stack itself, or with `OperationsScope.STAGE` the stage's shared stack for its account and region
 * (created with `create`, else undefined while it does not exist).
 *
 * The topic and the dashboard need two stacks: every stack with patterns refers to the topic, so
 * the topic's stack is deployed first; the dashboard refers to every pattern's alarms and metrics,
 * so its stack is deployed last. In one stack they would make each stack depend on the other.
 */
function operationsStack(scope: IConstruct, kind: SharedOperations, create: boolean): Stack | undefined {
  const stack = Stack.of(scope);
  if (operationsScopeOf(stack) !== OperationsScope.STAGE || isSharedOperationsStack(stack)) {
    return stack;
  }
  // Stacks refer to each other only within a stage (the app is one), in one account and region.
  const stage = Stage.of(stack)!;
  const account = Token.isUnresolved(stack.account) ? undefined : stack.account;
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const id = [`${operationsStackPrefixOf(stack)}${kind}`, account, region].filter((part) => part !== undefined).join('-');
  const existing = stage.node.tryFindChild(id);
  if (existing) {
    if (!(Stack.isStack(existing) && isSharedOperationsStack(existing))) {
      throw new Error(`'${existing.node.path}' is a construct of your own; with OperationsScope.STAGE the patterns of ${stage.node.path || 'the app'} keep their ` +
        `shared ${kind === SharedOperations.ALARMS ? 'alarm topic' : 'dashboard'} in a stack of that id, so rename yours.`);
    }
    return existing;
  }
  if (!create) {
    return undefined;
  }
  const where = [stage.node.path ? `the stage ${stage.node.path}` : 'the app', account && `account ${account}`, region].filter(Boolean).join(', ');
  const shared = new Stack(stage, id, {
    env: { account, region },
    description: kind === SharedOperations.ALARMS
      ? `The alarm topic shared by the cdk-best-practice-patterns of ${where}`
      : `The dashboard shared by the cdk-best-practice-patterns of ${where}`,
  });
  Object.defineProperty(shared, SHARED_STACK_SYMBOL, { value: true });
  if (kind === SharedOperations.DASHBOARD) {
    // The dashboard reads every pattern's alarms and metrics from their stacks' outputs
    // (Fn::GetStackOutput) rather than their exports: an export cannot be removed while another
    // stack imports it, so removing a pattern would fail its stack's deploy until the dashboard
    // let go of it, which CloudFormation deploys only afterwards (aws-cdk-lib's "deadly embrace").
    CrossStackReferences.of(shared).consume(ReferenceStrength.WEAK);
    // Checked once references have become outputs: the app is prepared before it is validated.
    shared.node.addValidation({ validate: () => outputLimitErrors(stage) });
  }
  return shared;
}

/** CloudFormation's limit on the outputs of a template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
const MAX_OUTPUTS = 200;

/**
 * A shared dashboard reads what it shows from the other stacks' outputs, one per alarm and metric
 * dimension it refers to: a stack of many patterns can pass CloudFormation's limit, which it
 * would only refuse at deploy time.
 */
function outputLimitErrors(stage: Stage): string[] {
  return stage.node.findAll().filter(Stack.isStack).flatMap((stack) => {
    const outputs = stack.node.findAll().filter((c) => c instanceof CfnOutput && Stack.of(c) === stack).length;
    return outputs > MAX_OUTPUTS
      ? [`Stack ${stack.node.path} would have ${outputs} outputs; CloudFormation allows ${MAX_OUTPUTS}. With OperationsScope.STAGE, the shared `
        + 'dashboard reads each alarm and metric it shows from an output of its stack: leave some patterns off the dashboard '
        + '(PatternDefaults.set(scope, { dashboard: false })), keep this stack\'s operations its own (operations: OperationsScope.STACK), or split the stack.']
      : [];
  });
}

function isSharedOperationsStack(stack: Stack): boolean {
  return (stack as unknown as { [SHARED_STACK_SYMBOL]?: boolean })[SHARED_STACK_SYMBOL] === true;
}

/**
 * Marks the operations construct of a stack. The patterns of every copy of this library in an app
 * (an app and a construct library it uses may each bring one) share it, and `instanceof` holds only
 * for the copy that created it: a key from the global symbol registry is the same in every copy, as
 * `Construct.isConstruct` of the constructs library checks. A copy then calls the other copy's `alarmTopic`,
 * `allowAutoScalingNotifications` and `addSection` and reads its `topic`: those keep their names
 * and meaning across versions.
 */
const OPERATIONS_SYMBOL = Symbol.for('cdk-best-practice-patterns.StackOperations');

function isStackOperations(construct: IConstruct): construct is StackOperations {
  return (construct as unknown as { [OPERATIONS_SYMBOL]?: boolean })[OPERATIONS_SYMBOL] === true;
}

interface DashboardSection extends DashboardSectionOptions {
  readonly pattern: IConstruct;
}

/** One widget of CloudWatch's dashboard body format. */
interface DashboardWidget {
  readonly type: 'text' | 'alarm' | 'metric';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const FULL_WIDTH = 24;
const GRAPH = { width: 8, height: 6 };

function renderSections(sections: DashboardSection[]): DashboardWidget[] {
  const widgets: DashboardWidget[] = [];
  let y = 0;
  const fullRow = (type: DashboardWidget['type'], height: number, properties: Record<string, unknown>) => {
    widgets.push({ type, x: 0, y, width: FULL_WIDTH, height, properties });
    y += height;
  };
  for (const { pattern, kind, alarms, throughput } of sections) {
    if (alarms.length === 0 && throughput.length === 0) {
      continue;
    }
    fullRow('text', 1, { markdown: `### ${kind} \`${pattern.node.path}\`` });
    for (let i = 0; i < alarms.length; i += MAX_ALARMS_PER_STATUS_WIDGET) {
      const chunk = alarms.slice(i, i + MAX_ALARMS_PER_STATUS_WIDGET);
      fullRow('alarm', 1 + Math.ceil(chunk.length / 4), { title: 'Alarms', alarms: chunk.map((alarm) => alarm.alarmArn) });
    }
    const graphs = [
      ...throughput.map((graph) => ({ view: 'timeSeries', title: graph.title, region: graph.region ?? Aws.REGION, metrics: graph.metrics.map(metricJson) })),
      ...alarms.map((alarm) => ({ view: 'timeSeries', title: alarmTitle(pattern, alarm), region: Aws.REGION, annotations: { alarms: [alarm.alarmArn] } })),
    ];
    graphs.forEach((properties, i) => {
      const column = i % 3;
      widgets.push({ type: 'metric', x: column * GRAPH.width, y: y + Math.floor(i / 3) * GRAPH.height, ...GRAPH, properties });
    });
    y += Math.ceil(graphs.length / 3) * GRAPH.height;
  }
  return widgets;
}

/** A metric as a dashboard graph lists it: namespace, name, dimension names and values, then its rendering. */
function metricJson(metric: cloudwatch.IMetric): unknown[] {
  const config = metric.toMetricConfig();
  const stat = config.metricStat;
  if (!stat) {
    throw new Error('A dashboard section graphs plain metrics only, not math expressions.');
  }
  const label = config.renderingProperties?.label;
  return [
    stat.namespace,
    stat.metricName,
    ...(stat.dimensions ?? []).flatMap((d) => [d.name, d.value]),
    { stat: stat.statistic, period: stat.period.toSeconds(), ...(label ? { label } : {}) },
  ];
}

/**
 * An alarm's graph is titled by its path in the pattern, which says what it watches:
 * `DeadLetterQueue/NotEmptyAlarm`. A `Default` component is left out, as aws-cdk-lib leaves it out
 * of logical ids: the load balancer front's `Default/UnhealthyHostsAlarm` reads `UnhealthyHostsAlarm`.
 */
function alarmTitle(pattern: IConstruct, alarm: cloudwatch.IAlarm): string {
  const prefix = `${pattern.node.path}/`;
  const path = alarm instanceof Construct ? alarm.node.path : alarm.alarmName;
  return path.startsWith(prefix) ? path.slice(prefix.length).split('/').filter((c) => c !== 'Default').join('/') : path;
}

/**
 * Adds a pattern's section to the dashboard of its stack (see `StackOperations.addSection`).
 */
export function addDashboardSection(pattern: IConstruct, options: DashboardSectionOptions): void {
  // Checked before the dashboard's operations are looked up, which would create a shared stack.
  if (dashboardWanted(pattern)) {
    StackOperations.dashboardOf(pattern).addSection(pattern, options);
  }
}
