import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage, EventRuleWithDeadLetterQueue } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A target that always fails, so that EventBridge must put the event into the rule's dead-letter
// queue, which is itself encrypted with a customer key: the pattern's key statement must let
// EventBridge use that one (aws-cdk #33169).
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'EventRuleWithDeadLetterQueueInteg');
const stage = DeploymentStage.DEV;
// The topic's policy denies sns:Publish to every principal (`Principal: "*"`, which takes in
// service principals too, where `{ AWS: "*" }` might not). EventBridge publishes to an SNS target
// as the target's role when it has one (the pattern gives it the rule's role, granted sns:Publish)
// and through the topic's policy as events.amazonaws.com otherwise
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html); either
// way an explicit Deny in a resource policy beats every Allow
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), so
// every delivery is refused. EventBridge does not retry a refusal for missing permissions and sends
// the event straight to the target's dead-letter queue
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); retryAttempts: 0
// bounds any other failure too. (A key the rule may not use would not do: aws-cdk-lib grants the
// rule's role the topic's key along with sns:Publish.)
const unusable = new sns.Topic(stack, 'Unusable', { enforceSSL: true });
unusable.addToResourcePolicy(new iam.PolicyStatement({
  sid: 'DenyEveryPublishSoDeliveryFails',
  effect: iam.Effect.DENY,
  principals: [new iam.StarPrincipal()],
  actions: ['sns:Publish'],
  resources: [unusable.topicArn],
}));
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
