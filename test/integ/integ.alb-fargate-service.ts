import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AlbFargateService, DeploymentStage, MultiAzVpc } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The container-service example's image (a small Node.js server answering /health) must start on
// ARM64 Fargate, pass the target group's health checks and answer 200 through the load balancer.
// Plain HTTP: a test account has no certificate or domain. Deploying builds the image (Docker).
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'AlbFargateServiceInteg');
const stage = DeploymentStage.DEV;
const network = new MultiAzVpc(stack, 'Network', { stage });
const service = new AlbFargateService(stack, 'Service', {
  stage,
  vpc: network.vpc,
  allowInsecureHttp: true,
  image: ecs.ContainerImage.fromAsset(path.join(__dirname, '..', '..', 'examples', 'container-service', 'app'), { platform: ecrAssets.Platform.LINUX_ARM64 }),
});

const integ = new IntegTest(app, 'AlbFargateServiceTest', {
  testCases: [stack],
  diffAssets: true,
});

// The task must pull its image through the NAT gateway, start and pass two health checks first.
const retry = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
integ.assertions
  .httpApiCall(`${service.url}/health`)
  .expect(ExpectedResult.objectLike({ status: 200, body: 'ok' }))
  .waitForAssertions(retry);
// A load balancer whose targets are all unhealthy still forwards to them (fail-open), so a 200
// alone does not prove a task passed its health checks.
integ.assertions
  .awsApiCall('ELBv2', 'describeTargetHealth', { TargetGroupArn: service.targetGroup.targetGroupArn })
  .expect(ExpectedResult.objectLike({
    TargetHealthDescriptions: Match.arrayWith([Match.objectLike({ TargetHealth: { State: 'healthy' } })]),
  }))
  .waitForAssertions(retry);
