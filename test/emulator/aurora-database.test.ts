import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, EC2Client, SecurityGroup } from '@aws-sdk/client-ec2';
import { DescribeDBClusterParameterGroupsCommand, DescribeDBClustersCommand, DescribeDBSubnetGroupsCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { deployStack, DeployedStack, forMoto, logicalIdsOfType, motoClientConfig, only, physicalId } from './moto-server';
import { AuroraDatabase, DatabaseEngine, DeploymentStage, MultiAzVpc } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const ec2Client = new EC2Client(motoClientConfig());
const rdsClient = new RDSClient(motoClientConfig());
const logsClient = new CloudWatchLogsClient(motoClientConfig());
const secretsManager = new SecretsManagerClient(motoClientConfig());

// What moto's CloudFormation does not deploy in both stacks: alarms, network ACLs (the VPC's
// isolated tier), the alarm topic's policy; Aurora itself: moto 5.2.1 has no AWS::RDS::DBCluster
// or AWS::RDS::DBClusterParameterGroup (it skips both unread: "No Moto CloudFormation support"),
// and the harness removes the cluster's instances, on which moto crashes (forMoto,
// removeClusterInstances), so they are listed too. The subnet group moto creates (read back below)
// but reports no physical id for.
const SKIPPED_BOTH = [
  'AWS::CloudWatch::Alarm',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBClusterParameterGroup',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBSubnetGroup',
  'AWS::SNS::TopicPolicy',
];
// And with the proxy: moto has no AWS::RDS::DBProxy or AWS::RDS::DBProxyTargetGroup in its
// CloudFormation. It applies the standalone ingress and egress rules between the proxy, the
// database and the client (read back below) but reports no physical id for them.
const SKIPPED_WITH_PROXY = [
  ...SKIPPED_BOTH,
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::RDS::DBProxy',
  'AWS::RDS::DBProxyTargetGroup',
];

interface Deployment {
  readonly stack: Stack;
  readonly deployed: DeployedStack;
  readonly database: AuroraDatabase;
  readonly network: MultiAzVpc;
  readonly client?: ec2.SecurityGroup;
}

let prod: Deployment;
let dev: Deployment;

function logicalId(deployment: Deployment, construct: { node: { defaultChild?: unknown } }): string {
  return deployment.stack.getLogicalId(construct.node.defaultChild as any);
}

/** The identifier the template gives the cluster, which names its log groups. */
function clusterIdentifier(deployment: Deployment): string {
  return deployment.deployed.template.Resources[logicalId(deployment, deployment.database.cluster)].Properties.DBClusterIdentifier;
}

async function securityGroup(groupId: string): Promise<SecurityGroup> {
  const { SecurityGroups = [] } = await ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return only(SecurityGroups, `security group ${groupId}`);
}

/** A security group's ingress rules as [protocol, from, to, CIDR ranges, source groups]. */
function ingressOf(group: SecurityGroup) {
  return (group.IpPermissions ?? [])
    .map((rule) => [rule.IpProtocol, rule.FromPort, rule.ToPort, rule.IpRanges, (rule.UserIdGroupPairs ?? []).map((pair) => pair.GroupId).sort()]);
}

/**
 * A call to a moto service the project has no SDK client for (KMS, IAM): moto does not check
 * signatures, and routes by the service its Authorization header's credential scope names.
 */
async function motoCall(service: 'kms' | 'iam', action: string, parameters: Record<string, string>): Promise<string> {
  const authorization = `AWS4-HMAC-SHA256 Credential=testing/20260101/${TEST_ENV.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  const request: { headers: Record<string, string>; body: string } = service === 'kms'
    ? { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}` }, body: JSON.stringify(parameters) }
    : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...parameters }).toString() };
  const response = await fetch(`${motoClientConfig().endpoint}/`, { method: 'POST', headers: { ...request.headers, authorization }, body: request.body });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto refused ${service}:${action}: ${response.status} ${text}`);
  return text;
}

async function kms(action: string, keyId: string): Promise<any> {
  return JSON.parse(await motoCall('kms', action, { KeyId: keyId, ...(action === 'GetKeyPolicy' ? { PolicyName: 'default' } : {}) }));
}

/** A role's trust policy and the ARNs of the managed policies attached to it, as moto's IAM keeps them. */
async function role(roleName: string): Promise<{ trust: any; attached: string[] }> {
  const got = await motoCall('iam', 'GetRole', { RoleName: roleName });
  const document = /<AssumeRolePolicyDocument>([^<]*)<\/AssumeRolePolicyDocument>/.exec(got)?.[1];
  if (document === undefined) throw new Error(`moto's GetRole ${roleName} answered without a trust policy: ${got}`);
  const attached = await motoCall('iam', 'ListAttachedRolePolicies', { RoleName: roleName });
  return {
    trust: JSON.parse(decodeURIComponent(document.replace(/&quot;/g, '"'))),
    attached: [...attached.matchAll(/<PolicyArn>([^<]*)<\/PolicyArn>/g)].map(([, arn]) => arn).sort(),
  };
}

