import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { deployStack, DeployedStack, motoClientConfig, physicalId } from './moto-server';
import { DeploymentStage, QueueWithDeadLetterQueue } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const client = new SQSClient(motoClientConfig());
let standard: { deployed: DeployedStack; queueUrl: string; deadLetterQueueUrl: string };

async function deploy(stackName: string, props: { maxReceiveCount: number }) {
  const stack = new Stack(newApp({ stageAssets: true }), stackName, { env: TEST_ENV });
  const orders = new QueueWithDeadLetterQueue(stack, 'Orders', { stage: DeploymentStage.PROD, ...props });
  // moto's CloudFormation has no queue policies (TLS-only) or alarms.
  const deployed = await deployStack(stack, stackName, ['AWS::CloudWatch::Alarm', 'AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy']);
  const logicalId = (queue: sqs.Queue) => stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue);
  return {
    deployed,
    queueUrl: physicalId(deployed, logicalId(orders.queue)),
    deadLetterQueueUrl: physicalId(deployed, logicalId(orders.deadLetterQueue)),
  };
}

/** A consumer that fails every message: it receives it and lets it become visible again at once. */
async function failingConsumer(queueUrl: string, attempts: number): Promise<number[]> {
  const receiveCounts: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }));
    if (Messages.length === 0) break;
    receiveCounts.push(Number(Messages[0].Attributes!.ApproximateReceiveCount));
  }
  return receiveCounts;
}

/** The bodies waiting in a queue, left visible for the next look. */
async function bodies(queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10, VisibilityTimeout: 0,
  }));
  return Messages.map((message) => message.Body!);
}

async function attributes(queueUrl: string): Promise<Record<string, string>> {
  return (await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes!;
}

/** The messages in a queue, visible or received and not yet deleted, without receiving any. */
async function messageCount(queueUrl: string): Promise<number> {
  const { ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible } = await attributes(queueUrl);
  return Number(ApproximateNumberOfMessages) + Number(ApproximateNumberOfMessagesNotVisible);
}

beforeAll(async () => {
  standard = await deploy('EmulatorQueueWithDeadLetterQueue', { maxReceiveCount: 3 });
  // No FIFO case: moto names a FIFO queue without the `.fifo` suffix CloudFormation adds to a
  // generated name, and then rejects its own name, so a FIFO dead-letter queue cannot be created.
});

test('the deployed queue redrives to its dead-letter queue after 3 receives and long-polls; the DLQ keeps messages 14 days', async () => {
  const queue = await attributes(standard.queueUrl);
  const deadLetterQueue = await attributes(standard.deadLetterQueueUrl);
  expect(JSON.parse(queue.RedrivePolicy)).toEqual({ deadLetterTargetArn: deadLetterQueue.QueueArn, maxReceiveCount: 3 });
  expect(queue.ReceiveMessageWaitTimeSeconds).toBe('20');
  expect(deadLetterQueue.MessageRetentionPeriod).toBe('1209600');
});

test('a message its consumer fails maxReceiveCount (3) times moves to the dead-letter queue, body intact', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: standard.queueUrl, MessageBody: 'order 42' }));

  expect(await failingConsumer(standard.queueUrl, 10)).toEqual([1, 2, 3]);
  expect(await bodies(standard.queueUrl)).toEqual([]);
  expect(await bodies(standard.deadLetterQueueUrl)).toEqual(['order 42']);
});

test('a message its consumer processes and deletes never reaches the dead-letter queue', async () => {
  // A stack of its own, so what other tests leave in the queues cannot decide this one.
  const { queueUrl, deadLetterQueueUrl } = await deploy('EmulatorQueueWithDeadLetterQueueProcessed', { maxReceiveCount: 3 });
  await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'order 43' }));
  // Held invisible for 1 s instead of the queue's 30 s, so the wait below outlasts it: an undeleted message would be back.
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 1 }));
  expect(Messages.map((m) => m.Body)).toEqual(['order 43']);
  await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0].ReceiptHandle }));
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  // More receives than maxReceiveCount: had the message come back, the last one would have moved it to the DLQ.
  expect(await failingConsumer(queueUrl, 4)).toEqual([]);
  expect(await messageCount(queueUrl)).toBe(0);
  expect(await messageCount(deadLetterQueueUrl)).toBe(0);
});
