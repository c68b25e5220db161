import { App, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { AlbAutoScalingGroup, DeploymentStage, MultiAzVpc, SnsFanOut } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets this example's stage; `-c stage=dev` or `-c stage=prod` overrides it.
const stageName: unknown = app.node.tryGetContext('stage');
if (stageName !== 'dev' && stageName !== 'prod') throw new Error(`stage is ${String(stageName)}; it must be 'dev' or 'prod'.`);
const stage = stageName === 'prod' ? DeploymentStage.PROD : DeploymentStage.DEV;
const production = stage === DeploymentStage.PROD;
// `-c certificateArn=arn:aws:acm:...` serves HTTPS; without one, the example opts in to plain HTTP.
const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new Stack(app, 'ThreeTierExample', {
  env: account && region ? { account, region } : undefined,
  description: 'cdk-best-practice-patterns example: web tier behind a load balancer, handing jobs to background workers through a fan-out',
});
const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

// Tier 1 and 2 live in the network's public and private subnets; tier 3 is the workers.
const network = new MultiAzVpc(stack, 'Network', { stage });

// The jobs topic's key is created here, not by the pattern, so the web tier can be granted it.
const jobsKey = new kms.Key(stack, 'JobsKey', { description: 'Encrypts the jobs topic', enableKeyRotation: true, removalPolicy });

/**
 * A background worker: runs in the VPC's private subnets, on ARM64 and Node.js 24, traced, with
 * JSON logs in an encrypted log group. It fails on a job marked `"fail": true`, so you can watch
 * the job retried and then parked in the dead-letter queue.
 */
function worker(id: string, logKey: kms.IKey): lambda.Function {
  const logGroup = new logs.LogGroup(stack, `${id}Logs`, {
    retention: production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.TWO_WEEKS,
    encryptionKey: logKey,
    removalPolicy,
  });
  const role = new iam.Role(stack, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason: 'AWSLambdaVPCAccessExecutionRole is the AWS-maintained minimum a function needs to attach to a VPC and write its logs.',
  });
  const tracing = new iam.ManagedPolicy(stack, `${id}TracingPolicy`, {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
  });
  Validations.of(tracing).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so they can only be granted on *.',
  });

  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromInline([
      'exports.handler = async (event) => {',
      '  const batchItemFailures = [];',
      '  for (const record of event.Records) {',
      '    const job = JSON.parse(record.body);',
      '    if (job.fail) { batchItemFailures.push({ itemIdentifier: record.messageId }); continue; }',
      '    console.log(JSON.stringify({ message: "job done", job }));',
      '  }',
      '  return { batchItemFailures };',
      '};',
    ].join('\n')),
    memorySize: 256,
    timeout: Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    reservedConcurrentExecutions: 5,
    vpc: network.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    // The role is complete as written: nothing may add an inline policy to it.
    role: role.withoutPolicyUpdates(),
  });
  fn.node.addDependency(tracing);
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless']) {
    Validations.of(fn).acknowledge({
      id: `${pack}-LambdaDLQ`,
      reason: 'Only its SQS event source mapping invokes this worker; jobs it fails go to the queue\'s dead-letter queue instead.',
    });
  }
  return fn;
}

const workerLogKey = new kms.Key(stack, 'WorkerLogKey', { description: 'Encrypts the workers\' logs', enableKeyRotation: true, removalPolicy });
// CloudWatch Logs may use the key only for log groups of this account and region.
workerLogKey.addToResourcePolicy(new iam.PolicyStatement({
  principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
  actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  resources: ['*'],
  conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
}));

const jobs = new SnsFanOut(stack, 'Jobs', {
  stage,
  masterKey: jobsKey,
  subscribers: [
    {
      name: 'thumbnails',
      filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['image-uploaded'] }) },
      queueOptions: { consumer: worker('ThumbnailWorker', workerLogKey) },
    },
    {
      name: 'emails',
      filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['signup', 'order-placed'] }) },
      queueOptions: { consumer: worker('EmailWorker', workerLogKey) },
    },
  ],
});

// The web tier: nginx on each instance, and one job published at boot to show the hand-off.
const userData = ec2.UserData.forLinux();
userData.addCommands(
  'dnf install -y nginx',
  'echo "<h1>Three-tier example</h1>" > /usr/share/nginx/html/index.html',
  'echo ok > /usr/share/nginx/html/health',
  'systemctl enable --now nginx',
  `aws sns publish --region ${stack.region} --topic-arn ${jobs.topic.topicArn} --message '{"job":"welcome"}' `
    + '--message-attributes \'{"kind":{"DataType":"String","StringValue":"signup"}}\'',
);
const web = new AlbAutoScalingGroup(stack, 'Web', {
  vpc: network.vpc,
  stage,
  userData,
  healthCheckPath: '/health',
  ...(certificateArn
    ? { certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn) }
    : { allowInsecureHttp: true }),
});

// The web tier may publish jobs, and nothing else: a managed policy, never an inline one.
new iam.ManagedPolicy(stack, 'WebPublishesJobs', {
  roles: [web.autoScalingGroup.role],
  statements: [
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [jobs.topic.topicArn] }),
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [jobsKey.keyArn] }),
  ],
});

new CfnOutput(stack, 'Url', { value: web.url, description: 'Open this once the targets are healthy' });
new CfnOutput(stack, 'JobsTopicArn', { value: jobs.topic.topicArn, description: 'Publish jobs here, with a "kind" message attribute' });

// Every example is checked by the same five cdk-nag packs as the library's tests.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new ServerlessChecks(app),
  new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app),
  new PCIDSS321Checks(app),
);
