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
  const stack = new Stack(newApp(), stackName, { env: TEST_ENV });
  const orders = new QueueWithDeadLetterQueue(stack, 'Orders', { stage: DeploymentStage.PROD, ...props });
  // moto's CloudFormation has no queue policies (TLS-only) or alarms.
  const deployed = await deployStack(stack, stackName, ['AWS::CloudWatch::Alarm', 'AWS::SQS::QueuePolicy']);
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

beforeAll(async () => {
  standard = await deploy('EmulatorQueueWithDeadLetterQueue', { maxReceiveCount: 3 });
  // No FIFO case: moto names a FIFO queue without the `.fifo` suffix CloudFormation adds to a
  // generated name, and then rejects its own name, so a FIFO dead-letter queue cannot be created.
});

test('the deployed queue redrives to its dead-letter queue after 3 receives, and both keep messages as configured', async () => {
  const queue = await attributes(standard.queueUrl);
  const deadLetterQueue = await attributes(standard.deadLetterQueueUrl);
  expect(JSON.parse(queue.RedrivePolicy)).toEqual({ deadLetterTargetArn: deadLetterQueue.QueueArn, maxReceiveCount: 3 });
  // moto does not keep RedriveAllowPolicy, so "redrive only from its source" is proven in the template alone.
  expect(deadLetterQueue.RedriveAllowPolicy).toBeUndefined();
  expect(queue).toMatchObject({ MessageRetentionPeriod: '345600', ReceiveMessageWaitTimeSeconds: '20', SqsManagedSseEnabled: 'true' });
  expect(deadLetterQueue).toMatchObject({ MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' });
});

test('a message its consumer fails maxReceiveCount (3) times moves to the dead-letter queue, body intact', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: standard.queueUrl, MessageBody: 'order 42' }));

  expect(await failingConsumer(standard.queueUrl, 10)).toEqual([1, 2, 3]);
  expect(await bodies(standard.queueUrl)).toEqual([]);
  expect(await bodies(standard.deadLetterQueueUrl)).toEqual(['order 42']);
});

test('a message its consumer processes and deletes never reaches the dead-letter queue', async () => {
  await client.send(new SendMessageCommand({ QueueUrl: standard.queueUrl, MessageBody: 'order 43' }));
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: standard.queueUrl, WaitTimeSeconds: 0 }));
  expect(Messages.map((m) => m.Body)).toEqual(['order 43']);
  await client.send(new DeleteMessageCommand({ QueueUrl: standard.queueUrl, ReceiptHandle: Messages[0].ReceiptHandle }));

  expect(await failingConsumer(standard.queueUrl, 3)).toEqual([]);
  expect((await attributes(standard.deadLetterQueueUrl)).ApproximateNumberOfMessages).toBe('1');
});
