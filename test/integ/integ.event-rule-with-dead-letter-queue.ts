import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, EventRuleWithDeadLetterQueue } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A target that always fails: a topic encrypted with a key EventBridge may not use, so every
// publish is refused. With no retries, EventBridge must put the event into the rule's dead-letter
// queue, which is itself encrypted with a customer key: the pattern's key statement must let
// EventBridge use that one (aws-cdk #33169).
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'EventRuleWithDeadLetterQueueInteg');
const stage = DeploymentStage.DEV;
const unusable = new sns.Topic(stack, 'Unusable', {
  enforceSSL: true,
  masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }),
});
const placed = new EventRuleWithDeadLetterQueue(stack, 'Placed', {
  stage,
  createEventBus: true,
  eventPattern: { source: ['integ.orders'] },
  retryAttempts: 0,
  maxEventAge: Duration.minutes(1),
  encryptionKey: new kms.Key(stack, 'DeadLetterKey', { enableKeyRotation: true }),
});
placed.addTopicTarget(unusable);

const integ = new IntegTest(app, 'EventRuleWithDeadLetterQueueTest', {
  testCases: [stack],
  diffAssets: true,
});

integ.assertions
  .awsApiCall('EventBridge', 'putEvents', {
    Entries: [{ EventBusName: placed.eventBus!.eventBusName, Source: 'integ.orders', DetailType: 'order.placed', Detail: JSON.stringify({ orderId: 'o-42' }) }],
  })
  .expect(ExpectedResult.objectLike({ FailedEntryCount: 0 }))
  .next(
    integ.assertions
      .awsApiCall('SQS', 'receiveMessage', { QueueUrl: placed.deadLetterQueue.queueUrl, WaitTimeSeconds: 20 })
      .expect(ExpectedResult.objectLike({ Messages: Match.arrayWith([Match.objectLike({ Body: Match.stringLikeRegexp('o-42') })]) }))
      .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(15) }),
  );
