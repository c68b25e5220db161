import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, EC2Client, SecurityGroup } from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { deployStack, DeployedStack, logicalIdsOfType, motoClientConfig, only, physicalId } from './moto-server';
import { DeploymentStage, HardenedFunction, InMemoryCache, MultiAzVpc } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const ec2 = new EC2Client(motoClientConfig());
const logsClient = new CloudWatchLogsClient(motoClientConfig());
const lambdaClient = new LambdaClient(motoClientConfig());

// moto 5.2.1 has no ElastiCache in its CloudFormation: it skips the replication group, its subnet
// group, the serverless cache, the users and the user groups (forMoto stands in for what other resources read of them). It
// skips alarms, network ACLs (the VPC's isolated tier), queue and topic policies and, for the
// HardenedFunction client, its alias, version, CodeDeploy application and group and
// asynchronous-invocation config. It applies the security group ingress rule (read back below)
// but reports no physical id for it, so it is listed here too.
const SKIPPED = [
  'AWS::CloudWatch::Alarm',
  'AWS::CodeDeploy::Application',
  'AWS::CodeDeploy::DeploymentGroup',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::ElastiCache::SubnetGroup',
  'AWS::ElastiCache::User',
  'AWS::ElastiCache::UserGroup',
  'AWS::Lambda::Alias',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Version',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
];

let stack: Stack;
let deployed: DeployedStack;
let cache: InMemoryCache;
let serverless: InMemoryCache;
let client: HardenedFunction;
let network: MultiAzVpc;

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);

async function securityGroup(groupId: string): Promise<SecurityGroup> {
  const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return SecurityGroups[0];
}

