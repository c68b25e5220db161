import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { DynamoDbTableProps } from './dynamodb-table';
import { PropValidator } from '../../core/prop-validator';

/**
 * DynamoDB's limits (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html):
 * key and attribute names of 1 to 255 characters; table and index names of 3 to 255 of [a-zA-Z0-9_.-]
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html);
 * 20 global secondary indexes per table (the default quota) and 5 local ones; at most 100
 * attributes projected into all the indexes of a table; point-in-time recovery of 1 to 35 days.
 */
const MAX_NAME_LENGTH = 255;
const TABLE_OR_INDEX_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const MAX_GLOBAL_INDEXES = 20;
const MAX_LOCAL_INDEXES = 5;
const MAX_PROJECTED_ATTRIBUTES = 100;
const MAX_RECOVERY_DAYS = 35;
// DynamoDB autoscaling's target utilization (Application Auto Scaling's target tracking for tables).
const MIN_TARGET_UTILIZATION = 20;
const MAX_TARGET_UTILIZATION = 90;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The operations whose average latency alarms by default: the single-item reads and writes, and Query. */
export const DEFAULT_LATENCY_OPERATIONS: dynamodb.Operation[] = [
  dynamodb.Operation.GET_ITEM, dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM, dynamodb.Operation.QUERY,
];

/**
 * The operations summed by the system errors alarm: the ten data operations, since an alarm's
 * expression takes at most 10 metrics (CloudWatch PutMetricAlarm).
 */
