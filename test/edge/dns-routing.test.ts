import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { DeploymentStage, DnsRouting, DnsRoutingProps, PatternDefaults, RoutingEndpoint, RoutingEndpointOptions, RoutingPolicy } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { BothMajorsOutcome, COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeCases, DeployTimeValues } from '../support/tokens';

// cdk-nag has no rule for Route 53 records or health checks (DESIGN.md item 10): its five packs
// at zero findings prove nothing about them. The assertions below on the health checks, the
// records and the alarms are the real check of each practice DnsRouting claims.

const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const zoneIn = (stack: Stack) => (stack.node.tryFindChild('Zone') as route53.IHostedZone | undefined)
  ?? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE_ID, zoneName: 'example.com' });
const ireland = (app: App = newApp()) => new Stack(app, 'Ireland', { env: { ...TEST_ENV, region: 'eu-west-1' } });

/** The two regional fronts a FAILOVER routing sends app.example.com to, by the names they answer on. */
const regionalNames = (options: RoutingEndpointOptions[] = [{}, {}]) => [
  RoutingEndpoint.fromDomainName('app-us-east-1.example.com', options[0]),
  RoutingEndpoint.fromDomainName('app-us-west-2.example.com', options[1]),
];

/** A routing of app.example.com in `stack`, FAILOVER between the two regional names unless `props` says otherwise. */
function route(stack: Stack, props: Partial<DnsRoutingProps> = {}, id = 'App'): DnsRouting {
  return new DnsRouting(stack, id, { hostedZone: zoneIn(stack), recordName: 'app.example.com', endpoints: regionalNames(), ...props });
}