async function deploy(name: string, stage: DeploymentStage, engine: DatabaseEngine, proxy: boolean, skipped: string[]): Promise<Deployment> {
  const app = newApp({ stageAssets: true });
  // What `cdk deploy` would have looked up and saved in cdk.context.json for this account.
  app.node.setContext(`availability-zones:account=${TEST_ENV.account}:region=${TEST_ENV.region}`, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  const stack = new Stack(app, name, { env: TEST_ENV });
  const network = new MultiAzVpc(stack, 'Network', { stage });
  const database = new AuroraDatabase(stack, 'Database', { vpc: network.vpc, stage, engine, proxy });
  let client: ec2.SecurityGroup | undefined;
  if (proxy) {
    // A client of the database and its proxy, as an application's function or task would be.
    client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc, description: 'A client of the database' });
    database.allowConnectionsFrom(client);
  }
  return { stack, deployed: await deployStack(stack, name, skipped), database, network, client };
}

beforeAll(async () => {
  // The defaults in PROD (Aurora PostgreSQL, a provisioned writer and a reader), and in DEV Aurora
  // MySQL (Serverless v2, no reader) behind a proxy with a client allowed in.
  prod = await deploy('EmulatorAuroraDatabaseProd', DeploymentStage.PROD, DatabaseEngine.POSTGRES, false, SKIPPED_BOTH);
  dev = await deploy('EmulatorAuroraDatabaseDevMysql', DeploymentStage.DEV, DatabaseEngine.MYSQL, true, SKIPPED_WITH_PROXY);
}, 120_000);

/** The harness's sentence for a dashboard that names the cluster (its metrics' DBClusterIdentifier dimension). */
function dashboardReadsCluster(deployment: Deployment): string {
  const dashboard = only(logicalIdsOfType(deployment.deployed, 'AWS::CloudWatch::Dashboard'), 'dashboard');
  return `${logicalId(deployment, deployment.database.cluster)}: read by ${dashboard} as the values CloudFormation would return, from its`
    + ` DBClusterIdentifier (moto's CloudFormation has no AWS::RDS::DBCluster): Ref ${clusterIdentifier(deployment)}`;
}

test('moto cannot create the cluster: the harness removes its instances and says so, moto skips the cluster; both stay in the synthesized template', () => {
  const cluster = logicalId(prod, prod.database.cluster);
  const [writer, reader] = [prod.database.writer, ...prod.database.readers].map((instance) => logicalId(prod, instance));
  expect(logicalIdsOfType(prod.deployed, 'AWS::RDS::DBInstance').sort()).toEqual([writer, reader].sort());
  const alarms = /^PatternOperationsDashboard[0-9A-F]{8}: the ARNs of its \d+ alarms are literal \(moto skips alarms\)$/;
  // The dashboard names the cluster by Ref, which moto resolves to nothing: the harness writes the identifier.
  expect(prod.deployed.changedForMoto).toEqual([
    expect.stringMatching(alarms),
    `${cluster}: its instances ${writer}, ${reader} are removed (moto 5.2.1's DBInstance drops DBClusterIdentifier and crashes CreateStack`
    + ' on aurora-postgresql, which it has no default version for)',
    dashboardReadsCluster(prod),
  ]);
  for (const id of [cluster, writer, reader]) {
    expect(prod.deployed.resources.find((r) => r.logicalId === id)).toMatchObject({ physicalId: '' });
  }

  const devCluster = logicalId(dev, dev.database.cluster);
  const devWriter = logicalId(dev, dev.database.writer);
  const targetGroup = only(logicalIdsOfType(dev.deployed, 'AWS::RDS::DBProxyTargetGroup'), 'proxy target group');
  const proxyPolicy = only(logicalIdsOfType(dev.deployed, 'AWS::IAM::ManagedPolicy').filter((id) => id.startsWith('DatabaseProxyRolePolicy')), 'proxy role policy');
  // The proxy's target group waits for the writer in the template; not once the writer is gone.
  expect(dev.deployed.template.Resources[targetGroup].DependsOn).toContain(devWriter);
  expect(dev.deployed.changedForMoto).toEqual([
    expect.stringMatching(alarms),
    `${devCluster}: its instances ${devWriter} are removed (moto 5.2.1's DBInstance drops DBClusterIdentifier and crashes CreateStack`
    + ' on aurora-mysql, which it has no default version for)',
    `${targetGroup}: no longer DependsOn the removed cluster instances`,
    // The proxy's target group (skipped by moto unread) keeps its Ref to the cluster.
    dashboardReadsCluster(dev),
    `${devCluster}.MasterUserSecret.SecretArn: read by ${proxyPolicy}, ${logicalId(dev, dev.database.proxy!)}; it is the ARN of a stand-in secret`
    + " the harness created through the Secrets Manager API (moto's CloudFormation creates none)",
  ]);
});

