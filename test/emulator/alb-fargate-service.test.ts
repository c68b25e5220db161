import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ACCOUNT, deployStack, DeployedStack, logicalIdsOfType, motoClientConfig, only, physicalId, REGION } from './moto-server';
import { AlbFargateService, DeploymentStage, MultiAzVpc } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const ecsClient = new ECSClient(motoClientConfig());
const elbv2 = new ElasticLoadBalancingV2Client(motoClientConfig());

let deployed: DeployedStack;
let service: Service;
let taskDefinition: TaskDefinition;
let listeners: Listener[];

beforeAll(async () => {
  // moto checks that a listener's certificate exists (and knows no AWS::CertificateManager::Certificate).
  const certificateArn = (await new ACMClient(motoClientConfig()).send(new RequestCertificateCommand({ DomainName: 'app.example.com' }))).CertificateArn!;
  const app = newApp({ stageAssets: true });
  app.node.setContext(`availability-zones:account=${ACCOUNT}:region=${REGION}`, ZONES);
  const stack = new Stack(app, 'EmulatorAlbFargateService', { env: TEST_ENV });
  const network = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.PROD });
  new AlbFargateService(stack, 'Service', {
    stage: DeploymentStage.PROD,
    vpc: network.vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn),
  });
  deployed = await deployStack(stack, 'EmulatorAlbFargateService', SKIPPED);

  const clusterName = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::ECS::Cluster'), 'cluster'));
  const serviceArn = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::ECS::Service'), 'service'));
  service = only((await ecsClient.send(new DescribeServicesCommand({ cluster: clusterName, services: [serviceArn] }))).services, 'service');
  taskDefinition = (await ecsClient.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!;
  const loadBalancerArn = physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'load balancer'));
  listeners = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? [];
});

// What moto's CloudFormation does not deploy.
const SKIPPED = [
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
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
];

test('the task definition keeps the hardened container: read-only root with /tmp writable, not privileged, awslogs to the log group', () => {
  const container = only(taskDefinition.containerDefinitions, 'container');
  expect(container).toMatchObject({
    name: 'App',
    portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
    readonlyRootFilesystem: true,
    privileged: false,
    mountPoints: [{ containerPath: '/tmp', sourceVolume: 'scratch', readOnly: false }],
  });
  expect(container.logConfiguration).toMatchObject({ logDriver: 'awslogs', options: { 'awslogs-stream-prefix': 'app', 'mode': 'non-blocking' } });
  expect(container.logConfiguration!.options!['awslogs-group']).toBe(physicalId(deployed, only(logicalIdsOfType(deployed, 'AWS::Logs::LogGroup')
    .filter((id) => id.startsWith('ServiceLogs')), 'container log group')));
  expect(taskDefinition).toMatchObject({ memory: '1024', volumes: [{ name: 'scratch' }] });
});

// moto's CloudFormation creates an ECS service from its cluster, task definition and name only, and
// a task definition without its CPU, network mode, compatibilities and runtime platform. These stay
// template-only (test/containers/alb-fargate-service.test.ts asserts them); if moto starts applying
// them, this fails and they move into docs/TESTING.md's runtime list.
test('moto drops the service\'s network configuration, launch type and load balancers, and the task\'s ARM64 platform', () => {
  expect(service.networkConfiguration).toEqual({});
  expect(service.launchType).toBe('EC2');
  expect(service.loadBalancers).toEqual([]);
  expect(taskDefinition.runtimePlatform).toBeUndefined();
  expect(taskDefinition.networkMode).toBe('bridge');
  expect(service.taskDefinition).toBe(taskDefinition.taskDefinitionArn);
});

test('HTTPS on 443 forwarding to a target group that checks /health on the tasks\' IPs; port 80 redirects', async () => {
  const https = listeners.find((l) => l.Port === 443)!;
  expect(https.Protocol).toBe('HTTPS');
  expect(listeners.find((l) => l.Port === 80)!.DefaultActions![0].Type).toBe('redirect');
  const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [https.DefaultActions![0].TargetGroupArn!] }));
  expect(only(TargetGroups, 'target group')).toMatchObject({ TargetType: 'ip', Port: 8080, HealthCheckPath: '/health' });
});
