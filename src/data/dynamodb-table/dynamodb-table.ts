import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DynamoDbStreamConsumer, DynamoDbStreamConsumerOptions } from './stream-consumer';
import { DEFAULT_LATENCY_OPERATIONS, SYSTEM_ERROR_OPERATIONS, validateDynamoDbTableProps } from './validate';
import { selectForBackup } from '../../building-blocks/backup-selection';
import { createPatternKey } from '../../core/keys';
import { acknowledgeNagFinding } from '../../core/nag';
import { PatternPrelude } from '../../core/pattern-prelude';
import { PatternProps } from '../../core/pattern-props';
import { joinsInClientStack } from '../../core/stack-order';

/**
 * Properties of a DynamoDbTable.
 */
export interface DynamoDbTableProps extends PatternProps {
  /**
   * The partition key: its name (1 to 255 bytes in UTF-8) and type.
   */
  readonly partitionKey: dynamodb.Attribute;

  /**
   * A fixed name for the table, for an app that must reach it by name from elsewhere: its
   * replicas share the name, so a stack in a replica's region is handed it as a value, with no
   * cross-region reference. 3 to 255 characters of letters, digits, `_`, `-` and `.`.
   *
   * The trade-off: a change that replaces the table (its keys, a local index) fails, since
   * CloudFormation cannot create the replacement under the name the old table still holds (rename
   * it in the same change); and names are unique per account and region, so the name cannot be
   * used twice there: not by two tables, not by two deployments of the stack to one environment,
   * and not by a new stack while a table retained from an old one (PROD's RETAIN) keeps it. Where
   * a reader is in the table's own region, leave the name to CloudFormation and hand it
   * `table.tableName`.
   *
   * @default - a name CloudFormation generates
   */
  readonly tableName?: string;

  /**
   * The sort key: its name (1 to 255 bytes in UTF-8, not the partition key's) and type. Local
   * secondary indexes need one.
   *
   * @default - no sort key
   */
  readonly sortKey?: dynamodb.Attribute;

  /**
   * Global secondary indexes: at most 20 (DynamoDB's quota per table), each named 3 to 255
   * characters of letters, digits, `_`, `-` and `.`, unique among the table's indexes. An
   * attribute that is a key of the table and of an index must have one type in both. CloudFormation
   * adds or removes one global index per stack update: add them one deployment at a time.
   *
   * @default - none
   */
  readonly globalSecondaryIndexes?: dynamodb.GlobalSecondaryIndexPropsV2[];

  /**
   * Local secondary indexes: at most 5, only on a table with a `sortKey`, and created with the
   * table only (CloudFormation replaces the table to add one). Named like global indexes.
   *
   * @default - none
   */
  readonly localSecondaryIndexes?: dynamodb.LocalSecondaryIndexProps[];

  /**
   * The attribute that holds each item's expiry time (epoch seconds): DynamoDB deletes expired
   * items within a few days, at no cost, and the stream (if any) shows the deletions.
   *
   * @default - items never expire
   */
  readonly timeToLiveAttribute?: string;

  /**
   * How the table pays for reads and writes: on demand (per request, no capacity to manage), or
   * provisioned with autoscaling (cheaper for a steady, known load; `readCapacity` and
   * `writeCapacity` required).
   *
   * @default dynamodb.BillingMode.PAY_PER_REQUEST
   */
  readonly billingMode?: dynamodb.BillingMode;

  /**
   * On demand only: the most read request units per second the table may use, at least 1, so a
   * runaway client cannot bill without limit. Requests above it are throttled (and alarm).
   *
   * @default - no cap
   */
  readonly maxReadRequestUnits?: number;

  /**
   * On demand only: the most write request units per second the table may use, at least 1.
   *
   * @default - no cap
   */
  readonly maxWriteRequestUnits?: number;

  /**
   * Provisioned only (and then required): the read capacity's autoscaling range (minimum 1 to
   * maximum) and target utilization (20 to 90%), known at synth (aws-cdk-lib checks them there).
   *
   * @default - none; required with `BillingMode.PROVISIONED`
   */
  readonly readCapacity?: dynamodb.AutoscaledCapacityOptions;

  /**
   * Provisioned only (and then required): the write capacity's autoscaling range and target
   * utilization (20 to 90%), known at synth (aws-cdk-lib checks them there).
   *
   * @default - none; required with `BillingMode.PROVISIONED`
   */
  readonly writeCapacity?: dynamodb.AutoscaledCapacityOptions;

