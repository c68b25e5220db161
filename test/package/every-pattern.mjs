// A user's ES module app: every pattern of the package with default props, one stack each, imported
// by name from the installed package. scripts/check-package.ts runs it on the peer range's floor
// under the five packs of cdk-nag 3.x (validation plugins) and 2.x (Aspects) at once, and adds the
// known-bad stack (`KnownBad`) that proves the packs see this app's resources.
import { App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as nag from 'cdk-nag';
import * as nagV2 from 'cdk-nag-v2';
import {
  AlbAutoScalingGroup, AlbFargateService, AuroraDatabase, DeadLetterQueue, DeadLetterSource, DnsRouting, DynamoDbTable, EventRuleWithDeadLetterQueue,
  GuardedKey, HardenedBackupPlan, HardenedFunction, HttpApiLambda, InMemoryCache, MultiAzVpc, QueueWithDeadLetterQueue, RelationalDatabase,
  RestApiLambda, RoutingEndpoint, SnsFanOut, StaticWebsite, StepFunctionsWorkflow,
} from 'cdk-best-practice-patterns';

const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
const vpcOf = (stack) => new MultiAzVpc(stack, 'Network').vpc;
const tableIn = (stack) => new DynamoDbTable(stack, 'Orders', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING } });

const patterns = {
  MultiAzVpc: (stack) => new MultiAzVpc(stack, 'Network'),
  AlbAutoScalingGroup: (stack) => new AlbAutoScalingGroup(stack, 'Web', { vpc: vpcOf(stack), allowInsecureHttp: true }),
  AlbFargateService: (stack) => new AlbFargateService(stack, 'Service', {
    vpc: vpcOf(stack),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    allowInsecureHttp: true,
  }),
  QueueWithDeadLetterQueue: (stack) => new QueueWithDeadLetterQueue(stack, 'Jobs', {
    consumer: new HardenedFunction(stack, 'Worker', { code }),
  }),
  SnsFanOut: (stack) => new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing' }] }),
  RestApiLambda: (stack) => new RestApiLambda(stack, 'Api', { code }),
  HttpApiLambda: (stack) => new HttpApiLambda(stack, 'Api', { code }),
  HardenedFunction: (stack) => new HardenedFunction(stack, 'Worker', { code }),
  DeadLetterQueue: (stack) => new DeadLetterQueue(stack, 'Failed', { source: DeadLetterSource.LAMBDA_FUNCTION }),
  GuardedKey: (stack) => new GuardedKey(stack, 'Key', { description: 'Encrypts the data of the package check' }),
  StaticWebsite: (stack) => new StaticWebsite(stack, 'Site'),
  DnsRouting: (stack) => new DnsRouting(stack, 'App', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' }),
    recordName: 'app.example.com',
    endpoints: ['app-us-east-1.example.com', 'app-us-west-2.example.com'].map((name) => RoutingEndpoint.fromDomainName(name)),
  }),
  EventRuleWithDeadLetterQueue: (stack) => new EventRuleWithDeadLetterQueue(stack, 'Placed', {
    eventPattern: { source: ['com.example.orders'] },
  }).addFunctionTarget(new HardenedFunction(stack, 'Handler', { code })),
  StepFunctionsWorkflow: (stack) => new StepFunctionsWorkflow(stack, 'Workflow', {
    definition: StepFunctionsWorkflow.invokeFunction(stack, 'Step', new HardenedFunction(stack, 'Handler', { code })),
  }),
  RelationalDatabase: (stack) => new RelationalDatabase(stack, 'Database', { vpc: vpcOf(stack) }),
  AuroraDatabase: (stack) => new AuroraDatabase(stack, 'Database', { vpc: vpcOf(stack) }),
  // The plan, with a database selected through it: its backup role's acknowledgements too.
  HardenedBackupPlan: (stack) => new RelationalDatabase(stack, 'Database', { vpc: vpcOf(stack), backupPlan: new HardenedBackupPlan(stack, 'Backups') }),
  InMemoryCache: (stack) => new InMemoryCache(stack, 'Cache', { vpc: vpcOf(stack) }),
  DynamoDbTable: tableIn,
  DynamoDbStreamConsumer: (stack) => tableIn(stack).addStreamConsumer('Mailer', new HardenedFunction(stack, 'Mailer', { code })),
};

const app = new App();
// Each stack is named after the construct it builds: the check compares them with the package's.
for (const [name, build] of Object.entries(patterns)) {
  // A PROD StaticWebsite needs its stack in us-east-1, where CloudFront's metrics and web ACLs are,
  // and so does a PROD DnsRouting, where Route 53's health-check metrics are.
  build(new Stack(app, name, ['StaticWebsite', 'DnsRouting'].includes(name) ? { env: { region: 'us-east-1' } } : undefined));
}
Validations.of(app).addPlugins(
  new nag.AwsSolutionsChecks(app), new nag.ServerlessChecks(app), new nag.NIST80053R5Checks(app),
  new nag.HIPAASecurityChecks(app), new nag.PCIDSS321Checks(app),
);
for (const pack of [
  new nagV2.AwsSolutionsChecks({ logIgnores: true }), new nagV2.ServerlessChecks({ logIgnores: true }),
  new nagV2.NIST80053R5Checks({ logIgnores: true }), new nagV2.HIPAASecurityChecks({ logIgnores: true }),
  new nagV2.PCIDSS321Checks({ logIgnores: true }),
]) {
  Aspects.of(app).add(pack);
}
