import {
  DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  RouteTable,
  Subnet,
} from '@aws-sdk/client-ec2';
import { App, Stack } from 'aws-cdk-lib';
import { ACCOUNT, deployStack, DeployedStack, logicalIdsOfType, motoClientConfig, physicalId, REGION, resolveProperty } from './moto-server';
import { DeploymentStage, MultiAzVpc } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const ec2 = new EC2Client(motoClientConfig());

interface Layout {
  readonly deployed: DeployedStack;
  readonly vpcId: string;
  readonly subnets: Record<'Public' | 'Private' | 'Isolated', Subnet[]>;
  readonly routeTables: RouteTable[];
  /** Subnet id to route table id. */
  readonly associations: Record<string, string>;
}

async function deploy(stackName: string, stage: DeploymentStage): Promise<Layout> {
  const app: App = newApp({ stageAssets: true });
  // What `cdk deploy` would have looked up and saved in cdk.context.json for this account.
  app.node.setContext(`availability-zones:account=${ACCOUNT}:region=${REGION}`, ZONES);
  const stack = new Stack(app, stackName, { env: TEST_ENV });
  const network = new MultiAzVpc(stack, 'Network', { stage });
  // moto's CloudFormation has no network ACLs, alarms or topic policies (the stack's alarm topic's).
  const deployed = await deployStack(stack, stackName, [
    'AWS::CloudWatch::Alarm',
    'AWS::EC2::NetworkAcl',
    'AWS::EC2::NetworkAclEntry',
    'AWS::EC2::SubnetNetworkAclAssociation',
    'AWS::SNS::TopicPolicy',
  ]);
  const vpcId = physicalId(deployed, stack.getLogicalId(network.vpc.node.defaultChild as any));
  const filters = [{ Name: 'vpc-id', Values: [vpcId] }];
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: filters }));
  const tier = (name: string) => Subnets
    .filter((s) => s.Tags?.some((t) => t.Key === 'aws-cdk:subnet-type' && t.Value === name))
    .sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
  const { RouteTables = [] } = await ec2.send(new DescribeRouteTablesCommand({ Filters: filters }));
  // moto's CloudFormation keeps subnet associations out of DescribeRouteTables, so each subnet is
  // paired with its route table through the template's association, resolved to moto's ids.
  const associations = Object.fromEntries(logicalIdsOfType(deployed, 'AWS::EC2::SubnetRouteTableAssociation').map((logicalId) => {
    const { SubnetId, RouteTableId } = resolveProperty(deployed, deployed.template.Resources[logicalId].Properties);
    return [SubnetId, RouteTableId];
  }));
  return {
    deployed,
    vpcId,
    associations,
    routeTables: RouteTables,
    subnets: { Public: tier('Public'), Private: tier('Private'), Isolated: tier('Isolated') },
  };
}

/** The routes of the route table associated with a subnet. */
function routesOf(layout: Layout, subnet: Subnet) {
  const table = layout.routeTables.find((t) => t.RouteTableId === layout.associations[subnet.SubnetId!]);
  if (!table) throw new Error(`${subnet.SubnetId} has no route table of its own`);
  return table.Routes ?? [];
}

function defaultRoute(layout: Layout, subnet: Subnet) {
  return routesOf(layout, subnet).find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
}

async function natGateways(layout: Layout) {
  const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [layout.vpcId] }] }));
  return NatGateways;
}

let prod: Layout;
let dev: Layout;

beforeAll(async () => {
  prod = await deploy('EmulatorMultiAzVpcProd', DeploymentStage.PROD);
  dev = await deploy('EmulatorMultiAzVpcDev', DeploymentStage.DEV);
});

test('the harness answers only the default-security-group custom resource, without running its handler', () => {
  for (const layout of [prod, dev]) {
    expect(layout.deployed.answeredCustomResources).toEqual([expect.stringMatching(/RestrictDefaultSecurityGroupCustomResource/)]);
  }
});

