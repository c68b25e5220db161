import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

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
  /**
   * A Lambda event source mapping that reads a stream (DynamoDB Streams, Kinesis), through its
   * on-failure destination: a batch that failed every retry or grew too old. The message says
   * where the batch is in the stream, not what it holds; the stream keeps the records for its
   * retention period (24 hours for DynamoDB Streams).
   */
  STREAM_EVENT_SOURCE = 'STREAM_EVENT_SOURCE',
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
   * At most 1,024 characters, CloudWatch's limit.
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
    const prelude = PatternPrelude.start(this, 'DeadLetterQueue', props);
    props = prelude.props;
    const validator = prelude.validator;
    // Required, but JavaScript can leave it out: no source would mean no redrive-allow policy.
    validator.check(props.source !== undefined, 'source', props.source, "one of DeadLetterSource's values: it is required");
    validator.knownAtSynth('source', props.source, 'it decides which policies the queue gets');
    validator.oneOf('source', props.source, DeadLetterSource, 'DeadLetterSource');
    const fromQueue = props.source === DeadLetterSource.SQS_QUEUE;
    validator.check(fromQueue === (props.sourceQueueArn !== undefined), 'sourceQueueArn', props.sourceQueueArn,
      fromQueue ? 'the ARN of the source queue, since source is SQS_QUEUE' : 'left unset unless source is SQS_QUEUE');
    const fromRule = props.source === DeadLetterSource.EVENT_RULE;
    validator.check(fromRule || props.sourceRuleArn === undefined, 'sourceRuleArn', props.sourceRuleArn, 'left unset unless source is EVENT_RULE');
    validator.check(!fromRule || !props.encryptionKey || props.sourceRuleArn !== undefined, 'sourceRuleArn', props.sourceRuleArn,
      "the rule's ARN when the queue has an encryptionKey, so the key policy can admit EventBridge for that rule");
    validator.check(!fromRule || !props.fifo, 'fifo', props.fifo, 'false or unset for an EVENT_RULE source: EventBridge sends only to standard queues');
    const description = props.alarmDescription;
    validator.check(description === undefined || Token.isUnresolved(description) || description.length <= 1024, 'alarmDescription',
      `${description?.length} characters`, "at most 1,024 characters (CloudWatch's limit for an alarm description)");
    if (props.sourceQueueArn !== undefined) {
      this.validateSourceQueueArn(validator, props.sourceQueueArn, props.fifo);
    }
    if (props.sourceRuleArn !== undefined) {
      this.validateSourceRuleArn(validator, props.sourceRuleArn);
    }
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
      removalPolicy: prelude.removalPolicy,
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
        [DeadLetterSource.STREAM_EVENT_SOURCE]: "This queue is the on-failure destination of a stream's Lambda event source mapping, which the rule does not recognise as a DLQ.",
      }[props.source]);
    }

    this.alarm = prelude.alarm('NotEmptyAlarm', {
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      orEqual: true,
      description: props.alarmDescription ?? `A message is in the dead-letter queue ${this.node.path}`,
    });
    prelude.dashboard([
      { title: 'Failed messages arriving', metrics: [this.queue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })] },
    ]);
  }

  /**
   * The source queue's ARN: an ARN (a queue name is not enough for the redrive-allow policy), in
   * this stack's account and region, of the same type (FIFO or standard) as this queue. Parts that
   * are tokens are skipped.
   */
  private validateSourceQueueArn(validator: PropValidator, arn: string, fifo: boolean | undefined): void {
    const parts = arnParts(arn, 'sqs');
    if (!parts) {
      validator.check(false, 'sourceQueueArn', arn,
        "the source queue's ARN, arn:<partition>:sqs:<region>:<account>:<queue name> (such as arn:aws:sqs:us-east-1:123456789012:orders), "
        + 'not its name or URL: the redrive-allow policy names its source queue by ARN');
      return;
    }
    this.validateSameEnvironment(validator, 'sourceQueueArn', arn, parts, true,
      'SQS moves messages only to a dead-letter queue in the source queue\'s own account and region');
    if (!Token.isUnresolved(parts.resource)) {
      const sourceFifo = parts.resource.endsWith('.fifo');
      validator.check((fifo ?? false) === sourceFifo, 'fifo', fifo,
        sourceFifo
          ? `true, since the source queue ${parts.resource} is FIFO: a FIFO queue's dead-letter queue must be FIFO too (SQS)`
          : `false or unset, since the source queue ${parts.resource} is standard (its name does not end in .fifo): a standard queue's dead-letter queue must be standard too (SQS)`);
    }
  }

  /**
   * The source rule's ARN: an ARN (the key policy's aws:SourceArn needs one; a rule name matches
   * nothing), in this stack's region. Its account may differ: a rule may send to a dead-letter
   * queue of another account that admits it. Parts that are tokens are skipped.
   */
  private validateSourceRuleArn(validator: PropValidator, arn: string): void {
    const parts = arnParts(arn, 'events');
    if (!parts) {
      validator.check(false, 'sourceRuleArn', arn,
        "the rule's ARN, arn:<partition>:events:<region>:<account>:rule/<rule name> (rule/<bus name>/<rule name> on a custom bus), "
        + 'not its name: the key policy admits EventBridge for aws:SourceArn, which is an ARN');
      return;
    }
    this.validateSameEnvironment(validator, 'sourceRuleArn', arn, parts, false,
      "EventBridge sends a target's failed events only to a dead-letter queue in the rule's region");
  }

  /** Records an error when the ARN's region (and account, with `sameAccount`) differs from this stack's, where both are known. */
  private validateSameEnvironment(validator: PropValidator, prop: string, arn: string, parts: ArnParts, sameAccount: boolean, why: string): void {
    const stack = Stack.of(this);
    const known = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b);
    validator.check(!known(parts.region, stack.region) || parts.region === stack.region, prop, arn,
      `an ARN in this stack's region, ${stack.region} (not ${parts.region}): ${why}`);
    validator.check(!sameAccount || !known(parts.account, stack.account) || parts.account === stack.account, prop, arn,
      `an ARN in this stack's account, ${stack.account} (not ${parts.account}): ${why}`);
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

