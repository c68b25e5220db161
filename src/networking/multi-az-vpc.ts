import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createLogEncryptionKey } from '../core/log-encryption';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * Properties of a MultiAzVpc.
 */
export interface MultiAzVpcProps extends PatternProps {
  /**
   * The VPC's IPv4 CIDR block: a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)
   * with a prefix from /16 to /28.
   *
   * Plan it so that VPCs you may peer do not overlap.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * How many Availability Zones to spread over, from 2 to 6 (the most any region has).
   *
   * An env-agnostic stack only gets 2 from CloudFormation (`Fn::GetAZs`); set the stack's `env`
   * or `availabilityZones` to get 3.
   *
   * @default 3
   */
  readonly maxAzs?: number;

  /**
   * The Availability Zones to use, by name, at least 2. Takes precedence over `maxAzs`.
   *
   * @default - the first `maxAzs` zones of the stack's region
   */
  readonly availabilityZones?: string[];

  /**
   * How many NAT gateways the private subnets route through: from 1 to the number of
   * Availability Zones, or 0 when `privateSubnets` is false.
   *
   * @default - one per Availability Zone in PROD (an AZ failure cuts no other AZ off), one in DEV
   */
  readonly natGateways?: number;

  /**
   * Whether to create private subnets with egress through NAT gateways, for the application tier.
   *
   * @default true
   */
  readonly privateSubnets?: boolean;

  /**
   * Whether to create isolated subnets with no route out, for the data tier. A network ACL keeps
   * them reachable only from the private and isolated subnets.
   *
   * @default true
   */
  readonly isolatedSubnets?: boolean;

  /**
   * Prefix length of each public subnet, from /16 to /28, no shorter than the VPC's.
   *
   * @default - 8 more than the VPC's prefix (/24 in a /16), at most /28
   */
  readonly publicSubnetCidrMask?: number;

  /**
   * Prefix length of each private subnet, from /16 to /28, no shorter than the VPC's. Private
   * subnets are the largest: most resources live there.
   *
   * @default - 4 more than the VPC's prefix (/20 in a /16), at most /28
   */
  readonly privateSubnetCidrMask?: number;

  /**
   * Prefix length of each isolated subnet, from /16 to /28, no shorter than the VPC's.
   *
   * @default - 8 more than the VPC's prefix (/24 in a /16), at most /28
   */
  readonly isolatedSubnetCidrMask?: number;

  /**
   * Whether instances launched in the public subnets get a public IPv4 address automatically.
   * Load balancers and NAT gateways don't need it.
   *
   * @default false
   */
  readonly mapPublicIpOnLaunch?: boolean;

  /**
   * An existing bucket to send the flow logs to instead of CloudWatch Logs, such as a central
   * log-archive bucket. Its policy must let the `delivery.logs.amazonaws.com` service write.
   *
   * @default - flow logs go to an encrypted CloudWatch log group
   */
  readonly flowLogBucket?: s3.IBucket;

  /**
   * How long the flow log group keeps records.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * The KMS key that encrypts the flow log group. Its key policy must let the regional CloudWatch
   * Logs service principal use it.
   *
   * @default - a new customer-managed key with rotation
   */
  readonly flowLogEncryptionKey?: kms.IKey;

