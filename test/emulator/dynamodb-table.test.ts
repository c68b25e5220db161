import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  GetResourcePolicyCommand,
  PutItemCommand,
  QueryCommand,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { deployStack, DeployedStack, logicalIdsOfType, motoClientConfig, only, physicalId } from './moto-server';
import { DeploymentStage, DynamoDbTable, HardenedFunction } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const dynamo = new DynamoDBClient(motoClientConfig());
const lambdaClient = new LambdaClient(motoClientConfig());
const sqsClient = new SQSClient(motoClientConfig());

// moto 5.2.1 skips alarms and queue and topic policies; the consumer is a HardenedFunction, so
// its alias, CodeDeploy application and group, version and asynchronous-invocation config too.
// The table is not among them: the harness deploys the GlobalTable as a Table (forMoto).
const SKIPPED = [
  'AWS::CloudWatch::Alarm',
  'AWS::CodeDeploy::Application',
  'AWS::CodeDeploy::DeploymentGroup',
  'AWS::Lambda::Alias',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Version',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
];

let deployed: DeployedStack;
let tableLogicalId: string;
let tableName: string;
let table: TableDescription;
let functionName: string;
let deadLetterQueueUrl: string;

beforeAll(async () => {
  const stack = new Stack(newApp({ stageAssets: true }), 'EmulatorDynamoDbTable', { env: TEST_ENV });
  // PROD: deletion protection and contributor insights on, so the rewrite has them to carry.
  const orders = new DynamoDbTable(stack, 'Orders', {
    stage: DeploymentStage.PROD,
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    globalSecondaryIndexes: [{
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'placedAt', type: dynamodb.AttributeType.NUMBER },
    }],
    timeToLiveAttribute: 'expiresAt',
  });
  const mailer = new HardenedFunction(stack, 'Mailer', {
    stage: DeploymentStage.PROD,
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
  });
  const consumer = orders.addStreamConsumer('Mailer', mailer, { batchSize: 10 });
  deployed = await deployStack(stack, 'EmulatorDynamoDbTable', SKIPPED);

  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
  tableLogicalId = logicalId(orders.table);
  tableName = physicalId(deployed, tableLogicalId);
  table = (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table!;
  functionName = physicalId(deployed, logicalId(mailer.lambdaFunction));
  deadLetterQueueUrl = physicalId(deployed, stack.getLogicalId(consumer.deadLetterQueue.node.defaultChild as any));
});

test('the synthesized GlobalTable is deployed as a Table under its logical id, and the harness says so; the mapping and invoke config are redirected from the alias', () => {
  expect(deployed.template.Resources[tableLogicalId].Type).toBe('AWS::DynamoDB::GlobalTable');
  expect(deployed.resources.find((r) => r.logicalId === tableLogicalId)!.physicalId).toBe(tableName);
  expect([...deployed.changedForMoto].sort()).toEqual([
    `${tableLogicalId}: deployed as a single-region AWS::DynamoDB::Table with the same keys, indexes, stream, TTL and billing mode, and its us-east-1`
    + " replica's key, point-in-time recovery, deletion protection, contributor insights and resource policy (moto has no AWS::DynamoDB::GlobalTable)",
    expect.stringMatching(/^PatternOperationsDashboard[0-9A-F]{8}: the ARNs of its \d+ alarms are literal \(moto skips alarms\)$/),
  ]);
  expect(deployed.redirectedFromAliases).toEqual([
    ...logicalIdsOfType(deployed, 'AWS::Lambda::EventInvokeConfig'),
    ...logicalIdsOfType(deployed, 'AWS::Lambda::EventSourceMapping'),
  ].sort());
});

test('the table has the keys, the global index, on-demand billing, deletion protection and a NEW_AND_OLD_IMAGES stream', () => {
  expect(table.KeySchema).toEqual([{ AttributeName: 'customerId', KeyType: 'HASH' }, { AttributeName: 'orderId', KeyType: 'RANGE' }]);
  expect(only(table.GlobalSecondaryIndexes, 'global index')).toMatchObject({
    IndexName: 'byStatus',
    KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'placedAt', KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'ALL' },
  });
  expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(table.DeletionProtectionEnabled).toBe(true);
  expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  expect(table.LatestStreamArn).toMatch(new RegExp(`^arn:aws:dynamodb:us-east-1:123456789012:table/${tableName}/stream/`));
});

// What moto's CloudFormation Table (moto/dynamodb/models/table.py, create_from_cloudformation_json)
// does not read: these stay proven by the template (test/data/dynamodb-table.test.ts), not here.
test('moto ignores TTL, point-in-time recovery, the resource policy and the key: they are template-proven only', async () => {
  const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
  const backups = await dynamo.send(new DescribeContinuousBackupsCommand({ TableName: tableName }));
  expect(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('DISABLED');
  await expect(dynamo.send(new GetResourcePolicyCommand({ ResourceArn: table.TableArn }))).rejects.toMatchObject({ name: 'PolicyNotFoundException' });
  // moto keeps the Table's SSESpecification but reports it only under the API's `Enabled`, not
  // CloudFormation's `SSEEnabled`, so DescribeTable shows no encryption.
  expect(table.SSEDescription).toBeUndefined();
});

// moto invokes a stream's consumer on each write, in Docker; without Docker it logs "error running
// docker" and the write succeeds, so these writes test the table, not the consumer.
test('an item put is read back, and found through the global index', async () => {
  const item = {
    customerId: { S: 'customer-1' }, orderId: { S: 'order-42' }, status: { S: 'PAID' }, placedAt: { N: '1700000000' },
  };
  await dynamo.send(new PutItemCommand({ TableName: tableName, Item: item }));
  await dynamo.send(new PutItemCommand({
    TableName: tableName, Item: { ...item, orderId: { S: 'order-43' }, status: { S: 'PLACED' } },
  }));
  const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { customerId: item.customerId, orderId: item.orderId } }));
  expect(Item).toEqual(item);
  const { Items } = await dynamo.send(new QueryCommand({
    TableName: tableName,
    IndexName: 'byStatus',
    KeyConditionExpression: '#status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': { S: 'PAID' } },
  }));
  expect(Items).toEqual([item]);
});

test("the consumer's mapping reads the stream with bisect, partial failures, 3 retries, an hour's age and the dead-letter queue", async () => {
  const { EventSourceMappings } = await lambdaClient.send(new ListEventSourceMappingsCommand({ EventSourceArn: table.LatestStreamArn }));
  const { Attributes } = await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
  // moto keeps every setting as the template gives it (and acts on none: it invokes the function
  // once per write, with no retries, bisection or on-failure delivery, and only with Docker). The
  // function is $LATEST: the harness pointed the mapping away from the alias moto skips.
  expect(only(EventSourceMappings, 'event source mapping')).toMatchObject({
    EventSourceArn: table.LatestStreamArn,
    FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    State: 'Enabled',
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 10,
    BisectBatchOnFunctionError: true,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    MaximumRetryAttempts: 3,
    MaximumRecordAgeInSeconds: 3600,
    DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
  });
});
