import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AuroraDatabase, DeploymentStage, HardenedFunction, MultiAzVpc } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A function in the VPC (a HardenedFunction in the private subnets, allowed in by the cluster's
// security group and granted rds-db:connect as one database user) must log in to the writer over
// TLS with an IAM token, write a row, and read it back through the reader endpoint from a replica;
// a connection without TLS must be refused by the cluster parameter group's rds.force_ssl.
//
// The IAM user has to exist in the database first, and only a database user can create it: the
// probe connects once as the master user (the password from the secret RDS keeps) to create it
// without a password and grant it rds_iam, as AWS's IAM authentication guide does. Granting
// rds_iam to the master user instead would make IAM its only way in, locking out the secret that
// RDS rotates (and an RDS Proxy, which logs in with it).
//
// DEV, so the instances are Serverless v2 (paused at 0 ACU when idle) and nothing is kept when the
// test destroys the stack; one reader, which DEV does not create by default, for the reader
// endpoint to lead to a replica rather than to the writer.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'AuroraDatabaseInteg');
const stage = DeploymentStage.DEV;
const network = new MultiAzVpc(stack, 'Network', { stage });
const database = new AuroraDatabase(stack, 'Database', { stage, vpc: network.vpc, readers: 1 });

const iamUser = 'iam_probe';
const probe = new HardenedFunction(stack, 'Probe', {
  stage,
  entry: path.join(__dirname, 'handlers', 'aurora-probe.ts'),
  vpc: network.vpc,
  // A paused cluster resumes in about 15 s on the first connection; integ-tests-alpha's assertion
  // provider, which waits for the invocation, times out at 120 s.
  timeout: Duration.seconds(90),
  environment: {
    DB_HOST: database.endpoint.hostname,
    DB_READER_HOST: database.readerEndpoint.hostname,
    DB_PORT: String(database.port),
    DB_SECRET_ARN: database.secret.secretArn,
    DB_IAM_USER: iamUser,
    // Lambda's Node.js 20+ runtimes load the Amazon (RDS included) CA bundle only when asked.
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
  },
});
database.allowConnectionsFrom(probe);
database.secret.grantRead(probe);
database.grantConnect(probe, iamUser);

const integ = new IntegTest(app, 'AuroraDatabaseTest', {
  testCases: [stack],
  diffAssets: true,
});

// The probe's alias by name, not `probe.functionName` (see integ.relational-database.ts: a split
// across stacks that cfn-lint refuses).
const probeAlias = `${probe.lambdaFunction.functionName}:${probe.alias.aliasName}`;
integ.assertions
  .invokeFunction({ functionName: probeAlias })
  .expect(ExpectedResult.objectLike({
    Payload: JSON.stringify({
      writer: `primary over TLS as ${iamUser}`,
      reader: `replica over TLS as ${iamUser}`,
      readBack: true,
      withoutTls: 'refused',
    }),
  }));