  /**
   * AWS services to reach through interface endpoints (PrivateLink), with private DNS, open on
   * HTTPS to the VPC's CIDR. The endpoints sit in the private subnets, or without them in the
   * isolated subnets, or else in the public ones.
   *
   * @default - none; S3 and DynamoDB always get free gateway endpoints
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];
}

const PRIVATE_RANGES: Array<[string, number]> = [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]];
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;
const ALLOWED_RETENTION = new Set<number>(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE),
);

/**
 * A VPC spread over several Availability Zones in three tiers: public subnets for load balancers
 * and NAT gateways, private subnets with egress for applications, and isolated subnets for data.
 *
 * Applies: at least 2 AZs (3 where known) with every tier in each; NAT per AZ in PROD and one in
 * DEV; no public IPs by default; encrypted flow logs with a retention; S3 and DynamoDB gateway
 * endpoints; a default security group with no rules; a network ACL that lets only the private
 * and isolated tiers reach the isolated tier; alarms on NAT gateway port exhaustion and dropped packets.
 *
 * @example
 * import { MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * const network = new MultiAzVpc(this, 'Network', {
 *   interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
 * });
 * // network.vpc goes wherever aws-cdk-lib asks for a VPC
 * new ec2.SecurityGroup(this, 'AppSecurityGroup', { vpc: network.vpc });
 */
export class MultiAzVpc extends Construct {
  /**
   * The VPC, accepted by every aws-cdk-lib construct.
   */
  public readonly vpc: ec2.Vpc;

  /**
   * The public subnets: load balancers and NAT gateways.
   */
  public readonly publicSubnets: ec2.SubnetSelection;

  /**
   * The private subnets with egress, or undefined when `privateSubnets` is false.
   */
  public readonly privateSubnets?: ec2.SubnetSelection;

  /**
   * The isolated subnets, or undefined when `isolatedSubnets` is false.
   */
  public readonly isolatedSubnets?: ec2.SubnetSelection;

  /**
   * The log group receiving the flow logs, or undefined when they go to `flowLogBucket`.
   */
  public readonly flowLogGroup?: logs.ILogGroup;

  /**
   * The VPC flow log.
   */
  public readonly flowLog: ec2.FlowLog;

