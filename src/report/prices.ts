/**
 * The price table behind the report's cost estimate: on-demand list prices, per region, for the
 * resources that cost money while an app sits idle. Usage-priced services (Lambda, SQS, SNS, API
 * Gateway, CloudWatch Logs, S3, data transfer, LCUs, WAF requests) cost nothing at rest and are
 * left out; the estimate names the ones a template uses instead.
 *
 * Only figures read from a source are in the table, never a guess. A region is in the table only
 * when every figure of it was read; any other region is estimated at us-east-1 prices, and the
 * estimate says so. A class a map does not list (an instance type, a cache node type) is priced
 * NaN, which the report prints as "not in the price table". Update the figures and `asOf`
 * together, from the pages in `sources`.
 */

/** The prices of one region, in USD. */
export interface RegionPrices {
  /** USD per hour. */
  readonly natGatewayHour: number;
  readonly publicIpv4Hour: number;
  readonly interfaceEndpointAzHour: number;
  readonly applicationLoadBalancerHour: number;
  /**
   * Network and Gateway Load Balancer hours: not sourced yet (the AWS page renders its rate tables
   * from scripts, and no us-east-1 hour price could be read from AWS), so unset, and every NLB and
   * GWLB is priced NaN, "not in the price table". Set them with a source in `sources`.
   */
  readonly networkLoadBalancerHour?: number;
  readonly gatewayLoadBalancerHour?: number;
  /** EC2 Linux instance hours, by instance type. */
  readonly instanceHour: Readonly<Record<string, number>>;
  /** RDS single-AZ instance hours, by class without `db.`; Multi-AZ costs twice as much. */
  readonly rdsInstanceHour: Readonly<Record<string, number>>;
  /**
   * vCPUs of the RDS and Aurora classes above, by class without `db.`, for RDS Proxy's price: a
   * proxy bills the vCPUs of the instances behind it, at least 2 an instance.
   */
  readonly rdsInstanceVcpus: Readonly<Record<string, number>>;
  readonly rdsProxyVcpuHour: number;
  /**
   * RDS Proxy in front of an Aurora Serverless v2 cluster, USD per ACU-hour of the instances behind
   * it, billed for at least `rdsProxyMinimumAcus` however few they run.
   */
  readonly rdsProxyAcuHour: number;
  readonly rdsProxyMinimumAcus: number;
  /**
   * Aurora Standard on-demand instance hours, by class without `db.`: the same for Aurora
   * PostgreSQL and Aurora MySQL for these classes. An I/O-Optimized cluster's instances cost more
   * and are not in the table (NaN), nor is a class not listed here.
   */
  readonly auroraInstanceHour: Readonly<Record<string, number>>;
  /**
   * Aurora Serverless v2 (Aurora Standard), USD per ACU-hour: an instance at rest runs at its
   * cluster's minimum capacity, and costs nothing while paused at 0 ACU.
   */
  readonly auroraServerlessAcuHour: number;
  /**
   * ElastiCache on-demand node hours, by engine as a template names it (`valkey`, `redis`) and node
   * type (`cache.t4g.micro`). Valkey's nodes cost 20% less than Redis OSS's of the same type; an
   * engine or type not listed (Memcached, for one) is NaN, "not in the price table".
   */
  readonly cacheNodeHour: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * ElastiCache Serverless data stored, USD per GB-hour, by engine, and the least a cache is
   * billed for however little it holds, in GB: what a serverless cache costs at rest (its ECPUs
   * are usage).
   */
  readonly serverlessCacheGbHour: Readonly<Record<string, number>>;
  readonly serverlessCacheMinimumGb: Readonly<Record<string, number>>;
  /** Fargate, Linux, by CPU architecture. */
  readonly fargateVcpuHour: Readonly<Record<string, number>>;
  readonly fargateGbHour: Readonly<Record<string, number>>;
  /** USD per month. */
  readonly gp3GbMonth: number;
  readonly rdsGp3GbMonth: number;
  readonly secretMonth: number;
  readonly kmsKeyMonth: number;
  readonly wafWebAclMonth: number;
  readonly wafRuleMonth: number;
  readonly alarmMetricMonth: number;
  /** A custom dashboard; the first three of an account are free, which this estimate ignores. */
  readonly dashboardMonth: number;
  /** A hosted zone, at the rate of an account's first 25 ($0.10 each after those). */
  readonly hostedZoneMonth: number;
  /** A basic health check of an AWS endpoint ($0.75 for any other endpoint); an account's first 50 are free. */
  readonly healthCheckMonth: number;
  /** One optional feature of a health check of an AWS endpoint: HTTPS, string matching, 10-second interval, latency. */
  readonly healthCheckFeatureMonth: number;
}

