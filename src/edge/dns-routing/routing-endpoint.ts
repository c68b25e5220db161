import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { IConstruct } from 'constructs';

/**
 * How DnsRouting chooses among its endpoints.
 */
export enum RoutingPolicy {
  /**
   * The first endpoint while its health check passes, else the second: active-passive, such as a
   * primary region and a standby one.
   */
  FAILOVER = 'FAILOVER',
  /**
   * Each healthy endpoint gets a share of the answers proportional to its weight: blue/green
   * (move the weight from one endpoint to the other) and canary releases (a small weight).
   */
  WEIGHTED = 'WEIGHTED',
  /**
   * Each client gets the healthy endpoint in the region with the lowest latency from it: one
   * endpoint per region, active-active.
   */
  LATENCY = 'LATENCY',
}

/**
 * Options of one endpoint of a DnsRouting.
 */
export interface RoutingEndpointOptions {
  /**
   * The endpoint's weight, from 0 to 255, with `RoutingPolicy.WEIGHTED` only. An endpoint gets
   * its weight's share of the sum of all weights; 0 sends it nothing while another endpoint is
   * healthy (a blue/green standby).
   *
   * @default 1 (with WEIGHTED: equal shares)
   */
  readonly weight?: number;

  /**
   * The AWS region the endpoint serves from, with `RoutingPolicy.LATENCY` only, such as
   * `eu-west-1`.
   *
   * @default - the region of the endpoint's stack, when it is known at synth; required for
   * `fromDomainName`
   */
  readonly region?: string;

  /**
   * The name that tells this endpoint's record from the others of the name, 1 to 128 characters,
   * unique among the endpoints (given or default). Changing it replaces the record and its health
   * check: with WEIGHTED and LATENCY in one deploy; with FAILOVER Route 53 refuses a second record
   * of one role while the old one exists, so remove the endpoint in one deploy and add it back in
   * the next (or swap the identifiers of both endpoints in two steps).
   *
   * @default - FAILOVER: `primary` and `secondary`; LATENCY: the region; WEIGHTED: `endpoint-1`,
   * `endpoint-2`, ... in the order of `endpoints`
   */
  readonly setIdentifier?: string;

  /**
   * The path the health check requests, starting with `/`, at most 255 characters. Point it at a
   * page that checks what the endpoint needs to serve (its database, its downstream services), so
   * that DNS moves away from an endpoint that answers but cannot serve.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * A string the health check's response body must contain (in its first 5,120 bytes), at most
   * 255 characters; the check then also fails on a 2xx or 3xx answer without it.
   *
   * @default - any 2xx or 3xx status passes
   */
  readonly searchString?: string;

  /**
   * The host name the health check requests, over HTTPS with SNI. It must reach this endpoint
   * alone: never the routed name, whose answer depends on the health being checked.
   *
   * @default - the load balancer's or distribution's DNS name, or the endpoint's domain name;
   * for an API Gateway custom domain, whose target name answers no requests, give the API's
   * invoke host, `<api-id>.execute-api.<region>.amazonaws.com`, with the stage in
   * `healthCheckPath` (or a `healthCheckAlarm`)
   */
  readonly healthCheckDomainName?: string;

  /**
   * The port the health check connects to, 1 to 65535.
   *
   * @default 443
   */
  readonly healthCheckPort?: number;

  /**
   * Decide the endpoint's health by this CloudWatch alarm instead of an HTTPS request: unhealthy
   * while it is in ALARM. For an endpoint Route 53 cannot request, such as an API behind IAM or
   * JWT authorization (a health check's unsigned request gets 401 or 403), as AWS's DNS failover
   * guide for API Gateway does with an alarm on the API's errors. The alarm must be in a region
   * known at synth (or in the routing's own stack), on one metric with a standard resolution and
   * one of Average, Minimum, Maximum, Sum or SampleCount (no percentile). While the alarm has too
   * little data, the endpoint keeps its last status; the alias still fails over when the target
   * itself is unhealthy (EvaluateTargetHealth). Not with the request options (`healthCheckPath`,
   * `searchString`, `healthCheckDomainName`, `healthCheckPort`).
   *
   * @default - an HTTPS request to the endpoint's health check path
   */
  readonly healthCheckAlarm?: cloudwatch.IAlarm;
}

/**
 * The region of `alarm`, as Route 53's AlarmIdentifier names it: from a literal ARN, else its
 * stack's region when known; in the routing's own stack, that stack's region even when it is the
 * deploy-time `AWS::Region`. Undefined when it cannot be known at synth.
 */