  /**
   * The alarms of this pattern: for each NAT gateway, port allocation errors and dropped packets.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: MultiAzVpcProps = {}) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'MultiAzVpc', props);
    props = prelude.props;
    this.alarms = prelude.alarms;

    const production = prelude.production;
    const cidr = props.cidr ?? '10.0.0.0/16';
    const withPrivate = props.privateSubnets ?? true;
    const withIsolated = props.isolatedSubnets ?? true;
    const prefix = Token.isUnresolved(cidr) ? MIN_PREFIX : parsePrefix(cidr);
    const azCount = this.expectedAzCount(props);
    const natGateways = props.natGateways ?? (withPrivate ? (production ? azCount : 1) : 0);
    const masks = {
      publicSubnetCidrMask: props.publicSubnetCidrMask ?? Math.min(prefix + 8, MAX_PREFIX),
      privateSubnetCidrMask: withPrivate ? props.privateSubnetCidrMask ?? Math.min(prefix + 4, MAX_PREFIX) : undefined,
      isolatedSubnetCidrMask: withIsolated ? props.isolatedSubnetCidrMask ?? Math.min(prefix + 8, MAX_PREFIX) : undefined,
    };

    const validator = prelude.validator;
    // The layout is computed at synth: aws-cdk-lib would take a token natGateways as none at all,
    // silently leaving the private subnets without a way out.
    validator.knownAtSynth('cidr', props.cidr, 'the subnets are carved out of it at synth');
    validator.knownAtSynth('maxAzs', props.maxAzs, 'it decides how many subnets and NAT gateways exist');
    validator.knownAtSynth('availabilityZones', props.availabilityZones, 'it decides how many subnets and NAT gateways exist');
    validator.knownAtSynth('natGateways', props.natGateways, 'it decides how many NAT gateways exist');
    for (const prop of ['publicSubnetCidrMask', 'privateSubnetCidrMask', 'isolatedSubnetCidrMask'] as const) {
      validator.knownAtSynth(prop, props[prop], 'the subnets are carved out of the VPC at synth');
    }
    validateCidr(validator, cidr);
    validator.integerInRange('maxAzs', props.maxAzs, 2, 6);
    if (props.availabilityZones && !Token.isUnresolved(props.availabilityZones)) {
      validator.check(props.availabilityZones.length >= 2 && new Set(props.availabilityZones).size === props.availabilityZones.length,
        'availabilityZones', props.availabilityZones, 'at least 2 distinct Availability Zones');
    }
    if (withPrivate) {
      validator.integerInRange('natGateways', natGateways, 1, azCount);
    } else {
      validator.check(natGateways === 0, 'natGateways', natGateways, '0 when privateSubnets is false (no subnet would use them)');
    }
    for (const [prop, mask] of Object.entries(masks)) {
      validator.integerInRange(prop, mask, Math.max(MIN_PREFIX, prefix), MAX_PREFIX);
    }
    if (!Token.isUnresolved(cidr)) {
      validateSubnetsFit(validator, prefix, azCount, [masks.publicSubnetCidrMask, masks.privateSubnetCidrMask, masks.isolatedSubnetCidrMask]);
    }
    // Private DNS allows one endpoint per service and VPC; a repeat would also collide on its id.
    const services = (props.interfaceEndpoints ?? []).map((service) => service.shortName);
    const repeated = services.filter((name, i) => services.indexOf(name) !== i);
    validator.check(repeated.length === 0, 'interfaceEndpoints', repeated, 'services that each appear once (one endpoint with private DNS per service)');
    if (props.flowLogBucket) {
      validator.check(props.flowLogRetention === undefined, 'flowLogRetention', props.flowLogRetention,
        "left unset with flowLogBucket (the bucket's lifecycle rules decide how long records stay)");
      validator.check(props.flowLogEncryptionKey === undefined, 'flowLogEncryptionKey', props.flowLogEncryptionKey?.node.path,
        "left unset with flowLogBucket (the bucket's own encryption applies)");
    } else if (props.flowLogRetention !== undefined && !Token.isUnresolved(props.flowLogRetention)) {
      validator.check(ALLOWED_RETENTION.has(props.flowLogRetention), 'flowLogRetention', props.flowLogRetention,
        `one of CloudWatch Logs' retention periods in days (${[...ALLOWED_RETENTION].join(', ')})`);
    }
    validator.throwIfInvalid();

    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: masks.publicSubnetCidrMask, mapPublicIpOnLaunch: props.mapPublicIpOnLaunch ?? false },
    ];
    if (masks.privateSubnetCidrMask !== undefined) {
      subnetConfiguration.push({ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: masks.privateSubnetCidrMask });
    }
    if (masks.isolatedSubnetCidrMask !== undefined) {
      subnetConfiguration.push({ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: masks.isolatedSubnetCidrMask });
    }

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs: props.availabilityZones ? undefined : props.maxAzs ?? 3,
      availabilityZones: props.availabilityZones,
      natGateways,
      subnetConfiguration,
      // Explicit, so the guarantee holds whatever feature flags the user's app sets.
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.publicSubnets = { subnetType: ec2.SubnetType.PUBLIC };
    this.privateSubnets = withPrivate ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined;
    this.isolatedSubnets = withIsolated ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : undefined;

    this.acknowledgePublicSubnets(props.mapPublicIpOnLaunch ?? false);

    if (props.flowLogBucket) {
      this.flowLog = this.vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toS3(props.flowLogBucket),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    } else {
      const logGroup = this.createFlowLogGroup(prelude);
      this.flowLogGroup = logGroup;
      this.flowLog = this.vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, this.createFlowLogRole(logGroup)),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }

    if (props.interfaceEndpoints?.length) {
      this.addInterfaceEndpoints(props.interfaceEndpoints, cidr);
    }

    if (withIsolated) {
      this.restrictIsolatedTier();
    }
    this.createNatAlarms(prelude);
    const natMetric = (metricName: string, statistic: string) => this.vpc.publicSubnets.flatMap((subnet) => {
      const natGateway = subnet.node.tryFindChild('NATGateway') as ec2.CfnNatGateway | undefined;
      return natGateway ? [new cloudwatch.Metric({
        namespace: 'AWS/NATGateway', metricName, dimensionsMap: { NatGatewayId: natGateway.ref }, statistic, period: Duration.minutes(5), label: subnet.node.id,
      })] : [];
    });
    const natGraphs = [
      { title: 'NAT gateways: bytes out to the internet', metrics: natMetric('BytesOutToDestination', cloudwatch.Stats.SUM) },
      { title: 'NAT gateways: active connections', metrics: natMetric('ActiveConnectionCount', cloudwatch.Stats.MAXIMUM) },
    ];
    prelude.dashboard(natGraphs.filter((graph) => graph.metrics.length > 0));
  }

  private expectedAzCount(props: MultiAzVpcProps): number {
    if (props.availabilityZones) {
      return props.availabilityZones.length;
    }
    const known = Stack.of(this).availabilityZones.length;
    return Math.min(props.maxAzs ?? 3, known);
  }

  private createFlowLogGroup(prelude: PatternPrelude<MultiAzVpcProps>): logs.LogGroup {
    const { props, production, removalPolicy } = prelude;
    const encryptionKey = props.flowLogEncryptionKey
      ?? createLogEncryptionKey(this, 'FlowLogKey', `Encrypts the flow logs of ${this.node.path}`, removalPolicy);
    return new logs.LogGroup(this, 'FlowLogGroup', {
      retention: props.flowLogRetention ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
      encryptionKey,
      removalPolicy,
    });
  }

  /**
   * One security group serves every interface endpoint: HTTPS from inside the VPC, nothing out.
   * The literal CIDR (not the VPC's CidrBlock attribute) lets reviewers and cdk-nag see the rule
   * admits no outside address.
   */
  private addInterfaceEndpoints(services: ec2.InterfaceVpcEndpointAwsService[], cidr: string): void {
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `HTTPS from inside the VPC to the interface endpoints of ${this.node.path}`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    for (const service of services) {
      this.vpc.addInterfaceEndpoint(`${endpointId(service)}Endpoint`, {
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [securityGroup],
        subnets: this.privateSubnets ?? this.isolatedSubnets ?? this.publicSubnets,
      });
    }
  }

