import { Duration, FeatureFlags, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { QueueWithDeadLetterQueue, QueueWithDeadLetterQueueProps } from './queue-with-dead-letter-queue';
import { DeadLetterQueue, DeadLetterSource } from '../building-blocks/dead-letter-queue';
import { createPatternKey } from '../core/keys';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * One subscriber of an SnsFanOut: a queue that receives the events its filter lets through.
 */
export interface FanOutSubscriberProps {
  /**
   * The subscriber's name, unique within the fan-out: a letter, then up to 63 letters, digits or
   * hyphens. It names the subscriber's constructs, so renaming it replaces its queues.
   */
  readonly name: string;

  /**
   * Which events the subscriber receives, by message attribute: at most 5 attributes and 150
   * combinations of values. Not together with `filterPolicyWithMessageBody`.
   *
   * @default - every event
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };

  /**
   * Which events the subscriber receives, by the JSON body of the message: at most 5 keys and 150
   * combinations of values. Not together with `filterPolicy`.
   *
   * @default - every event
   */
  readonly filterPolicyWithMessageBody?: { [key: string]: sns.FilterOrPolicy };

  /**
   * Whether the queue receives the message as published rather than wrapped in SNS's JSON
   * envelope. Queue consumers rarely need the envelope.
   *
   * @default true
   */
  readonly rawMessageDelivery?: boolean;

  /**
   * Options of the subscriber's QueueWithDeadLetterQueue, including its optional `consumer`.
   * `fifo` always follows the topic; `stage` and `alarmTopic` default to the fan-out's.
   *
   * @default - the QueueWithDeadLetterQueue defaults
   */
  readonly queueOptions?: QueueWithDeadLetterQueueProps;
}

/**
 * What an SnsFanOut built for one subscriber.
 */
export interface FanOutSubscriber {
  /**
   * The subscriber's name.
   */
  readonly name: string;

  /**
   * The subscriber's queue, its dead-letter queue and alarms, and its consumer's mapping.
   */
  readonly queue: QueueWithDeadLetterQueue;

  /**
   * Where SNS keeps notifications it could not deliver to the queue.
   */
  readonly subscriptionDeadLetterQueue: sqs.Queue;

  /**
   * The topic subscription.
   */
  readonly subscription: sns.Subscription;
}

/**
 * Properties of an SnsFanOut.
 */
export interface SnsFanOutProps extends PatternProps {
  /**
   * An existing topic to fan out from. Its encryption and policy stay its owner's.
   *
   * @default - a new topic, encrypted with `masterKey`, that accepts publishing over TLS only
   */
  readonly topic?: sns.ITopic;

  /**
   * Whether the new topic is FIFO (ordered, deduplicated). Its subscriber queues are FIFO too.
   * Only without `topic`.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Whether a new FIFO topic deduplicates messages by a hash of their body. Only with `fifo`.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * The KMS key that encrypts the new topic. Only without `topic`.
   *
   * @default - a new customer-managed key with rotation
   */
  readonly masterKey?: kms.IKey;

  /**
   * The subscribers. More can be added with `addSubscriber`.
   *
   * @default - none
   */
  readonly subscribers?: FanOutSubscriberProps[];
}

const SUBSCRIBER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
// SNS filter policy limits.
const MAX_FILTER_KEYS = 5;
const MAX_FILTER_COMBINATIONS = 150;

/**
 * One SNS topic delivering each event to many independent subscriber queues, each seeing only the
 * events its filter policy asks for.
 *
 * Applies: fan-out to queues rather than to fragile endpoints; a topic encrypted with a rotating
 * customer-managed key and a policy refusing to publish without TLS; filter policies validated
 * against SNS's limits; raw message delivery; for each subscriber a QueueWithDeadLetterQueue and a subscription
 * dead-letter queue, so neither failed processing nor failed delivery loses a message; FIFO
 * topics with FIFO queues; alarms on failed notifications and on every dead-letter queue.
 *
 * @example
 * import { SnsFanOut } from 'cdk-best-practice-patterns';
 *
 * const orderEvents = new SnsFanOut(this, 'OrderEvents');
 * orderEvents.addSubscriber({ name: 'Billing' });
 * orderEvents.addSubscriber({
 *   name: 'Shipping',
 *   filterPolicy: { status: sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] }) },
 * });
 * new CfnOutput(this, 'OrderEventsTopicArn', { value: orderEvents.topic.topicArn });
 */
export class SnsFanOut extends Construct {
  /**
   * The topic producers publish to.
   */
  public readonly topic: sns.ITopic;

  /**
   * The subscribers, by name.
   */
  public readonly subscribers: { [name: string]: FanOutSubscriber } = {};

  /**
   * The alarms of this pattern: failed notifications, and each subscriber's dead-letter queues
   * and message age.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly props: SnsFanOutProps;

  constructor(scope: Construct, id: string, props: SnsFanOutProps = {}) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'SnsFanOut', props);
    props = prelude.props;
    this.props = props;
    this.alarms = prelude.alarms;

    const validator = prelude.validator;
    if (props.topic) {
      const topicOptions = { fifo: props.fifo, contentBasedDeduplication: props.contentBasedDeduplication, masterKey: props.masterKey };
      for (const [prop, value] of Object.entries(topicOptions)) {
        validator.check(value === undefined, prop, value instanceof Construct ? value.node.path : value, 'left unset with an existing topic');
      }
    }
    validator.check(!props.contentBasedDeduplication || props.fifo === true, 'contentBasedDeduplication', props.contentBasedDeduplication,
      'false or unset unless fifo is true (only FIFO topics deduplicate)');
    const topicFifo = props.topic ? props.topic.fifo : props.fifo ?? false;
    const topicStack = Stack.of(props.topic ?? this);
    const names = new Set<string>();
    for (const subscriber of props.subscribers ?? []) {
      this.validateSubscriber(validator, subscriber, names, topicFifo, topicStack);
      names.add(subscriber.name);
    }
    validator.throwIfInvalid();

    this.topic = props.topic ?? new sns.Topic(this, 'Topic', {
      fifo: props.fifo,
      contentBasedDeduplication: props.contentBasedDeduplication,
      masterKey: props.masterKey ?? createPatternKey(this, 'TopicKey', `Encrypts the messages of ${this.node.path}`, prelude.removalPolicy),
      enforceSSL: true,
    });

    prelude.alarm('NotificationsFailedAlarm', {
      metric: this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `SNS could not deliver notifications of ${this.node.path}; they wait in the subscription dead-letter queues`,
    });

    for (const subscriber of props.subscribers ?? []) {
      this.wire(subscriber);
    }
    const sum = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    prelude.dashboard([{
      title: 'Messages published and notifications delivered',
      metrics: [this.topic.metricNumberOfMessagesPublished(sum), this.topic.metricNumberOfNotificationsDelivered(sum)],
    }]);
  }

  /**
   * Adds a subscriber: its queue, its subscription dead-letter queue and the subscription.
   */
  public addSubscriber(subscriber: FanOutSubscriberProps): FanOutSubscriber {
    // A validator of its own, not the prelude's: errors are kept until thrown, so a call refused
    // (and caught) would otherwise be reported again by every later call.
    const validator = new PropValidator(`SnsFanOut '${this.node.path}'`);
    this.validateSubscriber(validator, subscriber, new Set(Object.keys(this.subscribers)), this.topic.fifo, Stack.of(this.topic));
    validator.throwIfInvalid();
    return this.wire(subscriber);
  }

  private validateSubscriber(
    validator: PropValidator, subscriber: FanOutSubscriberProps, taken: Set<string>, topicFifo: boolean, topicStack: Stack,
  ): void {
    const prop = `subscribers['${subscriber.name}']`;
    validator.knownAtSynth(`${prop}.name`, subscriber.name, "it names the subscriber's queue and constructs");
    validator.check(Token.isUnresolved(subscriber.name) || SUBSCRIBER_NAME.test(subscriber.name), `${prop}.name`, subscriber.name,
      'a letter followed by up to 63 letters, digits or hyphens');
    validator.check(!taken.has(subscriber.name), `${prop}.name`, subscriber.name, 'unique among the subscribers of this fan-out');
    validator.check(!(subscriber.filterPolicy && subscriber.filterPolicyWithMessageBody), `${prop}.filterPolicyWithMessageBody`,
      Object.keys(subscriber.filterPolicyWithMessageBody ?? {}), 'left unset with filterPolicy (a subscription filters on attributes or on the body, not both)');
    // SNS encrypts into a subscriber's queue with the queue's key, whose policy aws-cdk-lib's
    // SqsSubscription makes name the topic (aws:SourceArn, under the new-project flag
    // @aws-cdk/aws-sns-subscriptions:restrictSqsDescryption). A key in another stack naming a topic
    // in this one makes that stack depend on this one, which depends on it for the key: a
    // DependencyCycle no placement avoids (issue 28).
    const key = subscriber.queueOptions?.encryptionKey;
    const here = Stack.of(this);
    validator.check(key === undefined || Stack.of(key) === here || topicStack !== here
      || !FeatureFlags.of(this).isEnabled(cxapi.SNS_SUBSCRIPTIONS_SQS_DECRYPTION_POLICY), `${prop}.queueOptions.encryptionKey`,
    key && `${key.node.path} (in stack ${Stack.of(key).node.path})`,
    `a key in this fan-out's stack (${here.node.path}), or unset for SQS-managed encryption: the key's policy must name the topic, `
      + 'which is in this stack, and a key in another stack naming it would make each stack depend on the other');
    const fifo = subscriber.queueOptions?.fifo;
    validator.check(fifo === undefined || fifo === topicFifo, `${prop}.queueOptions.fifo`, fifo,
      `${topicFifo} or unset, like the topic (a FIFO topic delivers only to FIFO queues, a standard topic only to standard ones)`);

    const filters: Array<[string, FilterShape | undefined]> = [
      ['filterPolicy', subscriber.filterPolicy && attributePolicyShape(subscriber.filterPolicy)],
      ['filterPolicyWithMessageBody', subscriber.filterPolicyWithMessageBody && bodyPolicyShape(subscriber.filterPolicyWithMessageBody)],
    ];
    for (const [name, shape] of filters) {
      if (!shape) {
        continue;
      }
      validator.check(shape.keys <= MAX_FILTER_KEYS, `${prop}.${name}`, `${shape.keys} keys`, `at most ${MAX_FILTER_KEYS} keys`);
      validator.check(shape.combinations <= MAX_FILTER_COMBINATIONS, `${prop}.${name}`, `${shape.combinations} combinations of values`,
        `at most ${MAX_FILTER_COMBINATIONS} combinations (the product of the number of values of each key)`);
    }
  }

  private wire(subscriber: FanOutSubscriberProps): FanOutSubscriber {
    const scope = new Construct(this, subscriber.name);
    const fifo = this.topic.fifo;
    const queue = new QueueWithDeadLetterQueue(scope, 'Queue', {
      stage: this.props.stage,
      alarmTopic: this.props.alarmTopic,
      ...subscriber.queueOptions,
      fifo,
    });

    const subscriptionDeadLetterQueue = new DeadLetterQueue(scope, 'SubscriptionDeadLetterQueue', {
      source: DeadLetterSource.SNS_SUBSCRIPTION,
      fifo,
      stage: this.props.stage,
      alarmTopic: this.props.alarmTopic,
      alarmDescription: `SNS could not deliver a notification to subscriber '${subscriber.name}' of ${this.node.path}`,
    });
    this.alarms.push(subscriptionDeadLetterQueue.alarm);

    const subscription = this.topic.addSubscription(new subscriptions.SqsSubscription(queue.queue, {
      rawMessageDelivery: subscriber.rawMessageDelivery ?? true,
      filterPolicy: subscriber.filterPolicy,
      filterPolicyWithMessageBody: subscriber.filterPolicyWithMessageBody,
      deadLetterQueue: subscriptionDeadLetterQueue.queue,
    }));

    this.alarms.push(...queue.alarms);
    const result: FanOutSubscriber = { name: subscriber.name, queue, subscriptionDeadLetterQueue: subscriptionDeadLetterQueue.queue, subscription };
    this.subscribers[subscriber.name] = result;
    return result;
  }


}

interface FilterShape {
  readonly keys: number;
  readonly combinations: number;
}

function attributePolicyShape(policy: { [attribute: string]: sns.SubscriptionFilter }): FilterShape {
  const sizes = Object.values(policy).map((filter) => Math.max(filter.conditions.length, 1));
  return { keys: sizes.length, combinations: sizes.reduce((product, n) => product * n, 1) };
}

/**
 * SNS counts the leaf keys of a nested body policy, and multiplies their numbers of values.
 */
function bodyPolicyShape(policy: { [key: string]: sns.FilterOrPolicy }): FilterShape {
  let keys = 0;
  let combinations = 1;
  for (const value of Object.values(policy)) {
    if (value.isPolicy()) {
      const inner = bodyPolicyShape(value.policyDoc);
      keys += inner.keys;
      combinations *= inner.combinations;
    } else if (value.isFilter()) {
      keys += 1;
      combinations *= Math.max(value.filterDoc.conditions.length, 1);
    }
  }
  return { keys, combinations };
}
