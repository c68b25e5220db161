import { CfnOutput, Duration, Names, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DeploymentStage, DynamoDbStreamConsumer, DynamoDbStreamConsumerOptions, DynamoDbTable, DynamoDbTableProps, GuardedKey, HardenedBackupPlan,
  HardenedFunction,
} from '../../src';
import { report } from '../../src/report/report';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { referencedStacks } from '../support/cross-stack';
import { consumerFunction, errorLines } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
const S = dynamodb.AttributeType.STRING;
const PARTITION_KEY = { name: 'customerId', type: S };
const REPLICA_REGION = 'eu-west-1';
const REPLICA_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Props = Partial<DynamoDbTableProps>;

/** One replica in `region`, with `key` as its key unless unset. */
const CAPACITY_FIELDS = ['minCapacity', 'maxCapacity', 'targetUtilizationPercent', 'seedCapacity'] as const;
const replica = (region: string, key?: string): Props => ({ replicaRegions: [region], replicaKeyArns: key === undefined ? {} : { [region]: key } });

/** The table with `props` (the partition key unless given), without synthesizing. */
function place(props: Props = {}, stack = newStack({ withEnv: true })) {
  const table = new DynamoDbTable(stack, 'Orders', { partitionKey: PARTITION_KEY, ...props });
  return { stack, table };
}

function build(props: Props = {}, stack = newStack({ withEnv: true })) {
  const placed = place(props, stack);
  return { ...placed, template: Template.fromStack(stack) };
}

/** Provisioned with a global and a local index, TTL, a replica and a HardenedBackupPlan: the snapshot's fully configured set. */
function fullyConfigured(stack: Stack): DynamoDbTableProps {
  return {
    stage: DeploymentStage.PROD,
    partitionKey: PARTITION_KEY,
    sortKey: { name: 'orderId', type: S },
    globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: { name: 'status', type: S }, sortKey: { name: 'placedAt', type: dynamodb.AttributeType.NUMBER } }],
    localSecondaryIndexes: [{ indexName: 'byTotal', sortKey: { name: 'total', type: dynamodb.AttributeType.NUMBER } }],
    timeToLiveAttribute: 'expiresAt',
    billingMode: dynamodb.BillingMode.PROVISIONED,
    readCapacity: { minCapacity: 2, maxCapacity: 50, targetUtilizationPercent: 60 },
    writeCapacity: { minCapacity: 1, maxCapacity: 20 },
    pointInTimeRecoveryPeriod: Duration.days(14),
    tableClass: dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS,
    replicaRegions: [REPLICA_REGION],
    replicaKeyArns: { [REPLICA_REGION]: REPLICA_KEY_ARN },
    backupPlan: new HardenedBackupPlan(stack, 'Backups'),
    latencyThreshold: Duration.millis(20),
    latencyAlarmOperations: [dynamodb.Operation.GET_ITEM, dynamodb.Operation.QUERY],
    replicationLatencyThreshold: Duration.seconds(30),
  };
}

/** The fully configured table with a stream consumer and a reader and writer, each a HardenedFunction. */
function placeFull(stack: Stack) {
  const table = new DynamoDbTable(stack, 'Orders', fullyConfigured(stack));
  const mailer = new HardenedFunction(stack, 'Mailer', { code: CODE });
  const consumer = table.addStreamConsumer('Mailer', mailer, { batchSize: 10, maxRecordAge: Duration.hours(2) });
  const api = new HardenedFunction(stack, 'Api', { code: CODE });
  table.grantReadWriteData(api);
  return { table, mailer, consumer, api };
}

const resources = (template: Template, type: string) => template.findResources(type);
const onlyResource = (template: Template, type: string) => {
  const found = Object.entries(resources(template, type));
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
};
const tableOf = (template: Template) => onlyResource(template, 'AWS::DynamoDB::GlobalTable');
const replicasOf = (template: Template): any[] => tableOf(template).resource.Properties.Replicas;
const alarms = (template: Template): any[] => Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
const alarmsOf = (template: Template, metricName: string) => alarms(template).filter((a) => a.MetricName === metricName);
const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
const dimensions = (alarm: any) => Object.fromEntries(alarm.Dimensions.map((d: any) => [d.Name, d.Value]));

