import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import type { DnsRoutingProps } from './dns-routing';
import { alarmRegionOf, RoutingEndpoint, RoutingPolicy, setIdentifierOf } from './routing-endpoint';
import { checkDomainName } from '../../core/domain-names';
import { PropValidator } from '../../core/prop-validator';
import { checkProductionInUsEast1, UsEast1Metrics } from '../../core/us-east-1';

// Route 53's limits (CreateHealthCheck's HealthCheckConfig and ChangeResourceRecordSets):
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
/** The regions Route 53's health checkers run in; a health check needs at least three. */
const HEALTH_CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'];
const MIN_HEALTH_CHECKER_REGIONS = 3;
/** RequestInterval takes 10 or 30 seconds only; it cannot change after the check is created. */
const HEALTH_CHECK_INTERVALS = [10, 30];
const MAX_FAILURE_THRESHOLD = 10;
const MAX_RESOURCE_PATH = 255;
const MAX_SEARCH_STRING = 255;
const MAX_HEALTH_CHECK_FQDN = 255;
const MAX_SET_IDENTIFIER = 128;
const MAX_WEIGHT = 255;
/** Route 53's quota of weighted or latency records of one name and type. */
const MAX_ROUTED_RECORDS = 100;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/**
 * The regions of the alarms Route 53 can watch (AlarmIdentifier's Region: its valid values in the
 * Route 53 API, as the AWS SDKs list them).
 */
const ALARM_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'ap-east-1', 'ap-east-2', 'me-south-1', 'me-central-1', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'sa-east-1', 'af-south-1', 'il-central-1', 'mx-central-1', 'cn-north-1', 'cn-northwest-1',
  'us-gov-west-1', 'us-gov-east-1', 'us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1', 'us-isob-west-1', 'us-isof-south-1', 'us-isof-east-1',
  'eu-isoe-west-1', 'eusc-de-east-1'];
/** The statistics of an alarm Route 53 can watch (AlarmIdentifier's Name). */
const ROUTE53_ALARM_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/**
 * What a rule reads: the props (their stage resolved), the region of the DnsRouting's stack (a
 * token when the stack is env-agnostic) and the stack's path, which messages name.
 */
export interface RoutingToValidate {
  readonly props: DnsRoutingProps;
  readonly region: string;
  readonly stack: string;
  /** The DnsRouting itself, whose stack an alarm may share. */
  readonly scope: IConstruct;
}

/**
 * One rule of the table: records, on the validator, the errors of one prop or of a few props that
 * only make sense together.
 */
export type DnsRoutingRule = (v: PropValidator, routing: RoutingToValidate) => void;

/**
 * A PROD DnsRouting's stack is in us-east-1, known at synth (see `checkProductionInUsEast1`):
 * Route 53 publishes its health-check metrics only there
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html).
 * Records and health checks are global: the stack's region changes nothing else.
 */
const productionIsInUsEast1: DnsRoutingRule = (v, { props, region, stack }) => {
  checkProductionInUsEast1(v, props.stage, region, stack, ROUTE53_METRICS);
};

/** What the region's error and warning say of Route 53's health-check metrics. */
export const ROUTE53_METRICS: UsEast1Metrics = {
  kind: 'DnsRouting',
  publisher: 'Route 53 publishes health-check metrics',
  why: ', so the alarms on the health checks must be there and would never fire elsewhere',
  stackOf: "the routing's stack",
  note: 'Route 53 records and health checks are global: they serve every region from there',
};

/** One name in the zone, not a wildcard. */
const recordNameIsInZone: DnsRoutingRule = (v, { props }) => {
  // aws-cdk-lib appends the zone's name to a record name it cannot read, so a token would name
  // another record than the one meant (and the health checks' tags and alarms with it).
  v.knownAtSynth('recordName', props.recordName, 'it names every record, and aws-cdk-lib completes a name it cannot read with the zone\'s name');
  checkDomainName(v, 'recordName', props.recordName, props.hostedZone);
  v.check(Token.isUnresolved(props.recordName) || !props.recordName.startsWith('*.'), 'recordName', props.recordName,
    'one host name, not a wildcard: each endpoint is health-checked and answers for this name');
};