/** us-east-1, the full table, and the prices that stand in for any region not in it. */
export const US_EAST_1: RegionPrices = {
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointAzHour: 0.01,
  applicationLoadBalancerHour: 0.0225,
  instanceHour: {
    't4g.micro': 0.0084,
    't4g.small': 0.0168,
    't4g.medium': 0.0336,
    't4g.large': 0.0672,
    'm7g.large': 0.0816,
    't3.micro': 0.0104,
    't3.small': 0.0208,
    'm7i.large': 0.1008,
  },
  rdsInstanceHour: {
    't4g.micro': 0.016,
    't4g.small': 0.032,
    't4g.medium': 0.065,
    'm7g.large': 0.168,
  },
  // The classes' vCPUs: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.Summary.html
  rdsInstanceVcpus: {
    't4g.micro': 2,
    't4g.small': 2,
    't4g.medium': 2,
    't4g.large': 2,
    't3.medium': 2,
    'm7g.large': 2,
    'r6g.large': 2,
    'r7g.large': 2,
    'r7g.xlarge': 4,
    'r7g.2xlarge': 8,
    'r8g.large': 2,
  },
  rdsProxyVcpuHour: 0.015,
  // Third-party figures (see `sources`): the RDS Proxy pricing page could not be read here.
  rdsProxyAcuHour: 0.015,
  rdsProxyMinimumAcus: 8,
  // Aurora Standard, single instance, on demand: the us-east-1 rates of AWS's own Aurora pricing
  // tools (aws/agent-toolkit-for-aws, whose tables say Aurora MySQL's and Aurora PostgreSQL's are
  // identical for these classes), matching the Price List records quoted in `sources`.
  auroraInstanceHour: {
    't3.medium': 0.082,
    't4g.medium': 0.073,
    't4g.large': 0.146,
    'r6g.large': 0.26,
    'r7g.large': 0.276,
    'r7g.xlarge': 0.553,
    'r7g.2xlarge': 1.106,
    'r8g.large': 0.276,
  },
  // Price List SKU AVKW7ZJP8D72HNQC: "Aurora Capacity Unit hour running Aurora PostgreSQL Serverless v2".
  auroraServerlessAcuHour: 0.12,
  // Redis OSS: the AWS Price List API's on-demand node hours (AmazonElastiCache, "Cache Instance",
  // NodeUsage:<type>); Valkey: the same types at 0.8x, as the pricing page says and the Price
  // List's Valkey rows are.
  cacheNodeHour: {
    redis: {
      'cache.t4g.micro': 0.016,
      'cache.t4g.small': 0.032,
      'cache.t4g.medium': 0.065,
      'cache.m7g.large': 0.158,
      'cache.m7g.xlarge': 0.315,
      'cache.r7g.large': 0.219,
      'cache.r7g.xlarge': 0.437,
    },
    valkey: {
      'cache.t4g.micro': 0.0128,
      'cache.t4g.small': 0.0256,
      'cache.t4g.medium': 0.052,
      'cache.m7g.large': 0.1264,
      'cache.m7g.xlarge': 0.252,
      'cache.r7g.large': 0.1752,
      'cache.r7g.xlarge': 0.3496,
    },
  },
  // Valkey: $0.084 a GB-hour, billed for at least 100 MB; Redis OSS: $0.125, at least 1 GB.
  serverlessCacheGbHour: { valkey: 0.084, redis: 0.125 },
  serverlessCacheMinimumGb: { valkey: 0.1, redis: 1 },
  fargateVcpuHour: { ARM64: 0.03238, X86_64: 0.04048 },
  fargateGbHour: { ARM64: 0.00356, X86_64: 0.004445 },
  gp3GbMonth: 0.08,
  rdsGp3GbMonth: 0.115,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  alarmMetricMonth: 0.1,
  dashboardMonth: 3,
  hostedZoneMonth: 0.5,
  healthCheckMonth: 0.5,
  healthCheckFeatureMonth: 1,
};

/** The region whose prices stand in when a stack's region is unknown or not in the table. */
export const FALLBACK_REGION = 'us-east-1';

