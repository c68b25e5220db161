import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  AlbFargateService, DnsRouting, DynamoDbTable, GuardedKey, MultiAzVpc, NagPacks, RoutingEndpoint, RoutingPolicy,
} from 'cdk-best-practice-patterns';

/**
 * The multi-region example: the same web tier in two regions, one table replicated between them,
 * and one name that fails over from the primary region to the secondary on a health check.
 *
 * Four stacks, deployed in one `cdk deploy --all`. What a stack needs from another region crosses
 * in one of two ways:
 * - as a weak reference (the replica key's ARN): aws-cdk-lib writes
 *   `Fn::GetStackOutput`, which CloudFormation reads from the other region's stack at deploy time
 *   (cdk.json's `@aws-cdk/core:defaultCrossStackReferences: weak`, the default of new projects);
 * - as a plain value, which both stacks know at synth: each region's domain name (the routing
 *   names each region by the name its certificate covers, so the health check's TLS matches) and
 *   the table's name (a replica has its table's name; aws-cdk-lib cannot refer to a generated
 *   table name from another region, it would fix one itself).
 *
 *   MultiRegionReplicaKey  us-west-2  the key of the table's replica in us-west-2     deploy 1st
 *   MultiRegionPrimary     us-east-1  the web tier, and the table with its replica     2nd
 *   MultiRegionSecondary   us-west-2  the web tier, reading the replica                2nd (beside the primary)
 *   MultiRegionDns         us-east-1  app.<zone>, failing over, health checks, alarms  last
 */

const PRIMARY_REGION = 'us-east-1';
/**
 * The table's fixed name, which its replica shares: the secondary region's tasks and policy are
 * handed this string.
 */
const TABLE_NAME = 'multi-region-example-visits';
const SECONDARY_REGION = 'us-west-2';
/** The load balancer's target health check: the task's process answers. */
const HEALTH_PATH = '/health';
/** Route 53's health check: the region can serve, its replica of the table answers a read. */
const READY_PATH = '/ready';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.
//
// The public hosted zone everything is named in: `-c hostedZoneId=Z... -c zoneName=example.com`.
// Without them the app synthesizes with a placeholder zone, so `cdk synth` works offline; no
// deployment can use it (the README says how to deploy).
const PLACEHOLDER_ZONE = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };
const hostedZoneId: string = app.node.tryGetContext('hostedZoneId') ?? PLACEHOLDER_ZONE.hostedZoneId;
const zoneName: string = app.node.tryGetContext('zoneName') ?? PLACEHOLDER_ZONE.zoneName;

// The account the CLI resolved from your credentials, if any; the regions are fixed, since the
// example is about which region does what.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const description = 'cdk-best-practice-patterns example: one web tier in two regions, failing over by DNS';

/** The name each region's load balancer answers on by itself: its health check's target. */
const regionalName = (region: string) => `app-${region}.${zoneName}`;
/** The name users use: DnsRouting's failover records, in the routing stack. */
const routedName = `app.${zoneName}`;

/**
 * The web tier of one region: its own VPC and an AlbFargateService, answering on its regional
 * name (with an alias record) and on the routed name (a name its certificate covers, whose records
 * are DnsRouting's). Its tasks use the table (or its replica) in their own region, TABLE_NAME.
 */