// The harness's rule on its own (forMoto, removeClusterInstances), on templates written here.
test('the removal is refused where a resource moto reads names an instance, and drops outputs and DependsOn that name one', () => {
  const instance = { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'Cluster' }, Engine: 'aurora-postgresql' } };
  const original = {
    Resources: {
      Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql' } },
      Writer: instance,
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: 'Writer' } }] } },
      Standalone: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres' } },
      Waiter: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'x' }, DependsOn: ['Writer', 'Cluster'] },
    },
    Outputs: { Host: { Value: { 'Fn::GetAtt': ['Writer', 'Endpoint.Address'] } }, Cluster: { Value: { Ref: 'Cluster' } } },
  };
  // An alarm is skipped by moto unread, so it may keep its reference; a standalone instance is left alone.
  const motoResolves = (references: Array<[string, string | undefined]>) => references.map(([type]) => type !== 'AWS::CloudWatch::Alarm');
  const { template, changed } = forMoto(original, { motoResolves });
  expect(Object.keys(template.Resources).sort()).toEqual(['Alarm', 'Cluster', 'Standalone', 'Waiter']);
  expect(template.Resources.Waiter.DependsOn).toEqual(['Cluster']);
  expect(Object.keys(template.Outputs)).toEqual(['Cluster']);
  expect(changed).toEqual([
    "Cluster: its instances Writer are removed (moto 5.2.1's DBInstance drops DBClusterIdentifier and crashes CreateStack on aurora-postgresql,"
    + ' which it has no default version for)',
    'Waiter: no longer DependsOn the removed cluster instances',
    'output Host: removed, it reads Writer.Endpoint.Address, an instance of an Aurora cluster the harness removed',
  ]);
  expect(original.Resources.Writer).toBe(instance);

  const reader = { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::GetAtt': ['Writer', 'Endpoint.Address'] } } };
  expect(() => forMoto({ Resources: { Writer: instance, Reader: reader } }, { motoResolves }))
    .toThrow('Reader (AWS::SSM::Parameter) reads Writer.Endpoint.Address, an instance of an Aurora cluster, which the harness removes for moto'
      + ' (it crashes on one) and cannot stand in for');
});

test('no cluster reaches moto: DescribeDBClusters and DescribeDBClusterParameterGroups find none of the stacks\'', async () => {
  // If moto starts deploying Aurora, this fails (and the skipped lists with it): the cluster then
  // moves from docs/TESTING.md's template-only list to the emulator's.
  const { DBClusters = [] } = await rdsClient.send(new DescribeDBClustersCommand({}));
  const identifiers = DBClusters.map((c) => c.DBClusterIdentifier);
  expect(identifiers).not.toContain(clusterIdentifier(prod));
  expect(identifiers).not.toContain(clusterIdentifier(dev));
  expect(clusterIdentifier(prod)).toMatch(/^emulatorauroradatabaseprod-database-[0-9a-f]{8}$/);
  const { DBClusterParameterGroups = [] } = await rdsClient.send(new DescribeDBClusterParameterGroupsCommand({}));
  expect(DBClusterParameterGroups.filter((g) => /^Refuses connections without TLS/.test(g.Description ?? ''))).toEqual([]);
  // The TLS parameters are in the template (and asserted by test/data/aurora-database.test.ts).
  const parameters = (deployment: Deployment) => deployment.deployed.template.Resources[
    only(logicalIdsOfType(deployment.deployed, 'AWS::RDS::DBClusterParameterGroup'), 'cluster parameter group')].Properties;
  expect(parameters(prod)).toMatchObject({ Family: 'aurora-postgresql17', Parameters: { 'rds.force_ssl': '1' } });
  expect(parameters(dev)).toMatchObject({ Family: 'aurora-mysql8.0', Parameters: { require_secure_transport: 'ON' } });
});