export const PRICES = {
  asOf: '2026-11',
  hoursPerMonth: 730,
  sources: [
    'https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4 address)',
    'https://aws.amazon.com/privatelink/pricing/ (interface endpoint per AZ)',
    'https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer hour)',
    'https://aws.amazon.com/ec2/pricing/on-demand/ (Linux instances)',
    'https://aws.amazon.com/ebs/pricing/ (gp3 storage)',
    'https://aws.amazon.com/kms/pricing/ (customer managed key)',
    'https://aws.amazon.com/waf/pricing/ (web ACL, rule)',
    'https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution alarm metric, dashboard)',
    'https://aws.amazon.com/rds/postgresql/pricing/ (DB instance hour, Multi-AZ, gp3 storage; MySQL is the same for these classes)',
    'https://aws.amazon.com/rds/proxy/pricing/ (per vCPU of the instance, at least 2)',
    'https://aws.amazon.com/rds/aurora/pricing/ (renders its rates from scripts; read instead, 2026-11: '
      + 'https://github.com/aws/agent-toolkit-for-aws/blob/d6ad2e44d5e3077b85b63f322e007c84f94f3a6c/skills/specialized-skills/database-skills/'
      + 'amazon-aurora-mysql/references/serverless-advisory-formulas-and-examples.md (AWS\'s Aurora on-demand instance hours, Aurora Standard, '
      + 'us-east-1, the same for Aurora MySQL and PostgreSQL; $0.12 per ACU-hour; storage $0.10 per GB-month, I/O $0.20 per million), '
      + 'and the AWS Price List API, service AmazonRDS, us-east-1, effective 2025-10-01: Serverless v2 $0.12 per ACU-hour (SKU AVKW7ZJP8D72HNQC), '
      + 'storage $0.10 per GB-month (7GYUVAA992PFJPCB), I/O $0.20 per million (7JDSZP38DMKT9B86); storage and I/O are usage, named not priced)',
    'RDS Proxy for Aurora Serverless v2, $0.015 per ACU-hour billed for at least 8 ACUs (Price List usage type RDS:Proxy-ASv2-Usage): '
      + 'third-party, the AWS page could not be read here: https://blog.serverworks.co.jp/amazon-aurora-serverless-v2-and-amazon-rds-proxy-minimum-cost '
      + '(2024-06, the 8-ACU minimum) and the Cost section of SST\'s Aurora component, https://github.com/sst/sst '
      + 'platform/src/components/aws/aurora.ts (us-east-1, $0.015 per ACU-hour, 8 ACUs at least)',
    'https://aws.amazon.com/secrets-manager/pricing/ (secret)',
    'https://aws.amazon.com/fargate/pricing/ (Linux, per vCPU and GB hour, ARM64 and x86-64)',
    'https://aws.amazon.com/route53/pricing/ (hosted zone, basic health check and its optional features, AWS endpoints; Route 53 prices are global)',
    'https://aws.amazon.com/elasticache/pricing/ (on-demand node hours, Valkey 20% below Redis OSS; Serverless data stored per GB-hour, '
      + 'billed for at least 100 MB for Valkey and 1 GB for Redis OSS; node hours read from the AWS Price List API, service AmazonElastiCache)',
    'https://aws.amazon.com/blogs/database/unlock-on-demand-cost-optimized-performance-with-amazon-elasticache-serverless/ '
      + '(ElastiCache Serverless for Redis OSS: $0.125 per GB-hour of data stored)',
  ],
  /**
   * Prices by region. Only us-east-1 for now: no other region's figures could all be read from a
   * source yet, and a region with some of its figures would mix its prices with guesses.
   */
  regions: { 'us-east-1': US_EAST_1 } as Record<string, RegionPrices>,
};

/** The prices a stack in `region` is estimated at, and whether us-east-1's stand in for its own. */
export interface PriceLookup {
  readonly region: string;
  readonly prices: RegionPrices;
  readonly fallback: boolean;
}

/** The region's prices when the table has them, else us-east-1's (also for an environment-agnostic stack). */
export function pricesFor(region?: string): PriceLookup {
  if (region !== undefined && Object.hasOwn(PRICES.regions, region)) {
    return { region, prices: PRICES.regions[region], fallback: false };
  }
  return { region: FALLBACK_REGION, prices: PRICES.regions[FALLBACK_REGION], fallback: true };
}