class WebTierStack extends Stack {
  public readonly service: AlbFargateService;
  /** The regional name, `app-<region>.<zone>`. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, region: string, role: string) {
    super(scope, id, { env: { account, region }, description: `${description}: the web tier in ${region} (${role})` });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId, zoneName });
    const network = new MultiAzVpc(this, 'Network');
    this.domainName = regionalName(region);
    // The image is built from ./app at deploy time (`cdk deploy` needs Docker; `cdk synth` does
    // not), for ARM64, and pushed to each region's bootstrap repository.
    this.service = new AlbFargateService(this, 'Service', {
      vpc: network.vpc,
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'app'), { platform: ecrAssets.Platform.LINUX_ARM64 }),
      healthCheckPath: HEALTH_PATH,
      domainName: this.domainName,
      hostedZone,
      // The routed name reaches this load balancer after a failover too: its certificate must
      // cover it, or browsers refuse the secondary region's answer.
      alternativeDomainNames: [routedName],
      environment: { TABLE_NAME, TABLE_REGION: region },
    });
    new CfnOutput(this, 'RegionalUrl', { value: `https://${this.domainName}`, description: 'The web tier of this region alone, bypassing the failover' });
  }
}

// 1. The key of the replica in us-west-2. A KMS key is regional, so the replica needs one of its
// own region, which the table's stack (us-east-1) reads as a weak reference. A stack of its own:
// the key must outlive the web tier there (a replica whose key is gone is unreadable), and it is
// deployed before the table's stack.
const keyStack = new Stack(app, 'MultiRegionReplicaKey', {
  env: { account, region: SECONDARY_REGION },
  description: `${description}: the key of the table's replica in ${SECONDARY_REGION}`,
});
const replicaKey = new GuardedKey(keyStack, 'TableReplicaKey', {
  description: `Encrypts the ${SECONDARY_REGION} replica of the multi-region example's table`,
  alias: 'multi-region-example-visits',
});

// 2. The primary region: the web tier and the table, replicated to the secondary region. Both
// replicas take writes (a global table is multi-active); the README says what that means.
const primary = new WebTierStack(app, 'MultiRegionPrimary', PRIMARY_REGION, 'primary');
const table = new DynamoDbTable(primary, 'Table', {
  tableName: TABLE_NAME,
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  replicaRegions: [SECONDARY_REGION],
  // A weak reference to the key stack in us-west-2: Fn::GetStackOutput, read at deploy time.
  replicaKeyArns: { [SECONDARY_REGION]: replicaKey.keyArn },
});
// The table and its replica, with their keys, in the task role's managed policy.
table.grantReadWriteData(primary.service.taskRole);
primary.addStackDependency(keyStack, `the table's replica in ${SECONDARY_REGION} is encrypted with that stack's key`);

// 3. The secondary region: the same web tier, already running, reading and writing the replica.
// The table is not this stack's (its replica is created by the primary stack), so the access is a
// policy of its own naming the replica, and its key: the actions the primary's grantReadWriteData
// gives, on nothing else, naming the replica by the table's fixed name.
const secondary = new WebTierStack(app, 'MultiRegionSecondary', SECONDARY_REGION, 'secondary, the failover target');
new iam.ManagedPolicy(secondary, 'ServiceUsesReplica', {
  description: `The ${SECONDARY_REGION} web tier reads and writes its region's replica of the table`,
  roles: [secondary.service.taskRole],
  statements: [
    new iam.PolicyStatement({
      actions: ['BatchGetItem', 'GetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable', 'BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem']
        .map((action) => `dynamodb:${action}`),
      resources: [secondary.formatArn({ service: 'dynamodb', resource: 'table', resourceName: TABLE_NAME })],
    }),
    // The key stack is in this region: a reference within one region, as any split app has.
    new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [replicaKey.keyArn] }),
  ],
});

// 4. The routed name, in us-east-1 (where Route 53 publishes its health checks' metrics, so their
// alarms can fire): app.<zone> answers with the primary region while its /ready passes from the
// checkers, else with the secondary. Each region is given by the name it answers on, a plain value.
const dnsStack = new Stack(app, 'MultiRegionDns', {
  env: { account, region: PRIMARY_REGION },
  description: `${description}: the failover name, its health checks and their alarms`,
});
const routing = new DnsRouting(dnsStack, 'App', {
  hostedZone: route53.HostedZone.fromHostedZoneAttributes(dnsStack, 'Zone', { hostedZoneId, zoneName }),
  recordName: routedName,
  policy: RoutingPolicy.FAILOVER,
  endpoints: [
    RoutingEndpoint.fromDomainName(primary.domainName, { healthCheckPath: READY_PATH }),
    RoutingEndpoint.fromDomainName(secondary.domainName, { healthCheckPath: READY_PATH }),
  ],
});
// The failover records alias the regional names, which the web tier stacks create.
dnsStack.addStackDependency(primary, `${primary.domainName} is that stack's record`);
dnsStack.addStackDependency(secondary, `${secondary.domainName} is that stack's record`);
new CfnOutput(dnsStack, 'Url', { value: routing.url, description: 'The primary region while it is healthy, else the secondary' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