  /**
   * How far back point-in-time recovery can restore the table, in whole days from 1 to 35, known
   * at synth (aws-cdk-lib checks it there). Point-in-time recovery is always on; its price depends
   * on the table's size, not on this period, so the default keeps the longest.
   *
   * @default Duration.days(35)
   */
  readonly pointInTimeRecoveryPeriod?: Duration;

  /**
   * Whether the table can be deleted only after this is turned off.
   *
   * @default - true in PROD, false in DEV
   */
  readonly deletionProtection?: boolean;

  /**
   * The customer-managed KMS key that encrypts the table, its indexes, stream and backups.
   *
   * @default - a GuardedKey created for the table (rotating, retained in PROD)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether CloudWatch Contributor Insights reports the table's most accessed and most throttled
   * keys (a hot partition shows there first). Billed per event.
   *
   * @default - true in PROD, false in DEV
   */
  readonly contributorInsights?: boolean;

  /**
   * The table class: STANDARD, or STANDARD_INFREQUENT_ACCESS for data stored long and read
   * rarely (cheaper storage, dearer requests).
   *
   * @default dynamodb.TableClass.STANDARD
   */
  readonly tableClass?: dynamodb.TableClass;

  /**
   * An AWS Backup plan that backs the table up: a HardenedBackupPlan (a locked, encrypted vault,
   * copies to another region, failed jobs notified), whose backup role then backs the table up,
   * or any aws-cdk-lib backup plan.
   *
   * @default - none; point-in-time recovery only
   */
  readonly backupPlan?: backup.IBackupPlan;

  /**
   * Regions the table is replicated to (a global table, replicated both ways, each replica with
   * point-in-time recovery and deletion protection; the TLS-only resource policy is on the stack
   * region's table only, since CloudFormation cannot attach one to a replica it creates). Not the stack's
   * own region, no region twice, and the stack must name its region (`env`). Each region needs a
   * key in `replicaKeyArns`.
   *
   * @default - no replicas
   */
  readonly replicaRegions?: string[];

  /**
   * For each replica region, the key ARN of the customer-managed KMS key that encrypts the replica
   * there (`arn:aws:kms:eu-west-1:111111111111:key/<key id>`): a key is regional, so each replica
   * has its own. Create it with a GuardedKey in a stack of that region. Not an alias ARN: the
   * grants name the key in the grantee's IAM policy, where an alias ARN grants nothing on its key
   * (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
   *
   * @default - none; required for each of `replicaRegions`
   */
  readonly replicaKeyArns?: { [region: string]: string };

  /**
   * The average latency of an operation's successful requests above which its latency alarm fires,
   * over 5 minutes: more than 0 and less than 10 seconds. An average, not a percentile: DynamoDB
   * publishes SuccessfulRequestLatency as statistic sets (minimum, maximum, sum, average, sample
   * count), from which CloudWatch computes no percentile, so a p99 alarm would never have data
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
   * Single-item requests take a few milliseconds; 50 ms on average means throttling, hot
   * partitions or large items.
   *
   * @default Duration.millis(50)
   */
  readonly latencyThreshold?: Duration;

  /**
   * The operations whose average latency the latency alarm watches (it fires on the slowest), at
   * most 10 (the metrics one alarm reads); none for no latency alarm.
   *
   * @default - GetItem, PutItem, UpdateItem, DeleteItem and Query
   */
  readonly latencyAlarmOperations?: dynamodb.Operation[];

  /**
   * The average replication latency to a replica above which its alarm fires, over 5 minutes:
   * from 1 second to 1 hour. Replicas usually trail by about a second. Only known at deploy time,
   * give it as `Duration.millis(token)`: the alarm compares milliseconds.
   *
   * @default Duration.minutes(1)
   */
  readonly replicationLatencyThreshold?: Duration;
}

// DynamoDB reads in eventually consistent units per second; throttles summed over five minutes
// show a sustained problem without paging on every SDK retry.
const ALARM_PERIOD = Duration.minutes(5);

