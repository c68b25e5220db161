import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { createPatternKey } from './keys';
import { alarmEmailFor, dashboardWanted } from './pattern-defaults';

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
}

/**
 * What every stack that holds a pattern shares, created once, the first time it is needed: the
 * topic every alarm notifies when no other is set, and the dashboard with a section per pattern.
 */
export class StackOperations extends Construct {
  /** The operations of the stack that holds `scope`. */
  public static of(scope: IConstruct): StackOperations {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(OPERATIONS_ID) as StackOperations | undefined) ?? new StackOperations(stack, OPERATIONS_ID);
  }

  private topic?: sns.Topic;
  private topicKey?: kms.Key;
  private dashboard?: cloudwatch.Dashboard;
  private autoScalingAllowed = false;
  private readonly sections: DashboardSection[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /**
   * The stack's alarm topic: encrypted with a rotating key that CloudWatch may use, TLS-only, and
   * subscribed to the `alarmEmail` of `PatternDefaults` or of the context key when there is one.
   */
  public get alarmTopic(): sns.Topic {
    if (!this.topic) {
      // Nothing waits in a topic (SNS delivers or drops each message within its retries), so the
      // key and the topic go with the stack whatever the stage.
      this.topicKey = createPatternKey(this, 'AlarmTopicKey', `Encrypts the alarm notifications of ${Stack.of(this).stackName}`, RemovalPolicy.DESTROY);
      // CloudWatch encrypts each notification with the key when it publishes an alarm's change.
      this.topicKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }));
      this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Alarms', masterKey: this.topicKey, enforceSSL: true });
      // Only this account's alarms may publish: the topic policy guards against a confused deputy.
      this.topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }));
      const email = alarmEmailFor(Stack.of(this));
      if (email) {
        new sns.Subscription(this, 'AlarmEmail', { topic: this.topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email });
      }
    }
    return this.topic;
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
    const key = this.alarmTopic && this.topicKey!;
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAutoScalingNotifications',
      // Matched by ARN rather than named as the principal: KMS rejects a policy that names a role
      // which does not exist yet, and the service-linked role appears with the first group.
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
        },
        StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` },
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
    if (!this.dashboard) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
      this.node.addValidation({ validate: () => this.validateDashboard() });
    }
    const section = new DashboardSection(pattern, options, this.sections);
    this.sections.push(section);
    this.dashboard.addWidgets(section);
  }

  private validateDashboard(): string[] {
    const widgets = this.sections.reduce((count, section) => count + section.widgetCount, 0);
    return widgets > MAX_DASHBOARD_WIDGETS
      ? [`The dashboard of stack ${Stack.of(this).stackName} would hold ${widgets} widgets; CloudWatch allows ${MAX_DASHBOARD_WIDGETS}. ` +
        'Turn the dashboard off for some patterns with PatternDefaults.set(scope, { dashboard: false }), or split the stack.']
      : [];
  }
}

const OPERATIONS_ID = 'PatternOperations';

/**
 * One pattern's part of the dashboard: a heading, the state of its alarms, its throughput and a
 * graph of each alarm's metric against its threshold. Built when the dashboard renders, once the
 * tree is complete; empty when the pattern sits inside another pattern that has a section.
 */
class DashboardSection implements cloudwatch.IWidget {
  public readonly warnings = undefined;
  public readonly warningsV2 = undefined;
  private built?: cloudwatch.Column;

  constructor(
    private readonly pattern: IConstruct,
    private readonly options: DashboardSectionOptions,
    private readonly allSections: DashboardSection[],
  ) {}

  public get width(): number {
    return this.content.width;
  }

  public get height(): number {
    return this.content.height;
  }

  public get widgetCount(): number {
    return this.content.widgets.reduce((count, row) => count + (row instanceof cloudwatch.Row ? row.widgets.length : 1), 0);
  }

  public position(x: number, y: number): void {
    this.content.position(x, y);
  }

  public toJson(): any[] {
    return this.content.toJson();
  }

  private get content(): cloudwatch.Column {
    this.built ??= this.build();
    return this.built;
  }

  private build(): cloudwatch.Column {
    const enclosing = this.allSections.some((other) => other !== this && this.pattern.node.scopes.includes(other.pattern));
    const { alarms, throughput } = this.options;
    if (enclosing || (alarms.length === 0 && throughput.length === 0)) {
      return new cloudwatch.Column();
    }
    const rows: cloudwatch.IWidget[] = [
      new cloudwatch.TextWidget({ markdown: `### ${this.options.kind} \`${this.pattern.node.path}\``, width: 24, height: 1 }),
    ];
    for (let i = 0; i < alarms.length; i += MAX_ALARMS_PER_STATUS_WIDGET) {
      const chunk = alarms.slice(i, i + MAX_ALARMS_PER_STATUS_WIDGET);
      rows.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: chunk, width: 24, height: 1 + Math.ceil(chunk.length / 4) }));
    }
    const graphs = [
      ...throughput.map((graph) => new cloudwatch.GraphWidget({ title: graph.title, left: graph.metrics, width: 8, height: 6 })),
      ...alarms.map((alarm) => new cloudwatch.AlarmWidget({ title: this.alarmTitle(alarm), alarm, width: 8, height: 6 })),
    ];
    for (let i = 0; i < graphs.length; i += 3) {
      rows.push(new cloudwatch.Row(...graphs.slice(i, i + 3)));
    }
    return new cloudwatch.Column(...rows);
  }

  /** An alarm's graph is titled by its path in the pattern, which says what it watches: `DeadLetterQueue/NotEmptyAlarm`. */
  private alarmTitle(alarm: cloudwatch.IAlarm): string {
    const prefix = `${this.pattern.node.path}/`;
    const path = alarm instanceof Construct ? alarm.node.path : alarm.alarmName;
    return path.startsWith(prefix) ? path.slice(prefix.length) : path;
  }
}

/**
 * Adds a pattern's section to the dashboard of its stack (see `StackOperations.addSection`).
 */
export function addDashboardSection(pattern: IConstruct, options: DashboardSectionOptions): void {
  StackOperations.of(pattern).addSection(pattern, options);
}