export const SYSTEM_ERROR_OPERATIONS: dynamodb.Operation[] = [
  dynamodb.Operation.GET_ITEM, dynamodb.Operation.BATCH_GET_ITEM, dynamodb.Operation.QUERY, dynamodb.Operation.SCAN,
  dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM, dynamodb.Operation.BATCH_WRITE_ITEM,
  dynamodb.Operation.TRANSACT_GET_ITEMS, dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * Checks every prop of a DynamoDbTable, rule after rule, into `v`: name, keys, indexes, billing,
 * recovery, replicas and alarm thresholds.
 */
export function validateDynamoDbTableProps(scope: Construct, v: PropValidator, props: DynamoDbTableProps): void {
  const tableName = props.tableName;
  v.check(tableName === undefined || (typeof tableName === 'string' && (Token.isUnresolved(tableName) || TABLE_OR_INDEX_NAME.test(tableName))),
    'tableName', tableName, "3 to 255 characters of letters, digits, '_', '-' and '.'");
  validateKeys(v, props);
  validateIndexes(v, props);
  validateBilling(v, props);
  v.wholeDays('pointInTimeRecoveryPeriod', props.pointInTimeRecoveryPeriod, 1, MAX_RECOVERY_DAYS);
  v.knownAtSynth('pointInTimeRecoveryPeriod', props.pointInTimeRecoveryPeriod, "aws-cdk-lib's TableV2 checks the period against 1 to 35 days at synth");
  v.oneOf('tableClass', props.tableClass, dynamodb.TableClass, 'dynamodb.TableClass');
  validateReplicas(scope, v, props);
  v.millisBelow('latencyThreshold', props.latencyThreshold, { millis: 10_000, what: '10 seconds' });
  // An alias is an IKey too, but its ARN in an IAM policy grants nothing on the key behind it
  // (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html): the grants
  // would give readers and writers no use of the key.
  const key = props.encryptionKey as { aliasName?: unknown; node?: { path: string } } | undefined;
  v.check(key === undefined || key.aliasName === undefined, 'encryptionKey', `the alias ${key?.node?.path ?? '(imported)'}`,
    'a key, not an alias: an IAM policy names a key by its key ARN, so grants on an alias ARN give nothing (pass the alias\'s aliasTargetKey)');
  for (const [i, operation] of (props.latencyAlarmOperations ?? []).entries()) {
    v.oneOf(`latencyAlarmOperations[${i}]`, operation, dynamodb.Operation, 'dynamodb.Operation');
  }
  const operations = props.latencyAlarmOperations ?? [];
  v.check(operations.length <= 10, 'latencyAlarmOperations', `${operations.length} operations`,
    'at most 10: the latency alarm reads one metric per operation, and an alarm reads at most 10');
  v.check(new Set(operations).size === operations.length, 'latencyAlarmOperations', operations.join(', '), 'a list without repeats');
  // The alarm compares milliseconds: a token must be in milliseconds already.
  const replication = props.replicationLatencyThreshold;
  if (replication?.isUnresolved()) {
    tokenInMillis(v, 'replicationLatencyThreshold', replication, 'the alarm compares milliseconds');
  } else {
    v.secondsInRange('replicationLatencyThreshold', replication, 1, Duration.hours(1).toSeconds());
  }
}

/**
 * A duration only known at deploy time must be in the unit the template holds: CloudFormation
 * cannot convert it, and aws-cdk-lib would throw without naming the prop.
 */
export function tokenInMillis(v: PropValidator, prop: string, value: Duration | undefined, holds: string): void {
  if (value === undefined || !value.isUnresolved()) {
    return;
  }
  v.check(value.unitLabel() === 'millis', prop, `a token in ${value.unitLabel()}`,
    `given as Duration.millis(...) when only known at deploy time: ${holds}, and CloudFormation cannot convert ${value.unitLabel()}`);
}

function validateKeys(v: PropValidator, props: DynamoDbTableProps): void {
  v.check(props.partitionKey !== undefined, 'partitionKey', props.partitionKey, 'an attribute (name and type): it is required');
  attribute(v, 'partitionKey', props.partitionKey);
  attribute(v, 'sortKey', props.sortKey);
  v.check(props.sortKey === undefined || props.partitionKey === undefined || props.sortKey.name !== props.partitionKey.name,
    'sortKey', props.sortKey?.name, "a name other than the partition key's");
  name(v, 'timeToLiveAttribute', props.timeToLiveAttribute);
}

function validateIndexes(v: PropValidator, props: DynamoDbTableProps): void {
  const globals = props.globalSecondaryIndexes ?? [];
  const locals = props.localSecondaryIndexes ?? [];
  v.check(globals.length <= MAX_GLOBAL_INDEXES, 'globalSecondaryIndexes', `${globals.length} indexes`,
    `at most ${MAX_GLOBAL_INDEXES} (DynamoDB's quota of global secondary indexes per table)`);
  v.check(locals.length <= MAX_LOCAL_INDEXES, 'localSecondaryIndexes', `${locals.length} indexes`,
    `at most ${MAX_LOCAL_INDEXES} (DynamoDB's limit of local secondary indexes per table)`);
  v.check(locals.length === 0 || props.sortKey !== undefined, 'localSecondaryIndexes', `${locals.length} indexes`,
    'none on a table without a sortKey (a local index shares the partition key and sorts by another attribute)');

  // Every key attribute has one type across the table and its indexes: one attribute definition.
  const types = new Map<string, string>();
  const keyType = (prop: string, key: dynamodb.Attribute | undefined) => {
    if (key === undefined || typeof key.name !== 'string') {
      return;
    }
    const known = types.get(key.name);
    v.check(known === undefined || known === key.type, prop, `${key.name} of type ${key.type}`,
      `of the type ${key.name} has as a key elsewhere in the table (${known}): an attribute has one type`);
    types.set(key.name, known ?? key.type);
  };
  keyType('partitionKey', props.partitionKey);
  keyType('sortKey', props.sortKey);

  const names = new Set<string>();
  let projected = 0;
  const all: Array<[string, dynamodb.SecondaryIndexProps, dynamodb.Attribute[]]> = [
    ...globals.map((index, i): [string, dynamodb.SecondaryIndexProps, dynamodb.Attribute[]] => [`globalSecondaryIndexes[${i}]`, index, [
      ...(index.partitionKeys ?? []), ...(index.partitionKey ? [index.partitionKey] : []),
      ...(index.sortKeys ?? []), ...(index.sortKey ? [index.sortKey] : []),
    ]]),
    ...locals.map((index, i): [string, dynamodb.SecondaryIndexProps, dynamodb.Attribute[]] => [`localSecondaryIndexes[${i}]`, index, [index.sortKey]]),
  ];
  for (const [prop, index, keys] of all) {
    const indexName = index.indexName;
    v.check(typeof indexName === 'string' && (Token.isUnresolved(indexName) || TABLE_OR_INDEX_NAME.test(indexName)), `${prop}.indexName`, indexName,
      "3 to 255 characters of letters, digits, '_', '-' and '.'");
    v.check(!names.has(indexName), `${prop}.indexName`, indexName, 'a name no other index of the table has');
    names.add(indexName);
    v.check(keys.length > 0, `${prop}.partitionKey`, undefined, 'an attribute: a global index needs a partition key');
    for (const [k, key] of keys.entries()) {
      attribute(v, `${prop} key ${k + 1}`, key);
      keyType(`${prop} key ${key?.name}`, key);
    }
    const included = index.nonKeyAttributes ?? [];
    const projection = index.projectionType ?? dynamodb.ProjectionType.ALL;
    v.oneOf(`${prop}.projectionType`, index.projectionType, dynamodb.ProjectionType, 'dynamodb.ProjectionType');
    v.check(projection === dynamodb.ProjectionType.INCLUDE || included.length === 0, `${prop}.nonKeyAttributes`, included.join(', '),
      'left unset unless projectionType is INCLUDE');
    v.check(projection !== dynamodb.ProjectionType.INCLUDE || included.length > 0, `${prop}.nonKeyAttributes`, included.join(', '),
      'at least one attribute, since projectionType is INCLUDE');
    included.forEach((attr, i) => name(v, `${prop}.nonKeyAttributes[${i}]`, attr));
    projected += included.length;
  }
  v.check(projected <= MAX_PROJECTED_ATTRIBUTES, 'nonKeyAttributes', `${projected} attributes over all indexes`,
    `at most ${MAX_PROJECTED_ATTRIBUTES} projected attributes over all the table's indexes (DynamoDB's limit)`);
}

function validateBilling(v: PropValidator, props: DynamoDbTableProps): void {
  v.knownAtSynth('billingMode', props.billingMode, 'it decides how capacity is configured');
  v.oneOf('billingMode', props.billingMode, dynamodb.BillingMode, 'dynamodb.BillingMode');
  const provisioned = props.billingMode === dynamodb.BillingMode.PROVISIONED;
  for (const prop of ['maxReadRequestUnits', 'maxWriteRequestUnits'] as const) {
    v.check(!provisioned || props[prop] === undefined, prop, props[prop], 'left unset with PROVISIONED billing (it caps on-demand requests)');
    v.integerAtLeast(prop, props[prop], 1);
  }
  for (const prop of ['readCapacity', 'writeCapacity'] as const) {
    const capacity = props[prop];
    v.check(provisioned === (capacity !== undefined), prop, capacity === undefined ? undefined : 'given',
      provisioned ? 'an autoscaling range, since billingMode is PROVISIONED' : 'left unset unless billingMode is PROVISIONED');
    if (capacity === undefined) {
      continue;
    }
    // aws-cdk-lib's Capacity.autoscaled compares these with each other and with 20-90 at synth,
    // where a token is a meaningless number.
    for (const field of ['minCapacity', 'maxCapacity', 'targetUtilizationPercent', 'seedCapacity'] as const) {
      v.knownAtSynth(`${prop}.${field}`, capacity[field], "aws-cdk-lib's Capacity.autoscaled checks it at synth");
    }
    v.integerAtLeast(`${prop}.minCapacity`, capacity.minCapacity, 1);
    v.integerAtLeast(`${prop}.maxCapacity`, capacity.maxCapacity, 1);
    const min = capacity.minCapacity ?? 1;
    v.check(Token.isUnresolved(min) || Token.isUnresolved(capacity.maxCapacity) || capacity.maxCapacity >= min, `${prop}.maxCapacity`,
      capacity.maxCapacity, `at least minCapacity (${min})`);
    v.integerInRange(`${prop}.targetUtilizationPercent`, capacity.targetUtilizationPercent, MIN_TARGET_UTILIZATION, MAX_TARGET_UTILIZATION);
    v.integerAtLeast(`${prop}.seedCapacity`, capacity.seedCapacity, 1);
  }
}

function validateReplicas(scope: Construct, v: PropValidator, props: DynamoDbTableProps): void {
  const regions = props.replicaRegions ?? [];
  const keys = props.replicaKeyArns ?? {};
  const stackRegion = Stack.of(scope).region;
  if (regions.length > 0) {
    v.check(!Token.isUnresolved(stackRegion), 'replicaRegions', regions.join(', '),
      "left unset in a stack without a region: give the stack an env with a region, so the table's own region is known");
  }
  for (const [i, region] of regions.entries()) {
    const prop = `replicaRegions[${i}]`;
    v.knownAtSynth(prop, region, 'each region is a replica of its own');
    if (Token.isUnresolved(region)) {
      continue;
    }
    v.check(REGION.test(region), prop, region, 'a region code such as eu-west-1');
    v.check(region !== stackRegion, prop, region, `a region other than the stack's own (${stackRegion}), where the table is`);
    v.check(regions.indexOf(region) === i, prop, region, 'a region named once');
    const key = keys[region];
    v.check(key !== undefined, 'replicaKeyArns', Object.keys(keys).join(', ') || 'empty',
      `a key ARN for ${region}: each replica is encrypted with a customer-managed key of its own region`);
    if (key !== undefined && !Token.isUnresolved(key)) {
      const parts = tryParse(key);
      // A key ARN, not an alias ARN: the grants name the replica's key in the grantee's IAM policy,
      // where an alias ARN grants nothing on the key behind it
      // (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
      v.check(parts !== undefined && parts.service === 'kms' && parts.resource === 'key', `replicaKeyArns.${region}`, key,
        'the ARN of a KMS key, arn:<partition>:kms:<region>:<account>:key/<key id>, not of an alias: '
        + 'an IAM policy names a key by its key ARN only, so a grant on an alias ARN would not let the grantee use the replica');
      v.check(parts === undefined || Token.isUnresolved(parts.region ?? '') || parts.region === region, `replicaKeyArns.${region}`, key,
        `a key in ${region}: a replica can only use a key of its own region`);
    }
  }
  for (const region of Object.keys(keys)) {
    v.check(regions.includes(region), 'replicaKeyArns', region, `keyed by the regions of replicaRegions only (${regions.join(', ') || 'none'})`);
  }
}

function attribute(v: PropValidator, prop: string, key: dynamodb.Attribute | undefined): void {
  if (key === undefined) {
    return;
  }
  name(v, `${prop}.name`, key.name);
  v.oneOf(`${prop}.type`, key.type, dynamodb.AttributeType, 'dynamodb.AttributeType');
}

/** DynamoDB counts the length of a key attribute's name in bytes of UTF-8, not in characters. */
function name(v: PropValidator, prop: string, value: string | undefined): void {
  const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
  v.check(value === undefined || (typeof value === 'string' && (Token.isUnresolved(value) || (bytes >= 1 && bytes <= MAX_NAME_LENGTH))),
    prop, value, `a name of 1 to ${MAX_NAME_LENGTH} bytes in UTF-8`);
}

function tryParse(arn: string): { service: string; resource: string; region?: string } | undefined {
  try {
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    return { service: parts.service, resource: parts.resource, region: parts.region };
  } catch {
    return undefined;
  }
}