/**
 * A DynamoDB table that keeps its data: point-in-time recovery for 35 days, deletion protection
 * and RETAIN in PROD, a rotating customer-managed key, a resource policy that refuses requests
 * without TLS, and optionally an AWS Backup plan and replicas in other regions. Built on
 * `TableV2` (`AWS::DynamoDB::GlobalTable`), so replicas can be added later without replacing it.
 *
 * cdk-nag has no rule for `AWS::DynamoDB::GlobalTable`: its tests assert every practice here.
 * Applies: on-demand capacity with an optional cap, or provisioned with autoscaling;
 * point-in-time recovery; deletion protection and RETAIN in PROD; a customer-managed key per
 * region; TLS only; contributor insights in PROD; backups in a plan; alarms on read and write
 * throttles (table and each global index), system errors, average latency per operation and
 * replication latency per replica; stream consumers that bisect failing batches, report partial
 * failures, retry a bounded number of times for at most an hour and send what still fails to a
 * dead-letter queue, with an iterator age alarm.
 *
 * @example
 * import { DynamoDbTable, HardenedFunction } from 'cdk-best-practice-patterns';
 *
 * const orders = new DynamoDbTable(this, 'Orders', {
 *   partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
 *   sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
 * });
 * const api = new HardenedFunction(this, 'Api', { code: lambda.Code.fromAsset('lambda/api') });
 * orders.grantReadWriteData(api);
 * const mailer = new HardenedFunction(this, 'Mailer', { code: lambda.Code.fromAsset('lambda/mailer') });
 * orders.addStreamConsumer('Mailer', mailer, { batchSize: 10 });
 */
export class DynamoDbTable extends Construct {
  /**
   * The table. In a stack without a region its own `encryptionKey` is unset (see the constructor),
   * so grant through this construct, whose grants name the key.
   */
  public readonly table: dynamodb.TableV2;

  /**
   * The key that encrypts the table, its indexes, stream and backups in this region.
   */
  public readonly encryptionKey: kms.IKey;

  /**
   * The alarms of this pattern: throttles, system errors, latency, replication latency, and each
   * stream consumer's iterator age and dead-letter queue (a consumer in another stack keeps its
   * alarms there: see its `iteratorAgeAlarm` and `deadLetterQueueAlarm`).
   */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * The stream consumers added with `addStreamConsumer`.
   */
  public readonly streamConsumers: DynamoDbStreamConsumer[] = [];

  /** @internal The stage and alarm topic the table's props resolved to, which its stream consumers share. */
  public readonly _operations: PatternProps;

  private readonly indexNames: string[];
  private readonly replicaRegions: string[];
  private readonly replicaKeyArns: string[];
  private streamEnabled = false;