test('the subnet group spans exactly the isolated subnets of the VPC, in three Availability Zones', async () => {
  for (const deployment of [prod, dev]) {
    const { DBSubnetGroups = [] } = await rdsClient.send(new DescribeDBSubnetGroupsCommand({}));
    const description = `The isolated subnets of ${deployment.stack.stackName}/Database`;
    const group = only(DBSubnetGroups.filter((g) => g.DBSubnetGroupDescription === description), `subnet group described "${description}"`);
    const isolated = deployment.network.vpc.isolatedSubnets.map((subnet) => physicalId(deployment.deployed, logicalId(deployment, subnet)));
    expect(isolated).toHaveLength(3);
    expect(group.Subnets!.map((s) => s.SubnetIdentifier).sort()).toEqual([...isolated].sort());
    expect(group.VpcId).toBe(physicalId(deployment.deployed, logicalId(deployment, deployment.network.vpc)));
    expect(new Set(group.Subnets!.map((s) => s.SubnetAvailabilityZone?.Name)).size).toBe(3);
  }
});

// moto's CloudFormation SecurityGroup reads only SecurityGroupIngress and keeps EC2's default
// allow-all egress rule, so "no egress" is proven on the template here and by the unit tests.
test("PROD's security group is in the VPC without ingress; its egress is template-only", async () => {
  const groupLogicalId = logicalId(prod, prod.database.securityGroup);
  const group = await securityGroup(physicalId(prod.deployed, groupLogicalId));
  expect(group.VpcId).toBe(physicalId(prod.deployed, logicalId(prod, prod.network.vpc)));
  expect(group.IpPermissions).toEqual([]);
  expect(prod.deployed.template.Resources[groupLogicalId].Properties.SecurityGroupEgress).toEqual([
    { CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 },
  ]);
  // If moto starts applying SecurityGroupEgress, this fails and the egress moves to docs/TESTING.md's runtime list.
  expect(group.IpPermissionsEgress).toEqual([expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] })]);
});

test('with a proxy and a client allowed in, the database admits only the proxy and the client on 3306, and the proxy only the client', async () => {
  const databaseGroup = await securityGroup(physicalId(dev.deployed, logicalId(dev, dev.database.securityGroup)));
  const proxyGroupId = physicalId(dev.deployed, logicalId(dev, dev.database.proxy!.connections.securityGroups[0]));
  const clientGroupId = physicalId(dev.deployed, logicalId(dev, dev.client!));
  expect(dev.database.port).toBe(3306);
  expect(ingressOf(databaseGroup)).toEqual([['tcp', 3306, 3306, [], [clientGroupId, proxyGroupId].sort()]]);
  const proxyGroup = await securityGroup(proxyGroupId);
  expect(ingressOf(proxyGroup)).toEqual([['tcp', 3306, 3306, [], [clientGroupId]]]);
  // The proxy's one egress rule, to the database on 3306, is a standalone AWS::EC2::SecurityGroupEgress,
  // which moto does not apply: the group keeps EC2's default allow-all. So the rule is template-only;
  // if moto starts applying it, this fails and the rule moves to docs/TESTING.md's runtime list.
  const databaseGroupLogicalId = logicalId(dev, dev.database.securityGroup);
  const egress = only(logicalIdsOfType(dev.deployed, 'AWS::EC2::SecurityGroupEgress'), 'egress rule');
  expect(dev.deployed.template.Resources[egress].Properties).toMatchObject({
    GroupId: { 'Fn::GetAtt': [logicalId(dev, dev.database.proxy!.connections.securityGroups[0]), 'GroupId'] },
    DestinationSecurityGroupId: { 'Fn::GetAtt': [databaseGroupLogicalId, 'GroupId'] },
    IpProtocol: 'tcp',
    FromPort: 3306,
    ToPort: 3306,
  });
  expect(proxyGroup.IpPermissionsEgress).toEqual([expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [] })]);
});