test('each tier has one subnet in each of the three AZs, and public subnets give no public IP on launch', () => {
  for (const layout of [prod, dev]) {
    for (const subnets of Object.values(layout.subnets)) {
      expect(subnets.map((s) => s.AvailabilityZone)).toEqual(ZONES);
    }
    expect(layout.subnets.Public.map((s) => s.MapPublicIpOnLaunch)).toEqual([false, false, false]);
  }
});

test('PROD: one NAT gateway per AZ, each in that AZ\'s public subnet, and each private subnet routes out through its own AZ\'s NAT', async () => {
  const nats = await natGateways(prod);
  expect(nats).toHaveLength(3);
  const publicSubnetIds = prod.subnets.Public.map((s) => s.SubnetId);
  expect(nats.map((n) => n.SubnetId).sort()).toEqual([...publicSubnetIds].sort());

  for (const subnet of prod.subnets.Private) {
    const nat = nats.find((n) => n.NatGatewayId === defaultRoute(prod, subnet)?.NatGatewayId);
    const natSubnet = prod.subnets.Public.find((s) => s.SubnetId === nat?.SubnetId);
    expect(natSubnet?.AvailabilityZone).toBe(subnet.AvailabilityZone);
  }
});

test('DEV: one NAT gateway, in a public subnet, shared by every private subnet', async () => {
  const nats = await natGateways(dev);
  expect(nats).toHaveLength(1);
  expect(dev.subnets.Public.map((s) => s.SubnetId)).toContain(nats[0].SubnetId);
  for (const subnet of dev.subnets.Private) {
    expect(defaultRoute(dev, subnet)?.NatGatewayId).toBe(nats[0].NatGatewayId);
  }
});

test('public subnets route out through the VPC\'s internet gateway; isolated subnets reach only the VPC and the gateway endpoints', async () => {
  for (const layout of [prod, dev]) {
    const { InternetGateways = [] } = await ec2.send(new DescribeInternetGatewaysCommand({
      Filters: [{ Name: 'attachment.vpc-id', Values: [layout.vpcId] }],
    }));
    expect(InternetGateways).toHaveLength(1);
    for (const subnet of layout.subnets.Public) {
      expect(defaultRoute(layout, subnet)?.GatewayId).toBe(InternetGateways[0].InternetGatewayId);
    }
    for (const subnet of layout.subnets.Isolated) {
      const routes = routesOf(layout, subnet);
      expect(routes.filter((r) => r.DestinationCidrBlock).map((r) => [r.DestinationCidrBlock, r.GatewayId])).toEqual([['10.0.0.0/16', 'local']]);
      expect(routes.filter((r) => r.DestinationPrefixListId).map((r) => r.GatewayId?.slice(0, 5))).toEqual(['vpce-', 'vpce-']);
      expect(routes.filter((r) => r.NatGatewayId)).toEqual([]);
    }
  }
});

test('S3 and DynamoDB gateway endpoints serve the route table of every subnet', async () => {
  const { VpcEndpoints = [] } = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [prod.vpcId] }] }));
  expect(VpcEndpoints.map((e) => [e.ServiceName, e.VpcEndpointType]).sort()).toEqual([
    ['com.amazonaws.us-east-1.dynamodb', 'Gateway'],
    ['com.amazonaws.us-east-1.s3', 'Gateway'],
  ]);
  const everySubnetsTable = Object.values(prod.subnets).flat().map((subnet) => prod.associations[subnet.SubnetId!]).sort();
  expect(everySubnetsTable).toHaveLength(9);
  for (const endpoint of VpcEndpoints) {
    expect([...endpoint.RouteTableIds ?? []].sort()).toEqual(everySubnetsTable);
  }
});

test('the VPC\'s flow log records all traffic', async () => {
  const { FlowLogs = [] } = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [prod.vpcId] }] }));
  expect(FlowLogs.map((f) => f.TrafficType)).toEqual(['ALL']);
});
