import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateEventBusCommand, EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { deployStack, DeployedStack, motoClientConfig, physicalId } from './moto-server';
import { DeploymentStage, EventRuleWithDeadLetterQueue, StepFunctionsWorkflow } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const eventBridge = new EventBridgeClient(motoClientConfig());
const sqsClient = new SQSClient(motoClientConfig());
const stepFunctions = new SFNClient(motoClientConfig());
const logsClient = new CloudWatchLogsClient(motoClientConfig());
let deployed: DeployedStack;
let busName: string;
let ruleName: string;
let targetQueueUrl: string;
let stateMachineArn: string;
let logGroupName: string;
let deadLetterQueueArn: string;

/** What arrives in a queue within a few seconds. */
async function received(queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
  return Messages.map((m) => m.Body!);
}

beforeAll(async () => {
  // moto's CloudFormation resolves a Ref to an AWS::Events::EventBus to its own object instead of
  // the bus's name, and then fails the rule that names it; so this suite creates the bus through
  // the API and gives it to the pattern. It sets no archive either: moto's CloudFormation fails on
  // an AWS::Events::Archive's event pattern. Both stay template-only (see docs/TESTING.md).
  busName = 'emulator-orders';
  await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
  const stack = new Stack(newApp({ stageAssets: true }), 'EmulatorEventRule', { env: TEST_ENV });
  const rule = new EventRuleWithDeadLetterQueue(stack, 'Placed', {
    stage: DeploymentStage.PROD,
    eventBus: events.EventBus.fromEventBusName(stack, 'Orders', busName),
    //ARCHIVE archiveRetention: Duration.days(7),
    eventPattern: { source: ['com.example.orders'], detailType: ['order.placed'] },
  });
  const target = new sqs.Queue(stack, 'Target', { enforceSSL: true });
  rule.addQueueTarget(target);
  const workflow = new StepFunctionsWorkflow(stack, 'Workflow', { definition: new sfn.Pass(stack, 'Pass') });
  deployed = await deployStack(stack, 'EmulatorEventRule', [
    // Alarms and queue and topic policies are not in moto's CloudFormation; it enforces none.
    'AWS::CloudWatch::Alarm',
    'AWS::SNS::TopicPolicy',
    'AWS::SQS::QueuePolicy',
  ]);
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
  ruleName = physicalId(deployed, logicalId(rule.rule));
  targetQueueUrl = physicalId(deployed, logicalId(target));
  stateMachineArn = physicalId(deployed, logicalId(workflow.stateMachine));
  logGroupName = physicalId(deployed, logicalId(workflow.logGroup));
  const deadLetterQueueUrl = physicalId(deployed, logicalId(rule.deadLetterQueue));
  deadLetterQueueArn = (await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
});

test("the rule's target carries the retry policy and the dead-letter queue", async () => {
  const { Targets = [] } = await eventBridge.send(new ListTargetsByRuleCommand({ Rule: ruleName.split('|').pop(), EventBusName: busName }));
  expect(Targets).toHaveLength(1);
  expect(Targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 } });
  expect(Targets[0].DeadLetterConfig?.Arn).toBe(deadLetterQueueArn);
});

test('a matching event on the bus arrives in the target queue; one of another type does not', async () => {
  const put = (detailType: string, orderId: string) => eventBridge.send(new PutEventsCommand({
    Entries: [{ EventBusName: busName, Source: 'com.example.orders', DetailType: detailType, Detail: JSON.stringify({ orderId }) }],
  }));
  await put('order.cancelled', 'o-0');
  await put('order.placed', 'o-1');
  const bodies = (await received(targetQueueUrl)).map((body) => JSON.parse(body));
  expect(bodies).toEqual([expect.objectContaining({ 'detail-type': 'order.placed', 'detail': { orderId: 'o-1' } })]);
});

// moto's CloudFormation creates a state machine from its name, definition, role and tags only: its
// logging and tracing configuration stay template-only (docs/TESTING.md).
test('the state machine deploys with its definition (the 1-hour execution timeout) and role; its log group under /aws/vendedlogs/states/', async () => {
  const machine = await stepFunctions.send(new DescribeStateMachineCommand({ stateMachineArn }));
  expect(JSON.parse(machine.definition!)).toMatchObject({ StartAt: 'Pass', TimeoutSeconds: 3600 });
  expect(machine.roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
  const { logGroups = [] } = await logsClient.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/states/' }));
  // moto keeps the retention but not the KMS key a CloudFormation log group names.
  expect(logGroups).toEqual([expect.objectContaining({ logGroupName, retentionInDays: 365 })]);
  expect(logGroups[0].kmsKeyId).toBeUndefined();
});