  /**
   * Lets the private and isolated tiers, and nothing else, reach the isolated subnets. Network
   * ACLs are stateless, so replies need the matching outbound rules.
   */
  private restrictIsolatedTier(): void {
    const acl = new ec2.NetworkAcl(this, 'IsolatedAcl', {
      vpc: this.vpc,
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    const peers = [...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets];
    peers.forEach((subnet, i) => {
      const cidr = ec2.AclCidr.ipv4(subnet.ipv4CidrBlock);
      const ruleNumber = 100 + i;
      for (const direction of [ec2.TrafficDirection.INGRESS, ec2.TrafficDirection.EGRESS]) {
        acl.addEntry(`${direction === ec2.TrafficDirection.INGRESS ? 'From' : 'To'}${subnet.node.id}`, {
          cidr,
          ruleNumber,
          direction,
          traffic: ec2.AclTraffic.allTraffic(),
          ruleAction: ec2.Action.ALLOW,
        });
      }
    });
    acknowledgeNagFinding(acl, 'AwsSolutions-VPC3',
      'This network ACL is the coarse boundary of the data tier: only the private and isolated subnets may reach the isolated subnets.');
  }

  private createNatAlarms(prelude: PatternPrelude<MultiAzVpcProps>): void {
    const checks: Array<[string, string]> = [
      ['ErrorPortAllocation', 'The NAT gateway could not allocate a source port: connections are failing'],
      ['PacketsDropCount', 'The NAT gateway dropped packets'],
    ];
    for (const subnet of this.vpc.publicSubnets) {
      const natGateway = subnet.node.tryFindChild('NATGateway') as ec2.CfnNatGateway | undefined;
      if (!natGateway) {
        continue;
      }
      for (const [metricName, description] of checks) {
        prelude.alarm(`${subnet.node.id}Nat${metricName}Alarm`, {
          metric: new cloudwatch.Metric({
            namespace: 'AWS/NATGateway',
            metricName,
            dimensionsMap: { NatGatewayId: natGateway.ref },
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
          threshold: 0,
          description: `${description} (NAT gateway of ${subnet.node.path})`,
        });
      }
    }
  }

  private acknowledgePublicSubnets(mapPublicIpOnLaunch: boolean): void {
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.tryFindChild('DefaultRoute');
      if (route) {
        acknowledgeNagRule(route, COMPLIANCE_PACKS, 'VPCNoUnrestrictedRouteToIGW',
          'Public subnets exist to route to the internet gateway: they hold only the load balancers and NAT gateways.');
      }
      // A deliberate weakening the caller asked for by name, so it is acknowledged, not hidden.
      if (mapPublicIpOnLaunch) {
        acknowledgeNagRule(subnet.node.defaultChild!, COMPLIANCE_PACKS, 'VPCSubnetAutoAssignPublicIpDisabled',
          'mapPublicIpOnLaunch was set: instances launched in the public subnets get a public address, as the caller chose.');
      }
    }
  }

  /**
   * The role the flow log service writes with: a managed policy (compliance packs reject inline
   * ones) allowing exactly the three log actions on this log group, and a trust policy that only
   * this account's flow logs can use (no confused deputy). aws-cdk-lib's default role also grants
   * the role `iam:PassRole` on itself, which the service never needs.
   */
  private createFlowLogRole(logGroup: logs.ILogGroup): iam.IRole {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
      }),
      description: `Lets VPC flow logs of ${this.node.path} write to their log group`,
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup.logGroupArn],
      })],
    });
    // The flow log would otherwise add its own inline policy to the role.
    return role.withoutPolicyUpdates();
  }
}