/** How many endpoints each policy takes, known at synth: each one is a record and a health check. */
const endpointsFitThePolicy: DnsRoutingRule = (v, { props }) => {
  v.oneOf('policy', props.policy, RoutingPolicy, 'RoutingPolicy');
  v.knownAtSynth('endpoints', props.endpoints, 'each endpoint is a record and a health check of its own');
  const count = Token.isUnresolved(props.endpoints) ? undefined : props.endpoints.length;
  if (count === undefined) {
    return;
  }
  const policy = props.policy ?? RoutingPolicy.FAILOVER;
  if (policy === RoutingPolicy.FAILOVER) {
    v.check(count === 2, 'endpoints', `${count} endpoints`,
      'exactly 2 with RoutingPolicy.FAILOVER: the primary first, then the secondary it fails over to');
  } else {
    v.check(count >= 1 && count <= MAX_ROUTED_RECORDS, 'endpoints', `${count} endpoints`,
      `1 to ${MAX_ROUTED_RECORDS} with RoutingPolicy.${policy} (Route 53's quota of ${policy.toLowerCase()} records of one name and type)`);
  }
  // A distribution answers for the routed name only with the name among its alternate domain
  // names, which CloudFront gives one distribution at a time (CNAMEAlreadyExists); Route 53 refuses
  // a failover pair of distributions for that reason (AliasTarget's DNSName).
  const distributions = props.endpoints.filter((endpoint) => endpoint._target.global).length;
  v.check(distributions <= 1, 'endpoints', `${distributions} distributions`,
    'at most one CloudFront distribution: the routed name must be among the alternate domain names of each distribution it aliases, and CloudFront allows a name on one distribution only');
};

/** Weights only with WEIGHTED, each 0 to 255, and not all 0 (then nothing would be weighted). */
const weightsAreRouteable: DnsRoutingRule = (v, { props }) => {
  const policy = props.policy ?? RoutingPolicy.FAILOVER;
  const endpoints = endpointsOf(props);
  for (const [i, endpoint] of endpoints.entries()) {
    const weight = endpoint._options.weight;
    if (weight === undefined || Token.isUnresolved(weight)) {
      continue;
    }
    v.check(policy === RoutingPolicy.WEIGHTED, `endpoints[${i}].weight`, weight, `left unset unless policy is RoutingPolicy.WEIGHTED (it is ${policy})`);
    v.integerInRange(`endpoints[${i}].weight`, weight, 0, MAX_WEIGHT);
  }
  if (policy === RoutingPolicy.WEIGHTED && endpoints.length > 0) {
    const weights = endpoints.map((e) => e._options.weight ?? 1);
    v.check(weights.some((w) => Token.isUnresolved(w) || w > 0), 'endpoints[].weight', weights.join(', '),
      'at least one weight above 0: the weights say which share of the answers each endpoint gets');
  }
};

/** Regions only with LATENCY, each a region name, one endpoint per region, none global. */
const regionsAreKnown: DnsRoutingRule = (v, { props }) => {
  const policy = props.policy ?? RoutingPolicy.FAILOVER;
  const seen = new Set<string>();
  for (const [i, endpoint] of endpointsOf(props).entries()) {
    const prop = `endpoints[${i}].region`;
    const region = endpoint._options.region;
    if (policy !== RoutingPolicy.LATENCY) {
      v.check(region === undefined, prop, region, `left unset unless policy is RoutingPolicy.LATENCY (it is ${policy})`);
      continue;
    }
    if (endpoint._target.global) {
      v.check(false, `endpoints[${i}]`, endpoint._target.description,
        'a regional endpoint with RoutingPolicy.LATENCY: a CloudFront distribution serves from every edge location and has no region to measure latency to');
      continue;
    }
    const resolved = region ?? endpoint._stackRegion();
    if (resolved === undefined) {
      v.check(false, prop, undefined, `the region ${endpoint._target.description} serves from, such as 'eu-west-1': latency routing answers with the closest region's endpoint`
        + (endpoint._target.construct ? ' (its stack is env-agnostic, so its region is not known at synth)' : ''));
      continue;
    }
    if (Token.isUnresolved(resolved)) {
      continue;
    }
    v.check(AWS_REGION.test(resolved), prop, resolved, "an AWS region name such as 'eu-west-1'");
    v.check(!seen.has(resolved), prop, resolved, 'one endpoint per region with RoutingPolicy.LATENCY: latency routing chooses between regions');
    seen.add(resolved);
  }
};

