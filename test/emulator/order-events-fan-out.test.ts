import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetSubscriptionAttributesCommand, MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployFromAssembly, DeployedStack, logicalIdsOfType, motoClientConfig, physicalId, subscribeSkippedSubscriptions } from './moto-server';

const ROOT = path.join(__dirname, '..', '..');
const ASSEMBLY = path.join(ROOT, 'build', 'emulator', 'order-events');
const SUBSCRIBERS = ['audit', 'billing', 'shipping'];

const sns = new SNSClient(motoClientConfig());
const sqs = new SQSClient(motoClientConfig());
let deployed: DeployedStack;
let subscriptionArns: Record<string, string>;
/** Per subscriber: its subscription's logical id and its queue's URL. */
const subscribers: Record<string, { subscription: string; queueUrl: string }> = {};

/** Synthesizes the example exactly as a user would, with the CLI, in its default stage (prod). */
function synthesizeExample(): void {
  fs.rmSync(ASSEMBLY, { recursive: true, force: true });
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', ASSEMBLY], {
    cwd: path.join(ROOT, 'examples', 'order-events'),
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cdk synth of examples/order-events failed:\n${result.stderr}`);
}

async function publish(message: string, attributes: Record<string, string>): Promise<void> {
  const messageAttributes: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
  // The fan-out's topic, not the stack's alarm topic beside it.
  const fanOutTopics = logicalIdsOfType(deployed, 'AWS::SNS::Topic').filter((id) => id.startsWith('OrderEvents'));
  if (fanOutTopics.length !== 1) throw new Error(`expected one fan-out topic, found ${fanOutTopics.join(', ')}`);
  const topicArn = physicalId(deployed, fanOutTopics[0]);
  await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message, MessageAttributes: messageAttributes }));
}

/** Everything waiting in a queue, consumed: bodies sorted, with each message's attributes. */
async function drain(queueUrl: string): Promise<{ body: string; type?: string }[]> {
  const received: { body: string; type?: string }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'],
    }));
    if (Messages.length === 0) break;
    received.push(...Messages.map((m) => ({ body: m.Body!, type: m.MessageAttributes?.type?.StringValue })));
    await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }));
  }
  return received.sort((a, b) => a.body.localeCompare(b.body));
}

beforeAll(async () => {
  synthesizeExample();
  deployed = await deployFromAssembly(ASSEMBLY, 'OrderEventsExample', 'EmulatorOrderEvents', [
    'AWS::CloudWatch::Alarm',
    // The consumers are HardenedFunctions: moto has no aliases, no CodeDeploy, no asynchronous-
    // invocation configs, and reports no physical id for a published version.
    'AWS::CodeDeploy::Application',
    'AWS::CodeDeploy::DeploymentGroup',
    'AWS::Lambda::Alias',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Version',
    'AWS::SNS::Subscription',
    'AWS::SNS::TopicPolicy',
    'AWS::SQS::QueuePolicy',
  ]);

  // The consumers need Docker to run in moto; with their event source mappings enabled, moto
  // would hand them each message, fail, and hide it for the visibility timeout. The test reads
  // the queues itself instead.
  const lambda = new LambdaClient(motoClientConfig());
  for (const logicalId of logicalIdsOfType(deployed, 'AWS::Lambda::EventSourceMapping')) {
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: physicalId(deployed, logicalId), Enabled: false }));
  }

  subscriptionArns = await subscribeSkippedSubscriptions(deployed);
  for (const logicalId of logicalIdsOfType(deployed, 'AWS::SNS::Subscription')) {
    const queueLogicalId = deployed.template.Resources[logicalId].Properties.Endpoint['Fn::GetAtt'][0];
    const name = SUBSCRIBERS.find((subscriber) => queueLogicalId.startsWith(`OrderEvents${subscriber}Queue`))!;
    subscribers[name] = { subscription: logicalId, queueUrl: physicalId(deployed, queueLogicalId) };
  }
});

test('the consumers\' mappings and invoke configs named their alias, and the harness pointed exactly those at the function', () => {
  const ofType = (type: string) => logicalIdsOfType(deployed, type);
  expect(deployed.redirectedFromAliases).toEqual([...ofType('AWS::Lambda::EventSourceMapping'), ...ofType('AWS::Lambda::EventInvokeConfig')].sort());
  expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(2);
  // In the synthesized template, which is what users deploy, every mapping invokes an alias.
  for (const logicalId of ofType('AWS::Lambda::EventSourceMapping')) {
    const functionName = JSON.stringify(deployed.template.Resources[logicalId].Properties.FunctionName);
    expect(ofType('AWS::Lambda::Alias').some((alias) => functionName.includes(`{"Ref":"${alias}"}`))).toBe(true);
  }
});

test('every subscriber of the example has a queue and a subscription', () => {
  expect(Object.keys(subscribers).sort()).toEqual(SUBSCRIBERS);
});

test('the harness subscribes every skipped subscription from its template properties: raw delivery, filter, redrive', async () => {
  const attributes = async (name: string) => (await sns.send(new GetSubscriptionAttributesCommand({
    SubscriptionArn: subscriptionArns[subscribers[name].subscription],
  }))).Attributes!;

  for (const name of SUBSCRIBERS) {
    const subscription = await attributes(name);
    expect(subscription.RawMessageDelivery).toBe('true');
    expect(JSON.parse(subscription.RedrivePolicy).deadLetterTargetArn).toMatch(new RegExp(`OrderEvents${name}SubscriptionDeadLetterQueue`));
  }
  expect(JSON.parse((await attributes('billing')).FilterPolicy)).toEqual({ type: ['order'] });
  expect(JSON.parse((await attributes('shipping')).FilterPolicy)).toEqual({ type: ['order'], status: ['paid'] });
  expect((await attributes('audit')).FilterPolicy).toBeUndefined();
});

test('each subscriber receives exactly the events its filter allows, raw, with their attributes (subscriptions made by the harness)', async () => {
  await publish('order 1 paid', { type: 'order', status: 'paid' });
  await publish('order 2 placed', { type: 'order', status: 'placed' });
  await publish('refund 3', { type: 'refund' });
  await publish('untyped 4', {});

  // Raw delivery: the body is the published message itself, not SNS's JSON envelope, and the
  // message attributes arrive as SQS message attributes.
  expect(await drain(subscribers.billing.queueUrl)).toEqual([
    { body: 'order 1 paid', type: 'order' },
    { body: 'order 2 placed', type: 'order' },
  ]);
  expect(await drain(subscribers.shipping.queueUrl)).toEqual([{ body: 'order 1 paid', type: 'order' }]);
  expect(await drain(subscribers.audit.queueUrl)).toEqual([
    { body: 'order 1 paid', type: 'order' },
    { body: 'order 2 placed', type: 'order' },
    { body: 'refund 3', type: 'refund' },
    { body: 'untyped 4', type: undefined },
  ]);
});