  constructor(scope: Construct, id: string, props: DynamoDbTableProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'DynamoDbTable', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    this._operations = { stage: props.stage, alarmTopic: props.alarmTopic };

    const production = prelude.production;
    const billingMode = props.billingMode ?? dynamodb.BillingMode.PAY_PER_REQUEST;
    const recoveryPeriod = props.pointInTimeRecoveryPeriod ?? Duration.days(35);
    const latencyOperations = props.latencyAlarmOperations ?? DEFAULT_LATENCY_OPERATIONS;
    validateDynamoDbTableProps(this, prelude.validator, props);
    prelude.validator.throwIfInvalid();

    this.replicaRegions = props.replicaRegions ?? [];
    this.replicaKeyArns = this.replicaRegions.map((region) => props.replicaKeyArns![region]);
    this.encryptionKey = props.encryptionKey
      ?? createPatternKey(this, 'Key', `Encrypts the DynamoDB table ${this.node.path}, its indexes, stream and backups`, prelude.removalPolicy);

    const resourcePolicy = denyWithoutTls();
    // TableV2 picks each replica's customer key by comparing the replica's region with the stack's,
    // and throws in a stack without a region ("Replica SSE specification cannot be rendered in a
    // region agnostic stack"). There the table has no other replica (replicaRegions needs a region:
    // validated), so the one replica's key is set below instead.
    const regionAgnostic = Token.isUnresolved(Stack.of(this).region);
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      partitionKey: props.partitionKey,
      sortKey: props.sortKey,
      globalSecondaryIndexes: props.globalSecondaryIndexes,
      localSecondaryIndexes: props.localSecondaryIndexes,
      timeToLiveAttribute: props.timeToLiveAttribute,
      billing: billingMode === dynamodb.BillingMode.PROVISIONED
        ? dynamodb.Billing.provisioned({
          readCapacity: dynamodb.Capacity.autoscaled(props.readCapacity!),
          writeCapacity: dynamodb.Capacity.autoscaled(props.writeCapacity!),
        })
        : dynamodb.Billing.onDemand({ maxReadRequestUnits: props.maxReadRequestUnits, maxWriteRequestUnits: props.maxWriteRequestUnits }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: recoveryPeriod.toDays() },
      deletionProtection: props.deletionProtection ?? production,
      contributorInsightsSpecification: { enabled: props.contributorInsights ?? production },
      tableClass: props.tableClass,
      encryption: regionAgnostic
        ? dynamodb.TableEncryptionV2.awsManagedKey()
        : dynamodb.TableEncryptionV2.customerManagedKey(this.encryptionKey, props.replicaKeyArns),
      resourcePolicy,
      // The other regions' replicas get no resource policy: CloudFormation cannot create a replica
      // and attach a resource-based policy to it in the same stack operation
      // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-considerations.html).
      replicas: this.replicaRegions.map((region) => ({ region })),
      removalPolicy: prelude.removalPolicy,
    });
    if (regionAgnostic) {
      // The same template customerManagedKey renders: SSE by KMS on the table (awsManagedKey's), the
      // key on its replica. TableV2's own encryptionKey stays unset there, so its grant methods
      // leave the key out: this construct's grants name it.
      (this.table.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.encryptionKey.keyArn });
    }
    if (!(props.deletionProtection ?? production)) {
      // The library's report checks what cdk-nag cannot see on a global table; turning deletion
      // protection off is the DEV default or the user's explicit choice.
      acknowledgeNagFinding(this.table, 'BestPracticePatterns-DynamoDBGlobalTableDeletionProtection',
        'Deletion protection is off (the DEV default, or deletionProtection: false), so cdk destroy removes the table.');
    }
    this.indexNames = [
      ...(props.globalSecondaryIndexes ?? []).map((index) => index.indexName),
      ...(props.localSecondaryIndexes ?? []).map((index) => index.indexName),
    ];

    selectForBackup(this, props.backupPlan, [this.table.tableArn], 'to back the table up');

    this.createAlarms(prelude, props, latencyOperations);
    const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
    prelude.dashboard([
      { title: 'Consumed capacity', metrics: [this.tableMetric('ConsumedReadCapacityUnits', sum), this.tableMetric('ConsumedWriteCapacityUnits', sum)] },
      { title: 'Throttled requests', metrics: [this.tableMetric('ReadThrottleEvents', sum), this.tableMetric('WriteThrottleEvents', sum)] },
      {
        title: 'Latency (average)',
        metrics: latencyOperations.map((operation) => this.tableMetric('SuccessfulRequestLatency', { period: ALARM_PERIOD, statistic: cloudwatch.Stats.AVERAGE }, { Operation: operation })),
      },
    ]);
  }

  /**
   * The ARN of the table's stream, which `addStreamConsumer` and `grantStreamRead` turn on (new
   * and old images).
   */
  public get streamArn(): string {
    this.enableStream();
    return (this.table.node.defaultChild as dynamodb.CfnGlobalTable).attrStreamArn;
  }

  /**
   * Invokes `consumer` with the table's changes (the stream, new and old images, turned on now):
   * a failing batch is split in two to find the bad record, the consumer reports partial batch
   * failures, retries are bounded in number and age, and what still fails goes to a dead-letter
   * queue. A HardenedFunction is invoked through its alias.
   *
   * A function in another stack of the app gets the mapping, its dead-letter queue, its policy and
   * its alarms in its own stack, as `<table id>Stream<id>` at the root of that stack, with a
   * section of that stack's dashboard: they name the function, whose stack already depends on the
   * table's (it reads the stream's ARN), so in the table's stack they would make each stack depend
   * on the other, a cycle `cdk synth` refuses.
   *
   * @param id the consumer's id under the table (in the function's stack, after the table's id and
   * `Stream`, for a function in another stack), stable across deployments
   * @param consumer the function, with a known role
   * @param options how the records reach it
   */
  public addStreamConsumer(id: string, consumer: lambda.IFunction, options: DynamoDbStreamConsumerOptions = {}): DynamoDbStreamConsumer {
    // Under the table, unless the function's stack deploys after the table's (see
    // joinsInClientStack): then in the function's stack, at its root rather than under the
    // function (a consumer under another pattern would show in that pattern's dashboard section,
    // which does not list its alarms), with an id naming the table's path, unique in that stack.
    if (Stack.of(consumer) === Stack.of(this) || !joinsInClientStack(this, consumer)) {
      return new DynamoDbStreamConsumer(this, id, { ...options, table: this, consumer });
    }
    return new DynamoDbStreamConsumer(Stack.of(consumer), `${Names.uniqueId(this)}Stream${id}`, { ...options, table: this, consumer });
  }

  /**
   * Lets `grantee` read items from the table and its indexes (and replicas): GetItem,
   * BatchGetItem, Query, Scan, ConditionCheckItem and DescribeTable, with the key's Decrypt.
   * A library construct's grant lands in its managed policy.
   */
  public grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, READ_ACTIONS, ['kms:Decrypt', 'kms:DescribeKey']);
  }

  /**
   * Lets `grantee` write items: PutItem, UpdateItem, DeleteItem, BatchWriteItem and
   * DescribeTable, with the key's Encrypt, Decrypt and GenerateDataKey.
   */
  public grantWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, WRITE_ACTIONS, WRITE_KEY_ACTIONS);
  }

  /**
   * Lets `grantee` read and write items: both grants above.
   */
  public grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.grantData(grantee, [...READ_ACTIONS, ...WRITE_ACTIONS.filter((a) => !READ_ACTIONS.includes(a))], WRITE_KEY_ACTIONS);
  }

  /**
   * Lets `grantee` read the table's stream (turned on now) by its ARN: DescribeStream,
   * GetShardIterator and GetRecords on this table's stream only, with the key's Decrypt. A Lambda
   * function should consume the stream through `addStreamConsumer`, which also grants the
   * ListStreams Lambda calls, and gives the mapping its retries and dead-letter queue.
   */
  public grantStreamRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'],
      resourceArns: [this.streamArn],
    });
    return grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt'], resourceArns: [this.encryptionKey.keyArn] }));
  }

  /**
   * @internal Called by a DynamoDbStreamConsumer of this table. The alarms of a consumer in
   * another stack stay out of `alarms`: the table's dashboard section shows `alarms`, and naming
   * an alarm of the consumer's stack there would make the table's stack depend on it.
   */
  public _addStreamConsumer(streamConsumer: DynamoDbStreamConsumer): void {
    this.streamConsumers.push(streamConsumer);
    if (Stack.of(streamConsumer) === Stack.of(this)) {
      this.alarms.push(streamConsumer.iteratorAgeAlarm, streamConsumer.deadLetterQueueAlarm);
    }
  }

  private enableStream(): void {
    if (this.streamEnabled) {
      return;
    }
    this.streamEnabled = true;
    // TableV2 decides its stream at construction; a consumer added later turns it on here. The
    // view is the one a replicated table must have anyway, so replicas change nothing.
    (this.table.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyOverride('StreamSpecification', { StreamViewType: 'NEW_AND_OLD_IMAGES' });
  }

  private grantData(grantee: iam.IGrantable, actions: string[], keyActions: string[]): iam.Grant {
    const stack = Stack.of(this);
    const replicaArn = (region: string) => stack.formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: this.table.tableName });
    const tables = [this.table.tableArn, ...this.replicaRegions.map(replicaArn)];
    // Each index by name, not `index/*`: the grant names what it gives, and cdk-nag's IAM5 has no
    // wildcard to flag on the grantee's policy.
    const resourceArns = tables.flatMap((table) => [table, ...this.indexNames.map((name) => `${table}/index/${name}`)]);
    const grant = iam.Grant.addToPrincipal({ grantee, actions: actions.map((a) => `dynamodb:${a}`), resourceArns });
    const keys = [this.encryptionKey.keyArn, ...this.replicaKeyArns];
    return grant.combine(iam.Grant.addToPrincipal({ grantee, actions: keyActions, resourceArns: keys }));
  }

  private createAlarms(prelude: PatternPrelude<DynamoDbTableProps>, props: DynamoDbTableProps, latencyOperations: dynamodb.Operation[]): void {
    const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
    const path = this.node.path;
    const throttles: Array<[string, string, { [name: string]: string }]> = [['Table', 'the table', {}]];
    for (const index of props.globalSecondaryIndexes ?? []) {
      throttles.push([`Index${index.indexName}`, `its global index ${index.indexName}`, { GlobalSecondaryIndexName: index.indexName }]);
    }
    for (const [id, what, dimensions] of throttles) {
      // Reads and writes in one alarm (the dashboard graphs them apart): the same coverage, half
      // the alarms to build and read. FILL, as a period with throttled writes only must still count.
      prelude.alarm(`${id}ThrottleAlarm`, {
        metric: new cloudwatch.MathExpression({
          expression: 'SUM([FILL(r, 0), FILL(w, 0)])',
          usingMetrics: { r: this.tableMetric('ReadThrottleEvents', sum, dimensions), w: this.tableMetric('WriteThrottleEvents', sum, dimensions) },
          period: ALARM_PERIOD,
          label: 'Throttled read and write events',
        }),
        threshold: 1,
        orEqual: true,
        description: `Read or write requests to ${what} of ${path} were throttled: capacity, a request-unit cap or a hot partition key`,
      });
    }
    prelude.alarm('SystemErrorsAlarm', {
      // One metric per operation; an alarm's expression may reference at most 10 metrics, a hard
      // limit (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html),
      // so these are the ten data operations.
      metric: new cloudwatch.MathExpression({
        // FILL: DynamoDB publishes SystemErrors only for an operation that had one, and a sum of
        // series without a value at a timestamp has none, so without it the alarm could only fire
        // in a period when every operation failed.
        expression: `SUM([${SYSTEM_ERROR_OPERATIONS.map((_, i) => `FILL(m${i}, 0)`).join(', ')}])`,
        usingMetrics: Object.fromEntries(SYSTEM_ERROR_OPERATIONS.map((operation, i) =>
          [`m${i}`, this.tableMetric('SystemErrors', sum, { Operation: operation })])),
        period: ALARM_PERIOD,
        label: 'System errors',
      }),
      threshold: 1,
      orEqual: true,
      description: `DynamoDB answered requests to ${path} with HTTP 500 (an internal error): clients retried or failed`,
    });
    const latency = props.latencyThreshold ?? Duration.millis(50);
    if (latencyOperations.length > 0) {
      // One alarm on the slowest of the operations (at most 10, an alarm's limit), not one each:
      // the same coverage and metrics billed, and a fifth of the alarms to build and read. FILL:
      // an operation nobody called in a period must not leave the expression without a value.
      const usingMetrics = Object.fromEntries(latencyOperations.map((operation, i) => [`m${i}`,
        this.tableMetric('SuccessfulRequestLatency', { period: ALARM_PERIOD, statistic: cloudwatch.Stats.AVERAGE }, { Operation: operation })]));
      prelude.alarm('LatencyAlarm', {
        metric: new cloudwatch.MathExpression({
          expression: `MAX([${Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(', ')}])`,
          usingMetrics,
          period: ALARM_PERIOD,
          label: 'Latency of the slowest operation (average)',
        }),
        threshold: latency.toMilliseconds(),
        description: `An operation on ${path} (${latencyOperations.join(', ')}) took over ${latency.toHumanString()} on average for 5 minutes`,
      });
    }
    // ReplicationLatency is published per source and receiving region pair, with the dimensions
    // TableName and ReceivingRegion; throttle events of a global index with TableName and
    // GlobalSecondaryIndexName (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
    const replication = props.replicationLatencyThreshold ?? Duration.minutes(1);
    for (const region of this.replicaRegions) {
      prelude.alarm(`ReplicationLatency${regionId(region)}Alarm`, {
        metric: this.tableMetric('ReplicationLatency', { period: ALARM_PERIOD, statistic: cloudwatch.Stats.AVERAGE }, { ReceivingRegion: region }),
        threshold: replication.toMilliseconds(),
        description: `Writes to ${path} reach its replica in ${region} more than ${replication.toHumanString()} late on average`,
      });
    }
  }

  private tableMetric(metricName: string, options: cloudwatch.MetricOptions, dimensions: { [name: string]: string } = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: this.table.tableName, ...dimensions },
      ...options,
    });
  }
}

const READ_ACTIONS = ['BatchGetItem', 'GetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable'];
const WRITE_ACTIONS = ['BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'DescribeTable'];
const WRITE_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/**
 * A resource policy that refuses every request made without TLS (DynamoDB also answers plain
 * HTTP). `*` as the resource: the policy cannot name its own table's ARN, which CloudFormation
 * only knows once the table exists (aws-cdk #35554). Requests from AWS services on the table's
 * behalf carry no `aws:SecureTransport` key, so `Bool` (not `BoolIfExists`) leaves them alone.
 */
function denyWithoutTls(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      sid: 'DenyRequestsWithoutTls',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['dynamodb:*'],
      resources: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    })],
  });
}

/** `eu-west-1` as a construct id part: `EuWest1`. */
function regionId(region: string): string {
  return region.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
