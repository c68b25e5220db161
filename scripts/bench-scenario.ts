/**
 * One benchmark run, in a fresh node process: builds one scenario, synthesizes it, and prints a
 * JSON line with the timings, the resource count and the peak RSS. Run by scripts/bench.ts.
 *
 *   node -r ts-node/register/transpile-only scripts/bench-scenario.ts <scenario> <ours|plain>
 *   node -r ts-node/register/transpile-only scripts/bench-scenario.ts import <aws-cdk-lib|package>
 */
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.join(__dirname, '..', 'build', 'bench');
const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const [scenario, impl] = process.argv.slice(2);

// This script measures what loading modules costs, so it loads them with require() at the moment
// it chooses, not with import statements hoisted to the top.
/* eslint-disable @typescript-eslint/no-require-imports */
function measureImport(): void {
  const start = process.hrtime.bigint();
  require('aws-cdk-lib');
  if (impl === 'package') {
    // The package as a user's app imports it: by its name, resolved to this checkout's lib/.
    require('cdk-best-practice-patterns');
  }
  console.log(JSON.stringify({ importMs: ms(start) }));
}

function measureScenario(): void {
  const importStart = process.hrtime.bigint();
  const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const cxapi = require('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
  const ec2 = require('aws-cdk-lib/aws-ec2') as typeof import('aws-cdk-lib/aws-ec2');
  const lambda = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const ours = impl === 'ours' ? require('cdk-best-practice-patterns') as typeof import('../src') : undefined;
  const importMs = ms(importStart);

  const buildStart = process.hrtime.bigint();
  fs.mkdirSync(OUT, { recursive: true });
  const app = new cdk.App({
    outdir: fs.mkdtempSync(path.join(OUT, 'app-')),
    context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT },
  });
  // A PROD StaticWebsite needs its stack in us-east-1 (CloudFront's metrics and web ACLs are there),
  // and so does a PROD DnsRouting (Route 53's health-check metrics); the plain floor is built in the
  // same stack.
  const stack = new cdk.Stack(app, 'Bench', ['cloudfront -> s3', 'dns routing'].includes(scenario) ? { env: { region: 'us-east-1' } } : undefined);
  const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
  const fn = () => new lambda.Function(stack, 'Function', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
  // The floor of a function deployed safely, as HardenedFunction is: a version, an alias callers
  // invoke, and a CodeDeploy group that shifts it.
  const safelyDeployedFn = () => {
    const codedeploy = require('aws-cdk-lib/aws-codedeploy') as typeof import('aws-cdk-lib/aws-codedeploy');
    const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn().currentVersion });
    new codedeploy.LambdaDeploymentGroup(stack, 'Deployment', { alias });
    return alias;
  };
  BUILDERS[scenario](ours, { cdk, ec2, lambda, stack, code, fn, safelyDeployedFn });
  const buildMs = ms(buildStart);

  const synthStart = process.hrtime.bigint();
  const assembly = app.synth();
  const synthMs = ms(synthStart);
  const resources = Object.keys(assembly.getStackByName('Bench').template.Resources ?? {}).length;
  console.log(JSON.stringify({ importMs, buildMs, synthMs, resources, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

interface Kit {
  cdk: typeof import('aws-cdk-lib');
  ec2: typeof import('aws-cdk-lib/aws-ec2');
  lambda: typeof import('aws-cdk-lib/aws-lambda');
  stack: import('aws-cdk-lib').Stack;
  code: import('aws-cdk-lib/aws-lambda').Code;
  fn: () => import('aws-cdk-lib/aws-lambda').Function;
  safelyDeployedFn: () => import('aws-cdk-lib/aws-lambda').Alias;
}

// For each pattern, ours and the same architecture written with plain aws-cdk-lib L2s and no
// hardening: the floor.
const BUILDERS: Record<string, (ours: typeof import('../src') | undefined, kit: Kit) => void> = {
  'vpc': (ours, { ec2, stack }) => {
    if (ours) {
      new ours.MultiAzVpc(stack, 'Network');
      return;
    }
    new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 3,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 }, DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
      flowLogs: { All: {} },
    });
  },
  'queue -> lambda': (ours, { stack, fn }) => {
    if (ours) {
      new ours.QueueWithDeadLetterQueue(stack, 'Jobs', { consumer: fn() });
      return;
    }
    const sqs = require('aws-cdk-lib/aws-sqs') as typeof import('aws-cdk-lib/aws-sqs');
    const sources = require('aws-cdk-lib/aws-lambda-event-sources') as typeof import('aws-cdk-lib/aws-lambda-event-sources');
    const dlq = new sqs.Queue(stack, 'Dlq');
    const queue = new sqs.Queue(stack, 'Queue', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    fn().addEventSource(new sources.SqsEventSource(queue));
  },
  'sns -> 3 sqs': (ours, { stack }) => {
    if (ours) {
      new ours.SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing' }, { name: 'shipping' }, { name: 'audit' }] });
      return;
    }
    const sns = require('aws-cdk-lib/aws-sns') as typeof import('aws-cdk-lib/aws-sns');
    const sqs = require('aws-cdk-lib/aws-sqs') as typeof import('aws-cdk-lib/aws-sqs');
    const subs = require('aws-cdk-lib/aws-sns-subscriptions') as typeof import('aws-cdk-lib/aws-sns-subscriptions');
    const topic = new sns.Topic(stack, 'Topic');
    for (const name of ['billing', 'shipping', 'audit']) {
      const dlq = new sqs.Queue(stack, `${name}Dlq`);
      topic.addSubscription(new subs.SqsSubscription(new sqs.Queue(stack, name, { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } })));
    }
  },
  'alb -> asg (in a plain VPC)': (ours, { ec2, stack }) => {
    const vpc = new ec2.Vpc(stack, 'Vpc');
    if (ours) {
      new ours.AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true });
      return;
    }
    const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2') as typeof import('aws-cdk-lib/aws-elasticloadbalancingv2');
    const autoscaling = require('aws-cdk-lib/aws-autoscaling') as typeof import('aws-cdk-lib/aws-autoscaling');
    const asg = new autoscaling.AutoScalingGroup(stack, 'Asg', {
      vpc,
      launchTemplate: new ec2.LaunchTemplate(stack, 'Template', {
        securityGroup: new ec2.SecurityGroup(stack, 'InstanceSg', { vpc }),
        instanceType: new ec2.InstanceType('t4g.small'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      }),
      minCapacity: 2,
      maxCapacity: 4,
    });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Http', { port: 80 }).addTargets('Targets', { port: 80, targets: [asg] });
    asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50 });
  },
  // The API patterns create their function as a HardenedFunction, so their floors deploy it safely too.
  'rest api -> lambda': (ours, { stack, code, safelyDeployedFn }) => {
    if (ours) {
      new ours.RestApiLambda(stack, 'Api', { code });
      return;
    }
    const apigw = require('aws-cdk-lib/aws-apigateway') as typeof import('aws-cdk-lib/aws-apigateway');
    new apigw.LambdaRestApi(stack, 'Api', { handler: safelyDeployedFn() });
  },
  'http api -> lambda': (ours, { stack, code, safelyDeployedFn }) => {
    if (ours) {
      new ours.HttpApiLambda(stack, 'Api', { code });
      return;
    }
    const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2') as typeof import('aws-cdk-lib/aws-apigatewayv2');
    const integrations = require('aws-cdk-lib/aws-apigatewayv2-integrations') as typeof import('aws-cdk-lib/aws-apigatewayv2-integrations');
    new apigwv2.HttpApi(stack, 'Api', { defaultIntegration: new integrations.HttpLambdaIntegration('Function', safelyDeployedFn()) });
  },
  'cloudfront -> s3': (ours, { stack }) => {
    if (ours) {
      new ours.StaticWebsite(stack, 'Site');
      return;
    }
    const s3 = require('aws-cdk-lib/aws-s3') as typeof import('aws-cdk-lib/aws-s3');
    const cloudfront = require('aws-cdk-lib/aws-cloudfront') as typeof import('aws-cdk-lib/aws-cloudfront');
    const origins = require('aws-cdk-lib/aws-cloudfront-origins') as typeof import('aws-cdk-lib/aws-cloudfront-origins');
    const bucket = new s3.Bucket(stack, 'Bucket');
    new cloudfront.Distribution(stack, 'Distribution', {
      defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) },
      defaultRootObject: 'index.html',
    });
  },
  // The same plain function as target, so the row measures the rule, its target and its DLQ.
  'event rule -> lambda': (ours, { stack, fn }) => {
    const pattern = { source: ['com.example.orders'] };
    if (ours) {
      new ours.EventRuleWithDeadLetterQueue(stack, 'Rule', { eventPattern: pattern }).addFunctionTarget(fn());
      return;
    }
    const events = require('aws-cdk-lib/aws-events') as typeof import('aws-cdk-lib/aws-events');
    const targets = require('aws-cdk-lib/aws-events-targets') as typeof import('aws-cdk-lib/aws-events-targets');
    const sqs = require('aws-cdk-lib/aws-sqs') as typeof import('aws-cdk-lib/aws-sqs');
    new events.Rule(stack, 'Rule', { eventPattern: pattern, targets: [new targets.LambdaFunction(fn(), { deadLetterQueue: new sqs.Queue(stack, 'Dlq') })] });
  },
  // Over a safely deployed function: invokeFunction takes a HardenedFunction.
  'step functions -> lambda': (ours, { stack, code, safelyDeployedFn }) => {
    if (ours) {
      const step = ours.StepFunctionsWorkflow.invokeFunction(stack, 'Step', new ours.HardenedFunction(stack, 'Function', { code }));
      new ours.StepFunctionsWorkflow(stack, 'Workflow', { definition: step });
      return;
    }
    const sfn = require('aws-cdk-lib/aws-stepfunctions') as typeof import('aws-cdk-lib/aws-stepfunctions');
    const tasks = require('aws-cdk-lib/aws-stepfunctions-tasks') as typeof import('aws-cdk-lib/aws-stepfunctions-tasks');
    const step = new tasks.LambdaInvoke(stack, 'Step', { lambdaFunction: safelyDeployedFn() });
    new sfn.StateMachine(stack, 'Workflow', { definitionBody: sfn.DefinitionBody.fromChainable(step) });
  },
  // Both in the same VPC with isolated subnets: the floor is a Multi-AZ DatabaseInstance there with
  // its generated secret, the setup PEERS.md measured.
  'rds database': (ours, { stack, ec2 }) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    if (ours) {
      new ours.RelationalDatabase(stack, 'Database', { vpc });
      return;
    }
    const rds = require('aws-cdk-lib/aws-rds') as typeof import('aws-cdk-lib/aws-rds');
    new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: true,
    });
  },
  // As 'rds database': both in the same VPC with isolated subnets, so the row measures the database
  // alone. The floor is the DatabaseCluster PEERS.md measured: Aurora PostgreSQL, a Serverless v2
  // writer and one reader, with its generated secret.
  'aurora database': (ours, { stack, ec2 }) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    if (ours) {
      new ours.AuroraDatabase(stack, 'Database', { vpc });
      return;
    }
    const rds = require('aws-cdk-lib/aws-rds') as typeof import('aws-cdk-lib/aws-rds');
    new rds.DatabaseCluster(stack, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_7 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
    });
  },
  // The floor users pick today: aws-cdk-lib's ecs-patterns with default props, in the same VPC.
  'alb -> fargate': (ours, { stack, ec2 }) => {
    const ecs = require('aws-cdk-lib/aws-ecs') as typeof import('aws-cdk-lib/aws-ecs');
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1 });
    if (ours) {
      new ours.AlbFargateService(stack, 'Service', { vpc, image, allowInsecureHttp: true });
      return;
    }
    const patterns = require('aws-cdk-lib/aws-ecs-patterns') as typeof import('aws-cdk-lib/aws-ecs-patterns');
    new patterns.ApplicationLoadBalancedFargateService(stack, 'Service', { vpc, taskImageOptions: { image } });
  },
  // The same keys: the floor is the TableV2 a user writes for them, with its defaults (on demand,
  // an AWS-owned key, no point-in-time recovery, no alarm).
  'dynamodb table': (ours, { stack }) => {
    const dynamodb = require('aws-cdk-lib/aws-dynamodb') as typeof import('aws-cdk-lib/aws-dynamodb');
    const keys = {
      partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    };
    if (ours) {
      new ours.DynamoDbTable(stack, 'Orders', keys);
      return;
    }
    new dynamodb.TableV2(stack, 'Orders', keys);
  },
  // Both in the same VPC with isolated subnets: the floor is what aws-cdk-lib offers, a Valkey
  // CfnReplicationGroup (it has no ElastiCache L2, aws-cdk #6908) with its subnet group in those
  // subnets and the VPC's default security group, the group the issue measured against the packs.
  'in-memory cache': (ours, { stack, ec2 }) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    if (ours) {
      new ours.InMemoryCache(stack, 'Cache', { vpc });
      return;
    }
    const elasticache = require('aws-cdk-lib/aws-elasticache') as typeof import('aws-cdk-lib/aws-elasticache');
    const subnetGroup = new elasticache.CfnSubnetGroup(stack, 'SubnetGroup', {
      description: 'The isolated subnets of the cache',
      subnetIds: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    new elasticache.CfnReplicationGroup(stack, 'Cache', {
      replicationGroupDescription: 'The cache',
      engine: 'valkey',
      cacheNodeType: 'cache.r7g.large',
      numCacheClusters: 2,
      cacheSubnetGroupName: subnetGroup.ref,
      // CloudFormation requires it set for Valkey; false is what a replication group defaults to.
      transitEncryptionEnabled: false,
    });
  },
  // Failover between two names of one zone, as a multi-region app routes them. The floor is what a
  // user writes with aws-cdk-lib: a HealthCheck per endpoint and the two failover alias records.
  'dns routing': (ours, { cdk, stack }) => {
    const route53 = require('aws-cdk-lib/aws-route53') as typeof import('aws-cdk-lib/aws-route53');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' });
    const names = ['app-us-east-1.example.com', 'app-us-west-2.example.com'];
    if (ours) {
      new ours.DnsRouting(stack, 'App', {
        hostedZone: zone,
        recordName: 'app.example.com',
        endpoints: names.map((name) => ours.RoutingEndpoint.fromDomainName(name, { healthCheckPath: '/health' })),
      });
      return;
    }
    for (const [i, name] of names.entries()) {
      const healthCheck = new route53.HealthCheck(stack, `HealthCheck${i}`, {
        type: route53.HealthCheckType.HTTPS,
        fqdn: name,
        resourcePath: '/health',
        requestInterval: cdk.Duration.seconds(30),
      });
      new route53.ARecord(stack, `Record${i}`, {
        zone,
        recordName: 'app.example.com',
        failover: i === 0 ? route53.Failover.PRIMARY : route53.Failover.SECONDARY,
        healthCheck,
        target: route53.RecordTarget.fromAlias({ bind: () => ({ dnsName: name, hostedZoneId: zone.hostedZoneId, evaluateTargetHealth: true }) }),
      });
    }
  },
  'hardened function': (ours, { stack, code, safelyDeployedFn }) => {
    if (ours) {
      new ours.HardenedFunction(stack, 'Function', { code });
      return;
    }
    safelyDeployedFn();
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const SCENARIOS = Object.keys(BUILDERS);

if (require.main === module) {
  if (scenario === 'import') {
    measureImport();
  } else {
    measureScenario();
  }
}
