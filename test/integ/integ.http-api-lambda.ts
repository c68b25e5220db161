import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStage, HttpApiLambda } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// The default must refuse anonymous callers (IAM authorization); only the explicit opt-in may
// serve them, and then the handler's answer must come through unchanged.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'HttpApiLambdaInteg');
const props = {
  stage: DeploymentStage.DEV,
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ message: "hello from the handler" }) });'),
  handler: 'index.handler',
};
const iamApi = new HttpApiLambda(stack, 'IamApi', props);
const publicApi = new HttpApiLambda(stack, 'PublicApi', { ...props, allowUnauthenticatedAccess: true });

const integ = new IntegTest(app, 'HttpApiLambdaTest', {
  testCases: [stack],
  diffAssets: true,
});

// A new stage can take a few seconds to answer.
const retry = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) };
// An HTTP API answers a route it does not have with 404 Not Found; 403 Forbidden is IAM refusing.
integ.assertions
  .httpApiCall(iamApi.url)
  .expect(ExpectedResult.objectLike({ status: 403, body: { message: 'Forbidden' } }))
  .waitForAssertions(retry);
integ.assertions
  .httpApiCall(publicApi.url)
  .expect(ExpectedResult.objectLike({ status: 200, body: { message: 'hello from the handler' } }))
  .waitForAssertions(retry);
