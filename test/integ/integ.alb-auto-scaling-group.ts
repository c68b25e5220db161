import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AlbAutoScalingGroup, DeploymentStage, MultiAzVpc } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The pattern's instances run nothing by default, so they install a web server serving the health
// path. Plain HTTP: a test account has no certificate or domain.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'AlbAutoScalingGroupInteg');
const network = new MultiAzVpc(stack, 'Network', { stage: DeploymentStage.DEV });
const userData = ec2.UserData.forLinux();
userData.addCommands(
  'dnf install -y nginx',
  'echo healthy > /usr/share/nginx/html/health',
  'systemctl enable --now nginx',
);
const web = new AlbAutoScalingGroup(stack, 'Web', {
  stage: DeploymentStage.DEV,
  vpc: network.vpc,
  allowInsecureHttp: true,
  userData,
  healthCheckPath: '/health',
});

const integ = new IntegTest(app, 'AlbAutoScalingGroupTest', {
  testCases: [stack],
  diffAssets: true,
});

// Instances must boot, install nginx through the NAT gateway and pass two health checks first.
const retry = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
integ.assertions
  .httpApiCall(`${web.url}/health`)
  .expect(ExpectedResult.objectLike({ status: 200, body: 'healthy\n' }))
  .waitForAssertions(retry);
// A load balancer whose targets are all unhealthy still forwards to them (fail-open), so a 200
// alone does not prove a target passed its health checks.
integ.assertions
  // 'ELBv2', not 'ElasticLoadBalancingV2': only the former maps to the SDK client and the elasticloadbalancing IAM prefix.
  .awsApiCall('ELBv2', 'describeTargetHealth', { TargetGroupArn: web.targetGroup.targetGroupArn })
  .expect(ExpectedResult.objectLike({
    TargetHealthDescriptions: Match.arrayWith([Match.objectLike({ TargetHealth: { State: 'healthy' } })]),
  }))
  .waitForAssertions(retry);
