import { Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { alarmRegionOf, RoutingEndpoint, RoutingPolicy, setIdentifierOf } from './routing-endpoint';
import { healthCheckIntervalOf, ROUTE53_METRICS, validateDnsRoutingProps } from './validate';
import { PatternPrelude } from '../../core/pattern-prelude';
import { PatternProps } from '../../core/pattern-props';
import { warnOutsideUsEast1 } from '../../core/us-east-1';

/**
 * The id of the warning a DEV routing outside us-east-1 gets: it has no alarms.
 */
const OUTSIDE_US_EAST_1_WARNING = 'cdk-best-practice-patterns:dnsRoutingOutsideUsEast1';

/**
 * Properties of a DnsRouting.
 */
export interface DnsRoutingProps extends PatternProps {
  /**
   * The public hosted zone the routed name belongs to.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The routed name, such as `app.example.com`: the zone's apex or a name inside it, not a
   * wildcard. DnsRouting owns its records: nothing else may create a record of this name and type
   * (a front's `domainName` would; see `RoutingEndpoint.fromDomainName`).
   */
  readonly recordName: string;

  /**
   * How the name is routed among the endpoints. Changing it on a deployed routing fails: the new
   * records are created before the old ones are deleted, and Route 53 refuses two routing policies
   * for one name; route a new name, or remove the routing in one deploy and add it back in the next.
   *
   * @default RoutingPolicy.FAILOVER
   */
  readonly policy?: RoutingPolicy;

  /**
   * The endpoints: with FAILOVER exactly two, the primary first; with WEIGHTED and LATENCY 1 to
   * 100; at most one CloudFront distribution. Each gets an alias record and a health check (an
   * HTTPS request, or its `healthCheckAlarm`).
   */
  readonly endpoints: RoutingEndpoint[];

  /**
   * How often each of Route 53's checkers requests each endpoint: 10 or 30 seconds. With about
   * 15 checkers in eight regions, an endpoint gets a request every 2 seconds or so at 30 seconds,
   * three times as often at 10; 10 seconds detects a failure sooner and costs more. Route 53 cannot
   * change it on an existing health check: a change replaces the check.
   *
   * @default Duration.seconds(30)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * How many consecutive checks must fail (or pass) before a checker sees the endpoint as
   * unhealthy (or healthy again), 1 to 10. With the default interval, an endpoint is failed
   * over about 90 seconds after it stops answering, plus the record's TTL in resolvers (60 s for
   * alias records to AWS endpoints).
   *
   * @default 3
   */
  readonly failureThreshold?: number;

  /**
   * The regions Route 53 checks from, at least 3 of: us-east-1, us-west-1, us-west-2, eu-west-1,
   * ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1. An endpoint is healthy when more
   * than 18% of the checkers see it so.
   *
   * @default - all of them
   */
  readonly healthCheckRegions?: string[];
}

/**
 * One name in a Route 53 hosted zone routed between endpoints by a policy (failover, weighted or
 * latency), each endpoint health-checked, each health check alarmed on.
 *
 * Applies: alias records to AWS endpoints that evaluate the target's health as well; an HTTPS
 * health check with SNI per endpoint on its health path (30 s interval, failure threshold 3, every
 * checker region), so that DNS answers only with healthy endpoints; an alarm per health check
 * (missing data counts as unhealthy), in us-east-1 where Route 53 publishes their metrics; a
 * dashboard section with each endpoint's health. An endpoint in another region is best given by
 * the name it answers on there (`RoutingEndpoint.fromDomainName`, a plain value); an endpoint
 * object of another region is a weak cross-stack reference, read at deploy time.
 *
 * In PROD the stack must be in us-east-1 (`env: { region: 'us-east-1' }`): the alarms must be
 * where the metrics are. A DEV routing elsewhere has no alarms, with a warning.
 *
 * @example
 * import { DnsRouting, RoutingEndpoint, RoutingPolicy } from 'cdk-best-practice-patterns';
 *
 * // `this` is a stack with env: { region: 'us-east-1' }. Each region's front answers on its own
 * // name (and on app.example.com, among its alternativeDomainNames).
 * const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
 * new DnsRouting(this, 'App', {
 *   hostedZone: zone,
 *   recordName: 'app.example.com',
 *   policy: RoutingPolicy.FAILOVER,
 *   endpoints: [
 *     RoutingEndpoint.fromDomainName('app-us-east-1.example.com', { healthCheckPath: '/health' }),
 *     RoutingEndpoint.fromDomainName('app-us-west-2.example.com', { healthCheckPath: '/health' }),
 *   ],
 * });
 */
export class DnsRouting extends Construct {
  /** The routed name's records: one A record per endpoint, and one AAAA record when every endpoint serves IPv6. */
  public readonly records: route53.IRecordSet[] = [];

  /** The health check of each endpoint, in the order of `endpoints`. */
  public readonly healthChecks: route53.IHealthCheck[] = [];

  /**
   * The alarms of this pattern: one per health check, which fires when the endpoint is unhealthy
   * (or its metric is missing). None for a DEV routing outside us-east-1.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The routed name, as given. */
  public readonly domainName: string;

  /** `https://` and the routed name. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: DnsRoutingProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'DnsRouting', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const stack = Stack.of(this);
    validateDnsRoutingProps(prelude.validator, { props, region: stack.region, stack: stack.node.path, scope: this });

    this.domainName = props.recordName;
    // A fully qualified name's trailing dot belongs in DNS, not in a URL.
    this.url = `https://${props.recordName.replace(/\.$/, '')}`;
    const policy = props.policy ?? RoutingPolicy.FAILOVER;
    // An AAAA record only when every endpoint has an IPv6 address: Route 53 answers an AAAA query
    // from the AAAA records alone, so one on the secondary only would send every IPv6 client there.
    const ipv6 = props.endpoints.every((endpoint) => endpoint._target.ipv6);
    const recordTypes = ipv6 ? [route53.RecordType.A, route53.RecordType.AAAA] : [route53.RecordType.A];
    const checked: CheckedEndpoint[] = [];
    for (const [index, endpoint] of props.endpoints.entries()) {
      const setIdentifier = setIdentifierOf(endpoint, index, policy);
      // Construct ids cannot hold a token: a set identifier known only at deploy time (given, or
      // the region with LATENCY) names the endpoint's constructs by its position instead.
      const endpointId = Token.isUnresolved(setIdentifier) ? `endpoint-${index + 1}` : setIdentifier;
      const healthCheck = this.createHealthCheck(props, endpoint, setIdentifier, endpointId);
      this.healthChecks.push(healthCheck);
      checked.push({ endpoint, setIdentifier, id: endpointId, healthCheck });
      for (const recordType of recordTypes) {
        this.records.push(this.createRecord(props, endpoint, { index, policy, setIdentifier, id: endpointId, healthCheck, recordType }));
      }
    }
    this.createAlarms(prelude, checked, stack.region === 'us-east-1');
  }

  private createHealthCheck(props: DnsRoutingProps, endpoint: RoutingEndpoint, setIdentifier: string, id: string): route53.HealthCheck {
    const options = endpoint._options;
    const healthCheck = options.healthCheckAlarm ? new route53.HealthCheck(this, `HealthCheck-${id}`, {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: options.healthCheckAlarm.alarmName, region: alarmRegionOf(options.healthCheckAlarm, this)! },
      // An alarm with too little data (a new one, a metric that paused) says nothing either way;
      // EvaluateTargetHealth still moves the name when the target itself fails.
      insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    }) : new route53.HealthCheck(this, `HealthCheck-${id}`, {
      // HTTPS with SNI, so the endpoint answers with the certificate for the name checked. Route
      // 53 does not validate the certificate; a check over HTTP would pass where clients fail TLS.
      type: options.searchString !== undefined ? route53.HealthCheckType.HTTPS_STR_MATCH : route53.HealthCheckType.HTTPS,
      fqdn: options.healthCheckDomainName ?? endpoint._target.healthCheckDomainName,
      port: options.healthCheckPort ?? 443,
      enableSNI: true,
      resourcePath: options.healthCheckPath ?? '/',
      searchString: options.searchString,
      requestInterval: healthCheckIntervalOf(props),
      failureThreshold: props.failureThreshold ?? 3,
      regions: props.healthCheckRegions,
    });
    // The console lists health checks by their Name tag: say which record each one guards.
    Tags.of(healthCheck).add('Name', `${props.recordName} ${setIdentifier}`.slice(0, 256));
    return healthCheck;
  }

  private createRecord(props: DnsRoutingProps, endpoint: RoutingEndpoint, record: RecordToCreate): route53.RecordSet {
    const { index, policy, setIdentifier, id, healthCheck, recordType } = record;
    const recordSet = new route53.RecordSet(this, `${recordType}-${id}`, {
      zone: props.hostedZone,
      recordName: props.recordName,
      recordType,
      target: route53.RecordTarget.fromAlias(endpoint._target.aliasTarget(props.hostedZone)),
      setIdentifier,
      healthCheck,
      failover: policy === RoutingPolicy.FAILOVER ? (index === 0 ? route53.Failover.PRIMARY : route53.Failover.SECONDARY) : undefined,
      weight: policy === RoutingPolicy.WEIGHTED ? endpoint._options.weight ?? 1 : undefined,
      region: policy === RoutingPolicy.LATENCY ? endpoint._options.region ?? endpoint._stackRegion() : undefined,
    });
    return recordSet;
  }

  private createAlarms(prelude: PatternPrelude<DnsRoutingProps>, checked: CheckedEndpoint[], inUsEast1: boolean): void {
    const statuses = checked.map(({ healthCheck }) => healthCheckMetric(healthCheck, 'HealthCheckStatus', cloudwatch.Stats.MINIMUM));
    if (!inUsEast1) {
      // Only DEV gets here: the validation refuses PROD outside us-east-1.
      warnOutsideUsEast1(this, OUTSIDE_US_EAST_1_WARNING, Stack.of(this).region, ROUTE53_METRICS);
    } else {
      for (const [index, { endpoint, setIdentifier, id }] of checked.entries()) {
        prelude.alarm(`HealthAlarm-${id}`, {
          metric: statuses[index],
          threshold: 1,
          below: true,
          // A health check that publishes nothing is no evidence of health.
          missingDataBreaches: true,
          description: `The ${endpoint._target.description} that ${this.node.path} routes ${this.domainName} to (${setIdentifier}) fails its health check: Route 53 stops answering with it`,
        });
      }
    }
    // Dashboards, unlike alarms, can read another region's metrics.
    prelude.dashboard([
      { title: 'Endpoint health (1 = healthy)', region: 'us-east-1', metrics: statuses },
      {
        title: 'Checkers that see the endpoint healthy (%)',
        region: 'us-east-1',
        metrics: this.healthChecks.map((healthCheck) => healthCheckMetric(healthCheck, 'HealthCheckPercentageHealthy', cloudwatch.Stats.AVERAGE)),
      },
    ]);
  }
}

/** An endpoint with its set identifier and health check. */
interface CheckedEndpoint {
  readonly endpoint: RoutingEndpoint;
  readonly setIdentifier: string;
  /** What its constructs' ids end with: the set identifier, or `endpoint-N` when that is a token. */
  readonly id: string;
  readonly healthCheck: route53.IHealthCheck;
}

/** What `createRecord` needs besides the props and the endpoint. */
interface RecordToCreate {
  readonly index: number;
  readonly policy: RoutingPolicy;
  readonly setIdentifier: string;
  readonly id: string;
  readonly healthCheck: route53.IHealthCheck;
  readonly recordType: route53.RecordType;
}

/** A Route 53 health-check metric, which exists in us-east-1 only, per minute. */
function healthCheckMetric(healthCheck: route53.IHealthCheck, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Route53',
    metricName,
    dimensionsMap: { HealthCheckId: healthCheck.healthCheckId },
    statistic,
    period: Duration.minutes(1),
    region: 'us-east-1',
  });
}
