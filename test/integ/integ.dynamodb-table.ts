import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DeploymentStage, DynamoDbTable, HardenedFunction } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// An item put into the table must read back (through the TLS-only resource policy and the table's
// customer-managed key); and a record the stream consumer always fails must not be lost: after the
// bounded retries, the location of its batch must reach the consumer's dead-letter queue. The
// consumer is a HardenedFunction, so the event source mapping invokes it through its alias.
// DEV: the table, its key and the dead-letter queue are deleted with the stack.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'DynamoDbTableInteg');
const stage = DeploymentStage.DEV;

const orders = new DynamoDbTable(stack, 'Orders', {
  stage,
  partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
});
const consumer = new HardenedFunction(stack, 'PoisonConsumer', {
  stage,
  entry: path.join(__dirname, 'handlers', 'poison-stream-consumer.ts'),
  timeout: Duration.seconds(10),
});
// The defaults: bisect, partial batch responses, 3 retries within an hour, then the dead-letter queue.
const stream = orders.addStreamConsumer('PoisonConsumer', consumer);

const integ = new IntegTest(app, 'DynamoDbTableTest', {
  testCases: [stack],
  diffAssets: true,
});

const item = {
  customerId: { S: 'customer-7' },
  orderId: { S: 'order-42' },
  total: { N: '42' },
};
const putItem = integ.assertions.awsApiCall('DynamoDB', 'putItem', { TableName: orders.table.tableName, Item: item });
const getItem = integ.assertions
  .awsApiCall('DynamoDB', 'getItem', {
    TableName: orders.table.tableName,
    Key: { customerId: item.customerId, orderId: item.orderId },
    ConsistentRead: true,
  })
  .expect(ExpectedResult.objectLike({ Item: item }));
// integ-tests-alpha grants each call's own action (dynamodb:PutItem, dynamodb:GetItem,
// sqs:ReceiveMessage) on `*`. The table is encrypted with the pattern's customer-managed key, so the
// caller gets what the pattern's grantReadWriteData gives for the key, as an application would.
putItem.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
  Resource: [orders.encryptionKey.keyArn],
});

// The consumer reports this record as failed on every attempt. The dead-letter queue receives
// Lambda's record of the failed invocation: the batch's shard, sequence numbers and stream ARN, not
// the item (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
const putPoison = integ.assertions.awsApiCall('DynamoDB', 'putItem', {
  TableName: orders.table.tableName,
  Item: { customerId: { S: 'customer-7' }, orderId: { S: 'order-666' }, poison: { BOOL: true } },
});
const deadLettered = integ.assertions
  .awsApiCall('SQS', 'receiveMessage', { QueueUrl: stream.deadLetterQueue.queueUrl, WaitTimeSeconds: 20 })
  .expect(ExpectedResult.objectLike({
    Messages: Match.arrayWith([
      Match.objectLike({ Body: Match.serializedJson(Match.objectLike({ DDBStreamBatchInfo: Match.objectLike({ streamArn: orders.streamArn }) })) }),
    ]),
  }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) });

putItem.next(getItem).next(putPoison).next(deadLettered);