export function alarmRegionOf(alarm: cloudwatch.IAlarm, routing: IConstruct): string | undefined {
  if (!Token.isUnresolved(alarm.alarmArn)) {
    return Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME).region;
  }
  const region = Stack.of(alarm).region;
  return !Token.isUnresolved(region) || Stack.of(alarm) === Stack.of(routing) ? region : undefined;
}

/**
 * What DnsRouting reads of an endpoint. Internal: not part of the public API.
 */
export interface EndpointTarget {
  /** What the endpoint is, for messages: `load balancer Stack/Web/LoadBalancer`. */
  readonly description: string;
  /** The construct behind it, whose stack tells its region; none for a domain name. */
  readonly construct?: IConstruct;
  /** Whether the target answers over IPv6 too, and so may get an AAAA record. */
  readonly ipv6: boolean;
  /** A global target, such as a CloudFront distribution, has no region for latency routing. */
  readonly global: boolean;
  /** The host name its health check requests by default, if it has one that reaches it alone. */
  readonly healthCheckDomainName?: string;
  /** The prop a user names when the endpoint has no default health-check host. */
  readonly healthCheckDomainNameHint?: string;
  /** The domain name of a `fromDomainName` endpoint, which validation checks against the zone. */
  readonly domainName?: string;
  /**
   * The name an API Gateway custom domain answers for, when known at synth: it must be the
   * routed name, since API Gateway answers another host with 403.
   */
  readonly apiDomainName?: string;
  /** An edge-optimized API Gateway domain: a CloudFront distribution of API Gateway's. */
  readonly edgeOptimized?: boolean;
  /** A CloudFront target given to `fromAliasTarget`, which `fromDistribution` must take instead. */
  readonly cloudFront?: boolean;
  /** The alias target in `zone`. */
  aliasTarget(zone: route53.IHostedZone): route53.IAliasRecordTarget;
}

/**
 * One endpoint DnsRouting routes its name to: an alias target in AWS, with the options of its
 * record and health check.
 *
 * Hand over the load balancer, distribution or API domain itself, or the name an endpoint
 * answers on (`fromDomainName('app-eu-west-1.example.com')`). An object of a stack in another
 * region is a cross-region reference, which aws-cdk-lib resolves at deploy time through
 * `Fn::GetStackOutput` in apps with weak cross-stack references (the default of new projects)
 * and refuses otherwise; a name is a plain value, known in both stacks (see DnsRouting's docs).
 *
 * @example
 * import { AlbFargateService, DnsRouting, MultiAzVpc, RoutingEndpoint, RoutingPolicy } from 'cdk-best-practice-patterns';
 *
 * // Blue/green in one stack: move the weight from blue to green, then retire blue. Each front's
 * // certificate covers the routed name too (alternativeDomainNames); DnsRouting owns its records.
 * const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
 * const network = new MultiAzVpc(this, 'Network');
 * const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
 * const blue = new AlbFargateService(this, 'Blue', { vpc: network.vpc, image, domainName: 'blue.example.com', hostedZone: zone, alternativeDomainNames: ['app.example.com'] });
 * const green = new AlbFargateService(this, 'Green', { vpc: network.vpc, image, domainName: 'green.example.com', hostedZone: zone, alternativeDomainNames: ['app.example.com'] });
 * new DnsRouting(this, 'Release', {
 *   hostedZone: zone,
 *   recordName: 'app.example.com',
 *   policy: RoutingPolicy.WEIGHTED,
 *   endpoints: [
 *     RoutingEndpoint.fromLoadBalancer(blue.loadBalancer, { setIdentifier: 'blue', weight: 100 }),
 *     RoutingEndpoint.fromLoadBalancer(green.loadBalancer, { setIdentifier: 'green', weight: 0 }),
 *   ],
 * });
 */
export class RoutingEndpoint {
  /**
   * An Application or Network Load Balancer, such as the `loadBalancer` of AlbAutoScalingGroup or
   * AlbFargateService. In another region's stack it is a weak cross-stack reference (see the class).
   *
   * The health check requests the load balancer's DNS name over HTTPS (Route 53 does not reject
   * a certificate for another name: it retries without SNI), so the load balancer must listen on
   * HTTPS: a front with `allowInsecureHttp` or a TCP Network Load Balancer would never pass it
   * (give it a `healthCheckAlarm` instead).
   */
  public static fromLoadBalancer(loadBalancer: elbv2.ILoadBalancerV2, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    return new RoutingEndpoint({
      description: `load balancer ${loadBalancer.node.path}`,
      construct: loadBalancer,
      aliasTarget: () => new targets.LoadBalancerTarget(loadBalancer, { evaluateTargetHealth: true }),
      // The library's load balancers are IPv4-only.
      ipv6: false,
      global: false,
      healthCheckDomainName: loadBalancer.loadBalancerDnsName,
    }, options);
  }

