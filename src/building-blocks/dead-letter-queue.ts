import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createPatternAlarm } from '../core/alarms';
import { isProduction } from '../core/deployment-stage';
import { acknowledgeNagFinding } from '../core/nag';
import { withPatternDefaults } from '../core/pattern-defaults';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';
import { addDashboardSection } from '../core/stack-operations';

/**
 * What sends its failures to a dead-letter queue.
 */
export enum DeadLetterSource {
  /** An SQS queue's redrive policy, after `maxReceiveCount` failed receives. */
  SQS_QUEUE = 'SQS_QUEUE',
  /** An SNS subscription that could not deliver a notification. */
  SNS_SUBSCRIPTION = 'SNS_SUBSCRIPTION',
  /** A Lambda function whose asynchronous invocation failed every retry or grew too old. */
  LAMBDA_FUNCTION = 'LAMBDA_FUNCTION',
  /** An EventBridge rule whose target failed every retry, or whose event grew too old. */
  EVENT_RULE = 'EVENT_RULE',
}

/**
 * Properties of a DeadLetterQueue.
 */
export interface DeadLetterQueueProps extends PatternProps {
  /**
   * What sends its failures here: an SQS source is named in the queue's redrive-allow policy.
   */
  readonly source: DeadLetterSource;

  /**
   * For an SQS source, the ARN of the one queue allowed to redrive into this one.
   *
   * @default - no redrive-allow policy (required for `DeadLetterSource.SQS_QUEUE`)
   */
  readonly sourceQueueArn?: string;

  /**
   * For an EventBridge rule source, the rule's ARN: with an `encryptionKey`, the key policy lets
   * EventBridge use the key for this rule only. A rule's dead-letter queue encrypted with a key
   * EventBridge may not use loses every event sent to it (aws-cdk #33169).
   *
   * @default - no key statement (required for `DeadLetterSource.EVENT_RULE` with an `encryptionKey`)
   */
  readonly sourceRuleArn?: string;

  /**
   * Whether the queue is FIFO. A FIFO source needs a FIFO dead-letter queue; EventBridge takes
   * only standard queues.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * A customer-managed KMS key to encrypt the queue with.
   *
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What a message in this queue means, for the operator who reads the alarm.
   *
   * @default - 'A message is in the dead-letter queue <path>'
   */
  readonly alarmDescription?: string;
}

/**
 * The dead-letter queue every pattern of this library uses, so that nothing a queue, a
 * subscription or a function fails to process is ever dropped: it keeps messages for the 14-day
 * maximum, encrypted at rest and reachable over TLS only, raises an alarm on the first message,
 * and is retained in PROD.
 *
 * Applies: DLQ retention at the maximum; encryption at rest and in transit; a redrive-allow policy
 * naming only its source queue; an alarm when the DLQ is not empty; FIFO to match a FIFO source.
 *
 * @example
 * import { DeadLetterQueue, DeadLetterSource } from 'cdk-best-practice-patterns';
 *
 * declare const topic: sns.ITopic;
 * const undelivered = new DeadLetterQueue(this, 'WebhookDeadLetterQueue', {
 *   source: DeadLetterSource.SNS_SUBSCRIPTION,
 * });
 * topic.addSubscription(new subscriptions.UrlSubscription('https://hooks.example.com/orders', {
 *   deadLetterQueue: undelivered.queue,
 * }));
 */
export class DeadLetterQueue extends Construct {
  /**
   * The queue.
   */
  public readonly queue: sqs.Queue;

