import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentStage, MultiAzVpc } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The tiers differ only in where 0.0.0.0/0 goes: to the internet gateway, to a NAT gateway, or
// nowhere. The route tables associated with each subnet are what decide it, so ask EC2 for them.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'MultiAzVpcInteg');
const network = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV });

const integ = new IntegTest(app, 'MultiAzVpcTest', {
  testCases: [stack],
  diffAssets: true,
});

function routeTablesOf(subnet: ec2.ISubnet, ...filters: Array<{ Name: string; Values: string[] }>) {
  return integ.assertions.awsApiCall('EC2', 'describeRouteTables', {
    Filters: [{ Name: 'association.subnet-id', Values: [subnet.subnetId] }, ...filters],
  });
}

// A literal array inside objectLike must match in length: exactly one route table per subnet.
function defaultRouteThrough(target: { [key: string]: unknown }): ExpectedResult {
  return ExpectedResult.objectLike({
    RouteTables: [{
      Routes: Match.arrayWith([Match.objectLike({ DestinationCidrBlock: '0.0.0.0/0', State: 'active', ...target })]),
    }],
  });
}

// Routes are in place once the stack is, so nothing waits: a mismatch is recorded in the
// assertion's output, which integ:deploy fails on.
for (const subnet of network.vpc.publicSubnets) {
  routeTablesOf(subnet).expect(defaultRouteThrough({ GatewayId: Match.stringLikeRegexp('^igw-') }));
}
for (const subnet of network.vpc.privateSubnets) {
  routeTablesOf(subnet).expect(defaultRouteThrough({ NatGatewayId: Match.stringLikeRegexp('^nat-') }));
}
// No route table holding a default route is associated with an isolated subnet: no way out.
for (const subnet of network.vpc.isolatedSubnets) {
  routeTablesOf(subnet, { Name: 'route.destination-cidr-block', Values: ['0.0.0.0/0'] })
    .expect(ExpectedResult.objectLike({ RouteTables: [] }));
}
