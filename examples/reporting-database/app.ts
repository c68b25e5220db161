import * as path from 'path';
import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { AuroraDatabase, DeploymentStage, HardenedFunction, MultiAzVpc, NagPacks, PatternDefaults } from 'cdk-best-practice-patterns';

const app = new App();
// cdk.json sets the stage of every pattern through the library's context key, and
// `-c cdk-best-practice-patterns:stage=dev` (or `=prod`) overrides it. Each stack's alarms notify
// its alarm topic; `-c cdk-best-practice-patterns:alarmEmail=you@example.com` subscribes you.

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new Stack(app, 'ReportingDatabaseExample', {
  env: account && region ? { account, region } : undefined,
  description: 'cdk-best-practice-patterns example: an Aurora PostgreSQL cluster whose reports run on its readers, as an IAM-authenticated user',
});
const production = PatternDefaults.stageOf(stack) === DeploymentStage.PROD;

const network = new MultiAzVpc(stack, 'Network');
const DATABASE_NAME = 'reports';

// Aurora PostgreSQL in the isolated subnets. DEV: one Serverless v2 instance from 0 ACU, paused
// after 5 idle minutes (storage is then all it costs). PROD: a db.r7g.large writer and a reader in
// another Availability Zone (its failover target), and up to 2 more readers while the readers
// average over 70% CPU: reports are what loads the readers.
const database = new AuroraDatabase(stack, 'Database', {
  vpc: network.vpc,
  databaseName: DATABASE_NAME,
  readerAutoScaling: production ? { maxReaders: 3 } : undefined,
});

/** The database user the reports run as: IAM tokens only, read-only (the setup function creates it). */
const REPORTER = 'reporter';
const common = {
  // Bundled at synth time by aws-lambda-nodejs with esbuild, locally (no Docker).
  entry: path.join(__dirname, 'handlers', 'reports.ts'),
  bundling: { externalModules: [] },
  vpc: network.vpc,
  // Long enough for a paused DEV cluster to resume (about 15 s) on the first connection.
  timeout: Duration.minutes(1),
  environment: {
    DB_WRITER_HOST: database.endpoint.hostname,
    DB_READER_HOST: database.readerEndpoint.hostname,
    DB_PORT: String(database.port),
    DB_NAME: DATABASE_NAME,
    REPORTER_USER: REPORTER,
    // Lambda's Node.js runtimes trust the Amazon RDS CAs only when asked.
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
  },
};

// Run once after the deploy: as the master user, creates the sales table and the `reporter` user.
// It alone may read the master secret.
const setup = new HardenedFunction(stack, 'Setup', {
  ...common,
  handler: 'setup',
  environment: { ...common.environment, DB_SECRET_ARN: database.secret.secretArn },
});
database.allowConnectionsFrom(setup, 'The setup function');
database.secret.grantRead(setup);

// The reports: as `reporter`, with an IAM authentication token its role signs (`rds-db:connect`
// for that user, and nothing else), on the reader endpoint.
const reports = new HardenedFunction(stack, 'Reports', { ...common, handler: 'report' });
database.allowConnectionsFrom(reports, 'The reports function');
database.grantConnect(reports, REPORTER);

new CfnOutput(stack, 'WriterEndpoint', { value: database.endpoint.socketAddress, description: 'The writer: reachable from the two functions only' });
new CfnOutput(stack, 'ReaderEndpoint', {
  value: database.readerEndpoint.socketAddress,
  description: 'The readers, balanced (the writer while there are none): where the reports run',
});
new CfnOutput(stack, 'ClusterIdentifier', { value: database.cluster.clusterIdentifier, description: 'For the AWS CLI: scaling the readers in, deletion protection' });
new CfnOutput(stack, 'SetupFunction', { value: setup.functionName, description: 'Invoke once after the first deploy' });
new CfnOutput(stack, 'ReportsFunction', { value: reports.functionName, description: 'Invoke to sum the sales by region on a reader' });

// The five cdk-nag packs the library holds itself to, in one line; `npm run synth` reports on them.
NagPacks.enable(app);
