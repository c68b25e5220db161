import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, SnsFanOut } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// Two events, three subscribers: each queue must get exactly the events its filter policy lets
// through, and get them as published (raw delivery), not wrapped in SNS's JSON envelope.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'SnsFanOutInteg');
const orders = new SnsFanOut(stack, 'Orders', {
  stage: DeploymentStage.DEV,
  subscribers: [
    { name: 'billing', filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order_placed'] }) } },
    { name: 'shipping', filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order_paid'] }) } },
    { name: 'audit', filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ matchPrefixes: ['order_'] }) } },
  ],
});

const integ = new IntegTest(app, 'SnsFanOutTest', {
  testCases: [stack],
  diffAssets: true,
});

const placed = 'order 42 was placed';
const paid = 'order 42 was paid';

function publish(eventType: string, message: string) {
  const call = integ.assertions.awsApiCall('SNS', 'publish', {
    TopicArn: orders.topic.topicArn,
    Message: message,
    MessageAttributes: { eventType: { DataType: 'String', StringValue: eventType } },
  });
  // The topic is encrypted with a customer-managed key, which a publisher must be allowed to use.
  call.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: [orders.topic.masterKey!.keyArn],
  });
  return call;
}

const published = publish('order_placed', placed).next(publish('order_paid', paid));

// VisibilityTimeout 0 leaves the messages visible, so every retry of the waiter sees them all.
function expectMessages(subscriber: string, messages: unknown) {
  published.next(
    integ.assertions
      .awsApiCall('SQS', 'receiveMessage', {
        QueueUrl: orders.subscribers[subscriber].queue.queue.queueUrl,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 20,
        MaxNumberOfMessages: 10,
      })
      .expect(ExpectedResult.objectLike({ Messages: messages }))
      .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) }),
  );
}

expectMessages('billing', [{ Body: placed }]);
expectMessages('shipping', [{ Body: paid }]);
// The audit queue gets both, in no guaranteed order: check each separately.
expectMessages('audit', Match.arrayWith([Match.objectLike({ Body: placed })]));
expectMessages('audit', Match.arrayWith([Match.objectLike({ Body: paid })]));
