/**
 * The price table behind the synth report's cost estimate: on-demand list prices in one region,
 * for the resources that cost money while an example sits idle. Usage-priced services (Lambda,
 * SQS, SNS, API Gateway, CloudWatch Logs, S3, data transfer, LCUs, WAF requests) cost nothing at
 * rest and are left out. Update the figures and `asOf` together, from the pages in `sources`.
 */
export const PRICES = {
  region: 'us-east-1',
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
    'https://aws.amazon.com/secrets-manager/pricing/ (secret)',
    'https://aws.amazon.com/fargate/pricing/ (Linux, per vCPU and GB hour, ARM64 and x86-64)',
  ],
  /** USD per hour. */
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
  } as Record<string, number>,
  /** RDS single-AZ instance hours; Multi-AZ costs twice as much. */
  rdsInstanceHour: {
    't4g.micro': 0.016,
    't4g.small': 0.032,
    't4g.medium': 0.065,
    'm7g.large': 0.168,
  } as Record<string, number>,
  /** vCPUs of the RDS classes above, for RDS Proxy's price. */
  rdsInstanceVcpus: { 't4g.micro': 2, 't4g.small': 2, 't4g.medium': 2, 'm7g.large': 2 } as Record<string, number>,
  rdsProxyVcpuHour: 0.015,
  /** Fargate, Linux, by CPU architecture. */
  fargateVcpuHour: { ARM64: 0.03238, X86_64: 0.04048 } as Record<string, number>,
  fargateGbHour: { ARM64: 0.00356, X86_64: 0.004445 } as Record<string, number>,
  /** USD per month. */
  gp3GbMonth: 0.08,
  rdsGp3GbMonth: 0.115,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  alarmMetricMonth: 0.1,
  /** A custom dashboard; the first three of an account are free, which this estimate ignores. */
  dashboardMonth: 3,
};
