import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue, DeadLetterSource } from '../building-blocks/dead-letter-queue';
import { acknowledgeNagFinding } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { joinsInClientStack } from '../core/stack-order';

/**
 * Properties of a QueueWithDeadLetterQueue.
 */
export interface QueueWithDeadLetterQueueProps extends PatternProps {
  /**
   * How many times a message may be received without being deleted before it moves to the
   * dead-letter queue, from 1 to 1000.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the queue keeps a message, from 60 seconds to 14 days. The dead-letter queue always
   * keeps messages for the 14-day maximum. On a standard queue SQS counts that from when the
   * message was first sent, so a failed message has at least 14 days minus this period in the
   * dead-letter queue: 10 days with the default, less with a longer retention.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long a receive call waits for a message (long polling), from 0 to 20 seconds.
   *
   * @default Duration.seconds(20)
   */
  readonly receiveMessageWaitTime?: Duration;

  /**
   * How long a received message stays hidden from other consumers, from 0 seconds to 12 hours.
   * With a consumer whose timeout is known, at least 6 times that timeout, as AWS recommends for
   * Lambda event sources.
   *
   * @default - 30 seconds, or 6 times the consumer's timeout when that is longer
   */
  readonly visibilityTimeout?: Duration;

  /**
   * A customer-managed KMS key to encrypt both queues with.
   *
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the queues are FIFO (ordered, exactly-once processing). The dead-letter queue always
   * matches the source queue.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Whether a FIFO queue deduplicates messages by a hash of their body. Only with `fifo`.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * The age of the oldest message in the queue at which consumers count as falling behind and the
   * alarm fires. Shorter than `retentionPeriod`.
   *
   * @default - one hour, or half the retention period when that is shorter
   */
  readonly oldestMessageAgeThreshold?: Duration;

  /**
   * A function that processes the queue's messages. It is given an event source mapping that
   * reports batch item failures, and only the permissions it needs to consume the queue. A
   * HardenedFunction is invoked through its alias, so its consumer is deployed safely too. A
   * consumer in another stack of the app gets its mapping and policy in its own stack (under the
   * consumer) when that stack deploys after the queue's, the usual case, and in the queue's stack
   * when it deploys before: the order of `addDependency`, else the order the stacks are defined in.
   *
   * @default - no consumer
   */
  readonly consumer?: lambda.IFunction;

  /**
   * How many messages the consumer receives per invocation: 1 to 10 for FIFO queues, 1 to 10,000
   * for standard queues (above 10 only with a `maxBatchingWindow`).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long to gather messages before invoking the consumer, from 0 to 300 seconds. Standard
   * queues only.
   *
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * The most concurrent invocations of the consumer that this queue causes, from 2 to 1000: the
   * event source mapping's maximum concurrency. It caps a consumer without reserving any of the
   * account's concurrency, which a reservation (`reservedConcurrentExecutions`) does and which an
   * account at Lambda's default quota of 10 cannot spare. Only with a `consumer`.
   *
   * @default - no cap: the consumer scales up to the account's unreserved concurrency
   */
  readonly maxConcurrency?: number;
}

const MAX_RETENTION = Duration.days(14);
// Lambda's ScalingConfig MaximumConcurrency for SQS event sources, 2 to 1000
// (https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html).
const MIN_MAX_CONCURRENCY = 2;
const MAX_MAX_CONCURRENCY = 1000;
// AWS recommends a visibility timeout of at least six times the function timeout for Lambda
// event sources, so a message is not redelivered while a retried batch is still running.
const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;

/**
 * An SQS queue that never loses a message: whatever fails processing `maxReceiveCount` times
 * moves to a dead-letter queue that keeps it for 14 days, and an alarm fires as soon as it does.
 *
 * Applies: a bounded receive count; DLQ retention at the maximum, and a redrive-allow policy that
 * names only the source queue; long polling; encryption at rest and TLS-only access on both
 * queues; FIFO with a FIFO DLQ; a visibility timeout of at least 6 times the consumer's timeout;
 * partial batch failures for the consumer; alarms on the DLQ and on the age of the oldest message;
 * queues retained in PROD.
 *
 * @example
 * import { HardenedFunction, QueueWithDeadLetterQueue } from 'cdk-best-practice-patterns';
 *
 * const worker = new HardenedFunction(this, 'Worker', { code: lambda.Code.fromAsset('lambda/worker') });
 * const orders = new QueueWithDeadLetterQueue(this, 'Orders', { consumer: worker, maxReceiveCount: 3 });
 * new CfnOutput(this, 'OrdersQueueUrl', { value: orders.queue.queueUrl });
 */
export class QueueWithDeadLetterQueue extends Construct {
  /**
   * The queue producers send to.
   */
  public readonly queue: sqs.Queue;

  /**
   * Where messages go after `maxReceiveCount` failed receives.
   */
  public readonly deadLetterQueue: sqs.Queue;

  /**
   * The consumer's event source mapping, when there is a consumer.
   */
  public readonly eventSourceMapping?: lambda.EventSourceMapping;