// Source ARNs. SQS moves a message only to a dead-letter queue of the source queue's type (FIFO
// or standard) in its account and region:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html
// ("a FIFO queue can only use a FIFO DLQ, and a standard queue can only use a standard DLQ"),
// https://docs.aws.amazon.com/sdk-for-java/v1/developer-guide/examples-sqs-dead-letter-queues.html and
// https://docs.aws.amazon.com/sdk-for-cpp/v1/developer-guide/examples-sqs-dead-letter-queues.html
// ("must be created using the same AWS account and region as the source queue"; the SQS guide,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html,
// now calls the same account and region a best practice). A FIFO queue's name ends in .fifo, within
// 80 characters of letters, digits, '-' and '_', and that suffix is how to tell one:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-fifo.html
// An EventBridge target's dead-letter queue is a standard queue in the rule's region; it may be in
// another account whose queue policy admits the rule:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html, and aws-cdk-lib's
// aws-events-targets refuses another region (CannotAssignDeadLetterQueueInDifferentRegion) and
// only warns for another account (manuallyAddDLQResourcePolicy).
// Rule ARNs: arn:<partition>:events:<region>:<account>:rule/[<bus name>/]<rule name>
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-manage-iam-access.html), a rule name
// of letters, digits, '.', '-' and '_' (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html).

// A queue name; rule/<rule name> or rule/<bus name>/<rule name> (a partner bus's name holds '/').
const SQS_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$|^[A-Za-z0-9_-]{1,80}$/;
const EVENT_RULE_RESOURCE = /^rule\/([/.\-_A-Za-z0-9]+\/)?[.\-_A-Za-z0-9]{1,64}$/;

/** The parts of an ARN that matter here, each of which may be a token. */
interface ArnParts {
  readonly region: string;
  readonly account: string;
  /** What follows the account: a queue's name, or rule/... */
  readonly resource: string;
}

/**
 * The region, account and resource of `arn:<partition>:<service>:<region>:<account>:<resource>`,
 * or undefined when the string is not such an ARN. A whole-token string passes with token parts;
 * a part that is a token (Stack.formatArn's partition, say) is not checked.
 */
function arnParts(arn: string, service: string): ArnParts | undefined {
  if (Token.isUnresolved(arn) && !arn.startsWith('arn:')) {
    return { region: arn, account: arn, resource: arn };
  }
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return undefined;
  }
  const [, partition, arnService, region, account, resource] = parts;
  const literal = (part: string, pattern: RegExp) => Token.isUnresolved(part) || pattern.test(part);
  const ok = literal(partition, /^aws(-[a-z]+)*$/) && arnService === service && literal(region, /^[a-z]{2}(-[a-z]+)+-\d+$/)
    && literal(account, /^\d{12}$/) && literal(resource, service === 'sqs' ? SQS_QUEUE_NAME : EVENT_RULE_RESOURCE);
  return ok ? { region, account, resource } : undefined;
}
