import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { DeploymentStage, HardenedFunction, InMemoryCache, MultiAzVpc } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A function in the VPC (a HardenedFunction in the private subnets, allowed in by the cache's
// security group and granted elasticache:Connect) must sign an IAM token for the cache's user,
// authenticate with it over TLS, set a key and read it back; a plain TCP connection must get no
// reply, as the cache requires TLS. DEV, so the cache is serverless (DEV's default) and nothing is
// kept when the test destroys it.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'InMemoryCacheInteg');
const stage = DeploymentStage.DEV;
const network = new MultiAzVpc(stack, 'Network', { stage });
const cache = new InMemoryCache(stack, 'Cache', { stage, vpc: network.vpc });

const probe = new HardenedFunction(stack, 'Probe', {
  stage,
  entry: path.join(__dirname, 'handlers', 'cache-probe.ts'),
  vpc: network.vpc,
  timeout: Duration.seconds(30),
  environment: {
    CACHE_HOST: cache.endpoint.hostname,
    CACHE_PORT: String(cache.endpoint.port),
    CACHE_USER: cache.endpoint.userName,
    // The token is signed for the cache's name; a serverless cache's adds ResourceType=ServerlessCache.
    CACHE_NAME: cache.endpoint.cacheName,
    CACHE_SERVERLESS: String(cache.endpoint.serverless),
  },
});
cache.allowConnectionsFrom(probe);
cache.grantConnect(probe);

const integ = new IntegTest(app, 'InMemoryCacheTest', {
  testCases: [stack],
  diffAssets: true,
});

// The probe's alias by name, not `probe.functionName` (see integ.relational-database.ts: a split
// across stacks that cfn-lint refuses).
const probeAlias = `${probe.lambdaFunction.functionName}:${probe.alias.aliasName}`;
integ.assertions
  .invokeFunction({ functionName: probeAlias })
  .expect(ExpectedResult.objectLike({ Payload: JSON.stringify({ auth: 'OK', set: 'OK', readBack: true, withoutTls: 'refused' }) }));