beforeAll(async () => {
  const app = newApp({ stageAssets: true });
  // What `cdk deploy` would have looked up and saved in cdk.context.json for this account.
  app.node.setContext(`availability-zones:account=${TEST_ENV.account}:region=${TEST_ENV.region}`, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  stack = new Stack(app, 'EmulatorInMemoryCache', { env: TEST_ENV });
  const stage = DeploymentStage.PROD;
  network = new MultiAzVpc(stack, 'Network', { stage });
  cache = new InMemoryCache(stack, 'Sessions', { vpc: network.vpc, stage });
  // And a DEV cache, serverless, beside it: what the harness must stand in for differs.
  serverless = new InMemoryCache(stack, 'Drafts', { vpc: network.vpc, stage: DeploymentStage.DEV });
  client = new HardenedFunction(stack, 'Api', {
    stage,
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    vpc: network.vpc,
    environment: {
      CACHE_HOST: cache.endpoint.hostname,
      CACHE_PORT: String(cache.endpoint.port),
      CACHE_USER: cache.endpoint.userName,
      DRAFTS_HOST: serverless.endpoint.hostname,
    },
  });
  for (const each of [cache, serverless]) {
    each.allowConnectionsFrom(client);
    each.grantConnect(client);
  }
  // What an application stack exports for its clients elsewhere.
  new CfnOutput(stack, 'CacheHost', { value: cache.endpoint.hostname });
  deployed = await deployStack(stack, 'EmulatorInMemoryCache', SKIPPED);
}, 120_000);

test('PROD is node-based, DEV serverless, and every ElastiCache resource is skipped (moto has no ElastiCache in CloudFormation)', () => {
  expect(cache.replicationGroup).toBeDefined();
  expect(cache.serverlessCache).toBeUndefined();
  expect(serverless.serverlessCache).toBeDefined();
  const elastiCache = deployed.resources.filter((r) => r.type.startsWith('AWS::ElastiCache::'));
  expect(elastiCache.map((r) => r.type).sort()).toEqual([
    'AWS::ElastiCache::ReplicationGroup', 'AWS::ElastiCache::ServerlessCache', 'AWS::ElastiCache::SubnetGroup',
    'AWS::ElastiCache::User', 'AWS::ElastiCache::User', 'AWS::ElastiCache::UserGroup', 'AWS::ElastiCache::UserGroup',
  ]);
  expect(elastiCache.every((r) => r.physicalId === '')).toBe(true);
});

test("what reads the caches gets what CloudFormation would return (the client's endpoint variables, the grants' ARNs); an output reading one is removed; each is said", () => {
  const group = stack.getLogicalId(cache.replicationGroup!);
  const user = stack.getLogicalId(cache.applicationUser);
  const serverlessCache = stack.getLogicalId(serverless.serverlessCache!);
  const serverlessUser = stack.getLogicalId(serverless.applicationUser);
  const grant = only(logicalIdsOfType(deployed, 'AWS::IAM::ManagedPolicy')
    .filter((id) => JSON.stringify(deployed.template.Resources[id]).includes('elasticache:Connect')), 'policy granting elasticache:Connect');
  const stoodIn = (reader: string, reference: string) => `${reader}: its references to ${reference} are the values CloudFormation would return,`
    + " from the names the template gives them (moto's CloudFormation has no ElastiCache)";
  const changed = deployed.changedForMoto.filter((change) => !/^PatternOperationsDashboard[0-9A-F]{8}: the ARNs of its \d+ alarms are literal/.test(change));
  expect(changed.sort()).toEqual([
    stoodIn(logicalId(client.lambdaFunction), [`${group}.PrimaryEndPoint.Address`, `${serverlessCache}.Endpoint.Address`].sort().join(', ')),
    stoodIn(grant, [`${user}.Arn`, `${serverlessCache}.ARN`, `${serverlessUser}.Arn`].sort().join(', ')),
    `output CacheHost: removed, it reads ${group}.PrimaryEndPoint.Address (AWS::ElastiCache::ReplicationGroup), which moto's CloudFormation does not have`,
  ].sort());
  expect(deployed.changedForMoto).toHaveLength(4);
});

test("the client's function deploys in the VPC with the endpoints the harness stood in, the port and the user name", async () => {
  const functionName = physicalId(deployed, logicalId(client.lambdaFunction));
  const configuration = await lambdaClient.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const name = cache.endpoint.userName;
  expect(configuration.Environment?.Variables).toMatchObject({
    CACHE_HOST: `master.${name}.moto.use1.cache.amazonaws.com`,
    CACHE_PORT: '6379',
    CACHE_USER: name,
    DRAFTS_HOST: `${serverless.endpoint.userName}-moto.serverless.use1.cache.amazonaws.com`,
  });
  expect(configuration.VpcConfig?.SubnetIds).toHaveLength(3);
});

// moto's CloudFormation SecurityGroup reads only SecurityGroupIngress and keeps EC2's default
// allow-all egress rule (moto/ec2/models/security_groups.py, create_from_cloudformation_json), so
// "no egress" is proven on the template here and by the unit tests, not by moto.
test("the cache's security group exists in the VPC and admits only the client's security group, on 6379; its egress is template-only", async () => {
  const groupLogicalId = logicalId(cache.securityGroup);
  const group = await securityGroup(physicalId(deployed, groupLogicalId));
  const clientGroupId = physicalId(deployed, stack.getLogicalId(client.lambdaFunction.connections.securityGroups[0].node.defaultChild as any));
  expect(group.VpcId).toBe(physicalId(deployed, stack.getLogicalId(network.vpc.node.defaultChild as any)));
  expect(group.IpPermissions).toEqual([expect.objectContaining({
    IpProtocol: 'tcp',
    FromPort: 6379,
    ToPort: 6379,
    IpRanges: [],
    UserIdGroupPairs: [expect.objectContaining({ GroupId: clientGroupId })],
  })]);
  // aws-cdk-lib's rule for allowAllOutbound: false, which matches no traffic.
  expect(deployed.template.Resources[groupLogicalId].Properties.SecurityGroupEgress).toEqual([
    { CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 },
  ]);
  // If moto starts applying SecurityGroupEgress, this fails and the egress moves to docs/TESTING.md's runtime list.
  expect(group.IpPermissionsEgress).toEqual([expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] })]);
});

test("the serverless cache's security group admits the client on 6379 and on the reader endpoint's 6380, nothing else", async () => {
  const group = await securityGroup(physicalId(deployed, logicalId(serverless.securityGroup)));
  const clientGroupId = physicalId(deployed, stack.getLogicalId(client.lambdaFunction.connections.securityGroups[0].node.defaultChild as any));
  const rules = (group.IpPermissions ?? [])
    .map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort, rule.IpRanges, rule.UserIdGroupPairs?.map((pair) => pair.GroupId)]);
  expect(rules.sort()).toEqual([['tcp', 6379, 6379, [], [clientGroupId]], ['tcp', 6380, 6380, [], [clientGroupId]]]);
});

test('the engine and slow log groups exist under /aws/vendedlogs/elasticache/ with one year of retention; their key is template-only', async () => {
  const { logGroups = [] } = await logsClient.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/elasticache/' }));
  const name = cache.endpoint.userName;
  // Named with the first block of the stack's id, which CloudFormation draws for each stack it creates.
  expect(logGroups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual([
    [expect.stringMatching(new RegExp(`^/aws/vendedlogs/elasticache/${name}-[0-9a-f]{8}/engine-log$`)), 365],
    [expect.stringMatching(new RegExp(`^/aws/vendedlogs/elasticache/${name}-[0-9a-f]{8}/slow-log$`)), 365],
  ]);
  // moto keeps the retention but not the KMS key a CloudFormation log group names: the key stays
  // template-only (the unit tests assert it).
  expect(logGroups.map((g) => g.kmsKeyId)).toEqual([undefined, undefined]);
});