/** Set identifiers 1 to 128 characters, unique among the endpoints. */
const setIdentifiersAreUnique: DnsRoutingRule = (v, { props }) => {
  const policy = props.policy ?? RoutingPolicy.FAILOVER;
  // Each endpoint's identifier as DnsRouting will set it, given or by default, with whether it was
  // given: a given one may collide with another's default (`primary`, a region, `endpoint-2`).
  const ids = endpointsOf(props).map((endpoint, i) => ({
    id: setIdentifierOf(endpoint, i, policy),
    given: endpoint._options.setIdentifier !== undefined,
  }));
  for (const [i, { id, given }] of ids.entries()) {
    if (id === undefined || Token.isUnresolved(id)) {
      continue;
    }
    if (given) {
      v.check(id.length >= 1 && id.length <= MAX_SET_IDENTIFIER, `endpoints[${i}].setIdentifier`, id, `1 to ${MAX_SET_IDENTIFIER} characters`);
    }
    const earlier = ids.slice(0, i).find((other) => other.id === id);
    // Two defaults alike are two endpoints of one region with LATENCY, which regionsAreKnown reports.
    if (earlier !== undefined && (given || earlier.given)) {
      v.check(false, `endpoints[${i}].setIdentifier`, id,
        `unique among the endpoints, given or by default (${defaultIdentifiers(policy)}): it tells their records apart`);
    }
  }
};

function defaultIdentifiers(policy: RoutingPolicy): string {
  switch (policy) {
    case RoutingPolicy.FAILOVER:
      return 'primary and secondary';
    case RoutingPolicy.LATENCY:
      return 'the region';
    default:
      return 'endpoint-1, endpoint-2, ...';
  }
}

/**
 * A `fromDomainName` endpoint is a name of the zone other than the routed one (an alias to itself
 * would loop); an API Gateway domain answers for the routed name (API Gateway answers another host
 * with 403) and is regional (an edge-optimized one is a CloudFront distribution of API Gateway's:
 * Route 53 cannot evaluate its health, and its name cannot be served from two regions); a CloudFront
 * target comes through `fromDistribution`, which does not ask Route 53 to evaluate it.
 */
const endpointsAreRoutable: DnsRoutingRule = (v, { props }) => {
  const routed = Token.isUnresolved(props.recordName) ? undefined : trimDot(props.recordName);
  for (const [i, endpoint] of endpointsOf(props).entries()) {
    const target = endpoint._target;
    const name = target.domainName;
    if (name !== undefined) {
      checkDomainName(v, `endpoints[${i}]`, name, props.hostedZone);
      const same = !Token.isUnresolved(name) && routed !== undefined && trimDot(name) === routed;
      v.check(!same, `endpoints[${i}]`, name, `a name other than recordName: an alias of ${props.recordName} to itself would loop`);
    }
    const apiName = target.apiDomainName;
    if (apiName !== undefined && !Token.isUnresolved(apiName) && routed !== undefined) {
      v.check(trimDot(apiName) === routed, `endpoints[${i}]`, `${target.description} for ${apiName}`,
        `a custom domain for recordName (${props.recordName}): API Gateway answers only the names of its custom domains, any other host with 403`);
    }
    v.check(target.cloudFront !== true, `endpoints[${i}]`, target.description,
      'RoutingEndpoint.fromDistribution for a CloudFront distribution: Route 53 cannot evaluate its health, which fromAliasTarget would ask it to');
    v.check(target.edgeOptimized !== true, `endpoints[${i}]`, target.description,
      'a regional API Gateway domain (RestApiLambda endpoint REGIONAL): an edge-optimized one is a CloudFront distribution of API Gateway\'s, '
      + 'whose health Route 53 cannot evaluate and whose name cannot be served from two regions');
  }
};

