import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AlbAutoScalingGroup, AlbFargateService, AuroraDatabase, DeadLetterQueue, DeadLetterSource, DeploymentStage, DnsRouting, DynamoDbTable,
  EventRuleWithDeadLetterQueue, HardenedFunction, HttpApiLambda, InMemoryCache, MultiAzVpc, PatternDefaults,
  QueueWithDeadLetterQueue, RelationalDatabase,
  RestApiLambda, RoutingEndpoint, SnsFanOut, StaticWebsite, StepFunctionsWorkflow,
} from '../../src';

/**
 * A minimal consumer function. Its own compliance (VPC, concurrency, tracing) is the user's
 * business, so compliance tests that use it scope their findings to the pattern.
 */
export function consumerFunction(scope: Construct, id: string, timeout?: Duration): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout,
  });
}

/**
 * The logical id of the one Lambda alias in a template: what every caller of a HardenedFunction
 * must reference, instead of the function itself.
 */
export function onlyAliasId(template: Template): string {
  const aliases = Object.keys(template.findResources('AWS::Lambda::Alias'));
  if (aliases.length !== 1) {
    throw new Error(`expected one Lambda alias, found ${aliases.length}`);
  }
  return aliases[0];
}

/**
 * Whether a resource's properties reference the alias and never the unqualified function.
 */
export function referencesOnlyAlias(properties: unknown, aliasId: string, functionId: string): boolean {
  const json = JSON.stringify(properties);
  return json.includes(`"Ref":"${aliasId}"`) && !json.includes(`"${functionId}"`);
}

/**
 * Resources every one of the five cdk-nag packs reports, in a stack named `Bad`: an unencrypted
 * queue (`Bad/Queue/Resource`), a log group without retention (`Bad/Logs`) and a function without
 * a dead-letter queue (`Bad/Function`). The compliance helpers prove with them that they see
 * findings.
 */
export function knownBadStack(app: App): Stack {
  const stack = new Stack(app, 'Bad');
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  new logs.CfnLogGroup(stack, 'Logs');
  new lambda.CfnFunction(stack, 'Function', {
    code: { zipFile: 'exports.handler = async () => {};' },
    role: 'arn:aws:iam::123456789012:role/example',
    runtime: 'nodejs22.x',
    handler: 'index.handler',
  });
  return stack;
}

/**
 * How many resources of a type the patterns of a template created, leaving out what the stack
 * shares (its alarm topic and key, its dashboard: `PatternOperations`), which has tests of its own.
 */
export function patternResourceCount(template: Template, type: string): number {
  return Object.keys(template.findResources(type)).filter((id) => !id.startsWith('PatternOperations')).length;
}

/**
 * Where EVERY_PATTERN builds a StaticWebsite or a DnsRouting: in `stack` when its region is
 * us-east-1 or the pattern is DEV there; else (PROD, which refuses any other region and env-agnostic
 * stacks, since their metrics are in us-east-1 only) in a us-east-1 stack beside it in the same app,
 * so the tests that synthesize the app still see what the PROD pattern creates, rather than a DEV
 * one or an error.
 */
function usEast1Stack(stack: Stack): Stack {
  if (stack.region === 'us-east-1' || PatternDefaults.stageOf(stack) === DeploymentStage.DEV) {
    return stack;
  }
  const id = `${stack.node.id}UsEast1`;
  return (stack.node.scope!.node.tryFindChild(id) as Stack | undefined) ?? new Stack(stack.node.scope as Construct, id, { env: { region: 'us-east-1' } });
}

const INLINE_CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

/**
 * Every pattern of the library with default props (and only what it requires), each built into a
 * stack, by name: for the tests that must hold for all of them.
 */
export const EVERY_PATTERN: Array<[string, (stack: Stack) => void]> = [
  ['MultiAzVpc', (stack) => new MultiAzVpc(stack, 'Network')],
  ['AlbAutoScalingGroup', (stack) => new AlbAutoScalingGroup(stack, 'Web', { vpc: new MultiAzVpc(stack, 'Network').vpc, allowInsecureHttp: true })],
  ['QueueWithDeadLetterQueue, with a HardenedFunction consumer', (stack) => new QueueWithDeadLetterQueue(stack, 'Jobs', {
    consumer: new HardenedFunction(stack, 'Worker', { code: INLINE_CODE }),
  })],
  ['SnsFanOut', (stack) => new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing' }] })],
  ['RestApiLambda', (stack) => new RestApiLambda(stack, 'Api', { code: INLINE_CODE })],
  ['HttpApiLambda', (stack) => new HttpApiLambda(stack, 'Api', { code: INLINE_CODE })],
  ['HardenedFunction', (stack) => new HardenedFunction(stack, 'Worker', { code: INLINE_CODE })],
  ['DeadLetterQueue', (stack) => new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.LAMBDA_FUNCTION })],
  ['StaticWebsite', (stack) => new StaticWebsite(usEast1Stack(stack), 'Site')],
  ['DnsRouting', (stack) => {
    const scope = usEast1Stack(stack);
    new DnsRouting(scope, 'App', {
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' }),
      recordName: 'app.example.com',
      endpoints: ['app-us-east-1.example.com', 'app-us-west-2.example.com'].map((name) => RoutingEndpoint.fromDomainName(name)),
    });
  }],
  ['EventRuleWithDeadLetterQueue, with a HardenedFunction target', (stack) => new EventRuleWithDeadLetterQueue(stack, 'Placed', {
    eventPattern: { source: ['com.example.orders'] },
  }).addFunctionTarget(new HardenedFunction(stack, 'Handler', { code: INLINE_CODE }))],
  ['StepFunctionsWorkflow, with a HardenedFunction task', (stack) => new StepFunctionsWorkflow(stack, 'Workflow', {
    definition: StepFunctionsWorkflow.invokeFunction(stack, 'Step', new HardenedFunction(stack, 'Handler', { code: INLINE_CODE })),
  })],
  ['AlbFargateService', (stack) => new AlbFargateService(stack, 'Service', {
    vpc: new MultiAzVpc(stack, 'Network').vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    allowInsecureHttp: true,
  })],
  ['RelationalDatabase', (stack) => new RelationalDatabase(stack, 'Database', { vpc: new MultiAzVpc(stack, 'Network').vpc })],
  ['AuroraDatabase', (stack) => new AuroraDatabase(stack, 'Database', { vpc: new MultiAzVpc(stack, 'Network').vpc })],
  ['InMemoryCache', (stack) => new InMemoryCache(stack, 'Cache', { vpc: new MultiAzVpc(stack, 'Network').vpc })],
  ['DynamoDbTable, with a HardenedFunction stream consumer', (stack) => new DynamoDbTable(stack, 'Orders', {
    partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  }).addStreamConsumer('Mailer', new HardenedFunction(stack, 'Mailer', { code: INLINE_CODE }))],
];

/** The lines of the error a function throws; fails the test when it throws none. */
export function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    return (error as Error).message.split('\n');
  }
  throw new Error('expected an error, none was thrown');
}

/** The key policy statement every key of the library holds (GuardedKey's grant guard). */
export const KEY_GRANT_GUARD = {
  Sid: 'DenyGrantsExceptForAwsResources',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};