/** An imported load balancer of `stack`: what the record and the health check read of it are its attributes. */
function importedAlb(stack: Stack, id = 'Alb'): elbv2.IApplicationLoadBalancer {
  return elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, id, {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${stack.region}:123456789012:loadbalancer/app/${id}/1234567890abcdef`,
    securityGroupId: 'sg-12345678',
    loadBalancerDnsName: `${id.toLowerCase()}-123.${stack.region}.elb.amazonaws.com`,
    loadBalancerCanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
  });
}

const importedDistribution = (stack: Stack, id = 'Cdn') =>
  cloudfront.Distribution.fromDistributionAttributes(stack, id, { distributionId: 'E1234567890ABC', domainName: `${id.toLowerCase()}123.cloudfront.net` });

/** An alarm on an API's 5xx count, of the kind Route 53 can read (one metric, Sum, 1 minute). */
const errorsAlarm = (stack: Stack, id = 'ApiErrors', metric: Partial<cloudwatch.MetricProps> = {}) => new cloudwatch.Alarm(stack, id, {
  metric: new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensionsMap: { ApiName: 'orders' }, statistic: 'Sum', period: Duration.minutes(1), ...metric }),
  threshold: 5,
  evaluationPeriods: 1,
});

/** Blue and green: two internet-facing load balancers in one VPC of the stack (imported: only the load balancers matter here). */
function blueAndGreen(stack: Stack): elbv2.ApplicationLoadBalancer[] {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a', 'us-east-1b'], publicSubnetIds: ['subnet-11111111', 'subnet-22222222'], publicSubnetRouteTableIds: ['rtb-11111111', 'rtb-22222222'],
  });
  return ['Blue', 'Green'].map((id) => new elbv2.ApplicationLoadBalancer(stack, id, { vpc, internetFacing: true }));
}

function blueGreenProps(stack: Stack): Partial<DnsRoutingProps> {
  const [blue, green] = blueAndGreen(stack);
  return {
    policy: RoutingPolicy.WEIGHTED,
    endpoints: [
      RoutingEndpoint.fromLoadBalancer(blue, { setIdentifier: 'blue', weight: 100, healthCheckPath: '/health' }),
      RoutingEndpoint.fromLoadBalancer(green, { setIdentifier: 'green', weight: 0, healthCheckPath: '/health' }),
    ],
  };
}

const latencyProps: Partial<DnsRoutingProps> = {
  policy: RoutingPolicy.LATENCY,
  endpoints: [
    RoutingEndpoint.fromDomainName('app-us-east-1.example.com', { region: 'us-east-1', healthCheckPath: '/health', searchString: '"status":"ok"' }),
    RoutingEndpoint.fromDomainName('app-eu-west-1.example.com', { region: 'eu-west-1', healthCheckPath: '/health', searchString: '"status":"ok"' }),
  ],
  healthCheckInterval: Duration.seconds(10),
  failureThreshold: 2,
  healthCheckRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
};

interface Built {
  readonly stack: Stack;
  readonly routing: DnsRouting;
  readonly template: Template;
}

function build(props: Partial<DnsRoutingProps> | ((stack: Stack) => Partial<DnsRoutingProps>) = {}, stack = newStack({ withEnv: true })): Built {
  const routing = route(stack, typeof props === 'function' ? props(stack) : props);
  return { stack, routing, template: Template.fromStack(stack) };
}

/** The template properties of one of the routing's records or health checks. */
const propertiesOf = (built: Built, construct: { node: { defaultChild?: unknown } }) =>
  built.template.toJSON().Resources[built.stack.getLogicalId(construct.node.defaultChild as any)].Properties;
const healthCheckConfigs = (built: Built) => built.routing.healthChecks.map((check) => propertiesOf(built, check as any).HealthCheckConfig);
const recordsOf = (built: Built) => built.routing.records.map((record) => propertiesOf(built, record as any));
const healthCheckRef = (built: Built, index: number) =>
  ({ Ref: built.stack.getLogicalId((built.routing.healthChecks[index] as any).node.defaultChild) });

describe('DnsRouting', () => {
  // Each template is built once and read by many tests.
  let failover: Built; // the defaults: FAILOVER between two regional names, PROD, us-east-1
  let weighted: Built; // blue/green between two load balancers of the stack
  let latency: Built; // two regions by name, with every health-check setting given
  beforeAll(() => {
    failover = build();
    weighted = build(blueGreenProps);
    latency = build(latencyProps);
  });

  describe('snapshots', () => {
    test('FAILOVER between two regional names, in us-east-1 (the defaults)', () => {
      expect(normalizedTemplate(failover.stack)).toMatchSnapshot();
    });

    test('WEIGHTED blue/green between two load balancers of the stack', () => {
      expect(normalizedTemplate(weighted.stack)).toMatchSnapshot();
    });

    test('LATENCY across two regions by name, with a 10 s interval, a threshold, three checker regions and a search string', () => {
      expect(normalizedTemplate(latency.stack)).toMatchSnapshot();
    });
  });

  describe('health checks', () => {
    test('by default: HTTPS with SNI on 443, path /, every 30 s, failing after 3, from every checker region, of the name the endpoint answers on', () => {
      const configs = healthCheckConfigs(failover);
      expect(configs).toEqual([
        { Type: 'HTTPS', FullyQualifiedDomainName: 'app-us-east-1.example.com', Port: 443, EnableSNI: true, ResourcePath: '/', RequestInterval: 30, FailureThreshold: 3, MeasureLatency: false, Inverted: false },
        { Type: 'HTTPS', FullyQualifiedDomainName: 'app-us-west-2.example.com', Port: 443, EnableSNI: true, ResourcePath: '/', RequestInterval: 30, FailureThreshold: 3, MeasureLatency: false, Inverted: false },
      ]);
      // No Regions: Route 53 checks from all of them.
      configs.forEach((config: any) => expect(config.Regions).toBeUndefined());
      failover.template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    });

    test('a search string makes it HTTPS_STR_MATCH; the interval, threshold and checker regions given are kept', () => {
      expect(healthCheckConfigs(latency)).toEqual(['app-us-east-1.example.com', 'app-eu-west-1.example.com'].map((fqdn) => expect.objectContaining({
        Type: 'HTTPS_STR_MATCH',
        SearchString: '"status":"ok"',
        FullyQualifiedDomainName: fqdn,
        EnableSNI: true,
        ResourcePath: '/health',
        RequestInterval: 10,
        FailureThreshold: 2,
        Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      })));
    });

    test("a load balancer's check requests its own DNS name on the path given", () => {
      const [blue, green] = ['Blue', 'Green'].map((id) => weighted.stack.getLogicalId(weighted.stack.node.findChild(id).node.defaultChild as any));
      expect(healthCheckConfigs(weighted)).toEqual([blue, green].map((lb) => expect.objectContaining({
        Type: 'HTTPS', FullyQualifiedDomainName: { 'Fn::GetAtt': [lb, 'DNSName'] }, ResourcePath: '/health', EnableSNI: true, Port: 443,
      })));
    });

    test('each is tagged Name "<record> <set identifier>", which the console lists them by', () => {
      expect(failover.routing.healthChecks.map((check) => propertiesOf(failover, check as any).HealthCheckTags)).toEqual([
        [{ Key: 'Name', Value: 'app.example.com primary' }],
        [{ Key: 'Name', Value: 'app.example.com secondary' }],
      ]);
    });
  });

  describe('records', () => {
    test('FAILOVER: the first endpoint PRIMARY, the second SECONDARY, each an alias that evaluates its target and carries its health check', () => {
      expect(recordsOf(failover)).toEqual([
        {
          Name: 'app.example.com.',
          Type: 'A',
          HostedZoneId: ZONE_ID,
          SetIdentifier: 'primary',
          Failover: 'PRIMARY',
          HealthCheckId: healthCheckRef(failover, 0),
          AliasTarget: { DNSName: 'app-us-east-1.example.com', HostedZoneId: ZONE_ID, EvaluateTargetHealth: true },
        },
        {
          Name: 'app.example.com.',
          Type: 'A',
          HostedZoneId: ZONE_ID,
          SetIdentifier: 'secondary',
          Failover: 'SECONDARY',
          HealthCheckId: healthCheckRef(failover, 1),
          AliasTarget: { DNSName: 'app-us-west-2.example.com', HostedZoneId: ZONE_ID, EvaluateTargetHealth: true },
        },
      ]);
      // Only A records: a regional name is IPv4 here.
      failover.template.resourceCountIs('AWS::Route53::RecordSet', 2);
    });

    test('WEIGHTED: the weights and set identifiers given, aliasing each load balancer with its health evaluated', () => {
      const [blue, green] = ['Blue', 'Green'].map((id) => weighted.stack.getLogicalId(weighted.stack.node.findChild(id).node.defaultChild as any));
      expect(recordsOf(weighted)).toEqual([[blue, 'blue', 100, 0], [green, 'green', 0, 1]].map(([lb, setIdentifier, weight, index]) => expect.objectContaining({
        Type: 'A',
        SetIdentifier: setIdentifier,
        Weight: weight,
        HealthCheckId: healthCheckRef(weighted, index as number),
        AliasTarget: {
          DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [lb, 'DNSName'] }]] },
          HostedZoneId: { 'Fn::GetAtt': [lb, 'CanonicalHostedZoneID'] },
          EvaluateTargetHealth: true,
        },
      })));
      recordsOf(weighted).forEach((record: any) => expect(record.Failover ?? record.Region).toBeUndefined());
    });

    test('WEIGHTED by default: weight 1 each and set identifiers endpoint-1, endpoint-2', () => {
      expect(recordsOf(build({ policy: RoutingPolicy.WEIGHTED })).map((r: any) => [r.SetIdentifier, r.Weight])).toEqual([['endpoint-1', 1], ['endpoint-2', 1]]);
    });

    test("LATENCY: each record's Region and set identifier are the region given", () => {
      expect(recordsOf(latency).map((r: any) => [r.SetIdentifier, r.Region, r.Weight, r.Failover])).toEqual([
        ['us-east-1', 'us-east-1', undefined, undefined],
        ['eu-west-1', 'eu-west-1', undefined, undefined],
      ]);
    });

    describe('mixed endpoints', () => {
      let mixed: Stack;
      let template: Template;
      let routings: Record<string, DnsRouting>;
      beforeAll(() => {
        mixed = newStack({ withEnv: true });
        const alb = importedAlb(mixed);
        const restDomain = apigw.DomainName.fromDomainNameAttributes(mixed, 'RestDomain', {
          domainName: 'api.example.com', domainNameAliasHostedZoneId: 'Z1UJRXOUMOOFQ8', domainNameAliasTarget: 'd-rest123.execute-api.us-east-1.amazonaws.com',
        });
        const httpDomain = apigwv2.DomainName.fromDomainNameAttributes(mixed, 'HttpDomain', {
          name: 'api.example.com', regionalHostedZoneId: 'Z1UJRXOUMOOFQ8', regionalDomainName: 'd-http123.execute-api.us-east-1.amazonaws.com',
        });
        routings = {
          // A load balancer, with a static page on a distribution to fall back on.
          static: route(mixed, {
            recordName: 'www.example.com',
            endpoints: [RoutingEndpoint.fromLoadBalancer(alb), RoutingEndpoint.fromDistribution(importedDistribution(mixed), { healthCheckPath: '/index.html' })],
          }, 'Static'),
          // A distribution alone: the routed name gets an AAAA record too.
          cdn: route(mixed, { recordName: 'cdn.example.com', policy: RoutingPolicy.WEIGHTED, endpoints: [RoutingEndpoint.fromDistribution(importedDistribution(mixed, 'Site'))] }, 'Edge'),
          // The load balancer's region is its stack's; the other region is given by name.
          nearest: route(mixed, {
            recordName: 'near.example.com',
            policy: RoutingPolicy.LATENCY,
            endpoints: [RoutingEndpoint.fromLoadBalancer(alb), RoutingEndpoint.fromDomainName('near-eu-west-1.example.com', { region: 'eu-west-1' })],
          }, 'Nearest'),
          // The two API Gateway custom domains, checked on their invoke hosts.
          api: route(mixed, {
            recordName: 'api.example.com',
            endpoints: [
              RoutingEndpoint.fromRestApiDomain(restDomain, { healthCheckDomainName: 'abc123.execute-api.us-east-1.amazonaws.com', healthCheckPath: '/prod/health' }),
              RoutingEndpoint.fromHttpApiDomain(httpDomain, { healthCheckDomainName: 'def456.execute-api.us-east-1.amazonaws.com', healthCheckPath: '/health' }),
            ],
          }, 'Api'),
          // APIs behind authorization: their health is an alarm's, here one of this stack and one
          // of another region, imported by its ARN.
          guarded: route(mixed, {
            recordName: 'private-api.example.com',
            endpoints: [
              RoutingEndpoint.fromRestApiDomain(apigw.DomainName.fromDomainNameAttributes(mixed, 'PrivateRestDomain', {
                domainName: 'private-api.example.com', domainNameAliasHostedZoneId: 'Z1UJRXOUMOOFQ8', domainNameAliasTarget: 'd-rest456.execute-api.us-east-1.amazonaws.com',
              }), { healthCheckAlarm: errorsAlarm(mixed) }),
              RoutingEndpoint.fromHttpApiDomain(apigwv2.DomainName.fromDomainNameAttributes(mixed, 'PrivateHttpDomain', {
                name: 'private-api.example.com', regionalHostedZoneId: 'Z1UJRXOUMOOFQ8', regionalDomainName: 'd-http456.execute-api.us-east-1.amazonaws.com',
              }), {
                healthCheckAlarm: cloudwatch.Alarm.fromAlarmArn(mixed, 'OregonErrors', 'arn:aws:cloudwatch:us-west-2:123456789012:alarm:api-errors'),
              }),
            ],
          }, 'Guarded'),
          // Any other alias target, checked on the host given.
          accelerated: route(mixed, {
            recordName: 'fast.example.com',
            policy: RoutingPolicy.WEIGHTED,
            endpoints: [RoutingEndpoint.fromAliasTarget(new targets.GlobalAcceleratorDomainTarget('a1234567890abcdef.awsglobalaccelerator.com'), {
              healthCheckDomainName: 'fast-origin.example.com',
            })],
          }, 'Accelerated'),
        };
        template = Template.fromStack(mixed);
      });
      const builtOf = (name: string): Built => ({ stack: mixed, routing: routings[name], template });

      test('any alias target: its own DNS name and zone, its health evaluated, the health check on the host given', () => {
        expect(recordsOf(builtOf('accelerated'))).toEqual([expect.objectContaining({
          AliasTarget: { DNSName: 'a1234567890abcdef.awsglobalaccelerator.com', HostedZoneId: 'Z2BJ6XQ5FK7U4H', EvaluateTargetHealth: true },
          Weight: 1,
        })]);
        expect(healthCheckConfigs(builtOf('accelerated'))).toEqual([expect.objectContaining({ Type: 'HTTPS', FullyQualifiedDomainName: 'fast-origin.example.com' })]);
      });

      test('a healthCheckAlarm makes a CLOUDWATCH_METRIC check of that alarm, by name and region, keeping its last status without data', () => {
        const alarm = mixed.getLogicalId(mixed.node.findChild('ApiErrors').node.defaultChild as any);
        expect(healthCheckConfigs(builtOf('guarded'))).toEqual([
          { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: { Ref: alarm }, Region: 'us-east-1' }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false },
          { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'api-errors', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false },
        ]);
      });

      test("a distribution's record does not evaluate its target (Route 53 refuses it for CloudFront); the load balancer's does", () => {
        const [primary, secondary] = recordsOf(builtOf('static'));
        expect(primary).toMatchObject({ Failover: 'PRIMARY', AliasTarget: { DNSName: 'dualstack.alb-123.us-east-1.elb.amazonaws.com', HostedZoneId: 'Z35SXDOTRQ7X7K', EvaluateTargetHealth: true } });
        expect(secondary).toMatchObject({ Failover: 'SECONDARY', AliasTarget: { DNSName: 'cdn123.cloudfront.net', HostedZoneId: { 'Fn::FindInMap': ['AWSCloudFrontPartitionHostedZoneIdMap', { Ref: 'AWS::Partition' }, 'zoneId'] }, EvaluateTargetHealth: false } });
        expect(healthCheckConfigs(builtOf('static'))[1]).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'cdn123.cloudfront.net', ResourcePath: '/index.html' });
      });

      test('an AAAA record only when every endpoint is a distribution: none with a load balancer and a distribution', () => {
        expect(routings.static.records).toHaveLength(2);
        expect(recordsOf(builtOf('static')).map((r: any) => r.Type)).toEqual(['A', 'A']);
        expect(recordsOf(builtOf('cdn')).map((r: any) => [r.Type, r.SetIdentifier, r.AliasTarget.EvaluateTargetHealth])).toEqual([
          ['A', 'endpoint-1', false], ['AAAA', 'endpoint-1', false],
        ]);
        // Both records of the endpoint carry its one health check.
        expect(routings.cdn.healthChecks).toHaveLength(1);
        expect(new Set(recordsOf(builtOf('cdn')).map((r: any) => JSON.stringify(r.HealthCheckId))).size).toBe(1);
      });

      test("LATENCY: a load balancer's Region is its stack's when not given", () => {
        expect(recordsOf(builtOf('nearest')).map((r: any) => [r.SetIdentifier, r.Region])).toEqual([['us-east-1', 'us-east-1'], ['eu-west-1', 'eu-west-1']]);
      });

      test("API Gateway domains: aliases to the domain's regional name, health-checked on the invoke host given", () => {
        expect(recordsOf(builtOf('api')).map((r: any) => r.AliasTarget)).toEqual([
          { DNSName: 'd-rest123.execute-api.us-east-1.amazonaws.com', HostedZoneId: 'Z1UJRXOUMOOFQ8', EvaluateTargetHealth: true },
          { DNSName: 'd-http123.execute-api.us-east-1.amazonaws.com', HostedZoneId: 'Z1UJRXOUMOOFQ8', EvaluateTargetHealth: true },
        ]);
        expect(healthCheckConfigs(builtOf('api')).map((c: any) => [c.FullyQualifiedDomainName, c.ResourcePath])).toEqual([
          ['abc123.execute-api.us-east-1.amazonaws.com', '/prod/health'],
          ['def456.execute-api.us-east-1.amazonaws.com', '/health'],
        ]);
      });
    });
  });

  describe('alarms and what the routing exposes', () => {
    test('an alarm per health check: HealthCheckStatus minimum below 1 over a minute, missing data breaching, notifying the alarm topic', () => {
      expect(failover.routing.alarms).toHaveLength(2);
      failover.template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      for (const index of [0, 1]) {
        failover.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Route53',
          MetricName: 'HealthCheckStatus',
          Dimensions: [{ Name: 'HealthCheckId', Value: healthCheckRef(failover, index) }],
          Statistic: 'Minimum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
          AlarmActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
          OKActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }],
        });
      }
    });

    test('records, health checks, alarms, the domain name and the URL', () => {
      expect([failover.routing.records.length, failover.routing.healthChecks.length, failover.routing.alarms.length]).toEqual([2, 2, 2]);
      expect([latency.routing.records.length, latency.routing.healthChecks.length, latency.routing.alarms.length]).toEqual([2, 2, 2]);
      expect(failover.routing.domainName).toBe('app.example.com');
      expect(failover.routing.url).toBe('https://app.example.com');
    });

    test('DEV outside us-east-1, where Route 53 publishes no metrics: health checks and records, no alarms, and a warning saying so', () => {
      const stack = ireland();
      const routing = route(stack, { stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      expect(routing.alarms).toEqual([]);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      template.resourceCountIs('AWS::Route53::HealthCheck', 2);
      template.resourceCountIs('AWS::Route53::RecordSet', 2);
      Annotations.fromStack(stack).hasWarning('/Ireland/App', Match.stringLikeRegexp(
        "^Ireland/App is DEV in a stack whose region is eu-west-1, so it has no alarms: Route 53 publishes health-check metrics in us-east-1 only.*PROD refuses this; deploy the routing's stack with env: \\{ region: 'us-east-1' \\}.*\\[ack: cdk-best-practice-patterns:dnsRoutingOutsideUsEast1\\]$"));
      // The dashboard still reads the health from us-east-1.
      const body = JSON.stringify(stack.resolve(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody));
      expect(body).toMatch(/\\"region\\":\\"us-east-1\\",\\"metrics\\":\[\[\\"AWS\/Route53\\",\\"HealthCheckStatus\\"/);
    });

    test('an app-wide DEV stage reaches it: an env-agnostic stack, which PROD refuses, builds without alarms', () => {
      const app = newApp();
      PatternDefaults.set(app, { stage: DeploymentStage.DEV });
      const stack = new Stack(app, 'Dev');
      expect(route(stack).alarms).toEqual([]);
      expect(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).toEqual({});
    });

    test('DEV in an env-agnostic stack: the warning says its region is unknown; in us-east-1, no warning', () => {
      const stack = newStack();
      expect(route(stack, { stage: DeploymentStage.DEV }).alarms).toEqual([]);
      Annotations.fromStack(stack).hasWarning('/TestStack/App', Match.stringLikeRegexp('region is unknown at synth \\(env-agnostic\\), so it has no alarms'));
      Annotations.fromStack(failover.stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('validation', () => {
    const longName = 'a'.repeat(129);
    const invalid: Array<[string, (stack: Stack) => Partial<DnsRoutingProps>, RegExp]> = [
      ['a wildcard record name', () => ({ recordName: '*.example.com' }), /recordName is '\*\.example\.com'; it must be one host name, not a wildcard/],
      ['a record name outside the zone', () => ({ recordName: 'app.example.org' }), /recordName is 'app\.example\.org'; it must be a name in the hosted zone example\.com/],
      ['FAILOVER with one endpoint', () => ({ endpoints: regionalNames().slice(0, 1) }),
        /endpoints is '1 endpoints'; it must be exactly 2 with RoutingPolicy\.FAILOVER: the primary first, then the secondary/],
      ['FAILOVER with three endpoints', () => ({ endpoints: [...regionalNames(), RoutingEndpoint.fromDomainName('app-eu-west-1.example.com')] }),
        /endpoints is '3 endpoints'; it must be exactly 2 with RoutingPolicy\.FAILOVER/],
      ['WEIGHTED without endpoints', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: [] }), /endpoints is '0 endpoints'; it must be 1 to 100 with RoutingPolicy\.WEIGHTED/],
      ['WEIGHTED with 101 endpoints', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: Array.from({ length: 101 }, (_, i) => RoutingEndpoint.fromDomainName(`app-${i}.example.com`)) }),
        /endpoints is '101 endpoints'; it must be 1 to 100 with RoutingPolicy\.WEIGHTED/],
      ['a policy from untyped configuration', () => ({ policy: 'ROUND_ROBIN' as any }),
        /^ {2}- policy is 'ROUND_ROBIN'; it must be one of RoutingPolicy's values: 'FAILOVER', 'WEIGHTED', 'LATENCY'\.$/m],
      ['a weight with FAILOVER', () => ({ endpoints: regionalNames([{ weight: 10 }, {}]) }),
        /endpoints\[0\]\.weight is 10; it must be left unset unless policy is RoutingPolicy\.WEIGHTED \(it is FAILOVER\)/],
      ['a weight of 256', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{}, { weight: 256 }]) }), /endpoints\[1\]\.weight is 256; it must be a whole number from 0 to 255/],
      ['a weight of 1.5', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{ weight: 1.5 }, {}]) }), /endpoints\[0\]\.weight is 1\.5; it must be a whole number from 0 to 255/],
      ['every weight 0', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{ weight: 0 }, { weight: 0 }]) }),
        /endpoints\[\]\.weight is '0, 0'; it must be at least one weight above 0/],
      ['a region with WEIGHTED', () => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{ region: 'us-east-1' }, {}]) }),
        /endpoints\[0\]\.region is 'us-east-1'; it must be left unset unless policy is RoutingPolicy\.LATENCY \(it is WEIGHTED\)/],
      ['a distribution with LATENCY', (s) => ({ policy: RoutingPolicy.LATENCY, endpoints: [regionalNames([{ region: 'us-east-1' }, {}])[0], RoutingEndpoint.fromDistribution(importedDistribution(s))] }),
        /endpoints\[1\] is 'distribution TestStack\/Cdn'; it must be a regional endpoint with RoutingPolicy\.LATENCY: a CloudFront distribution serves from every edge location/],
      ['two distributions', (s) => ({ endpoints: [RoutingEndpoint.fromDistribution(importedDistribution(s)), RoutingEndpoint.fromDistribution(importedDistribution(s, 'Standby'))] }),
        /endpoints is '2 distributions'; it must be at most one CloudFront distribution: the routed name must be among the alternate domain names of each distribution it aliases/],
      ['a domain name without a region with LATENCY', () => ({ policy: RoutingPolicy.LATENCY, endpoints: regionalNames([{}, { region: 'us-west-2' }]) }),
        /endpoints\[0\]\.region is unset; it must be the region domain name app-us-east-1\.example\.com serves from, such as 'eu-west-1': latency routing answers with the closest region's endpoint\./],
      ['two endpoints in one region with LATENCY', () => ({ policy: RoutingPolicy.LATENCY, endpoints: regionalNames([{ region: 'eu-west-1' }, { region: 'eu-west-1' }]) }),
        /endpoints\[1\]\.region is 'eu-west-1'; it must be one endpoint per region with RoutingPolicy\.LATENCY/],
      ['a region that is no region name', () => ({ policy: RoutingPolicy.LATENCY, endpoints: regionalNames([{ region: 'Ireland' }, { region: 'us-west-2' }]) }),
        /endpoints\[0\]\.region is 'Ireland'; it must be an AWS region name such as 'eu-west-1'/],
      ['a set identifier of 129 characters', () => ({ endpoints: regionalNames([{ setIdentifier: longName }, {}]) }),
        new RegExp(`endpoints\\[0\\]\\.setIdentifier is '${longName}'; it must be 1 to 128 characters`)],
      ['an empty set identifier', () => ({ endpoints: regionalNames([{}, { setIdentifier: '' }]) }), /endpoints\[1\]\.setIdentifier is ''; it must be 1 to 128 characters/],
      ['a set identifier twice', () => ({ endpoints: regionalNames([{ setIdentifier: 'blue' }, { setIdentifier: 'blue' }]) }),
        /endpoints\[1\]\.setIdentifier is 'blue'; it must be unique among the endpoints/],
      ['a domain name outside the zone', () => ({ endpoints: [RoutingEndpoint.fromDomainName('app.example.org'), regionalNames()[1]] }),
        /endpoints\[0\] is 'app\.example\.org'; it must be a name in the hosted zone example\.com/],
      ['the routed name as an endpoint', () => ({ endpoints: [regionalNames()[0], RoutingEndpoint.fromDomainName('APP.example.com.')] }),
        /endpoints\[1\] is 'APP\.example\.com\.'; it must be a name other than recordName: an alias of app\.example\.com to itself would loop/],
      ['an API domain without healthCheckDomainName', (s) => ({
        endpoints: [RoutingEndpoint.fromRestApiDomain(apigw.DomainName.fromDomainNameAttributes(s, 'RestDomain', {
          domainName: 'app.example.com', domainNameAliasHostedZoneId: 'Z1UJRXOUMOOFQ8', domainNameAliasTarget: 'd-rest123.execute-api.us-east-1.amazonaws.com',
        })), regionalNames()[1]],
      }), /endpoints\[0\]\.healthCheckDomainName is unset; it must be the host the health check of API Gateway domain TestStack\/RestDomain requests: the API's invoke host, <api-id>\.execute-api\.<region>\.amazonaws\.com/],
      ['an HTTP API domain without healthCheckDomainName', (s) => ({
        endpoints: [regionalNames()[0], RoutingEndpoint.fromHttpApiDomain(apigwv2.DomainName.fromDomainNameAttributes(s, 'HttpDomain', {
          name: 'app.example.com', regionalHostedZoneId: 'Z1UJRXOUMOOFQ8', regionalDomainName: 'd-http123.execute-api.us-east-1.amazonaws.com',
        }))],
      }), /endpoints\[1\]\.healthCheckDomainName is unset; it must be the host the health check of API Gateway domain TestStack\/HttpDomain requests/],
      ['the routed name as healthCheckDomainName', () => ({ endpoints: regionalNames([{ healthCheckDomainName: 'app.example.com' }, {}]) }),
        /endpoints\[0\]\.healthCheckDomainName is 'app\.example\.com'; it must be a name other than recordName: a check of the routed name checks whichever endpoint answers/],
      ['a healthCheckDomainName that is no host name', () => ({ endpoints: regionalNames([{}, { healthCheckDomainName: 'https://app.example.com/' }]) }),
        /endpoints\[1\]\.healthCheckDomainName is 'https:\/\/app\.example\.com\/'; it must be a host name of at most 255 characters/],
      ['a health-check path without a leading /', () => ({ endpoints: regionalNames([{ healthCheckPath: 'health' }, {}]) }),
        /endpoints\[0\]\.healthCheckPath is 'health'; it must be a path starting with \/ of at most 255 characters/],
      ['a health-check path of 256 characters', () => ({ endpoints: regionalNames([{ healthCheckPath: `/${'a'.repeat(255)}` }, {}]) }),
        /endpoints\[0\]\.healthCheckPath is '\/a{255}'; it must be a path starting with \/ of at most 255 characters/],
      ['an empty search string', () => ({ endpoints: regionalNames([{ searchString: '' }, {}]) }), /endpoints\[0\]\.searchString is ''; it must be 1 to 255 characters/],
      ['a search string of 256 characters', () => ({ endpoints: regionalNames([{}, { searchString: 'x'.repeat(256) }]) }),
        /endpoints\[1\]\.searchString is 'x{256}'; it must be 1 to 255 characters/],
      ['port 0', () => ({ endpoints: regionalNames([{ healthCheckPort: 0 }, {}]) }), /endpoints\[0\]\.healthCheckPort is 0; it must be a whole number from 1 to 65535/],
      ['an interval of 20 seconds', () => ({ healthCheckInterval: Duration.seconds(20) }),
        /healthCheckInterval is '20 seconds'; it must be Duration\.seconds\(10\) or Duration\.seconds\(30\), Route 53's only intervals/],
      ['a failure threshold of 0', () => ({ failureThreshold: 0 }), /failureThreshold is 0; it must be a whole number from 1 to 10/],
      ['a failure threshold of 11', () => ({ failureThreshold: 11 }), /failureThreshold is 11; it must be a whole number from 1 to 10/],
      ['two checker regions', () => ({ healthCheckRegions: ['us-east-1', 'eu-west-1'] }),
        /healthCheckRegions is 'us-east-1, eu-west-1'; it must be at least 3 different regions: Route 53 decides an endpoint's health by what most of its checkers see/],
      ['one checker region three times', () => ({ healthCheckRegions: ['us-east-1', 'us-east-1', 'us-east-1'] }), /healthCheckRegions is 'us-east-1, us-east-1, us-east-1'; it must be at least 3 different regions/],
      ['a healthCheckAlarm with a health-check path', (stack) => ({ endpoints: regionalNames([{ healthCheckAlarm: errorsAlarm(stack), healthCheckPath: '/health' }, {}]) }),
        /endpoints\[0\]\.healthCheckPath is '\/health'; it must be left unset with healthCheckAlarm: the alarm decides the endpoint's health, nothing is requested/],
      ['a healthCheckAlarm on a percentile', (stack) => ({ endpoints: regionalNames([{ healthCheckAlarm: errorsAlarm(stack, 'P99', { statistic: 'p99' }) }, {}]) }),
        /endpoints\[0\]\.healthCheckAlarm is 'TestStack\/P99 \(statistic p99\)'; it must be an alarm on one of the statistics Route 53 reads: Average, Minimum, Maximum, Sum, SampleCount/],
      ['a healthCheckAlarm on a high-resolution metric', (stack) => ({ endpoints: regionalNames([{ healthCheckAlarm: errorsAlarm(stack, 'Fast', { period: Duration.seconds(10) }) }, {}]) }),
        /endpoints\[0\]\.healthCheckAlarm is 'TestStack\/Fast \(period 10 seconds\)'; it must be an alarm on a standard-resolution metric/],
      ['a healthCheckAlarm on a math expression', (stack) => ({
        endpoints: regionalNames([{
          healthCheckAlarm: new cloudwatch.Alarm(stack, 'Math', {
            metric: new cloudwatch.MathExpression({ expression: 'm1 * 2', usingMetrics: { m1: new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5XXError' }) } }),
            threshold: 1,
            evaluationPeriods: 1,
          }),
        }, {}]),
      }), /endpoints\[0\]\.healthCheckAlarm is 'TestStack\/Math'; it must be an alarm on one metric: Route 53 cannot read an alarm on a math expression/],
      ['a healthCheckAlarm of an env-agnostic stack', (stack) => ({ endpoints: regionalNames([{ healthCheckAlarm: errorsAlarm(new Stack(stack.node.scope as App, 'Agnostic')) }, {}]) }),
        /endpoints\[0\]\.healthCheckAlarm is 'Agnostic\/ApiErrors'; it must be an alarm whose region is known at synth/],
      ['a given set identifier equal to a default one', () => ({ endpoints: regionalNames([{}, { setIdentifier: 'primary' }]) }),
        /endpoints\[1\]\.setIdentifier is 'primary'; it must be unique among the endpoints, given or by default \(primary and secondary\)/],
      ['port 65536', () => ({ endpoints: regionalNames([{}, { healthCheckPort: 65536 }]) }), /endpoints\[1\]\.healthCheckPort is 65536; it must be a whole number from 1 to 65535/],
      ['a healthCheckDomainName of 256 characters', () => ({ endpoints: regionalNames([{ healthCheckDomainName: `${'a'.repeat(244)}.example.com` }, {}]) }),
        /endpoints\[0\]\.healthCheckDomainName is 'a{244}\.example\.com'; it must be a host name of at most 255 characters/],
      ...(['searchString', 'healthCheckDomainName', 'healthCheckPort'] as const).map((option): [string, (stack: Stack) => Partial<DnsRoutingProps>, RegExp] => [
        `a healthCheckAlarm with ${option}`,
        (stack) => ({ endpoints: regionalNames([{ healthCheckAlarm: errorsAlarm(stack), [option]: option === 'healthCheckPort' ? 8443 : 'x.example.com' }, {}]) }),
        new RegExp(`endpoints\\[0\\]\\.${option} is .*; it must be left unset with healthCheckAlarm`),
      ]),
      ['a healthCheckAlarm in a region Route 53 reads no alarms from', (stack) => ({
        endpoints: regionalNames([{ healthCheckAlarm: cloudwatch.Alarm.fromAlarmArn(stack, 'Far', 'arn:aws:cloudwatch:xx-north-9:123456789012:alarm:api-errors') }, {}]),
      }), /endpoints\[0\]\.healthCheckAlarm is 'TestStack\/Far \(in xx-north-9\)'; it must be an alarm in a region Route 53 reads alarms from: us-east-1, /],
      ['an API domain for another name', (stack) => ({
        endpoints: [RoutingEndpoint.fromHttpApiDomain(apigwv2.DomainName.fromDomainNameAttributes(stack, 'Other', {
          name: 'api.example.com', regionalHostedZoneId: 'Z1UJRXOUMOOFQ8', regionalDomainName: 'd-http123.execute-api.us-east-1.amazonaws.com',
        }), { healthCheckDomainName: 'abc123.execute-api.us-east-1.amazonaws.com' }), regionalNames()[1]],
      }), /endpoints\[0\] is 'API Gateway domain TestStack\/Other for api\.example\.com'; it must be a custom domain for recordName \(app\.example\.com\): API Gateway answers only the names of its custom domains/],
      ['an edge-optimized API domain', (stack) => ({
        endpoints: [RoutingEndpoint.fromRestApiDomain(new apigw.DomainName(stack, 'Edge', {
          domainName: 'app.example.com',
          endpointType: apigw.EndpointType.EDGE,
          certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
        }), { healthCheckDomainName: 'abc123.execute-api.us-east-1.amazonaws.com' }), regionalNames()[1]],
      }), /endpoints\[0\] is 'API Gateway domain TestStack\/Edge'; it must be a regional API Gateway domain \(RestApiLambda endpoint REGIONAL\): an edge-optimized one is a CloudFront distribution/],
      ['an alias target without a health-check host', () => ({
        endpoints: [RoutingEndpoint.fromAliasTarget(new targets.GlobalAcceleratorDomainTarget('a1234567890abcdef.awsglobalaccelerator.com')), regionalNames()[1]],
      }), /endpoints\[0\]\.healthCheckDomainName is unset; it must be the host the health check of alias target GlobalAcceleratorDomainTarget requests: a host name that reaches this target alone/],
      ['a CloudFront target given as any alias target', (stack) => ({
        endpoints: [regionalNames()[0], RoutingEndpoint.fromAliasTarget(new targets.CloudFrontTarget(importedDistribution(stack)), { healthCheckDomainName: 'cdn123.cloudfront.net' })],
      }), /endpoints\[1\] is 'alias target CloudFrontTarget'; it must be RoutingEndpoint\.fromDistribution for a CloudFront distribution/],
      ['a region without health checkers', () => ({ healthCheckRegions: ['us-east-1', 'eu-west-1', 'eu-central-1'] }),
        /healthCheckRegions is 'eu-central-1'; it must be regions Route 53's health checkers run in: us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1/],
    ];

    test.each(invalid)('rejects %s', (_name, props, message) => {
      const stack = newStack({ withEnv: true });
      expect(() => route(stack, props(stack))).toThrow(message);
    });

    test('PROD in eu-west-1 is refused, naming the stack, its region and the fix', () => {
      expect(() => route(ireland())).toThrow(new RegExp("^DnsRouting 'Ireland/App' has 1 invalid prop:\n"
        + "  - the region of stack 'Ireland' is 'eu-west-1'; it must be us-east-1 for a PROD DnsRouting: Route 53 publishes health-check metrics only in us-east-1, .*"
        + "Deploy the routing's stack with env: \\{ region: 'us-east-1' \\}"));
    });

    test('PROD in an env-agnostic stack, the default, is refused, saying why and the fix', () => {
      expect(() => route(newStack())).toThrow(
        /the region of stack 'TestStack' is unset; it must be us-east-1 for a PROD DnsRouting, known at synth \(an env-agnostic stack deploys wherever the CLI points\):.*Deploy the routing's stack with env: \{ region: 'us-east-1' \}/);
    });

    test('a load balancer of a stack in another region is a weak reference, read at deploy time (Fn::GetStackOutput)', () => {
      const app = newApp({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
      const alb = importedAlb(ireland(app));
      const owned = new elbv2.ApplicationLoadBalancer(alb.stack, 'Owned', {
        vpc: ec2.Vpc.fromVpcAttributes(alb.stack, 'Vpc', {
          vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a', 'eu-west-1b'], publicSubnetIds: ['subnet-11111111', 'subnet-22222222'], publicSubnetRouteTableIds: ['rtb-11111111', 'rtb-22222222'],
        }),
        internetFacing: true,
      });
      const stack = new Stack(app, 'Virginia', { env: TEST_ENV });
      route(stack, { policy: RoutingPolicy.LATENCY, endpoints: [regionalNames([{ region: 'us-east-1' }])[0], RoutingEndpoint.fromLoadBalancer(owned)] });
      const template = Template.fromStack(stack);
      const fromIreland = Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: 'Ireland', Region: 'eu-west-1' }) });
      template.hasResourceProperties('AWS::Route53::RecordSet', { Region: 'eu-west-1', AliasTarget: Match.objectLike({ HostedZoneId: fromIreland }) });
      template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: fromIreland }) });
    });

    test('a load balancer of an env-agnostic stack needs its region with LATENCY', () => {
      const app = newApp();
      const alb = importedAlb(new Stack(app, 'Agnostic'));
      const stack = new Stack(app, 'Virginia', { env: TEST_ENV });
      expect(() => route(stack, { policy: RoutingPolicy.LATENCY, endpoints: [RoutingEndpoint.fromLoadBalancer(alb), regionalNames([{}, { region: 'us-west-2' }])[1]] }))
        .toThrow(/endpoints\[0\]\.region is unset; it must be the region load balancer Agnostic\/Alb serves from, such as 'eu-west-1': .* \(its stack is env-agnostic, so its region is not known at synth\)/);
    });

    test('collects every error into one message', () => {
      expect(() => route(newStack({ withEnv: true }), { failureThreshold: 0, healthCheckInterval: Duration.minutes(1), recordName: '*.example.com' }))
        .toThrow(/has 3 invalid props:/);
    });

    // Every validated value a user may pass from a parameter or another stack: the validator skips
    // it and the template holds the parameter.
    const tokenCases: Array<[string, (t: DeployTimeValues) => Partial<DnsRoutingProps>]> = [
      ['a weight', (t) => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{ weight: t.number }, {}]) })],
      ['every weight', (t) => ({ policy: RoutingPolicy.WEIGHTED, endpoints: regionalNames([{ weight: t.number }, { weight: 0 }]) })],
      ['a region, with a set identifier', (t) => ({ policy: RoutingPolicy.LATENCY, endpoints: regionalNames([{ region: t.text, setIdentifier: 'east' }, { region: 'us-west-2' }]) })],
      ['a region, without a set identifier', (t) => ({ policy: RoutingPolicy.LATENCY, endpoints: regionalNames([{ region: t.text }, { region: 'us-west-2' }]) })],
      ['a set identifier', (t) => ({ endpoints: regionalNames([{ setIdentifier: t.text }, {}]) })],
      ['a domain name', (t) => ({ endpoints: [RoutingEndpoint.fromDomainName(t.text), regionalNames()[1]] })],
      ['healthCheckDomainName', (t) => ({ endpoints: regionalNames([{ healthCheckDomainName: t.text }, {}]) })],
      ['healthCheckPath', (t) => ({ endpoints: regionalNames([{ healthCheckPath: t.text }, {}]) })],
      ['searchString', (t) => ({ endpoints: regionalNames([{ searchString: t.text }, {}]) })],
      ['healthCheckPort', (t) => ({ endpoints: regionalNames([{ healthCheckPort: t.number }, {}]) })],
      ['healthCheckInterval', (t) => ({ healthCheckInterval: t.duration })],
      ['failureThreshold', (t) => ({ failureThreshold: t.number })],
      ['healthCheckRegions as a whole', (t) => ({ healthCheckRegions: t.list })],
      ['a region of healthCheckRegions', (t) => ({ healthCheckRegions: ['us-east-1', 'eu-west-1', t.text] })],
    ];
    const tokenCase = deployTimeCases(newApp, tokenCases, (stack, id, t, [, props]) => route(stack, props(t), id), {
      perStack: 14,
      stackProps: { env: TEST_ENV },
    });
    test.each(tokenCases.map(([prop], i) => [prop, i] as const))('accepts a token for %s', (_prop, i) => {
      const { name, resources } = tokenCase(i);
      expect(resources).toMatch(new RegExp(`\\{"Ref":"${name}(Number|Text|List)"\\}`));
    });

    test('a set identifier known only at deploy time reaches the record; its constructs are named by position', () => {
      const index = tokenCases.findIndex(([prop]) => prop === 'a region, without a set identifier');
      const { name, resources } = tokenCase(index);
      expect(resources).toContain(`"Region":{"Ref":"${name}Text"},"SetIdentifier":{"Ref":"${name}Text"}`);
      expect(resources).toMatch(new RegExp(`"${name}Aendpoint1[0-9A-F]{8}":`));
      expect(resources).toMatch(new RegExp(`"${name}HealthCheckendpoint1[0-9A-F]{8}":`));
    });

    test('refuses recordName as a token, saying why', () => {
      // aws-cdk-lib would append the zone's name to it (Name: <token>.example.com.).
      const stack = newStack({ withEnv: true });
      expect(() => route(stack, { recordName: Token.asString({ Ref: 'Name' }) }))
        .toThrow(/recordName is a token, only known at deploy time; it must be a value known at synth: it names every record, and aws-cdk-lib completes a name it cannot read with the zone's name\./);
    });

    test('refuses endpoints as a token, saying why', () => {
      const stack = newStack({ withEnv: true });
      expect(() => route(stack, { endpoints: Token.asList({ Ref: 'Endpoints' }) as any }))
        .toThrow('endpoints is a token, only known at deploy time; it must be a value known at synth: each endpoint is a record and a health check of its own.');
    });
  });

  describe('compliance', () => {
    // Route 53 has no cdk-nag rules (see the top of this file): these prove only that the alarms,
    // the topic and the dashboard the routing brings add no finding.
    let defaults: BothMajorsOutcome;
    let dev: BothMajorsOutcome;
    beforeAll(() => {
      const defaultsApp = newApp();
      route(new Stack(defaultsApp, 'Defaults', { env: TEST_ENV }));
      defaults = runNagPacksOfBothMajors(defaultsApp);
      const devApp = newApp();
      route(new Stack(devApp, 'Dev'), { stage: DeploymentStage.DEV });
      dev = runNagPacksOfBothMajors(devApp);
    });

    test('defaults: no unacknowledged finding in any of the five cdk-nag 3.x packs', () => {
      expect(defaults.v3).toEqual(COMPLIANT);
    });

    test('defaults: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(defaults.v2).toEqual([]);
    });

    test('DEV in an env-agnostic stack: nothing unacknowledged under 3.x or 2.x', () => {
      expect(dev.v3).toEqual(COMPLIANT);
      expect(dev.v2).toEqual([]);
    });
  });

  describe('composition and template validity', () => {
    // One app: a FAILOVER routing of regional names and a WEIGHTED one of the stack's load
    // balancers, then LATENCY by name, side by side in one stack.
    let findings: string[];
    let template: Template;
    beforeAll(() => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      route(stack);
      route(stack, { recordName: 'release.example.com', ...blueGreenProps(stack) }, 'Release');
      route(stack, { recordName: 'api.example.com', ...latencyProps }, 'Api');
      findings = cloudFormationFindings(app);
      template = Template.fromStack(stack);
    });

    test('three routings in one stack synthesize, each with its own records, health checks and alarms', () => {
      template.resourceCountIs('AWS::Route53::RecordSet', 6);
      template.resourceCountIs('AWS::Route53::HealthCheck', 6);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
      const names = Object.values(template.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties.Name);
      expect(new Set(names)).toEqual(new Set(['app.example.com.', 'release.example.com.', 'api.example.com.']));
    });

    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      expect(findings).toEqual([]);
    });
  });
});