describe('DynamoDbTable', () => {
  // Built once and shared: each synthesis costs time, and the suite must stay fast.
  const prod = build();
  const dev = build({ stage: DeploymentStage.DEV });
  const fullStack = newStack({ withEnv: true });
  const full = { stack: fullStack, ...placeFull(fullStack), template: undefined as unknown as Template };
  full.template = Template.fromStack(fullStack);

  describe('snapshots', () => {
    test('defaults', () => {
      expect(normalizedTemplate(prod.stack)).toMatchSnapshot();
    });

    test('fully configured: provisioned, a global and a local index, a replica, a stream consumer, a HardenedBackupPlan and a grant', () => {
      expect(normalizedTemplate(full.stack)).toMatchSnapshot();
    });
  });

  describe('keys, indexes and capacity', () => {
    test('a TableV2 (AWS::DynamoDB::GlobalTable) on demand by default, with the given keys', () => {
      const { resource } = tableOf(prod.template);
      expect(resource.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'customerId', AttributeType: 'S' }],
      });
      expect(resource.Properties.WriteProvisionedThroughputSettings).toBeUndefined();
      expect(resource.Properties.WriteOnDemandThroughputSettings).toBeUndefined();
      expect(prod.table.table).toBeInstanceOf(dynamodb.TableV2);
    });

    test('on demand with a cap on request units', () => {
      build({ maxReadRequestUnits: 100, maxWriteRequestUnits: 50 }).template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
        Replicas: [Match.objectLike({ ReadOnDemandThroughputSettings: { MaxReadRequestUnits: 100 } })],
      });
    });

    test('provisioned with autoscaling of reads and writes, on the table and its global index', () => {
      const table = tableOf(full.template).resource.Properties;
      expect(table.BillingMode).toBe('PROVISIONED');
      expect(table.WriteProvisionedThroughputSettings).toEqual({
        WriteCapacityAutoScalingSettings: { MinCapacity: 1, MaxCapacity: 20, TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } },
      });
      for (const each of table.Replicas) {
        expect(each.ReadProvisionedThroughputSettings).toEqual({
          ReadCapacityAutoScalingSettings: { MinCapacity: 2, MaxCapacity: 50, TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 } },
        });
      }
      expect(table.GlobalSecondaryIndexes).toEqual([expect.objectContaining({
        IndexName: 'byStatus',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'placedAt', KeyType: 'RANGE' }],
        WriteProvisionedThroughputSettings: expect.anything(),
      })]);
      expect(table.LocalSecondaryIndexes).toEqual([expect.objectContaining({
        IndexName: 'byTotal',
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }, { AttributeName: 'total', KeyType: 'RANGE' }],
      })]);
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(table.Replicas.map((r: any) => r.TableClass)).toEqual(['STANDARD_INFREQUENT_ACCESS', 'STANDARD_INFREQUENT_ACCESS']);
      expect(replicasOf(prod.template)[0].TableClass).toBeUndefined(); // STANDARD, DynamoDB's default
    });
  });

  describe('name', () => {
    test('none by default: CloudFormation names the table', () => {
      expect(tableOf(prod.template).resource.Properties.TableName).toBeUndefined();
    });

    test("a fixed name when given, on the table and so its replicas; a stack in the replica's region reads it as a value, not a reference", () => {
      const app = newApp();
      const stack = new Stack(app, 'Primary', { env: TEST_ENV });
      const { table } = place({ tableName: 'orders', ...replica(REPLICA_REGION, REPLICA_KEY_ARN) }, stack);
      const secondary = new Stack(app, 'Secondary', { env: { ...TEST_ENV, region: REPLICA_REGION } });
      new CfnOutput(secondary, 'OrdersTableName', { value: table.table.tableName });
      const template = Template.fromStack(stack);
      expect(tableOf(template).resource.Properties.TableName).toBe('orders');
      expect(replicasOf(template).map((r) => r.Region).sort()).toEqual([REPLICA_REGION, 'us-east-1']);
      expect(Template.fromStack(secondary).toJSON().Outputs.OrdersTableName.Value).toBe('orders');
      expect(secondary.dependencies).toEqual([]);
    });
  });

  describe('protection', () => {
    test('point-in-time recovery on, 35 days by default, on every replica', () => {
      for (const template of [prod.template, dev.template]) {
        expect(replicasOf(template).map((r) => r.PointInTimeRecoverySpecification)).toEqual([
          { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
        ]);
      }
      expect(replicasOf(full.template).map((r) => r.PointInTimeRecoverySpecification)).toEqual([
        { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 14 },
        { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 14 },
      ]);
    });

    test('PROD: deletion protection on every replica, and the table and its key retained', () => {
      const { resource } = tableOf(prod.template);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
      expect(resource.Properties.Replicas.map((r: any) => r.DeletionProtectionEnabled)).toEqual([true]);
      expect(replicasOf(full.template).map((r: any) => r.DeletionProtectionEnabled)).toEqual([true, true]);
      prod.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { Description: Match.stringLikeRegexp('DynamoDB table') } });
    });

    test('DEV: no deletion protection, and the table and its key deleted with the stack', () => {
      const { resource } = tableOf(dev.template);
      expect(resource.DeletionPolicy).toBe('Delete');
      expect(resource.Properties.Replicas.map((r: any) => r.DeletionProtectionEnabled)).toEqual([false]);
      dev.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { Description: Match.stringLikeRegexp('DynamoDB table') } });
      // deletionProtection wins over the stage.
      expect(replicasOf(build({ stage: DeploymentStage.DEV, deletionProtection: true }).template)[0].DeletionProtectionEnabled).toBe(true);
    });

    test('encrypted with its own rotating customer key, which denies grants for anything but AWS resources', () => {
      const table = tableOf(prod.template).resource.Properties;
      expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      const keyId = idOf(prod.stack, prod.table.encryptionKey);
      expect(table.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      const key = prod.template.toJSON().Resources[keyId];
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny' })]));
    });

    test('in a stack without a region too, where aws-cdk-lib cannot render the replica key itself', () => {
      const stack = newStack();
      const { template, table } = build({}, stack);
      const properties = tableOf(template).resource.Properties;
      expect(properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(properties.Replicas).toEqual([expect.objectContaining({
        Region: { Ref: 'AWS::Region' },
        SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [idOf(stack, table.encryptionKey), 'Arn'] } },
      })]);
    });

    test('a given key encrypts the table instead, and no key is created', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
      const { template, table } = build({ encryptionKey: key }, stack);
      expect(replicasOf(template)[0].SSESpecification).toEqual({ KMSMasterKeyId: { 'Fn::GetAtt': [idOf(stack, key), 'Arn'] } });
      template.resourceCountIs('AWS::KMS::Key', 2); // the given key and the alarm topic's
      expect(table.encryptionKey).toBe(key);
    });

    test("each replica is encrypted with its region's key", () => {
      const [other, own] = replicasOf(full.template);
      expect(other).toMatchObject({ Region: REPLICA_REGION, SSESpecification: { KMSMasterKeyId: REPLICA_KEY_ARN } });
      expect(own).toMatchObject({ Region: 'us-east-1', SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [idOf(full.stack, full.table.encryptionKey), 'Arn'] } } });
    });

    test("a resource policy denies every request without TLS, on the stack region's table only (CloudFormation cannot attach one to a replica it creates)", () => {
      const denyWithoutTls = {
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'DenyRequestsWithoutTls',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'dynamodb:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }],
        },
      };
      expect(replicasOf(prod.template).map((r) => r.ResourcePolicy)).toEqual([denyWithoutTls]);
      expect(replicasOf(full.template).map((r) => [r.Region, r.ResourcePolicy])).toEqual([[REPLICA_REGION, undefined], ['us-east-1', denyWithoutTls]]);
    });

    test('contributor insights on in PROD, off in DEV, and as given', () => {
      expect(replicasOf(prod.template)[0].ContributorInsightsSpecification).toEqual({ Enabled: true });
      expect(replicasOf(full.template).map((r) => r.ContributorInsightsSpecification)).toEqual([{ Enabled: true }, { Enabled: true }]);
      expect(replicasOf(dev.template)[0].ContributorInsightsSpecification).toEqual({ Enabled: false });
      expect(replicasOf(build({ contributorInsights: false }).template)[0].ContributorInsightsSpecification).toEqual({ Enabled: false });
    });
  });

  describe('backups', () => {
    test("a HardenedBackupPlan selects exactly the table's ARN, under the table, with the plan's backup role", () => {
      const { id, resource } = onlyResource(full.template, 'AWS::Backup::BackupSelection');
      expect(id).toMatch(/^OrdersBackupSelection/);
      expect(resource.Properties.BackupSelection.Resources).toEqual([{ 'Fn::GetAtt': [tableOf(full.template).id, 'Arn'] }]);
      expect(resource.Properties.BackupSelection.IamRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupsBackupRole/), 'Arn'] });
      expect(resource.Properties.BackupPlanId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupsPlan/), 'BackupPlanId'] });
      expect(Object.keys(resources(full.template, 'AWS::IAM::Role')).filter((r) => r.startsWith('OrdersBackupSelection'))).toEqual([]);
    });

    test('any other backup plan gets a selection of the table with a role of its own', () => {
      const stack = newStack({ withEnv: true });
      const { template } = build({ backupPlan: backup.BackupPlan.daily35DayRetention(stack, 'Plan') }, stack);
      const { id, resource } = onlyResource(template, 'AWS::Backup::BackupSelection');
      expect(id).toMatch(/^OrdersBackupSelection/);
      expect(resource.Properties.BackupSelection.Resources).toEqual([{ 'Fn::GetAtt': [tableOf(template).id, 'Arn'] }]);
      expect(resource.Properties.BackupSelection.IamRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersBackupSelectionRole/), 'Arn'] });
    });

    test('no plan, no selection', () => {
      prod.template.resourceCountIs('AWS::Backup::BackupSelection', 0);
    });
  });

  describe('alarms', () => {
    test('read and write throttles of the table and of each global index, one alarm each, summed', () => {
      const throttleAlarms = (template: Template) => alarms(template).filter((a) => /were throttled/.test(a.AlarmDescription));
      const tableRef = { Ref: tableOf(full.template).id };
      const watched = (alarm: any) => alarm.Metrics.filter((m: any) => m.MetricStat)
        .map((m: any) => [m.MetricStat.Metric.MetricName, Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value]))]);
      expect(throttleAlarms(full.template).map(watched)).toEqual([
        [['ReadThrottleEvents', { TableName: tableRef }], ['WriteThrottleEvents', { TableName: tableRef }]],
        [['ReadThrottleEvents', { TableName: tableRef, GlobalSecondaryIndexName: 'byStatus' }],
          ['WriteThrottleEvents', { TableName: tableRef, GlobalSecondaryIndexName: 'byStatus' }]],
      ]);
      for (const alarm of throttleAlarms(full.template)) {
        // FILL: a period with throttled writes only must still count.
        expect(alarm.Metrics[0]).toMatchObject({ Expression: 'SUM([FILL(r, 0), FILL(w, 0)])', ReturnData: true });
        for (const m of alarm.Metrics.slice(1)) {
          expect(m.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB' }, Stat: 'Sum', Period: 300 });
        }
        expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
      expect(throttleAlarms(prod.template)).toHaveLength(1);
    });

    test('system errors: one expression over the ten data operations, the most metrics an alarm takes', () => {
      const alarm = alarms(prod.template).find((a) => /HTTP 500/.test(a.AlarmDescription))!;
      const metrics = alarm.Metrics.filter((m: any) => m.MetricStat);
      expect(metrics).toHaveLength(10);
      expect(alarm.Metrics.filter((m: any) => m.Expression)).toEqual([expect.objectContaining({
        // FILL: a series without a value at a timestamp would leave the sum without one.
        Expression: `SUM([${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `FILL(m${i}, 0)`).join(', ')}])`, ReturnData: true,
      })]);
      expect(metrics.map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'Operation').Value).sort()).toEqual([
        'BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'TransactGetItems', 'TransactWriteItems', 'UpdateItem',
      ]);
      for (const m of metrics) {
        expect(m.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'SystemErrors' }, Period: 300, Stat: 'Sum' });
        expect(m.ReturnData).toBe(false);
      }
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });

    test('one latency alarm on the slowest default operation, by its average above 50 ms (DynamoDB publishes no percentiles), or on the operations given', () => {
      const latencyAlarms = (template: Template) => alarms(template).filter((a) => (a.Metrics ?? [])
        .some((m: any) => m.MetricStat?.Metric.MetricName === 'SuccessfulRequestLatency'));
      const operations = (alarm: any) => alarm.Metrics.filter((m: any) => m.MetricStat)
        .map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'Operation').Value);
      const [alarm] = latencyAlarms(prod.template);
      expect(latencyAlarms(prod.template)).toHaveLength(1);
      expect(operations(alarm)).toEqual(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']);
      // FILL: an operation nobody called in a period must not leave the expression without a value.
      expect(alarm.Metrics[0]).toMatchObject({
        Expression: `MAX([${[0, 1, 2, 3, 4].map((i) => `FILL(m${i}, 0)`).join(', ')}])`, ReturnData: true,
      });
      for (const m of alarm.Metrics.slice(1)) {
        expect(m.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB' }, Period: 300, Stat: 'Average' });
      }
      expect(alarm).toMatchObject({ Threshold: 50, ComparisonOperator: 'GreaterThanThreshold' });
      const [full1] = latencyAlarms(full.template);
      expect([operations(full1), full1.Threshold]).toEqual([['GetItem', 'Query'], 20]);
      // None asked for, no latency alarm.
      expect(latencyAlarms(build({ latencyAlarmOperations: [] }).template)).toEqual([]);
    });

    test('replication latency of each replica, by its receiving region', () => {
      expect(alarmsOf(prod.template, 'ReplicationLatency')).toEqual([]);
      expect(alarmsOf(full.template, 'ReplicationLatency').map((a) => [dimensions(a), a.Statistic, a.Threshold])).toEqual([
        [{ TableName: { Ref: tableOf(full.template).id }, ReceivingRegion: REPLICA_REGION }, 'Average', 30_000],
      ]);
      const twoReplicas = build({
        replicaRegions: ['eu-west-1', 'ap-southeast-2'],
        replicaKeyArns: { 'eu-west-1': REPLICA_KEY_ARN, 'ap-southeast-2': 'arn:aws:kms:ap-southeast-2:123456789012:key/abcd' },
      }).template;
      expect(alarmsOf(twoReplicas, 'ReplicationLatency').map((a) => [dimensions(a).ReceivingRegion, a.Threshold])).toEqual([
        ['eu-west-1', 60_000], ['ap-southeast-2', 60_000],
      ]);
    });

    test("the consumer's iterator age, on its alias, at half the record age; and its dead-letter queue", () => {
      const [alarm] = alarmsOf(full.template, 'IteratorAge');
      const functionId = idOf(full.stack, full.mailer.lambdaFunction);
      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Period: 60, Threshold: 3_600_000, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(dimensions(alarm)).toEqual({ FunctionName: { Ref: functionId }, Resource: { 'Fn::Join': ['', [{ Ref: functionId }, ':live']] } });
      expect(full.table.alarms).toEqual(expect.arrayContaining([full.consumer.iteratorAgeAlarm, full.consumer.deadLetterQueueAlarm]));
    });

    test('every alarm notifies the alarm topic, in ALARM and back to OK', () => {
      for (const template of [prod.template, full.template]) {
        const topicId = Object.keys(resources(template, 'AWS::SNS::Topic')).find((id) => id.startsWith('PatternOperationsAlarmTopic'));
        expect(topicId).toBeDefined();
        for (const alarm of alarms(template)) {
          expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
          expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
        }
      }
      // Throttles, system errors, latency.
      expect(prod.table.alarms).toHaveLength(3);
      expect(alarms(prod.template)).toHaveLength(3);
    });
  });

  describe('stream consumer', () => {
    const mapping = () => onlyResource(full.template, 'AWS::Lambda::EventSourceMapping');

    test('no stream until a consumer or a stream grant needs one, then new and old images', () => {
      expect(tableOf(prod.template).resource.Properties.StreamSpecification).toBeUndefined();
      expect(tableOf(full.template).resource.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      const stack = newStack({ withEnv: true });
      const { table } = place({}, stack);
      table.grantStreamRead(new HardenedFunction(stack, 'Reader', { code: CODE }));
      expect(tableOf(Template.fromStack(stack)).resource.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    });

    test('reads from the trim horizon in batches of 100, bisects, reports partial failures, retries 3 times for at most an hour', () => {
      const stack = newStack({ withEnv: true });
      const { table } = place({}, stack);
      table.addStreamConsumer('Worker', consumerFunction(stack, 'Worker'));
      const template = Template.fromStack(stack);
      const { resource } = onlyResource(template, 'AWS::Lambda::EventSourceMapping');
      expect(resource.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [tableOf(template).id, 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 3600,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersWorkerDeadLetterQueue/), 'Arn'] } } },
      });
      expect(resource.Properties.ParallelizationFactor).toBeUndefined();
      expect(resource.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
      expect(alarmsOf(template, 'IteratorAge')[0].Threshold).toBe(1_800_000);
    });

    test("sends failed batches to the consumer's dead-letter queue, and invokes a HardenedFunction through its alias", () => {
      const { resource } = mapping();
      const dlqId = idOf(full.stack, full.consumer.deadLetterQueue);
      expect(resource.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } });
      const aliasId = idOf(full.stack, full.mailer.alias);
      const functionName = JSON.stringify(resource.Properties.FunctionName);
      expect(functionName).toContain(`"Ref":"${aliasId}"`);
      expect(functionName).toContain(':live');
      expect(functionName).not.toContain(idOf(full.stack, full.mailer.lambdaFunction));
      expect(resource.Properties).toMatchObject({ BatchSize: 10, MaximumRecordAgeInSeconds: 7200 });
      full.template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600 });
    });

    test('waits for the policy that lets the consumer read the stream', () => {
      const { resource } = mapping();
      expect(resource.DependsOn).toEqual([expect.stringMatching(/^OrdersMailerPolicy/)]);
    });

    test("the consumer's managed policy: this stream's actions, its ListStreams, the key's Decrypt and the dead-letter queue", () => {
      const [id, policy] = Object.entries(resources(full.template, 'AWS::IAM::ManagedPolicy')).find(([i]) => i.startsWith('OrdersMailerPolicy'))!;
      expect(mapping().resource.DependsOn).toEqual([id]);
      const tableId = tableOf(full.template).id;
      expect(policy.Properties.Roles).toEqual([{ Ref: idOf(full.stack, full.mailer.role as iam.Role) }]);
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] } },
        { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/stream/*']] } },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [idOf(full.stack, full.table.encryptionKey), 'Arn'] } },
        { Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: { 'Fn::GetAtt': [idOf(full.stack, full.consumer.deadLetterQueue), 'Arn'] } },
      ]);
    });

    test('options reach the mapping', () => {
      const stack = newStack({ withEnv: true });
      const { table } = place({}, stack);
      table.addStreamConsumer('Worker', consumerFunction(stack, 'Worker'), {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(30),
        retryAttempts: 0,
        maxRecordAge: Duration.minutes(10),
        parallelizationFactor: 4,
        bisectBatchOnError: false,
        iteratorAgeThreshold: Duration.minutes(2),
      });
      const template = Template.fromStack(stack);
      expect(onlyResource(template, 'AWS::Lambda::EventSourceMapping').resource.Properties).toMatchObject({
        StartingPosition: 'LATEST',
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 30,
        MaximumRetryAttempts: 0,
        MaximumRecordAgeInSeconds: 600,
        ParallelizationFactor: 4,
        BisectBatchOnFunctionError: false,
      });
      expect(alarmsOf(template, 'IteratorAge')[0].Threshold).toBe(120_000);
    });

    test('a consumer created directly is the same, and two consumers share one stream', () => {
      const stack = newStack({ withEnv: true });
      const { table } = place({}, stack);
      const direct = new DynamoDbStreamConsumer(stack, 'Direct', { table, consumer: consumerFunction(stack, 'One'), retryAttempts: 5 });
      table.addStreamConsumer('Second', consumerFunction(stack, 'Two'));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRetryAttempts: 5 });
      expect(table.streamConsumers).toEqual([direct, expect.any(DynamoDbStreamConsumer)]);
      expect(table.alarms).toEqual(expect.arrayContaining([direct.iteratorAgeAlarm, direct.deadLetterQueueAlarm]));
    });
  });

  describe('grants', () => {
    const stack = newStack({ withEnv: true });
    const table = new DynamoDbTable(stack, 'Orders', {
      partitionKey: PARTITION_KEY,
      sortKey: { name: 'orderId', type: S },
      globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: { name: 'status', type: S } }],
      localSecondaryIndexes: [{ indexName: 'byTotal', sortKey: { name: 'total', type: dynamodb.AttributeType.NUMBER } }],
      replicaRegions: [REPLICA_REGION],
      replicaKeyArns: { [REPLICA_REGION]: REPLICA_KEY_ARN },
    });
    const grantees = Object.fromEntries(['Reader', 'Writer', 'ReaderWriter', 'StreamReader'].map((name) => [name, new HardenedFunction(stack, name, { code: CODE })]));
    table.grantReadData(grantees.Reader);
    table.grantWriteData(grantees.Writer);
    table.grantReadWriteData(grantees.ReaderWriter);
    table.grantStreamRead(grantees.StreamReader);
    const template = Template.fromStack(stack);
    const tableId = tableOf(template).id;
    const keyArn = { 'Fn::GetAtt': [idOf(stack, table.encryptionKey), 'Arn'] };
    const replicaArn = { 'Fn::Join': ['', [`arn:aws:dynamodb:${REPLICA_REGION}:123456789012:table/`, { Ref: tableId }]] };
    const tableArns = [
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      ...['byStatus', 'byTotal'].map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index}`]] })),
      replicaArn,
      ...['byStatus', 'byTotal'].map((index) => ({ 'Fn::Join': ['', [`arn:aws:dynamodb:${REPLICA_REGION}:123456789012:table/`, { Ref: tableId }, `/index/${index}`]] })),
    ];
    const statementsOf = (name: string) => {
      const policies = Object.entries(resources(template, 'AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith(`${name}RolePolicy`));
      expect(policies).toHaveLength(1);
      return policies[0][1].Properties.PolicyDocument.Statement;
    };
    const sorted = (arns: unknown[]) => [...arns].map((a) => JSON.stringify(a)).sort();

    test("each grant lands in the HardenedFunction's managed policy, none inline", () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
      for (const name of Object.keys(grantees)) {
        expect(statementsOf(name).length).toBeGreaterThan(0);
      }
    });

    test.each([
      ['Reader', ['BatchGetItem', 'ConditionCheckItem', 'DescribeTable', 'GetItem', 'Query', 'Scan'], ['kms:Decrypt', 'kms:DescribeKey']],
      ['Writer', ['BatchWriteItem', 'DeleteItem', 'DescribeTable', 'PutItem', 'UpdateItem'], ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']],
      ['ReaderWriter', ['BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'DescribeTable', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'],
        ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']],
    ])('%s: its actions on the table, each index by name and the replica, with the keys of both regions', (name, actions, keyActions) => {
      const [data, keys] = statementsOf(name);
      expect(data.Action).toEqual(actions.map((a) => `dynamodb:${a}`));
      expect(sorted(data.Resource)).toEqual(sorted(tableArns));
      expect(JSON.stringify(data.Resource)).not.toContain('index/*');
      expect(keys.Action).toEqual(keyActions);
      expect(sorted(keys.Resource)).toEqual(sorted([keyArn, REPLICA_KEY_ARN]));
    });

    test("grantStreamRead: this table's stream only, and the key's Decrypt", () => {
      expect(statementsOf('StreamReader')).toEqual([
        { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] } },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn },
      ]);
    });

    test('no wildcard action anywhere: no kms:* and no dynamodb:* granted', () => {
      for (const name of Object.keys(grantees)) {
        const actions = statementsOf(name).flatMap((s: any) => [s.Action].flat());
        expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
      }
    });

    test('grants on a table without indexes or replicas name the table alone', () => {
      const plain = newStack({ withEnv: true });
      const { table: t } = place({}, plain);
      const reader = new HardenedFunction(plain, 'Reader', { code: CODE });
      t.grantReadData(reader);
      const [data, keys] = Object.entries(Template.fromStack(plain).findResources('AWS::IAM::ManagedPolicy'))
        .find(([id]) => id.startsWith('ReaderRolePolicy'))![1].Properties.PolicyDocument.Statement;
      expect(data.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersTable/), 'Arn'] });
      expect(keys.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersKey/), 'Arn'] });
    });
  });

  describe('validation', () => {
    const long = 'a'.repeat(256);
    const gsi = (indexName: string, extra: Partial<dynamodb.GlobalSecondaryIndexPropsV2> = {}): dynamodb.GlobalSecondaryIndexPropsV2 =>
      ({ indexName, partitionKey: { name: 'status', type: S }, ...extra });
    const lsi = (indexName: string, extra: Partial<dynamodb.LocalSecondaryIndexProps> = {}): dynamodb.LocalSecondaryIndexProps =>
      ({ indexName, sortKey: { name: 'total', type: dynamodb.AttributeType.NUMBER }, ...extra });
    const sortKey = { name: 'orderId', type: S };
    const provisioned = { billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: { maxCapacity: 10 }, writeCapacity: { maxCapacity: 10 } };

    const invalid: Array<[string, Props, string]> = [
      ['a table name of 2 characters', { tableName: 'ab' }, "tableName is 'ab'; it must be 3 to 255 characters of letters, digits, '_', '-' and '.'."],
      ['a table name of 256 characters', { tableName: long }, `tableName is '${long}'; it must be 3 to 255 characters of letters, digits, '_', '-' and '.'.`],
      ['a table name with a slash', { tableName: 'shop/orders' }, "tableName is 'shop/orders'; it must be 3 to 255 characters of letters, digits, '_', '-' and '.'."],
      ['no partition key', { partitionKey: undefined }, 'partitionKey is unset; it must be an attribute (name and type): it is required.'],
      ['an empty partition key name', { partitionKey: { name: '', type: S } }, "partitionKey.name is ''; it must be a name of 1 to 255 bytes in UTF-8."],
      ['a partition key name of 256 characters', { partitionKey: { name: long, type: S } }, `partitionKey.name is '${long}'; it must be a name of 1 to 255 bytes in UTF-8.`],
      ['a partition key name of 128 characters but 256 bytes', { partitionKey: { name: 'é'.repeat(128), type: S } },
        `partitionKey.name is '${'é'.repeat(128)}'; it must be a name of 1 to 255 bytes in UTF-8.`],
      ['a partition key of no known type', { partitionKey: { name: 'id', type: 'STRING' as dynamodb.AttributeType } },
        "partitionKey.type is 'STRING'; it must be one of dynamodb.AttributeType's values: 'B', 'N', 'S'."],
      ['a sort key named as the partition key', { sortKey: { name: 'customerId', type: S } }, "sortKey is 'customerId'; it must be a name other than the partition key's."],
      ['a sort key name of 256 characters', { sortKey: { name: long, type: S } }, `sortKey.name is '${long}'; it must be a name of 1 to 255 bytes in UTF-8.`],
      ['an empty TTL attribute', { timeToLiveAttribute: '' }, "timeToLiveAttribute is ''; it must be a name of 1 to 255 bytes in UTF-8."],
      ['21 global indexes', { globalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(`index${i}`)) },
        "globalSecondaryIndexes is '21 indexes'; it must be at most 20 (DynamoDB's quota of global secondary indexes per table)."],
      ['6 local indexes', { sortKey, localSecondaryIndexes: Array.from({ length: 6 }, (_, i) => lsi(`index${i}`)) },
        "localSecondaryIndexes is '6 indexes'; it must be at most 5 (DynamoDB's limit of local secondary indexes per table)."],
      ['a local index without a sort key', { localSecondaryIndexes: [lsi('byTotal')] },
        "localSecondaryIndexes is '1 indexes'; it must be none on a table without a sortKey (a local index shares the partition key and sorts by another attribute)."],
      ['an index name of 2 characters', { globalSecondaryIndexes: [gsi('ab')] },
        "globalSecondaryIndexes[0].indexName is 'ab'; it must be 3 to 255 characters of letters, digits, '_', '-' and '.'."],
      ['an index name with a space', { sortKey, localSecondaryIndexes: [lsi('by total')] },
        "localSecondaryIndexes[0].indexName is 'by total'; it must be 3 to 255 characters of letters, digits, '_', '-' and '.'."],
      ['a global and a local index of one name', { sortKey, globalSecondaryIndexes: [gsi('byKey')], localSecondaryIndexes: [lsi('byKey')] },
        "localSecondaryIndexes[0].indexName is 'byKey'; it must be a name no other index of the table has."],
      ['a global index without a partition key', { globalSecondaryIndexes: [{ indexName: 'byNothing' } as dynamodb.GlobalSecondaryIndexPropsV2] },
        'globalSecondaryIndexes[0].partitionKey is unset; it must be an attribute: a global index needs a partition key.'],
      ['an index key of another type than the table key', { globalSecondaryIndexes: [gsi('byCustomer', { partitionKey: { name: 'customerId', type: dynamodb.AttributeType.NUMBER } })] },
        "globalSecondaryIndexes[0] key customerId is 'customerId of type N'; it must be of the type customerId has as a key elsewhere in the table (S): an attribute has one type."],
      ['a projection of no known type', { globalSecondaryIndexes: [gsi('byStatus', { projectionType: 'SOME' as dynamodb.ProjectionType })] },
        "globalSecondaryIndexes[0].projectionType is 'SOME'; it must be one of dynamodb.ProjectionType's values: 'KEYS_ONLY', 'INCLUDE', 'ALL'."],
      ['non-key attributes with an ALL projection', { globalSecondaryIndexes: [gsi('byStatus', { nonKeyAttributes: ['total'] })] },
        "globalSecondaryIndexes[0].nonKeyAttributes is 'total'; it must be left unset unless projectionType is INCLUDE."],
      ['an INCLUDE projection of nothing', { globalSecondaryIndexes: [gsi('byStatus', { projectionType: dynamodb.ProjectionType.INCLUDE })] },
        "globalSecondaryIndexes[0].nonKeyAttributes is ''; it must be at least one attribute, since projectionType is INCLUDE."],
      ['an empty projected attribute name', { globalSecondaryIndexes: [gsi('byStatus', { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [''] })] },
        "globalSecondaryIndexes[0].nonKeyAttributes[0] is ''; it must be a name of 1 to 255 bytes in UTF-8."],
      ['101 projected attributes', {
        globalSecondaryIndexes: [
          gsi('one', { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: Array.from({ length: 51 }, (_, i) => `a${i}`) }),
          gsi('two', { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: Array.from({ length: 50 }, (_, i) => `b${i}`) }),
        ],
      }, "nonKeyAttributes is '101 attributes over all indexes'; it must be at most 100 projected attributes over all the table's indexes (DynamoDB's limit)."],
      ['a billing mode of no known value', { billingMode: 'FOO' as dynamodb.BillingMode },
        "billingMode is 'FOO'; it must be one of dynamodb.BillingMode's values: 'PAY_PER_REQUEST', 'PROVISIONED'."],
      ['a request-unit cap with provisioned billing', { ...provisioned, maxReadRequestUnits: 10 },
        'maxReadRequestUnits is 10; it must be left unset with PROVISIONED billing (it caps on-demand requests).'],
      ['a read request-unit cap of 0', { maxReadRequestUnits: 0 }, 'maxReadRequestUnits is 0; it must be a whole number of at least 1.'],
      ['a write request-unit cap of 1.5', { maxWriteRequestUnits: 1.5 }, 'maxWriteRequestUnits is 1.5; it must be a whole number of at least 1.'],
      ['provisioned billing without read capacity', { billingMode: dynamodb.BillingMode.PROVISIONED, writeCapacity: { maxCapacity: 10 } },
        'readCapacity is unset; it must be an autoscaling range, since billingMode is PROVISIONED.'],
      ['write capacity on demand', { writeCapacity: { maxCapacity: 10 } }, "writeCapacity is 'given'; it must be left unset unless billingMode is PROVISIONED."],
      ['a minimum read capacity of 0', { ...provisioned, readCapacity: { minCapacity: 0, maxCapacity: 10 } }, 'readCapacity.minCapacity is 0; it must be a whole number of at least 1.'],
      ['a maximum write capacity of 0', { ...provisioned, writeCapacity: { maxCapacity: 0 } }, 'writeCapacity.maxCapacity is 0; it must be a whole number of at least 1.'],
      ['a maximum capacity below the minimum', { ...provisioned, readCapacity: { minCapacity: 20, maxCapacity: 10 } }, 'readCapacity.maxCapacity is 10; it must be at least minCapacity (20).'],
      ['a target utilization of 19%', { ...provisioned, readCapacity: { maxCapacity: 10, targetUtilizationPercent: 19 } },
        'readCapacity.targetUtilizationPercent is 19; it must be a whole number from 20 to 90.'],
      ['a target utilization of 91%', { ...provisioned, writeCapacity: { maxCapacity: 10, targetUtilizationPercent: 91 } },
        'writeCapacity.targetUtilizationPercent is 91; it must be a whole number from 20 to 90.'],
      ['a seed capacity of 0', { ...provisioned, readCapacity: { maxCapacity: 10, seedCapacity: 0 } }, 'readCapacity.seedCapacity is 0; it must be a whole number of at least 1.'],
      ['a recovery period of 0 days', { pointInTimeRecoveryPeriod: Duration.days(0) }, "pointInTimeRecoveryPeriod is '0 seconds'; it must be a whole number of days from 1 to 35."],
      ['a recovery period of 36 days', { pointInTimeRecoveryPeriod: Duration.days(36) }, "pointInTimeRecoveryPeriod is '36 days'; it must be a whole number of days from 1 to 35."],
      ['a recovery period of 36 hours', { pointInTimeRecoveryPeriod: Duration.hours(36) }, "pointInTimeRecoveryPeriod is '36 hours'; it must be a whole number of days from 1 to 35."],
      ['a table class of no known value', { tableClass: 'COLD' as dynamodb.TableClass },
        "tableClass is 'COLD'; it must be one of dynamodb.TableClass's values: 'STANDARD', 'STANDARD_INFREQUENT_ACCESS'."],
      ['a malformed replica region', replica('europe', 'arn:aws:kms:europe:123456789012:key/abcd'), "replicaRegions[0] is 'europe'; it must be a region code such as eu-west-1."],
      ["a replica in the stack's own region", replica('us-east-1', 'arn:aws:kms:us-east-1:123456789012:key/abcd'),
        "replicaRegions[0] is 'us-east-1'; it must be a region other than the stack's own (us-east-1), where the table is."],
      ['a replica region named twice', { replicaRegions: ['eu-west-1', 'eu-west-1'], replicaKeyArns: { 'eu-west-1': REPLICA_KEY_ARN } },
        "replicaRegions[1] is 'eu-west-1'; it must be a region named once."],
      ['a replica without a key', replica('eu-west-1'),
        "replicaKeyArns is 'empty'; it must be a key ARN for eu-west-1: each replica is encrypted with a customer-managed key of its own region."],
      ['a replica key that is no KMS key ARN', replica('eu-west-1', 'arn:aws:sqs:eu-west-1:123456789012:orders'),
        "replicaKeyArns.eu-west-1 is 'arn:aws:sqs:eu-west-1:123456789012:orders'; it must be the ARN of a KMS key, arn:<partition>:kms:<region>:<account>:key/<key id>"],
      ['a replica key named by its alias', replica('eu-west-1', 'arn:aws:kms:eu-west-1:123456789012:alias/orders'),
        "replicaKeyArns.eu-west-1 is 'arn:aws:kms:eu-west-1:123456789012:alias/orders'; it must be the ARN of a KMS key, arn:<partition>:kms:<region>:<account>:key/<key id>"],
      ['a replica key of another region', replica('eu-west-1', 'arn:aws:kms:eu-west-2:123456789012:key/abcd'),
        "replicaKeyArns.eu-west-1 is 'arn:aws:kms:eu-west-2:123456789012:key/abcd'; it must be a key in eu-west-1: a replica can only use a key of its own region."],
      ['a replica key for a region that has no replica', { replicaKeyArns: { 'eu-west-1': REPLICA_KEY_ARN } },
        "replicaKeyArns is 'eu-west-1'; it must be keyed by the regions of replicaRegions only (none)."],
      ['a latency threshold of 0', { latencyThreshold: Duration.millis(0) }, 'latencyThreshold is 0 seconds; it must be above 0 and below 10 seconds.'],
      ['eleven latency operations, more metrics than an alarm reads', {
        latencyAlarmOperations: [
          ...Object.values(dynamodb.Operation).filter((o) => o !== dynamodb.Operation.GET_RECORDS).slice(0, 11),
        ],
      },
      'latencyAlarmOperations is \'11 operations\'; it must be at most 10: the latency alarm reads one metric per operation, and an alarm reads at most 10.'],
      ['a latency threshold of 10 seconds', { latencyThreshold: Duration.seconds(10) }, 'latencyThreshold is 10 seconds; it must be above 0 and below 10 seconds.'],
      ['an operation of no known value', { latencyAlarmOperations: ['GetItems' as dynamodb.Operation] },
        "latencyAlarmOperations[0] is 'GetItems'; it must be one of dynamodb.Operation's values:"],
      ['an operation twice', { latencyAlarmOperations: [dynamodb.Operation.QUERY, dynamodb.Operation.QUERY] },
        "latencyAlarmOperations is 'Query, Query'; it must be a list without repeats."],
      ['a replication latency threshold of 0', { replicationLatencyThreshold: Duration.seconds(0) },
        'replicationLatencyThreshold is 0 seconds; it must be a whole number of seconds from 1 second to 1 hour.'],
      ['a replication latency threshold of 2 hours', { replicationLatencyThreshold: Duration.hours(2) },
        'replicationLatencyThreshold is 2 hours; it must be a whole number of seconds from 1 second to 1 hour.'],
    ];

    test.each(invalid)('rejects %s, naming the prop, the value and what is allowed', (_name, props, line) => {
      const lines = errorLines(() => build(props));
      expect(lines[0]).toMatch(/^DynamoDbTable 'TestStack\/Orders' has (1 invalid prop|2 invalid props):$/);
      expect(lines.slice(1)).toContainEqual(expect.stringMatching(new RegExp(`^  - ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)));
    });

    test('a replica in a stack without a region is refused, saying why', () => {
      expect(errorLines(() => place(replica('eu-west-1', REPLICA_KEY_ARN), newStack()))).toContain(
        "  - replicaRegions is 'eu-west-1'; it must be left unset in a stack without a region: give the stack an env with a region, so the table's own region is known.");
    });

    test('an alias as the encryption key is refused: grants on its ARN would give nothing on the key', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
      const alias = key.addAlias('alias/orders');
      expect(errorLines(() => place({ encryptionKey: alias }, stack))).toContain(
        "  - encryptionKey is 'the alias TestStack/TableKey/Alias'; it must be a key, not an alias: an IAM policy names a key by its key ARN, "
        + "so grants on an alias ARN give nothing (pass the alias's aliasTargetKey).");
      expect(() => place({ encryptionKey: key }, newStack({ withEnv: true }))).not.toThrow();
    });

    test('reports every invalid prop at once', () => {
      expect(() => build({ maxReadRequestUnits: 0, pointInTimeRecoveryPeriod: Duration.days(40) })).toThrow(/DynamoDbTable 'TestStack\/Orders' has 2 invalid props/);
    });

    test('accepts the limits themselves', () => {
      expect(() => build({
        partitionKey: { name: 'a'.repeat(255), type: S },
        sortKey: { name: 'b', type: S },
        globalSecondaryIndexes: Array.from({ length: 20 }, (_, i) => gsi(`${'g'.repeat(250)}${i}`)),
        localSecondaryIndexes: Array.from({ length: 5 }, (_, i) => lsi(`l.${i}`)),
        pointInTimeRecoveryPeriod: Duration.days(1),
        latencyThreshold: Duration.millis(9_999),
        replicationLatencyThreshold: Duration.hours(1),
      })).not.toThrow();
      expect(() => build({
        ...provisioned,
        readCapacity: { minCapacity: 5, maxCapacity: 5, targetUtilizationPercent: 20 },
        writeCapacity: { maxCapacity: 1, targetUtilizationPercent: 90 },
      })).not.toThrow();
      expect(() => build({ tableName: 'a-b' })).not.toThrow();
      expect(() => build({ tableName: `Orders_2024.${'x'.repeat(243)}` })).not.toThrow();
      expect(() => build({
        maxReadRequestUnits: 1,
        maxWriteRequestUnits: 1,
        pointInTimeRecoveryPeriod: Duration.days(35),
        replicationLatencyThreshold: Duration.seconds(1),
      })).not.toThrow();
      expect(() => build({
        globalSecondaryIndexes: [gsi('one', { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: Array.from({ length: 100 }, (_, i) => `a${i}`) })],
      })).not.toThrow();
    });

    describe('stream consumer', () => {
      const consume = (options: DynamoDbStreamConsumerOptions) => {
        const stack = newStack({ withEnv: true });
        const { table } = place({}, stack);
        return table.addStreamConsumer('Worker', consumerFunction(stack, 'Worker'), options);
      };

      const invalidOptions: Array<[string, DynamoDbStreamConsumerOptions, string]> = [
        ['a starting position of no known value', { startingPosition: 'OLDEST' as lambda.StartingPosition },
          "startingPosition is 'OLDEST'; it must be one of lambda.StartingPosition's values: 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'."],
        ['AT_TIMESTAMP, which DynamoDB Streams lacks', { startingPosition: lambda.StartingPosition.AT_TIMESTAMP },
          "startingPosition is 'AT_TIMESTAMP'; it must be TRIM_HORIZON or LATEST: DynamoDB Streams cannot start at a timestamp."],
        ['a batch size of 0', { batchSize: 0 }, 'batchSize is 0; it must be a whole number from 1 to 10000.'],
        ['a batch size of 10,001', { batchSize: 10_001 }, 'batchSize is 10001; it must be a whole number from 1 to 10000.'],
        ['a batching window of 301 seconds', { maxBatchingWindow: Duration.seconds(301) },
          'maxBatchingWindow is 301 seconds; it must be a whole number of seconds from 0 seconds to 5 minutes.'],
        ['retry attempts of -1 (unlimited)', { retryAttempts: -1 }, 'retryAttempts is -1; it must be a whole number from 0 to 10000.'],
        ['retry attempts of 10,001', { retryAttempts: 10_001 }, 'retryAttempts is 10001; it must be a whole number from 0 to 10000.'],
        ['a record age of 59 seconds', { maxRecordAge: Duration.seconds(59) }, 'maxRecordAge is 59 seconds; it must be a whole number of seconds from 1 minute to 7 days.'],
        ['a record age of 8 days', { maxRecordAge: Duration.days(8) }, 'maxRecordAge is 8 days; it must be a whole number of seconds from 1 minute to 7 days.'],
        ['a parallelization factor of 0', { parallelizationFactor: 0 }, 'parallelizationFactor is 0; it must be a whole number from 1 to 10.'],
        ['a parallelization factor of 11', { parallelizationFactor: 11 }, 'parallelizationFactor is 11; it must be a whole number from 1 to 10.'],
        ['an iterator age threshold under a second', { iteratorAgeThreshold: Duration.millis(500) },
          "iteratorAgeThreshold is '0.5 seconds'; it must be at least 1 second and shorter than maxRecordAge (3600 seconds), so it fires before records are given up."],
        ['an iterator age threshold as long as the record age', { maxRecordAge: Duration.minutes(10), iteratorAgeThreshold: Duration.minutes(10) },
          "iteratorAgeThreshold is '600 seconds'; it must be at least 1 second and shorter than maxRecordAge (600 seconds), so it fires before records are given up."],
      ];

      test.each(invalidOptions)('rejects %s, naming the option, the value and what is allowed', (_name, options, line) => {
        const lines = errorLines(() => consume(options));
        expect(lines[0]).toBe("DynamoDbStreamConsumer 'TestStack/Orders/Worker' has 1 invalid prop:");
        expect(lines[1]).toBe(`  - ${line}`);
      });

      test('accepts the limits themselves', () => {
        expect(() => consume({
          batchSize: 10_000,
          maxBatchingWindow: Duration.seconds(300),
          retryAttempts: 10_000,
          maxRecordAge: Duration.days(7),
          parallelizationFactor: 10,
        })).not.toThrow();
        expect(() => consume({
          batchSize: 1,
          maxBatchingWindow: Duration.seconds(0),
          retryAttempts: 0,
          maxRecordAge: Duration.seconds(60),
          parallelizationFactor: 1,
          iteratorAgeThreshold: Duration.seconds(59),
        })).not.toThrow();
      });

      test('an imported consumer whose role is unknown is refused', () => {
        const stack = newStack({ withEnv: true });
        const { table } = place({}, stack);
        const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:worker');
        expect(() => table.addStreamConsumer('Worker', imported)).toThrow(/consumer is 'TestStack\/Imported'; it must be a function with a known role/);
      });
    });
  });

  describe('values known only at deploy time', () => {
    // Every prop the table validates that can be a token. billingMode and replicaRegions decide what
    // is created and refuse tokens by name (below).
    it.each<[string, (t: DeployTimeValues) => Props, (template: Template) => void]>([
      ['tableName', (t) => ({ tableName: t.text }),
        (tp) => expect(tableOf(tp).resource.Properties.TableName).toEqual({ Ref: 'DeployTimeText' })],
      ['partitionKey.name', (t) => ({ partitionKey: { name: t.text, type: S } }),
        (tp) => expect(tableOf(tp).resource.Properties.KeySchema).toEqual([{ AttributeName: { Ref: 'DeployTimeText' }, KeyType: 'HASH' }])],
      ['timeToLiveAttribute', (t) => ({ timeToLiveAttribute: t.text }),
        (tp) => expect(tableOf(tp).resource.Properties.TimeToLiveSpecification).toEqual({ AttributeName: { Ref: 'DeployTimeText' }, Enabled: true })],
      ['maxReadRequestUnits', (t) => ({ maxReadRequestUnits: t.number }),
        (tp) => expect(replicasOf(tp)[0].ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: { Ref: 'DeployTimeNumber' } })],
      ['maxWriteRequestUnits', (t) => ({ maxWriteRequestUnits: t.number }),
        (tp) => expect(tableOf(tp).resource.Properties.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: { Ref: 'DeployTimeNumber' } })],
      ['latencyThreshold, in milliseconds', (t) => ({ latencyThreshold: Duration.millis(t.number) }),
        (tp) => expect(alarms(tp).find((a) => /on average/.test(a.AlarmDescription)).Threshold).toEqual({ Ref: 'DeployTimeNumber' })],
      ['replicationLatencyThreshold, in milliseconds', (t) => ({ replicationLatencyThreshold: Duration.millis(t.number), ...replica('eu-west-1', REPLICA_KEY_ARN) }),
        (tp) => expect(alarmsOf(tp, 'ReplicationLatency')[0].Threshold).toEqual({ Ref: 'DeployTimeNumber' })],
      ['replicaKeyArns', (t) => ({ replicaRegions: ['eu-west-1'], replicaKeyArns: { 'eu-west-1': t.text } }),
        (tp) => expect(replicasOf(tp)[0].SSESpecification).toEqual({ KMSMasterKeyId: { Ref: 'DeployTimeText' } })],
    ])('accepts a token for %s', (_prop, props, check) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      check(build(props(t), stack).template);
    });

    it.each<[string, (t: DeployTimeValues) => Props, string]>([
      ['billingMode', (t) => ({ billingMode: t.text as dynamodb.BillingMode }),
        'billingMode is a token, only known at deploy time; it must be a value known at synth: it decides how capacity is configured.'],
      ['replicaRegions', (t) => ({ replicaRegions: [t.text] }),
        'replicaRegions[0] is a token, only known at deploy time; it must be a value known at synth: each region is a replica of its own.'],
      ['pointInTimeRecoveryPeriod', (t) => ({ pointInTimeRecoveryPeriod: Duration.days(t.number) }),
        "pointInTimeRecoveryPeriod is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's TableV2 checks the period against 1 to 35 days at synth."],
      ...CAPACITY_FIELDS.map((field): [string, (t: DeployTimeValues) => Props, string] => [
        `readCapacity.${field}`,
        (t) => ({
          billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: { maxCapacity: 10, [field]: t.number }, writeCapacity: { maxCapacity: 10 },
        }),
        `readCapacity.${field} is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's Capacity.autoscaled checks it at synth.`,
      ]),
      ['replicationLatencyThreshold in seconds', (t) => ({ replicationLatencyThreshold: t.duration }),
        "replicationLatencyThreshold is 'a token in seconds'; it must be given as Duration.millis(...) when only known at deploy time"],
    ])('refuses a token for %s, saying why', (_prop, props, line) => {
      const stack = newStack({ withEnv: true });
      expect(errorLines(() => place(props(deployTimeValues(stack)), stack)).join('\n')).toContain(`  - ${line}`);
    });

    it.each<[string, (t: DeployTimeValues) => DynamoDbStreamConsumerOptions, Record<string, unknown>]>([
      ['batchSize', (t) => ({ batchSize: t.number }), { BatchSize: { Ref: 'DeployTimeNumber' } }],
      ['maxBatchingWindow', (t) => ({ maxBatchingWindow: t.duration }), { MaximumBatchingWindowInSeconds: { Ref: 'DeployTimeNumber' } }],
      ['retryAttempts', (t) => ({ retryAttempts: t.number }), { MaximumRetryAttempts: { Ref: 'DeployTimeNumber' } }],
      ['parallelizationFactor', (t) => ({ parallelizationFactor: t.number }), { ParallelizationFactor: { Ref: 'DeployTimeNumber' } }],
      ['iteratorAgeThreshold, in milliseconds', (t) => ({ iteratorAgeThreshold: Duration.millis(t.number) }), {}],
    ])('a stream consumer accepts a token for %s', (_prop, options, properties) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      const { table } = place({}, stack);
      table.addStreamConsumer('Worker', consumerFunction(stack, 'Worker'), options(t));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', properties);
      expect(alarmsOf(template, 'IteratorAge')).toHaveLength(1);
    });

    it.each<[string, (t: DeployTimeValues) => DynamoDbStreamConsumerOptions, string]>([
      ['iteratorAgeThreshold in seconds', (t) => ({ iteratorAgeThreshold: t.duration }),
        "iteratorAgeThreshold is 'a token in seconds'; it must be given as Duration.millis(...) when only known at deploy time: the alarm compares milliseconds, and CloudFormation cannot convert seconds."],
      ['maxRecordAge', (t) => ({ maxRecordAge: t.duration }),
        "maxRecordAge is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's EventSourceMapping checks it against 60 seconds to 7 days at synth."],
    ])('a stream consumer refuses a token for %s, saying why', (_prop, options, line) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      const { table } = place({}, stack);
      expect(errorLines(() => table.addStreamConsumer('Worker', consumerFunction(stack, 'Worker'), options(t)))).toContain(`  - ${line}`);
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs, nor in the report, whose DEV deletion protection check is acknowledged', () => {
      const app = newApp();
      place({}, new Stack(app, 'Defaults'));
      place({ stage: DeploymentStage.DEV }, new Stack(app, 'Dev'));
      expect(runNagPacks(app)).toEqual(COMPLIANT);
      // The report's own checks read what cdk-nag has no rule for: point-in-time recovery, deletion
      // protection and the customer key of each replica of a global table.
      const result = report([app.outdir]);
      expect(result.problems).toBe(0);
      const acknowledged = (stackName: string) => result.stacks.find((r) => r.stack.path === stackName)!.acknowledgedChecks.map((a) => a.ruleId);
      expect(acknowledged('Defaults')).toEqual([]);
      expect(acknowledged('Dev')).toEqual(['BestPracticePatterns-DynamoDBGlobalTableDeletionProtection']);
    });

    test('a fixed name changes nothing the packs or the report check: no unacknowledged finding', () => {
      const app = newApp();
      place({ tableName: 'orders', ...replica(REPLICA_REGION, REPLICA_KEY_ARN) }, new Stack(app, 'Named', { env: TEST_ENV }));
      expect(runNagPacks(app)).toEqual(COMPLIANT);
      expect(report([app.outdir]).problems).toBe(0);
    });

    // Built and synthesized once with both majors' packs: the test of each reads it.
    let fullNag: BothMajorsOutcome | undefined;
    const fullyConfiguredNag = () => {
      if (!fullNag) {
        const app = newApp();
        placeFull(new Stack(app, 'Full', { env: TEST_ENV }));
        fullNag = runNagPacksOfBothMajors(app);
      }
      return fullNag;
    };

    test('fully configured, its consumer and grantee included: no unacknowledged finding under 3.x', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });

    test('fully configured: no finding under cdk-nag 2.x', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two tables in one stack synthesize, each with its own key, alarms and consumer', () => {
      const stack = newStack({ withEnv: true });
      const orders = new DynamoDbTable(stack, 'Orders', { partitionKey: PARTITION_KEY });
      const payments = new DynamoDbTable(stack, 'Payments', { partitionKey: { name: 'paymentId', type: S }, stage: DeploymentStage.DEV });
      orders.addStreamConsumer('Worker', consumerFunction(stack, 'OrdersWorker'));
      payments.addStreamConsumer('Worker', consumerFunction(stack, 'PaymentsWorker'));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      expect(orders.encryptionKey).not.toBe(payments.encryptionKey);
      const tableRefs = alarms(template).filter((a) => /HTTP 500/.test(a.AlarmDescription)).map((a) => JSON.stringify(a.Metrics[1].MetricStat.Metric.Dimensions));
      expect(new Set(tableRefs).size).toBe(2);
    });
  });

  describe('across stacks', () => {
    // One app, built once: in a Stage, the table in a Data stack, its key and backup plan in a
    // Shared stack, and every client in a Service stack, as real apps split them.
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: TEST_ENV });
    const shared = new Stack(stage, 'Shared');
    const data = new Stack(stage, 'Data');
    const service = new Stack(stage, 'Service');
    const key = new GuardedKey(shared, 'Key');
    const table = new DynamoDbTable(data, 'Orders', { partitionKey: PARTITION_KEY, encryptionKey: key, backupPlan: new HardenedBackupPlan(shared, 'Backups') });
    const client = (id: string) => new HardenedFunction(service, id, { code: CODE });
    table.grantReadData(client('Reader'));
    table.grantWriteData(client('Writer'));
    table.grantReadWriteData(client('Api'));
    table.grantStreamRead(client('Auditor'));
    const mailer = client('Mailer');
    const consumer = table.addStreamConsumer('Mailer', mailer);
    let templates: { shared: Template; data: Template; service: Template };
    beforeAll(() => {
      // Synthesizing the stage is where a cycle between its stacks would throw.
      templates = { shared: Template.fromStack(shared), data: Template.fromStack(data), service: Template.fromStack(service) };
    });

    test('the table references only the stack of its key and plan; that stack references nothing', () => {
      expect(referencedStacks(templates.data)).toEqual([shared.stackName]);
      expect(referencedStacks(templates.shared)).toEqual([]);
      // The plan's selection is the table's, in the table's stack.
      templates.data.resourceCountIs('AWS::Backup::BackupSelection', 1);
    });

    test('each grant lands in the grantee\'s policy, in its stack, naming the table and its key', () => {
      expect(referencedStacks(templates.service)).toEqual([data.stackName, shared.stackName].sort());
      const statements = Object.values(resources(templates.service, 'AWS::IAM::ManagedPolicy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]).map((st) => JSON.stringify(st));
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:GetRecords', 'kms:Decrypt']) {
        expect(statements.filter((st) => st.includes(`"${action}"`)).length).toBeGreaterThan(0);
      }
    });

    test("a consumer in another stack: its mapping, dead-letter queue, policy and alarms are in the consumer's stack", () => {
      // Named after the table's path, unique in the consumer's stack whatever other tables it consumes.
      expect(consumer.node.path).toBe(`Prod/Service/${Names.uniqueId(table)}StreamMailer`);
      templates.data.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
      templates.data.resourceCountIs('AWS::SQS::Queue', 0);
      const mapping = onlyResource(templates.service, 'AWS::Lambda::EventSourceMapping');
      expect(mapping.id).toBe(service.getLogicalId(consumer.eventSourceMapping.node.defaultChild as any));
      expect(JSON.stringify(mapping.resource.Properties.EventSourceArn)).toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
      expect(Stack.of(consumer.deadLetterQueue)).toBe(service);
      expect(Stack.of(consumer.iteratorAgeAlarm)).toBe(service);
      expect(alarmsOf(templates.service, 'IteratorAge')).toHaveLength(1);
    });

    test("the consumer's alarms are on its own stack's dashboard, not in the table's alarms", () => {
      expect(table.streamConsumers).toEqual([consumer]);
      expect(table.alarms).not.toContain(consumer.iteratorAgeAlarm);
      expect(table.alarms).not.toContain(consumer.deadLetterQueueAlarm);
      const body = JSON.stringify(Object.values(resources(templates.service, 'AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
      expect(body).toContain('DynamoDbStreamConsumer');
      expect(body).toContain(service.getLogicalId(consumer.iteratorAgeAlarm.node.defaultChild as any));
    });

    test("a consumer in another stack: no unacknowledged finding, though its policy names the table's streams by a cross-stack reference", () => {
      // cdk-nag 3.x reads the synthesized template, where the reference is an Fn::GetStackOutput
      // (an Fn::ImportValue with strong references);
      // cdk-nag 2.x reads the table's attribute: each must find the acknowledgement of ListStreams.
      const buildSplit = (strength?: { context: Record<string, unknown> }) => {
        const nagApp = newApp(strength);
        const nagStage = new Stage(nagApp, 'Prod', { env: TEST_ENV });
        const orders = new DynamoDbTable(new Stack(nagStage, 'Data'), 'Orders', { partitionKey: PARTITION_KEY });
        orders.addStreamConsumer('Mailer', new HardenedFunction(new Stack(nagStage, 'Service'), 'Mailer', { code: CODE }));
        return { nagApp, nagStage };
      };
      // The new-project weak references (Fn::GetStackOutput), both majors in one synth.
      const weak = buildSplit();
      const { v3, v2 } = runNagPacksOfBothMajors(weak.nagApp, { stages: [weak.nagStage] });
      expect(v3).toEqual(COMPLIANT);
      // An existing project's strong references: Fn::ImportValue.
      expect(runNagPacks(buildSplit({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } }).nagApp)).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags, with defaults", () => {
      const app = newApp();
      place({}, new Stack(app, 'Validated', { env: TEST_ENV }));
      expect(cloudFormationFindings(app)).toEqual([]);
    });

    test('nor fully configured', () => {
      const app = newApp();
      placeFull(new Stack(app, 'Validated', { env: TEST_ENV }));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