/** Each health check's host, path, search string and port within Route 53's limits. */
const healthChecksAreValid: DnsRoutingRule = (v, routing) => {
  const { props } = routing;
  for (const [i, endpoint] of endpointsOf(props).entries()) {
    const options = endpoint._options;
    if (options.healthCheckAlarm !== undefined) {
      checkHealthCheckAlarm(v, i, endpoint, routing);
      continue;
    }
    const host = options.healthCheckDomainName ?? endpoint._target.healthCheckDomainName;
    v.check(host !== undefined, `endpoints[${i}].healthCheckDomainName`, undefined,
      `the host the health check of ${endpoint._target.description} requests: ${endpoint._target.healthCheckDomainNameHint ?? 'a name that reaches this endpoint alone'}`
      + ', or a healthCheckAlarm to decide its health instead');
    if (options.healthCheckDomainName !== undefined) {
      const name = options.healthCheckDomainName;
      v.check(Token.isUnresolved(name) || (name.length <= MAX_HEALTH_CHECK_FQDN && /^[a-z0-9.-]+$/i.test(name)), `endpoints[${i}].healthCheckDomainName`, name,
        `a host name of at most ${MAX_HEALTH_CHECK_FQDN} characters (letters, digits, hyphens and dots)`);
      v.check(Token.isUnresolved(name) || Token.isUnresolved(props.recordName) || trimDot(name) !== trimDot(props.recordName),
        `endpoints[${i}].healthCheckDomainName`, name, 'a name other than recordName: a check of the routed name checks whichever endpoint answers, not this one');
    }
    const path = options.healthCheckPath;
    if (path !== undefined && !Token.isUnresolved(path)) {
      v.check(path.startsWith('/') && path.length <= MAX_RESOURCE_PATH, `endpoints[${i}].healthCheckPath`, path,
        `a path starting with / of at most ${MAX_RESOURCE_PATH} characters`);
    }
    const search = options.searchString;
    if (search !== undefined && !Token.isUnresolved(search)) {
      v.check(search.length >= 1 && search.length <= MAX_SEARCH_STRING, `endpoints[${i}].searchString`, search, `1 to ${MAX_SEARCH_STRING} characters`);
    }
    v.integerInRange(`endpoints[${i}].healthCheckPort`, options.healthCheckPort, 1, 65535);
  }
};

/**
 * An endpoint whose health an alarm decides: nothing to request, and an alarm Route 53 can read
 * (AlarmIdentifier: https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html):
 * in a region known at synth, on a standard-resolution metric with a plain statistic (no
 * percentile, no math expression).
 */
function checkHealthCheckAlarm(v: PropValidator, i: number, endpoint: RoutingEndpoint, { scope }: RoutingToValidate): void {
  const options = endpoint._options;
  const alarm = options.healthCheckAlarm!;
  const requestOptions = {
    healthCheckDomainName: options.healthCheckDomainName,
    healthCheckPath: options.healthCheckPath,
    searchString: options.searchString,
    healthCheckPort: options.healthCheckPort,
  };
  for (const [name, value] of Object.entries(requestOptions)) {
    v.check(value === undefined, `endpoints[${i}].${name}`, value, 'left unset with healthCheckAlarm: the alarm decides the endpoint\'s health, nothing is requested');
  }
  const where = alarmRegionOf(alarm, scope);
  v.check(where !== undefined, `endpoints[${i}].healthCheckAlarm`, alarm.node.path,
    'an alarm whose region is known at synth (Route 53 names it by region and name): an alarm of a stack with an env region, of the routing\'s own stack, or imported by a literal ARN');
  if (where !== undefined && !Token.isUnresolved(where)) {
    v.check(ALARM_REGIONS.includes(where), `endpoints[${i}].healthCheckAlarm`, `${alarm.node.path} (in ${where})`,
      `an alarm in a region Route 53 reads alarms from: ${ALARM_REGIONS.join(', ')}`);
  }
  if (!(alarm instanceof cloudwatch.Alarm)) {
    return;
  }
  const config = alarm.metric.toMetricConfig();
  const stat = config.metricStat;
  v.check(stat !== undefined, `endpoints[${i}].healthCheckAlarm`, alarm.node.path,
    'an alarm on one metric: Route 53 cannot read an alarm on a math expression');
  if (stat === undefined) {
    return;
  }
  v.check(Token.isUnresolved(stat.statistic) || ROUTE53_ALARM_STATISTICS.includes(stat.statistic), `endpoints[${i}].healthCheckAlarm`, `${alarm.node.path} (statistic ${stat.statistic})`,
    `an alarm on one of the statistics Route 53 reads: ${ROUTE53_ALARM_STATISTICS.join(', ')} (not a percentile or other extended statistic)`);
  v.check(stat.period.isUnresolved() || stat.period.toSeconds() >= 60, `endpoints[${i}].healthCheckAlarm`, `${alarm.node.path} (period ${stat.period.toHumanString()})`,
    'an alarm on a standard-resolution metric, a period of 60 seconds or more: Route 53 cannot read a high-resolution alarm');
}

