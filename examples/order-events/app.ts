import * as path from 'path';
import { App, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { DeploymentStage, SnsFanOut } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets this example's stage; `-c stage=dev` or `-c stage=prod` overrides it.
const stageName: unknown = app.node.tryGetContext('stage');
if (stageName !== 'dev' && stageName !== 'prod') throw new Error(`stage is ${String(stageName)}; it must be 'dev' or 'prod'.`);
const stage = stageName === 'prod' ? DeploymentStage.PROD : DeploymentStage.DEV;
const production = stage === DeploymentStage.PROD;

const stack = new Stack(app, 'OrderEventsExample', {
  description: 'cdk-best-practice-patterns example: order events fanned out to billing, shipping and audit queues',
});

// One key for the consumers' log groups, usable only by CloudWatch Logs of this account and region.
const logKey = new kms.Key(stack, 'LogKey', {
  description: 'Encrypts the order consumers\' logs',
  enableKeyRotation: true,
  removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
});
logKey.addToResourcePolicy(new iam.PolicyStatement({
  principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
  actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  resources: ['*'],
  conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
}));

/**
 * A hardened consumer: ARM64 on the newest Node.js runtime, bundled locally with esbuild, traced,
 * logging JSON to an encrypted log group with a retention, with a bounded concurrency and a role
 * that can write only its own logs and traces (the pattern adds the queue permissions).
 */
function orderConsumer(scope: Construct, id: string): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
    encryptionKey: logKey,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so they can only be granted on *.',
  });

  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: path.join(__dirname, 'consumer', 'handler.ts'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(10),
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    reservedConcurrentExecutions: 5,
    // The role is complete as written: nothing may add an inline policy to it.
    role: role.withoutPolicyUpdates(),
    bundling: { minify: true, sourceMap: true },
  });
  fn.node.addDependency(policy);
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']) {
    Validations.of(fn).acknowledge({
      id: `${pack}-LambdaDLQ`,
      reason: 'Only its SQS event source mapping invokes this function, synchronously; failed messages go to the queue\'s dead-letter queue.',
    });
  }
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    Validations.of(fn).acknowledge({
      id: `${pack}-LambdaInsideVPC`,
      reason: 'The consumer calls no private resource, only SQS through its event source mapping, so a VPC would add NAT cost and no protection.',
    });
  }
  return fn;
}

const orders = { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['order'] }) };
new SnsFanOut(stack, 'OrderEvents', {
  stage,
  subscribers: [
    { name: 'billing', filterPolicy: orders, queueOptions: { consumer: orderConsumer(stack, 'BillingConsumer') } },
    {
      name: 'shipping',
      filterPolicy: { ...orders, status: sns.SubscriptionFilter.stringFilter({ allowlist: ['paid'] }) },
      queueOptions: { consumer: orderConsumer(stack, 'ShippingConsumer') },
    },
    // Everything, kept 14 days for whoever needs to look back.
    { name: 'audit', queueOptions: { retentionPeriod: Duration.days(14) } },
  ],
});

// Every example is checked by the same five cdk-nag packs as the library's tests.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new ServerlessChecks(app),
  new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app),
  new PCIDSS321Checks(app),
);