  /**
   * A CloudFront distribution, such as a StaticWebsite's `distribution`: with FAILOVER, a static
   * page to fall back on; not with LATENCY (a distribution is global). The distribution must list
   * the routed name among its alternate domain names (StaticWebsite: `domainNames` with a
   * `certificate` and no `hostedZone`, so that it creates no records of its own for the name).
   * One distribution per DnsRouting at most: CloudFront allows a name on one distribution only.
   */
  public static fromDistribution(distribution: cloudfront.IDistribution, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    return new RoutingEndpoint({
      description: `distribution ${distribution.node.path}`,
      construct: distribution,
      aliasTarget: () => withoutTargetHealth(new targets.CloudFrontTarget(distribution)),
      ipv6: true,
      global: true,
      healthCheckDomainName: distribution.distributionDomainName,
    }, options);
  }

  /**
   * An API Gateway custom domain of a REST API (RestApiLambda's `domain`), with the same name as
   * the routed one (each region's API has its own; RestApiLambda: `aliasRecord: false`). Its
   * health: a `healthCheckAlarm` (an API behind IAM or JWT authorization answers a health
   * check's unsigned request with 401 or 403), or, for a route that answers without
   * authorization, `healthCheckDomainName`: the API's invoke host, which needs the API's
   * execute-api endpoint on (RestApiLambda: `executeApiEndpoint: true`).
   */
  public static fromRestApiDomain(domain: apigw.IDomainName, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    const cfn = domain.node.defaultChild instanceof apigw.CfnDomainName ? domain.node.defaultChild : undefined;
    const types: unknown = cfn ? Stack.of(domain).resolve(cfn.endpointConfiguration)?.types : undefined;
    return new RoutingEndpoint({
      description: `API Gateway domain ${domain.node.path}`,
      construct: domain,
      aliasTarget: () => aliasTo(domain.domainNameAliasDomainName, domain.domainNameAliasHostedZoneId),
      ipv6: false,
      global: false,
      healthCheckDomainNameHint: API_HEALTH_CHECK_HINT,
      apiDomainName: cfn?.domainName ?? domain.domainName,
      edgeOptimized: Array.isArray(types) && types.includes('EDGE'),
    }, options);
  }

  /**
   * An API Gateway custom domain of an HTTP API (HttpApiLambda's `domain`), with the same name as
   * the routed one (each region's API has its own; HttpApiLambda: `aliasRecord: false`). Its
   * health: a `healthCheckAlarm` (an API behind IAM or JWT authorization answers a health
   * check's unsigned request with 401 or 403), or, for a route that answers without
   * authorization, `healthCheckDomainName`: the API's invoke host, which needs the API's
   * execute-api endpoint on (HttpApiLambda: `executeApiEndpoint: true`).
   */
  public static fromHttpApiDomain(domain: apigwv2.IDomainName, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    const cfn = domain.node.defaultChild instanceof apigwv2.CfnDomainName ? domain.node.defaultChild : undefined;
    return new RoutingEndpoint({
      description: `API Gateway domain ${domain.node.path}`,
      construct: domain,
      aliasTarget: () => aliasTo(domain.regionalDomainName, domain.regionalHostedZoneId),
      ipv6: false,
      global: false,
      healthCheckDomainNameHint: API_HEALTH_CHECK_HINT,
      apiDomainName: cfn?.domainName ?? domain.name,
    }, options);
  }

  /**
   * A name of the same hosted zone that answers for the endpoint alone, such as the name a
   * regional AlbFargateService answers on (`domainName: 'app-eu-west-1.example.com'`, with the
   * routed name among its `alternativeDomainNames`). The record aliases that name, evaluating
   * its target's health (the library's fronts create their records with EvaluateTargetHealth, so
   * a load balancer without a healthy target counts), and the health check requests it.
   *
   * This is how DnsRouting reaches endpoints in other regions: the name is a plain value known
   * in both stacks, so nothing crosses regions at deploy time.
   */
  public static fromDomainName(domainName: string, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    return new RoutingEndpoint({
      description: `domain name ${domainName}`,
      aliasTarget: (zone) => aliasTo(domainName, zone.hostedZoneId),
      ipv6: false,
      global: false,
      healthCheckDomainName: domainName,
      domainName,
    }, options);
  }

