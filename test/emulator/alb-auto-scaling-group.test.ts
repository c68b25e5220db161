import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeSubnetsCommand, EC2Client, Instance } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ACCOUNT, deployStack, DeployedStack, logicalIdsOfType, motoClientConfig, only, physicalId, REGION } from './moto-server';
import { AlbAutoScalingGroup, DeploymentStage, MultiAzVpc } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

const ec2 = new EC2Client(motoClientConfig());
const elbv2 = new ElasticLoadBalancingV2Client(motoClientConfig());
const autoScaling = new AutoScalingClient(motoClientConfig());

let certificateArn: string;
let deployed: DeployedStack;
let loadBalancerArn: string;
let targetGroupArn: string;
let listeners: Listener[];
let subnetTier: Record<string, string>;

async function groupAndInstances(): Promise<{ group: any; instances: Instance[] }> {
  const name = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::AutoScaling::AutoScalingGroup'), 'Auto Scaling group'));
  const { AutoScalingGroups } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const group = only(AutoScalingGroups, 'Auto Scaling group');
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: group.Instances!.map((i) => i.InstanceId!) }));
  return { group, instances: Reservations.flatMap((r) => r.Instances ?? []) };
}

beforeAll(async () => {
  // moto checks that a listener's certificate exists (and knows no AWS::CertificateManager::Certificate).
  certificateArn = (await new ACMClient(motoClientConfig()).send(new RequestCertificateCommand({ DomainName: 'app.example.com' }))).CertificateArn!;
  const app = newApp({ stageAssets: true });
  app.node.setContext(`availability-zones:account=${ACCOUNT}:region=${REGION}`, ZONES);
  const stack = new Stack(app, 'EmulatorAlbAutoScalingGroup', { env: TEST_ENV });
  const network = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.PROD });
  new AlbAutoScalingGroup(stack, 'Web', {
    stage: DeploymentStage.PROD,
    vpc: network.vpc,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn),
    healthCheckPath: '/health',
  });
  // moto's CloudFormation has no scaling policies, security group rules, network ACLs, bucket
  // policies, WAF, alarms or topic policies (the stack's alarm topic's).
  deployed = await deployStack(stack, 'EmulatorAlbAutoScalingGroup', [
    'AWS::AutoScaling::ScalingPolicy',
    'AWS::CloudWatch::Alarm',
    'AWS::EC2::NetworkAcl',
    'AWS::EC2::NetworkAclEntry',
    'AWS::EC2::SecurityGroupEgress',
    'AWS::EC2::SecurityGroupIngress',
    'AWS::EC2::SubnetNetworkAclAssociation',
    'AWS::S3::BucketPolicy',
    'AWS::SNS::TopicPolicy',
    'AWS::WAFv2::LoggingConfiguration',
    'AWS::WAFv2::WebACL',
    'AWS::WAFv2::WebACLAssociation',
  ]);

  loadBalancerArn = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'load balancer'));
  targetGroupArn = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::ElasticLoadBalancingV2::TargetGroup'), 'target group'));
  listeners = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? [];
  const vpcId = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::EC2::VPC'), 'VPC'));
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  subnetTier = Object.fromEntries(Subnets.map((s) => [s.SubnetId!, s.Tags?.find((t) => t.Key === 'aws-cdk:subnet-type')?.Value ?? '']));
});

test('the harness answers only the VPC\'s default-security-group custom resource: a PROD access-log bucket has no cleanup handler', () => {
  expect(deployed.answeredCustomResources).toEqual([expect.stringMatching(/RestrictDefaultSecurityGroupCustomResource/)]);
});

test('an internet-facing load balancer in every AZ\'s public subnet', async () => {
  const { LoadBalancers } = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }));
  const loadBalancer = only(LoadBalancers, 'load balancer');
  expect(loadBalancer.Scheme).toBe('internet-facing');
  expect(loadBalancer.AvailabilityZones!.map((z) => z.ZoneName).sort()).toEqual(ZONES);
  expect(loadBalancer.AvailabilityZones!.map((z) => subnetTier[z.SubnetId!])).toEqual(['Public', 'Public', 'Public']);
});

test('HTTPS on 443 forwards to the target group with the certificate and the TLS 1.2/1.3 policy; port 80 only redirects to it', async () => {
  const https = only(listeners.filter((l) => l.Port === 443), 'listener on port 443');
  expect(https.Protocol).toBe('HTTPS');
  expect(https.Certificates?.map((c) => c.CertificateArn)).toEqual([certificateArn]);
  // The pattern's default, elbv2.SslPolicy.RECOMMENDED_TLS.
  expect(https.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
  expect(https.DefaultActions).toEqual([expect.objectContaining({ Type: 'forward', TargetGroupArn: targetGroupArn })]);

  const http = only(listeners.filter((l) => l.Port === 80), 'listener on port 80');
  expect(http.DefaultActions).toEqual([expect.objectContaining({
    Type: 'redirect',
    RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
  })]);
  expect(listeners).toHaveLength(2);
});

test('the target group health-checks the configured path on the application port', async () => {
  const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
  expect(only(TargetGroups, 'target group')).toMatchObject({ Port: 80, Protocol: 'HTTP', HealthCheckPath: '/health', TargetType: 'instance' });
});

test('PROD capacity: 2 to 4 instances over every AZ\'s private subnet, 2 running there without public IPs, in the target group', async () => {
  const { group, instances } = await groupAndInstances();
  expect(group).toMatchObject({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2, HealthCheckType: 'ELB' });
  expect(group.TargetGroupARNs).toEqual([targetGroupArn]);
  const groupSubnets = group.VPCZoneIdentifier.split(',');
  expect(groupSubnets.map((id: string) => subnetTier[id])).toEqual(['Private', 'Private', 'Private']);
  // moto does not balance instances across AZs, so the spread itself is not asserted here.
  expect(instances).toHaveLength(2);
  expect(instances.map((i) => i.State?.Name)).toEqual(['running', 'running']);
  expect(instances.map((i) => subnetTier[i.SubnetId!])).toEqual(['Private', 'Private']);
  expect(instances.map((i) => i.PublicIpAddress)).toEqual([undefined, undefined]);

  const { TargetHealthDescriptions = [] } = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  expect(TargetHealthDescriptions.map((t) => t.Target!.Id).sort()).toEqual(instances.map((i) => i.InstanceId).sort());
});
