import * as path from 'path';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { NagPacks, RestApiLambda } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const stack = new Stack(app, 'ServerlessApiExample', {
  description: 'cdk-best-practice-patterns example: a notes API, API Gateway REST API in front of a Lambda function',
});

const notes = new RestApiLambda(stack, 'Notes', {
  // Bundled at synth time by aws-lambda-nodejs with esbuild, locally (no Docker).
  entry: path.join(__dirname, 'api', 'notes.ts'),
  timeout: Duration.seconds(5),
  environment: { POWERTOOLS_LOG_LEVEL: 'INFO' },
  throttlingRateLimit: 20,
  throttlingBurstLimit: 40,
});

new CfnOutput(stack, 'NotesUrl', { value: `${notes.url}notes`, description: 'GET to list, POST {"text": "..."} to add; requests must be SigV4-signed (IAM)' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
