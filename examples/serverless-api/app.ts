import * as path from 'path';
import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { DeploymentStage, RestApiLambda } from 'cdk-best-practice-patterns';

const app = new App();
// `cdk deploy -c stage=dev` for a cheap, destroyable sandbox; production by default.
const stage = app.node.tryGetContext('stage') === 'dev' ? DeploymentStage.DEV : DeploymentStage.PROD;

const stack = new Stack(app, 'ServerlessApiExample', {
  description: 'cdk-best-practice-patterns example: a notes API, API Gateway REST API in front of a Lambda function',
});

const notes = new RestApiLambda(stack, 'Notes', {
  stage,
  // Bundled at synth time by aws-lambda-nodejs with esbuild, locally (no Docker).
  entry: path.join(__dirname, 'api', 'notes.ts'),
  timeout: Duration.seconds(5),
  environment: { POWERTOOLS_LOG_LEVEL: 'INFO' },
  throttlingRateLimit: 20,
  throttlingBurstLimit: 40,
});

new CfnOutput(stack, 'NotesUrl', { value: `${notes.url}notes`, description: 'GET to list, POST {"text": "..."} to add; requests must be SigV4-signed (IAM)' });

// Every example is checked by the same five cdk-nag packs as the library's tests.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new ServerlessChecks(app),
  new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app),
  new PCIDSS321Checks(app),
);