/** The checks' interval (10 or 30 s), failure threshold (1 to 10) and checker regions (3 at least, known ones). */
const healthCheckSettingsAreValid: DnsRoutingRule = (v, { props }) => {
  const interval = props.healthCheckInterval;
  if (interval !== undefined && !interval.isUnresolved()) {
    const seconds = interval.toSeconds({ integral: false });
    v.check(HEALTH_CHECK_INTERVALS.includes(seconds), 'healthCheckInterval', interval.toHumanString(),
      "Duration.seconds(10) or Duration.seconds(30), Route 53's only intervals (10 s costs more; it cannot change after the health check is created)");
  }
  v.integerInRange('failureThreshold', props.failureThreshold, 1, MAX_FAILURE_THRESHOLD);
  const regions = props.healthCheckRegions;
  if (regions === undefined || Token.isUnresolved(regions)) {
    return;
  }
  const known = regions.filter((r) => !Token.isUnresolved(r));
  v.check(new Set(regions).size >= MIN_HEALTH_CHECKER_REGIONS, 'healthCheckRegions', regions.join(', '),
    `at least ${MIN_HEALTH_CHECKER_REGIONS} different regions: Route 53 decides an endpoint's health by what most of its checkers see`);
  for (const region of known) {
    v.check(HEALTH_CHECKER_REGIONS.includes(region), 'healthCheckRegions', region, `regions Route 53's health checkers run in: ${HEALTH_CHECKER_REGIONS.join(', ')}`);
  }
};

/**
 * Every rule a DnsRouting's props must satisfy, in the order their errors are listed.
 */
export const DNS_ROUTING_RULES: readonly DnsRoutingRule[] = [
  productionIsInUsEast1,
  recordNameIsInZone,
  endpointsFitThePolicy,
  weightsAreRouteable,
  regionsAreKnown,
  setIdentifiersAreUnique,
  endpointsAreRoutable,
  healthChecksAreValid,
  healthCheckSettingsAreValid,
];

/**
 * Checks a DnsRouting's props against every rule and throws one error listing all that fail.
 *
 * @param v the pattern's validator, which names the construct in the error
 * @param routing the props, the stack's region and its path
 */
export function validateDnsRoutingProps(v: PropValidator, routing: RoutingToValidate): void {
  for (const rule of DNS_ROUTING_RULES) {
    rule(v, routing);
  }
  v.throwIfInvalid();
}

/** The endpoints as a list, none when they are a token (refused by endpointsFitThePolicy). */
function endpointsOf(props: DnsRoutingProps): RoutingEndpoint[] {
  return props.endpoints === undefined || Token.isUnresolved(props.endpoints) ? [] : props.endpoints;
}

function trimDot(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** The health checks' interval, resolved: 30 s unless given. */
export function healthCheckIntervalOf(props: DnsRoutingProps): Duration {
  return props.healthCheckInterval ?? Duration.seconds(30);
}

