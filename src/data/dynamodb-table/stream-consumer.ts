import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DynamoDbTable } from './dynamodb-table';
import { tokenInMillis } from './validate';
import { DeadLetterQueue, DeadLetterSource } from '../../building-blocks/dead-letter-queue';
import { createPatternAlarm } from '../../core/alarms';
import { acknowledgeNagFinding, nagResourceText } from '../../core/nag';
import { PropValidator } from '../../core/prop-validator';
import { addDashboardSection } from '../../core/stack-operations';

/**
 * How a DynamoDbTable's stream reaches a consumer.
 */
export interface DynamoDbStreamConsumerOptions {
  /**
   * Where in the stream the consumer starts: TRIM_HORIZON (the oldest record the stream keeps, so
   * nothing written before the mapping existed is missed) or LATEST. DynamoDB Streams has no
   * AT_TIMESTAMP.
   *
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * How many records the consumer receives per invocation, from 1 to 10,000.
   *
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * How long to gather records before invoking the consumer, from 0 to 300 seconds.
   *
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * How many times a failing batch is retried (each half of a bisected batch counts anew), from 0
   * to 10,000. Lambda's default, unlimited, would block the shard for the stream's whole 24 hours.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * The age at which a record is no longer retried but sent to the dead-letter queue, from 60
   * seconds to 7 days, known at synth (aws-cdk-lib checks it there). The stream keeps records 24
   * hours, so older than that they are gone.
   *
   * @default Duration.hours(1)
   */
  readonly maxRecordAge?: Duration;

  /**
   * How many batches of one shard are processed at once, from 1 to 10. Records with the same
   * partition key stay in order.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * Whether a failing batch is split in two and each half retried, to isolate the bad record.
   *
   * @default true
   */
  readonly bisectBatchOnError?: boolean;

  /**
   * The age of the newest record read (IteratorAge, maximum over a minute) at which the consumer
   * counts as falling behind and its alarm fires: at least 1 second, and shorter than
   * `maxRecordAge`, so the alarm fires before records are given up. Only known at deploy time,
   * give it as `Duration.millis(token)`: the alarm compares milliseconds.
   *
   * @default - half of `maxRecordAge`
   */
  readonly iteratorAgeThreshold?: Duration;
}

/**
 * Properties of a DynamoDbStreamConsumer.
 */
export interface DynamoDbStreamConsumerProps extends DynamoDbStreamConsumerOptions {
  /**
   * The table whose stream is read. Its stream (new and old images) is turned on.
   */
  readonly table: DynamoDbTable;

  /**
   * The function invoked with the records: it reports partial batch failures
   * (`batchItemFailures`), and needs a known role, to which the stream's read permissions and the
   * dead-letter queue's send permission are granted. A HardenedFunction is invoked through its alias.
   */
  readonly consumer: lambda.IFunction;
}

// Lambda's event source mapping limits for DynamoDB Streams
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
const MAX_BATCH_SIZE = 10_000;
const MAX_BATCHING_WINDOW_SECONDS = 300;
const MAX_RETRY_ATTEMPTS = 10_000;
const MIN_RECORD_AGE_SECONDS = 60;
const MAX_RECORD_AGE_SECONDS = Duration.days(7).toSeconds();
const MAX_PARALLELIZATION_FACTOR = 10;

/**
 * A Lambda function that processes a DynamoDbTable's stream without losing a change: a failing
 * batch is bisected, partial batch failures are reported, retries are bounded (3, for at most an
 * hour), and the location of every batch that still fails goes to a dead-letter queue, which
 * alarms. The iterator age alarm fires while records can still be processed.
 *
 * Usually created with `table.addStreamConsumer(id, consumer, options)`.
 *
 * @example
 * import { DynamoDbStreamConsumer, DynamoDbTable, HardenedFunction } from 'cdk-best-practice-patterns';
 *
 * declare const orders: DynamoDbTable;
 * const mailer = new HardenedFunction(this, 'Mailer', { code: lambda.Code.fromAsset('lambda/mailer') });
 * new DynamoDbStreamConsumer(this, 'MailerStream', { table: orders, consumer: mailer, retryAttempts: 5 });
 */
