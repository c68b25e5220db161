import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStage, HardenedFunction, QueueWithDeadLetterQueue } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A consumer that fails every message: after maxReceiveCount failed receives, SQS must move the
// message to the dead-letter queue instead of dropping it. The consumer is a HardenedFunction, so
// the event source mapping invokes it through its alias.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'QueueWithDeadLetterQueueInteg');
const failingConsumer = new HardenedFunction(stack, 'FailingConsumer', {
  stage: DeploymentStage.DEV,
  timeout: Duration.seconds(5),
  code: lambda.Code.fromInline('exports.handler = async () => { throw new Error("this consumer always fails"); };'),
});
const orders = new QueueWithDeadLetterQueue(stack, 'Orders', {
  stage: DeploymentStage.DEV,
  consumer: failingConsumer,
  maxReceiveCount: 2,
});

const integ = new IntegTest(app, 'QueueWithDeadLetterQueueTest', {
  testCases: [stack],
  diffAssets: true,
});

const body = 'order 42: this consumer will fail it';
integ.assertions
  .awsApiCall('SQS', 'sendMessage', { QueueUrl: orders.queue.queueUrl, MessageBody: body })
  .next(
    integ.assertions
      .awsApiCall('SQS', 'receiveMessage', {
        QueueUrl: orders.deadLetterQueue.queueUrl,
        WaitTimeSeconds: 20,
      })
      .expect(ExpectedResult.objectLike({ Messages: [{ Body: body }] }))
      .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) }),
  );
