import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStage, HardenedFunction, RestApiLambda } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The default must refuse anonymous callers (IAM authorization); only the explicit opt-in may
// serve them, and then the handler's answer must come through unchanged, from a published version
// (the alias CodeDeploy shifted), never from $LATEST.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'RestApiLambdaInteg');
const props = {
  stage: DeploymentStage.DEV,
  code: lambda.Code.fromInline([
    'exports.handler = async () => ({',
    '  statusCode: 200,',
    '  body: JSON.stringify({ message: "hello from the handler", version: process.env.AWS_LAMBDA_FUNCTION_VERSION }),',
    '});',
  ].join('\n')),
  handler: 'index.handler',
};
const iamApi = new RestApiLambda(stack, 'IamApi', props);
const publicApi = new RestApiLambda(stack, 'PublicApi', { ...props, allowUnauthenticatedAccess: true });

const integ = new IntegTest(app, 'RestApiLambdaTest', {
  testCases: [stack],
  diffAssets: true,
});

// A new stage can take a few seconds to answer.
const retry = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) };
// A REST API answers 403 for a path it does not have as well, so first prove the path exists and
// is IAM-protected: the root's ANY method, as API Gateway holds it. Then the anonymous 403 can
// only come from IAM authorization.
const rootMethod = integ.assertions.awsApiCall('APIGateway', 'getMethod', {
  restApiId: iamApi.api.restApiId,
  resourceId: iamApi.api.root.resourceId,
  httpMethod: 'ANY',
});
// API Gateway authorizes its control plane by HTTP verb, not by the SDK's operation name.
rootMethod.provider.addToRolePolicy({ Effect: 'Allow', Action: ['apigateway:GET'], Resource: ['*'] });
rootMethod.expect(ExpectedResult.objectLike({ authorizationType: 'AWS_IAM' }));
integ.assertions
  .httpApiCall(iamApi.url)
  .expect(ExpectedResult.objectLike({ status: 403, body: { message: 'Missing Authentication Token' } }))
  .waitForAssertions(retry);
// Invoked through the alias, Lambda runs a numbered version: $LATEST would mean the API bypassed it.
integ.assertions
  .httpApiCall(publicApi.url)
  .expect(ExpectedResult.objectLike({ status: 200, body: { message: 'hello from the handler', version: Match.stringLikeRegexp('^[0-9]+$') } }))
  .waitForAssertions(retry);

// The alias's traffic is CodeDeploy's to shift: all at once in DEV, rolling back on its alarms.
const deployment = (publicApi.handlerFunction as HardenedFunction).deploymentGroup;
integ.assertions
  .awsApiCall('CodeDeploy', 'getDeploymentGroup', {
    applicationName: deployment.application.applicationName,
    deploymentGroupName: deployment.deploymentGroupName,
  })
  .expect(ExpectedResult.objectLike({
    deploymentGroupInfo: {
      deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      autoRollbackConfiguration: { enabled: true },
      alarmConfiguration: { enabled: true },
    },
  }));
