import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { DeploymentStage, HardenedFunction, MultiAzVpc, RelationalDatabase } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A function in the VPC (a HardenedFunction in the private subnets, allowed in by the database's
// security group) must connect over TLS with the credentials from the secret and run SELECT 1; a
// connection without TLS must be refused by the parameter group's rds.force_ssl.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'RelationalDatabaseInteg');
const stage = DeploymentStage.DEV;
const network = new MultiAzVpc(stack, 'Network', { stage });
const database = new RelationalDatabase(stack, 'Database', { stage, vpc: network.vpc });

const probe = new HardenedFunction(stack, 'Probe', {
  stage,
  entry: path.join(__dirname, 'handlers', 'database-probe.ts'),
  vpc: network.vpc,
  timeout: Duration.seconds(30),
  environment: {
    DB_HOST: database.endpoint.hostname,
    DB_PORT: String(database.port),
    DB_SECRET_ARN: database.secret.secretArn,
    // Lambda's Node.js 20+ runtimes load the Amazon (RDS included) CA bundle only when asked.
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
  },
});
database.allowConnectionsFrom(probe);
database.secret.grantRead(probe);

const integ = new IntegTest(app, 'RelationalDatabaseTest', {
  testCases: [stack],
  diffAssets: true,
});

// The probe's alias by name. Not `probe.functionName`: aws-cdk-lib derives an alias's name by
// splitting its ARN, and across stacks (the weak reference a new project's flags produce) that
// puts an Fn::Split over Fn::GetStackOutput into the assertion stack, which cfn-lint refuses
// (E1022). The function's name and the alias's literal name need no split.
const probeAlias = `${probe.lambdaFunction.functionName}:${probe.alias.aliasName}`;
integ.assertions
  .invokeFunction({ functionName: probeAlias })
  .expect(ExpectedResult.objectLike({ Payload: JSON.stringify({ selectOne: 1, withoutTls: 'refused' }) }));
