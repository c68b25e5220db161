import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { deployStack, DeployedStack, motoClientConfig, physicalId } from './moto-server';
import { DeploymentStage, MultiAzVpc, RelationalDatabase } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const rdsClient = new RDSClient(motoClientConfig());
const deployed: Record<string, { stack: DeployedStack; database: RelationalDatabase; isolatedSubnetIds: string[] }> = {};

// What moto's CloudFormation does not deploy: alarms, network ACLs (the VPC's isolated tier) and
// topic policies (the stack's alarm topic's).
const SKIPPED = [
  'AWS::CloudWatch::Alarm',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SubnetNetworkAclAssociation',
  // Not stack resources in moto: its RDS models build a parameter group or subnet group only when an
  // instance's Ref reaches it, and list neither. The subnet group is read back through the
  // instance; the parameter group cannot be deployed with it (below).
  'AWS::RDS::DBParameterGroup',
  'AWS::RDS::DBSubnetGroup',
  'AWS::SNS::TopicPolicy',
];

beforeAll(async () => {
  for (const stage of [DeploymentStage.PROD, DeploymentStage.DEV]) {
    const name = `EmulatorRelationalDatabase${stage === DeploymentStage.PROD ? 'Prod' : 'Dev'}`;
    const app = newApp({ stageAssets: true });
    // What `cdk deploy` would have looked up and saved in cdk.context.json for this account.
    app.node.setContext(`availability-zones:account=${TEST_ENV.account}:region=${TEST_ENV.region}`, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const stack = new Stack(app, name, { env: TEST_ENV });
    const network = new MultiAzVpc(stack, 'Network', { stage });
    const database = new RelationalDatabase(stack, 'Database', { vpc: network.vpc, stage });
    // moto 5.2.1 resolves a Ref to an AWS::RDS::DBParameterGroup to the group object instead of its
    // name, and CreateStack crashes on it (a literal name fails too: moto creates the instance
    // first). So here, and only here, the instance is deployed without its group; the TLS
    // parameter is asserted on the template by the unit tests (docs/TESTING.md).
    (database.instance.node.defaultChild as rds.CfnDBInstance).dbParameterGroupName = undefined;
    const deployedStack = await deployStack(stack, name, SKIPPED);
    const isolatedSubnetIds = network.vpc.isolatedSubnets.map((s) => physicalId(deployedStack, stack.getLogicalId(s.node.defaultChild as any)));
    deployed[stage] = { stack: deployedStack, database, isolatedSubnetIds };
  }
}, 120_000);

async function instanceOf(stage: DeploymentStage) {
  const { stack, database } = deployed[stage];
  const identifier = physicalId(stack, Stack.of(database).getLogicalId(database.instance.node.defaultChild as rds.CfnDBInstance));
  const { DBInstances } = await rdsClient.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  return DBInstances![0];
}

test('PROD is Multi-AZ on db.m7g.large, DEV single-AZ on db.t4g.micro; both PostgreSQL, encrypted, not publicly accessible', async () => {
  const prod = await instanceOf(DeploymentStage.PROD);
  const dev = await instanceOf(DeploymentStage.DEV);
  expect(prod).toMatchObject({ MultiAZ: true, DBInstanceClass: 'db.m7g.large', Engine: 'postgres', StorageEncrypted: true, PubliclyAccessible: false });
  expect(dev).toMatchObject({ MultiAZ: false, DBInstanceClass: 'db.t4g.micro', StorageEncrypted: true, PubliclyAccessible: false });
  // moto's CloudFormation drops DeletionProtection and EnableIAMDatabaseAuthentication: they stay
  // template-only (the unit tests assert them). If moto starts applying them, this fails and they
  // move into docs/TESTING.md's runtime list.
  expect(prod.DeletionProtection).toBe(false);
  expect(prod.IAMDatabaseAuthenticationEnabled).toBe(false);
  expect(prod.KmsKeyId).toMatch(/^arn:aws:kms:/);
  expect(prod).toMatchObject({ BackupRetentionPeriod: 14, StorageType: 'gp3' });
});

test('its subnet group spans exactly the isolated subnets', async () => {
  const instance = await instanceOf(DeploymentStage.PROD);
  const subnets = instance.DBSubnetGroup!.Subnets!.map((s) => s.SubnetIdentifier);
  expect(subnets.sort()).toEqual([...deployed[DeploymentStage.PROD].isolatedSubnetIds].sort());
});
