import * as path from 'path';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoDbTable, NagPacks, RestApiLambda } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const stack = new Stack(app, 'ServerlessApiExample', {
  description: 'cdk-best-practice-patterns example: a notes API, API Gateway REST API in front of a Lambda function, notes in DynamoDB',
});

// The notes, one item each by id. Listing them newest first is a Query of the `byCreatedAt`
// index, whose one partition (`kind` = `note`) every note is in, sorted by `createdAt`: pages of
// at most 100, never a Scan of the table. One index partition takes about 1,000 writes a second,
// far above the 20 requests a second the API lets through; an API with many users would
// partition by owner instead (README, "The table").
const table = new DynamoDbTable(stack, 'NotesTable', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  globalSecondaryIndexes: [{
    indexName: 'byCreatedAt',
    partitionKey: { name: 'kind', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    // The list shows every attribute of a note, and a note is small: the index holds them all.
    projectionType: dynamodb.ProjectionType.ALL,
  }],
});

const notes = new RestApiLambda(stack, 'Notes', {
  // Bundled at synth time by aws-lambda-nodejs with esbuild, locally (no Docker).
  entry: path.join(__dirname, 'api', 'notes.ts'),
  // The AWS SDK too: aws-lambda-nodejs leaves `@aws-sdk/*` out by default, for the runtime's copy,
  // whose version Lambda changes under you; bundled, the client is the version the unit tests ran
  // (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html, "Control the dependencies"),
  // and one minified file loads faster than the runtime's many (the SDK team's advice for cold
  // starts: https://aws.amazon.com/blogs/developer/reduce-lambda-cold-start-times-migrate-to-aws-sdk-for-javascript-v3/).
  bundling: { externalModules: [] },
  timeout: Duration.seconds(5),
  environment: { POWERTOOLS_LOG_LEVEL: 'INFO', NOTES_TABLE_NAME: table.table.tableName },
  throttlingRateLimit: 20,
  throttlingBurstLimit: 40,
});
// Items and the index, with the table key's use: the pattern's grant lands in the function's
// managed policy, and names the index rather than `index/*`.
table.grantReadWriteData(notes.handlerFunction);

new CfnOutput(stack, 'NotesUrl', {
  value: `${notes.url}notes`,
  description: 'GET to list, POST {"text": "..."} to add, GET or DELETE /{id}; requests must be SigV4-signed (IAM)',
});

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