  /**
   * Any other alias target aws-cdk-lib offers (`route53-targets`: an Elastic Beanstalk
   * environment, a Global Accelerator, an S3 website, an interface endpoint, ...), with the host
   * its health check requests in `healthCheckDomainName` (or a `healthCheckAlarm`): an alias target
   * has no host of its own to default to. The record evaluates the target's health, unless the
   * target says otherwise. Not a CloudFront distribution: give it to `fromDistribution`, which
   * knows that Route 53 cannot evaluate one.
   */
  public static fromAliasTarget(target: route53.IAliasRecordTarget, options: RoutingEndpointOptions = {}): RoutingEndpoint {
    return new RoutingEndpoint({
      description: `alias target ${target.constructor.name}`,
      aliasTarget: () => withTargetHealth(target),
      ipv6: false,
      global: false,
      healthCheckDomainNameHint: 'a host name that reaches this target alone (an alias target has none of its own to default to)',
      cloudFront: target instanceof targets.CloudFrontTarget,
    }, options);
  }

  /** @internal */
  public readonly _target: EndpointTarget;
  /** @internal */
  public readonly _options: RoutingEndpointOptions;

  private constructor(target: EndpointTarget, options: RoutingEndpointOptions) {
    this._target = target;
    this._options = options;
  }

  /**
   * The region of the endpoint's stack, when it is known at synth; a global target or a domain
   * name has none.
   *
   * @internal
   */
  public _stackRegion(): string | undefined {
    if (this._target.global || !this._target.construct) {
      return undefined;
    }
    const region = Stack.of(this._target.construct).region;
    return Token.isUnresolved(region) ? undefined : region;
  }
}

/**
 * A CloudFront alias that says EvaluateTargetHealth false outright. Route 53 refuses true for a
 * distribution, while aws-cdk-lib's RecordSet refuses a failover alias whose EvaluateTargetHealth
 * is not true (it assumes every target has a health to evaluate), which would make a distribution
 * unusable as a FAILOVER endpoint. Given as a token, the false passes that check and reaches the
 * template as is; the record's own health check decides the failover.
 */
/**
 * `target`, evaluating its health unless it says otherwise: a target's own `evaluateTargetHealth`
 * (false, or true) wins; left unset, it becomes true, which a FAILOVER record needs.
 */
function withTargetHealth(target: route53.IAliasRecordTarget): route53.IAliasRecordTarget {
  return {
    bind: (record, zone) => {
      const config = target.bind(record, zone);
      return config.evaluateTargetHealth === false ? withoutTargetHealth(target).bind(record, zone) : { ...config, evaluateTargetHealth: true };
    },
  };
}

function withoutTargetHealth(target: route53.IAliasRecordTarget): route53.IAliasRecordTarget {
  return {
    bind: (record, zone) => ({ ...target.bind(record, zone), evaluateTargetHealth: Token.asAny(false) as unknown as boolean }),
  };
}

/** What an API Gateway domain's health check requests, for the error that asks for it. */
const API_HEALTH_CHECK_HINT = "the API's invoke host, <api-id>.execute-api.<region>.amazonaws.com (the custom domain's target name answers no requests)";

/**
 * The endpoint's set identifier: given, or by policy (`primary` and `secondary`, the region,
 * `endpoint-2`). Internal: DnsRouting names the records with it, and validation checks that the
 * identifiers, given or not, are unique.
 */
export function setIdentifierOf(endpoint: RoutingEndpoint, index: number, policy: RoutingPolicy): string {
  if (endpoint._options.setIdentifier !== undefined) {
    return endpoint._options.setIdentifier;
  }
  switch (policy) {
    case RoutingPolicy.FAILOVER:
      return index === 0 ? 'primary' : 'secondary';
    case RoutingPolicy.LATENCY:
      return endpoint._options.region ?? endpoint._stackRegion()!;
    default:
      return `endpoint-${index + 1}`;
  }
}

/** An alias to a DNS name in a hosted zone (an API Gateway domain's target, a record of the zone), evaluating its health. */
function aliasTo(dnsName: string, hostedZoneId: string): route53.IAliasRecordTarget {
  return { bind: () => ({ dnsName, hostedZoneId, evaluateTargetHealth: true }) };
}