  /**
   * The alarms of this pattern: the dead-letter queue holds a message, and the oldest message in
   * the queue is older than `oldestMessageAgeThreshold`.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterQueueProps = {}) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'QueueWithDeadLetterQueue', props);
    props = prelude.props;
    this.alarms = prelude.alarms;

    const fifo = props.fifo ?? false;
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    const consumerTimeout = timeoutOf(props.consumer);
    const minVisibility = consumerTimeout?.isUnresolved() ? undefined
      : consumerTimeout && Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_PER_FUNCTION_TIMEOUT);
    const visibilityTimeout = props.visibilityTimeout
      ?? (minVisibility && minVisibility.toSeconds() > 30 ? minVisibility : Duration.seconds(30));
    const oldestMessageAgeThreshold = props.oldestMessageAgeThreshold ?? defaultAgeThreshold(retentionPeriod);
    const batchSize = props.batchSize ?? 10;

    const validator = prelude.validator;
    validator.integerInRange('maxReceiveCount', props.maxReceiveCount, 1, 1000);
    validator.secondsInRange('retentionPeriod', props.retentionPeriod, 60, MAX_RETENTION.toSeconds());
    validator.secondsInRange('receiveMessageWaitTime', props.receiveMessageWaitTime, 0, 20);
    validator.secondsInRange('visibilityTimeout', props.visibilityTimeout, 0, Duration.hours(12).toSeconds());
    if (props.visibilityTimeout && minVisibility && !props.visibilityTimeout.isUnresolved()) {
      validator.check(props.visibilityTimeout.toSeconds() >= minVisibility.toSeconds(), 'visibilityTimeout',
        `${props.visibilityTimeout.toSeconds()} seconds`,
        `at least ${VISIBILITY_PER_FUNCTION_TIMEOUT} times the consumer's timeout of ${consumerTimeout!.toSeconds()} seconds (${minVisibility.toSeconds()} seconds)`);
    }
    validator.check(!props.contentBasedDeduplication || fifo, 'contentBasedDeduplication', props.contentBasedDeduplication,
      'false or unset unless fifo is true (only FIFO queues deduplicate)');
    if (!retentionPeriod.isUnresolved() && !oldestMessageAgeThreshold.isUnresolved()) {
      const threshold = oldestMessageAgeThreshold.toSeconds({ integral: false });
      validator.check(threshold >= 1 && threshold < retentionPeriod.toSeconds(), 'oldestMessageAgeThreshold',
        `${threshold} seconds`, `at least 1 second and shorter than the retention period (${retentionPeriod.toSeconds()} seconds)`);
    }
    if (props.consumer) {
      validator.check(props.consumer.role !== undefined, 'consumer', props.consumer.node.path,
        'a function with a known role, so the pattern can grant it the queue (import it with Function.fromFunctionAttributes and its role)');
      validator.integerInRange('batchSize', props.batchSize, 1, fifo ? 10 : 10000);
      validator.secondsInRange('maxBatchingWindow', props.maxBatchingWindow, 0, 300);
      validator.check(!fifo || props.maxBatchingWindow === undefined, 'maxBatchingWindow', props.maxBatchingWindow?.toHumanString(),
        'left unset for a FIFO queue (Lambda does not batch FIFO queues by time)');
      // A batch size or a window known only at deploy time is not compared: a token reads as a
      // huge negative number here, which would refuse a valid pair.
      validator.check(Token.isUnresolved(batchSize) || props.maxBatchingWindow?.isUnresolved() === true
        || batchSize <= 10 || (props.maxBatchingWindow?.toSeconds() ?? 0) >= 1, 'batchSize', batchSize,
      'at most 10 unless maxBatchingWindow is at least 1 second');
      validator.integerInRange('maxConcurrency', props.maxConcurrency, MIN_MAX_CONCURRENCY, MAX_MAX_CONCURRENCY);
    } else {
      const mappingProps = { batchSize: props.batchSize, maxBatchingWindow: props.maxBatchingWindow, maxConcurrency: props.maxConcurrency };
      for (const [prop, value] of Object.entries(mappingProps)) {
        validator.check(value === undefined, prop, value instanceof Duration ? value.toHumanString() : value, 'left unset without a consumer');
      }
    }
    validator.throwIfInvalid();

    const removalPolicy = prelude.removalPolicy;
    const encryption = props.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED;

    // The dead-letter queue's redrive-allow policy must name the source queue, and the source
    // queue's redrive policy names the dead-letter queue. Referencing each other would be a
    // circular dependency, so the source queue gets a name derived from its construct path (unique
    // per stack, stable across deployments) and the DLQ names it by ARN.
    // A fixed name has a cost: SQS refuses to create a queue under the name of one deleted less
    // than 60 seconds ago (QueueDeletedRecently,
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html),
    // so a DEV stack deployed again within a minute of its destroy fails on this queue; wait a
    // minute. A suffix would not help: to stay stable across deployments it must be derived from
    // the same path, so the redeployed stack picks the same name again.
    const queueName = Names.uniqueResourceName(this, { maxLength: 75 }) + (fifo ? '.fifo' : '');
    const queueArn = Stack.of(this).formatArn({ service: 'sqs', resource: queueName });

    const deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      source: DeadLetterSource.SQS_QUEUE,
      sourceQueueArn: queueArn,
      fifo,
      encryptionKey: props.encryptionKey,
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      alarmDescription: `A message failed processing ${props.maxReceiveCount ?? 5} times and is in the dead-letter queue of ${this.node.path}`,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      fifo: fifo || undefined,
      contentBasedDeduplication: props.contentBasedDeduplication,
      retentionPeriod,
      receiveMessageWaitTime: props.receiveMessageWaitTime ?? Duration.seconds(20),
      visibilityTimeout,
      encryption,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue.queue, maxReceiveCount: props.maxReceiveCount ?? 5 },
      removalPolicy,
    });
    this.deadLetterQueue = deadLetterQueue.queue;

    if (props.consumer) {
      // The mapping and the consumer's policy name both the consumer (its alias, its role) and the
      // queue, so they go in whichever of the two stacks deploys later (joinsInClientStack):
      // usually the consumer's, which already uses something of the queue's stack (a VPC, a key);
      // in the earlier one they would make each stack depend on the other (DependencyCycle, issue 28).
      const consumerScope = consumerScopeOf(this, props.consumer);
      const mappingId = consumerScope === this ? 'ConsumerMapping' : `${Names.uniqueId(this)}ConsumerMapping`;
      this.eventSourceMapping = new lambda.EventSourceMapping(consumerScope, mappingId, {
        target: props.consumer,
        eventSourceArn: this.queue.queueArn,
        batchSize,
        maxBatchingWindow: props.maxBatchingWindow,
        maxConcurrency: props.maxConcurrency,
        reportBatchItemFailures: true,
      });
      acknowledgeNagFinding(this.eventSourceMapping, 'Serverless-LambdaEventSourceMappingDestination',
        "Lambda supports on-failure destinations only for stream and Kafka sources; this SQS source's failures go to the queue's dead-letter queue.");
      this.grantConsume(consumerScope, props.consumer.role!, props.encryptionKey);
    }

    this.alarms.push(deadLetterQueue.alarm);
    prelude.alarm('OldestMessageAgeAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: oldestMessageAgeThreshold.toSeconds({ integral: false }),
      orEqual: true,
      description: `Consumers of ${this.node.path} are falling behind: a message has waited ${oldestMessageAgeThreshold.toHumanString()}`,
    });
    const sum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    prelude.dashboard([
      { title: 'Messages sent and deleted', metrics: [this.queue.metricNumberOfMessagesSent(sum), this.queue.metricNumberOfMessagesDeleted(sum)] },
      { title: 'Messages waiting', metrics: [this.queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM })] },
    ]);
  }

  /**
   * Lets the consumer receive, delete and hide messages of this queue, and nothing else. A
   * managed policy rather than the role's default inline policy, which the HIPAA, NIST and PCI
   * packs reject; the mapping waits for it, since Lambda checks the permissions on creation.
   */
  private grantConsume(scope: Construct, role: iam.IRole, encryptionKey: kms.IKey | undefined): void {
    const statements = [new iam.PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      resources: [this.queue.queueArn],
    })];
    if (encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [encryptionKey.keyArn] }));
    }
    const policyId = scope === this ? 'ConsumerPolicy' : `${Names.uniqueId(this)}ConsumerPolicy`;
    const policy = new iam.ManagedPolicy(scope, policyId, {
      description: `Lets the consumer of ${this.node.path} process its messages`,
      roles: [role],
      statements,
    });
    this.eventSourceMapping!.node.addDependency(policy);
  }


}