test('the exported log groups exist under /aws/rds/cluster/<identifier>/ with their retention; their key is template-only', async () => {
  const groups = async (deployment: Deployment) => {
    const { logGroups = [] } = await logsClient.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/rds/cluster/${clusterIdentifier(deployment)}/` }));
    return logGroups;
  };
  const prodGroups = await groups(prod);
  expect(prodGroups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual(['iam-db-auth-error', 'postgresql']
    .map((log) => [`/aws/rds/cluster/${clusterIdentifier(prod)}/${log}`, 365]));
  const devGroups = await groups(dev);
  expect(devGroups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual(['audit', 'error', 'iam-db-auth-error', 'slowquery']
    .map((log) => [`/aws/rds/cluster/${clusterIdentifier(dev)}/${log}`, 30]));
  // moto keeps the retention but not the KMS key a CloudFormation log group names: the key stays
  // template-only (the unit tests assert it). If moto starts keeping it, this fails.
  expect([...prodGroups, ...devGroups].map((g) => g.kmsKeyId)).toEqual(Array(6).fill(undefined));
});

// moto 5.2.1 keeps a CloudFormation key's KeyPolicy as an object, and every KMS call that checks
// the policy (DescribeKey, Encrypt, ...) crashes on it (json.loads of a dict, moto/kms/policy_validator.py):
// GetKeyRotationStatus and GetKeyPolicy do not check it.
test('the storage and log keys exist, rotate, and carry their policies: the account, no grants but for AWS resources, CloudWatch Logs on the log key', async () => {
  for (const deployment of [prod, dev]) {
    const storageKey = logicalId(deployment, deployment.database.encryptionKey as any);
    const keys = logicalIdsOfType(deployment.deployed, 'AWS::KMS::Key').filter((id) => id.startsWith('Database'));
    expect(keys.sort()).toEqual([storageKey, expect.stringMatching(/^DatabaseLogKey/)].sort());
    for (const id of keys) {
      const keyId = physicalId(deployment.deployed, id);
      expect(await kms('GetKeyRotationStatus', keyId)).toEqual({ KeyRotationEnabled: true });
      const { Policy } = await kms('GetKeyPolicy', keyId);
      const statements = (typeof Policy === 'string' ? JSON.parse(Policy) : Policy).Statement;
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Allow', Action: 'kms:*', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` } }),
        expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' }),
      ]));
      const logs = statements.filter((statement: any) => statement.Principal?.Service === `logs.${TEST_ENV.region}.amazonaws.com`);
      expect(logs).toHaveLength(id === storageKey ? 0 : 1);
    }
  }
});

// moto's CloudFormation Role reads AssumeRolePolicyDocument and Policies, not ManagedPolicyArns
// (moto/iam/models.py, Role.create_from_cloudformation_json).
test('the enhanced monitoring role is assumable by RDS monitoring only; its AWS managed policy is template-only', async () => {
  for (const deployment of [prod, dev]) {
    const id = only(logicalIdsOfType(deployment.deployed, 'AWS::IAM::Role').filter((roleId) => roleId.startsWith('DatabaseMonitoringRole')), 'monitoring role');
    const { trust, attached } = await role(physicalId(deployment.deployed, id));
    expect(trust.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'monitoring.rds.amazonaws.com' } }]);
    // If moto starts attaching ManagedPolicyArns, this fails and the policy moves to docs/TESTING.md's runtime list.
    expect(attached).toEqual([]);
    expect(deployment.deployed.template.Resources[id].Properties.ManagedPolicyArns).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole']],
    }]);
  }
});

test("the proxy's role is assumable by RDS only; the master user secret it reads is the harness's stand-in, holding the master user's name", async () => {
  const proxyRole = only(logicalIdsOfType(dev.deployed, 'AWS::IAM::Role').filter((id) => id.startsWith('DatabaseProxyRole')), 'proxy role');
  const { trust } = await role(physicalId(dev.deployed, proxyRole));
  expect(trust.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' } }]);
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({
    SecretId: `${dev.stack.stackName}-${logicalId(dev, dev.database.cluster)}-master-user-secret`,
  }));
  expect(JSON.parse(SecretString!)).toMatchObject({ username: 'admin', password: expect.any(String) });
});