function parsePrefix(cidr: string): number {
  const prefix = Number(cidr.split('/')[1]);
  return Number.isInteger(prefix) ? prefix : MIN_PREFIX;
}

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return undefined;
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function validateCidr(validator: PropValidator, cidr: string): void {
  if (Token.isUnresolved(cidr)) {
    return;
  }
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  const address = match ? ipToNumber(match[1]) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) {
    validator.check(false, 'cidr', cidr, 'an IPv4 CIDR block such as 10.0.0.0/16');
    return;
  }
  const inPrivateRange = PRIVATE_RANGES.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipToNumber(base)!;
    return address >= start && address < start + size && prefix >= bits;
  });
  validator.check(inPrivateRange, 'cidr', cidr, 'inside a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16');
  validator.check(prefix >= MIN_PREFIX && prefix <= MAX_PREFIX, 'cidr', cidr, `a block with a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}`);
}

/**
 * Replays how aws-cdk-lib lays the subnets out (each group in turn, every subnet aligned on its
 * own size) to check that all of them fit in the VPC's block.
 */
function validateSubnetsFit(validator: PropValidator, prefix: number, azCount: number, masks: Array<number | undefined>): void {
  const used = masks.filter((m): m is number => m !== undefined);
  if (used.some((m) => !Number.isInteger(m) || m < prefix || m > MAX_PREFIX)) {
    return; // already reported for the mask itself
  }
  let next = 0;
  for (const mask of used) {
    const size = 2 ** (32 - mask);
    for (let i = 0; i < azCount; i++) {
      next = Math.ceil(next / size) * size + size;
    }
  }
  const available = 2 ** (32 - prefix);
  validator.check(next <= available, 'subnet CIDR masks', `/${used.join(', /')} in ${azCount} AZs`,
    `small enough for every subnet to fit in the VPC's /${prefix} (${available} addresses; these need ${next})`);
}

function endpointId(service: ec2.InterfaceVpcEndpointAwsService): string {
  return service.shortName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