export class DynamoDbStreamConsumer extends Construct {
  /**
   * The function that processes the records.
   */
  public readonly consumer: lambda.IFunction;

  /**
   * The event source mapping from the stream to the consumer.
   */
  public readonly eventSourceMapping: lambda.EventSourceMapping;

  /**
   * Where the location of each batch that failed every retry, or grew too old, is sent. The
   * records themselves stay in the stream for 24 hours: read them from there.
   */
  public readonly deadLetterQueue: sqs.IQueue;

  /**
   * Fires when the dead-letter queue holds a message.
   */
  public readonly deadLetterQueueAlarm: cloudwatch.IAlarm;

  /**
   * Fires when the consumer falls behind: the newest record it read is older than
   * `iteratorAgeThreshold`.
   */
  public readonly iteratorAgeAlarm: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: DynamoDbStreamConsumerProps) {
    super(scope, id);
    const maxRecordAge = props.maxRecordAge ?? Duration.hours(1);
    const iteratorAgeThreshold = props.iteratorAgeThreshold
      ?? (maxRecordAge.isUnresolved() ? Duration.minutes(30) : Duration.seconds(Math.floor(maxRecordAge.toSeconds() / 2)));
    validateConsumerProps(new PropValidator(`DynamoDbStreamConsumer '${this.node.path}'`), props, maxRecordAge, iteratorAgeThreshold);
    const table = props.table;
    // The table's stage and alarm topic, as its props resolved them.
    const { stage, alarmTopic } = table._operations;
    this.consumer = props.consumer;

    const deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      source: DeadLetterSource.STREAM_EVENT_SOURCE,
      stage,
      alarmTopic,
      alarmDescription: `A batch of ${table.node.path}'s stream failed in ${props.consumer.node.path} and is in ${this.node.path}'s dead-letter queue; `
        + 'its records stay in the stream for 24 hours',
    });
    this.deadLetterQueue = deadLetterQueue.queue;
    this.deadLetterQueueAlarm = deadLetterQueue.alarm;

    const policy = this.createReadPolicy(table, props.consumer.role!);
    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: props.consumer,
      eventSourceArn: table.streamArn,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow,
      retryAttempts: props.retryAttempts ?? 3,
      maxRecordAge,
      parallelizationFactor: props.parallelizationFactor,
      bisectBatchOnError: props.bisectBatchOnError ?? true,
      reportBatchItemFailures: true,
      onFailure: { bind: () => ({ destination: deadLetterQueue.queue.queueArn }) },
    });
    // Lambda checks the permissions when it creates the mapping.
    this.eventSourceMapping.node.addDependency(policy);

    this.iteratorAgeAlarm = createPatternAlarm(this, 'IteratorAgeAlarm', {
      // The consumer's own metric: a HardenedFunction's is its alias's (FunctionName and Resource,
      // the dimension Lambda publishes per version or alias:
      // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html), which is what
      // the mapping invokes.
      metric: props.consumer.metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: iteratorAgeThreshold.toMilliseconds(),
      orEqual: true,
      description: `${props.consumer.node.path} is falling behind ${table.node.path}'s stream: a record waited ${iteratorAgeThreshold.toHumanString()}; `
        + `at ${maxRecordAge.toHumanString()} it goes to the dead-letter queue unprocessed`,
    }, alarmTopic);
    table._addStreamConsumer(this);
    if (Stack.of(this) !== Stack.of(table)) {
      // The table's section cannot show the alarms of another stack (see _addStreamConsumer): this
      // stack's dashboard does.
      addDashboardSection(this, { kind: 'DynamoDbStreamConsumer', alarms: [this.iteratorAgeAlarm, this.deadLetterQueueAlarm], throughput: [] });
    }
  }

  /**
   * The consumer's permissions, in a managed policy of this construct (the HIPAA, NIST and PCI
   * packs reject inline policies): read this table's stream, decrypt it, and send failed batches
   * to the dead-letter queue.
   */
  private createReadPolicy(table: DynamoDbTable, role: iam.IRole): iam.ManagedPolicy {
    const streams = `${table.table.tableArn}/stream/*`;
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Lets the consumer of ${table.node.path}'s stream read it and report failed batches`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'], resources: [table.streamArn] }),
        // Lambda lists the table's streams when it starts the mapping; ListStreams is authorized on
        // the table's streams, as in AWS's own policy for a stream consumer
        // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html).
        new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: [streams] }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [table.encryptionKey.keyArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    const reason = "ListStreams is granted on this table's streams only, as AWS documents for a stream's Lambda consumer.";
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(policy, streams)}]`, reason);
    if (Stack.of(this) !== Stack.of(table)) {
      // From another stack the table's ARN is a cross-stack reference. cdk-nag 2.x, an Aspect,
      // reads it before the app is prepared, as the table's attribute (above); aws-cdk-lib renders
      // it as the reference (Fn::ImportValue, or Fn::GetStackOutput under the new-project flags)
      // only once the app is prepared, and cdk-nag 3.x, which reads the synthesized template, names
      // the finding by that. Validation runs after preparing and before the assembly is written.
      policy.node.addValidation({
        validate: () => {
          acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(policy, streams)}]`, reason);
          return [];
        },
      });
    }
    return policy;
  }
}