/**
 * Where what names the consumer goes: this pattern when the consumer is in the same stack (the
 * resources keep the logical ids they always had) or in a stack deployed before this one, else
 * the consumer itself, in its own stack (see `joinsInClientStack`).
 */
function consumerScopeOf(pattern: Construct, consumer: lambda.IFunction): Construct {
  return Stack.of(consumer) === Stack.of(pattern) || !joinsInClientStack(pattern, consumer) ? pattern : consumer;
}

function defaultAgeThreshold(retentionPeriod: Duration): Duration {
  if (retentionPeriod.isUnresolved() || retentionPeriod.toSeconds() > 2 * 3600) {
    return Duration.hours(1);
  }
  return Duration.seconds(Math.floor(retentionPeriod.toSeconds() / 2));
}

/**
 * The consumer's timeout when it is known: a HardenedFunction's, or Lambda's 3-second default for
 * a function defined in this app without one; nothing for an imported function.
 */
function timeoutOf(consumer: lambda.IFunction | undefined): Duration | undefined {
  if (consumer === undefined) {
    return undefined;
  }
  if (consumer instanceof lambda.Function) {
    return consumer.timeout ?? Duration.seconds(3);
  }
  // A HardenedFunction says its timeout too. Read structurally: importing HardenedFunction here
  // would load the Lambda, CodeDeploy and IAM role modules for every queue, consumer or not.
  const timeout: unknown = (consumer as { timeout?: unknown }).timeout;
  return timeout instanceof Duration ? timeout : undefined;
}