  /**
   * Fires when the queue holds a message.
   */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    props = withPatternDefaults(this, props);
    const validator = new PropValidator(`DeadLetterQueue '${this.node.path}'`);
    // Required, but JavaScript can leave it out: no source would mean no redrive-allow policy.
    validator.check(props.source !== undefined, 'source', props.source, "one of DeadLetterSource's values: it is required");
    validator.oneOf('source', props.source, DeadLetterSource, 'DeadLetterSource');
    const fromQueue = props.source === DeadLetterSource.SQS_QUEUE;
    validator.check(fromQueue === (props.sourceQueueArn !== undefined), 'sourceQueueArn', props.sourceQueueArn,
      fromQueue ? 'the ARN of the source queue, since source is SQS_QUEUE' : 'left unset unless source is SQS_QUEUE');
    const fromRule = props.source === DeadLetterSource.EVENT_RULE;
    validator.check(fromRule || props.sourceRuleArn === undefined, 'sourceRuleArn', props.sourceRuleArn, 'left unset unless source is EVENT_RULE');
    validator.check(!fromRule || !props.encryptionKey || props.sourceRuleArn !== undefined, 'sourceRuleArn', props.sourceRuleArn,
      "the rule's ARN when the queue has an encryptionKey, so the key policy can admit EventBridge for that rule");
    validator.check(!fromRule || !props.fifo, 'fifo', props.fifo, 'false or unset for an EVENT_RULE source: EventBridge sends only to standard queues');
    validator.throwIfInvalid();

    // The queue's id is 'Default', which CloudFormation logical ids leave out: the queue keeps the
    // logical id it had when the patterns created it directly, so moving it here replaces nothing.
    this.queue = new sqs.Queue(this, 'Default', {
      fifo: props.fifo || undefined,
      retentionPeriod: Duration.days(14),
      encryption: props.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      redriveAllowPolicy: props.sourceQueueArn ? {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'SourceQueueRef', props.sourceQueueArn)],
      } : undefined,
      removalPolicy: isProduction(props.stage) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    if (fromRule && props.encryptionKey) {
      this.admitEventBridge(props.encryptionKey, props.sourceRuleArn!);
    }

    acknowledgeNagFinding(this.queue, 'Serverless-SQSRedrivePolicy',
      'This is a dead-letter queue, the end of the chain: it keeps failed messages for 14 days, and a DLQ of its own would only move them again.');
    if (props.source !== DeadLetterSource.SQS_QUEUE) {
      // The rule recognises a DLQ only by a queue's redrive policy or a function's DeadLetterConfig
      // in the same stack.
      acknowledgeNagFinding(this.queue, 'AwsSolutions-SQS3', {
        [DeadLetterSource.SNS_SUBSCRIPTION]: 'This queue is the dead-letter queue of an SNS subscription (its redrive policy), which the rule does not recognise as a DLQ.',
        [DeadLetterSource.LAMBDA_FUNCTION]: "This queue is the dead-letter queue of a Lambda function's asynchronous invocations, which the rule recognises only in the function's own stack.",
        [DeadLetterSource.EVENT_RULE]: "This queue is the dead-letter queue of an EventBridge rule's targets (their DeadLetterConfig), which the rule does not recognise as a DLQ.",
      }[props.source]);
    }

    this.alarm = createPatternAlarm(this, 'NotEmptyAlarm', {
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      orEqual: true,
      description: props.alarmDescription ?? `A message is in the dead-letter queue ${this.node.path}`,
    }, props.alarmTopic);
    addDashboardSection(this, {
      kind: 'DeadLetterQueue',
      alarms: [this.alarm],
      throughput: [{ title: 'Failed messages arriving', metrics: [this.queue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })] }],
    });
  }

  /**
   * SQS encrypts what EventBridge sends with the queue's key on EventBridge's behalf, so the key
   * policy must let `events.amazonaws.com` use it: here for the one rule, as AWS documents.
   */
  private admitEventBridge(key: kms.IKey, ruleArn: string): void {
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2('cdk-best-practice-patterns:importedDeadLetterKey',
        `The key of ${this.node.path} is imported, so its policy cannot be changed here: let events.amazonaws.com use kms:Decrypt and `
        + `kms:GenerateDataKey for aws:SourceArn ${ruleArn}, or EventBridge cannot put failed events into the queue.`);
    }
  }
}