function validateConsumerProps(v: PropValidator, props: DynamoDbStreamConsumerProps, maxRecordAge: Duration, iteratorAgeThreshold: Duration): void {
  v.check(props.table !== undefined, 'table', props.table, 'the DynamoDbTable whose stream is read: it is required');
  v.check(props.consumer !== undefined, 'consumer', props.consumer, 'the function that processes the records: it is required');
  v.check(props.consumer === undefined || props.consumer.role !== undefined, 'consumer', props.consumer?.node.path,
    'a function with a known role, so the stream can be granted to it (import it with Function.fromFunctionAttributes and its role)');
  v.oneOf('startingPosition', props.startingPosition, lambda.StartingPosition, 'lambda.StartingPosition');
  v.check(props.startingPosition !== lambda.StartingPosition.AT_TIMESTAMP, 'startingPosition', props.startingPosition,
    'TRIM_HORIZON or LATEST: DynamoDB Streams cannot start at a timestamp');
  v.integerInRange('batchSize', props.batchSize, 1, MAX_BATCH_SIZE);
  v.secondsInRange('maxBatchingWindow', props.maxBatchingWindow, 0, MAX_BATCHING_WINDOW_SECONDS);
  v.integerInRange('retryAttempts', props.retryAttempts, 0, MAX_RETRY_ATTEMPTS);
  v.knownAtSynth('maxRecordAge', props.maxRecordAge, "aws-cdk-lib's EventSourceMapping checks it against 60 seconds to 7 days at synth");
  if (!props.maxRecordAge?.isUnresolved()) {
    v.secondsInRange('maxRecordAge', props.maxRecordAge, MIN_RECORD_AGE_SECONDS, MAX_RECORD_AGE_SECONDS);
  }
  v.integerInRange('parallelizationFactor', props.parallelizationFactor, 1, MAX_PARALLELIZATION_FACTOR);
  // The alarm compares milliseconds: a token must be in milliseconds already.
  tokenInMillis(v, 'iteratorAgeThreshold', props.iteratorAgeThreshold, 'the alarm compares milliseconds');
  if (!maxRecordAge.isUnresolved() && !iteratorAgeThreshold.isUnresolved()) {
    const threshold = iteratorAgeThreshold.toSeconds({ integral: false });
    v.check(threshold >= 1 && threshold < maxRecordAge.toSeconds(), 'iteratorAgeThreshold', `${threshold} seconds`,
      `at least 1 second and shorter than maxRecordAge (${maxRecordAge.toSeconds()} seconds), so it fires before records are given up`);
  }
  v.throwIfInvalid();
}
