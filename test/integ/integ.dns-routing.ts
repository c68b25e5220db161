import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { DeploymentStage, DnsRouting, HardenedFunction, HttpApiLambda, RoutingEndpoint } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// A FAILOVER DnsRouting between two endpoints, each an HttpApiLambda health-checked over HTTPS
// with SNI on its invoke host, as DnsRouting's docs advise for APIs. While both answer, Route 53
// answers the routed name with the primary; once the primary fails (its function throttled to
// zero, so its API answers with an error), its health check fails, its alarm fires, and Route 53
// answers with the secondary instead.
//
// No domain to own: the hosted zone is created here (a public zone of a reserved `.test` name, as
// aws-cdk's own Route 53 IntegTests make them) and never delegated. What Route 53 answers for the
// name is read from the zone's own name servers, which answer for it all the same (dns-probe.ts).
// Without a delegated domain there is no certificate for the routed name, so no HTTPS request can
// go through it: each endpoint's name in the zone holds a marker address from TEST-NET-1
// (192.0.2.1 the primary, 192.0.2.2 the secondary) that the routed name's alias records resolve
// to, and the endpoints are requested on their own hosts.
//
// us-east-1, so the routing has its alarms (Route 53's health-check metrics exist only there), and
// the assertions run there too: the throttle is a Lambda call in the endpoint's region. DEV: the
// stack is deleted whole.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const env = { region: 'us-east-1' };
const stack = new Stack(app, 'DnsRoutingInteg', { env });
const stage = DeploymentStage.DEV;
const ZONE = 'dns-routing-integ.test';
const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: ZONE });

const endpointApi = (id: string, name: string) => new HttpApiLambda(stack, id, {
  stage,
  code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ endpoint: "${name}" }) });`),
  handler: 'index.handler',
  allowUnauthenticatedAccess: true,
});
const primaryApi = endpointApi('Primary', 'primary');
const secondaryApi = endpointApi('Secondary', 'secondary');

// Each endpoint's own name in the zone, which the routed name's records alias: what a regional
// front's `domainName` would create (here with a marker address, see above).
const primaryRecord = new route53.ARecord(stack, 'PrimaryRecord', {
  zone, recordName: `primary.${ZONE}`, target: route53.RecordTarget.fromIpAddresses('192.0.2.1'),
});
const secondaryRecord = new route53.ARecord(stack, 'SecondaryRecord', {
  zone, recordName: `secondary.${ZONE}`, target: route53.RecordTarget.fromIpAddresses('192.0.2.2'),
});

/** The API's invoke host, which answers for this API alone. */
const invokeHost = (api: HttpApiLambda) => `${api.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
const routing = new DnsRouting(stack, 'App', {
  stage,
  hostedZone: zone,
  recordName: `app.${ZONE}`,
  endpoints: [
    RoutingEndpoint.fromDomainName(`primary.${ZONE}`, { healthCheckDomainName: invokeHost(primaryApi) }),
    RoutingEndpoint.fromDomainName(`secondary.${ZONE}`, { healthCheckDomainName: invokeHost(secondaryApi) }),
  ],
});
// Route 53 refuses an alias to a record of the zone that does not exist yet.
for (const record of routing.records) record.node.addDependency(primaryRecord, secondaryRecord);

const probe = new HardenedFunction(stack, 'DnsProbe', {
  stage,
  entry: path.join(__dirname, 'handlers', 'dns-probe.ts'),
  timeout: Duration.seconds(15),
  environment: {
    NAME_SERVER: Fn.select(0, zone.hostedZoneNameServers!),
    RECORD_NAME: routing.domainName,
  },
});

// The assertions' stack in the routing's region (integ-tests-alpha's own is env-agnostic). Its id,
// DeployAssert, under a scope of its own, gives its template integ-tests-alpha's name
// (<scope>DeployAssert<hash>), by which scripts/check-templates.ts knows an assertion stack.
const assertionStack = new Stack(new Construct(app, 'DnsRoutingAssertions'), 'DeployAssert', { env });
const integ = new IntegTest(app, 'DnsRoutingTest', {
  testCases: [stack],
  diffAssets: true,
  assertionStack,
});

const retry = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) };
// Failing over takes the failure threshold (3) times the interval (30 s) for the checkers to agree,
// then up to a minute more before the alarm's one-minute period closes.
const failover = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };

const answers = (api: HttpApiLambda, name: string) => integ.assertions
  .httpApiCall(api.url)
  .expect(ExpectedResult.objectLike({ status: 200, body: { endpoint: name } }))
  .waitForAssertions(retry);
/** Waits until at least one of Route 53's checkers reports a status of the primary's check that matches `status`. */
const primaryCheckReports = (status: string, timeout: typeof retry) => integ.assertions
  .awsApiCall('Route53', 'getHealthCheckStatus', { HealthCheckId: routing.healthChecks[0].healthCheckId })
  .expect(ExpectedResult.objectLike({
    HealthCheckObservations: Match.arrayWith([Match.objectLike({ StatusReport: Match.objectLike({ Status: Match.stringLikeRegexp(status) }) })]),
  }))
  .waitForAssertions(timeout);
// The probe's alias by name, not `probe.functionName` (see integ.relational-database.ts).
const dnsAnswer = (address: string, timeout: typeof retry) => integ.assertions
  .invokeFunction({ functionName: `${probe.lambdaFunction.functionName}:${probe.alias.aliasName}` })
  .expect(ExpectedResult.objectLike({ Payload: JSON.stringify({ addresses: [address] }) }))
  .waitForAssertions(timeout);

const bothAnswer = answers(primaryApi, 'primary').next(answers(secondaryApi, 'secondary'));
// A new health check counts as healthy before any checker has reported: wait until one has seen
// the primary answer over HTTPS, so the first DNS answer rests on a check that passed.
const primaryHealthy = primaryCheckReports('^Success', retry);
const routedToPrimary = dnsAnswer('192.0.2.1', retry);
// The outage: every invocation of the primary's function is throttled, so its API answers with an
// error (no 2xx or 3xx, which is what a Route 53 check passes on).
const primaryFunction = (primaryApi.handlerFunction as HardenedFunction).lambdaFunction;
const outage = integ.assertions.awsApiCall('Lambda', 'putFunctionConcurrency', {
  FunctionName: primaryFunction.functionName,
  ReservedConcurrentExecutions: 0,
});
const routedToSecondary = dnsAnswer('192.0.2.2', failover);
const primaryFailing = primaryCheckReports('^Failure', retry);
const alarmFired = integ.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [routing.alarms[0].alarmName] })
  .expect(ExpectedResult.objectLike({ MetricAlarms: [Match.objectLike({ StateValue: 'ALARM' })] }))
  .waitForAssertions(failover);

bothAnswer.next(primaryHealthy).next(routedToPrimary).next(outage).next(routedToSecondary).next(primaryFailing).next(alarmFired);
