import { Duration, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LoadBalancedWebTier } from '../building-blocks/load-balanced-web-tier';
import { PublicLoadBalancer, PublicLoadBalancerProps } from '../building-blocks/public-load-balancer';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding, acknowledgeNagRule, NIST_AND_HIPAA_PACKS } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PropValidator } from '../core/prop-validator';
import { StackOperations } from '../core/stack-operations';

/**
 * A scheduled change of an AlbAutoScalingGroup's capacity, for load you know is coming.
 */
export interface ScheduledCapacity {
  /**
   * A name for the action, unique within the pattern.
   */
  readonly name: string;

  /**
   * When the action runs, as a cron schedule in UTC.
   */
  readonly schedule: autoscaling.Schedule;

  /**
   * The minimum capacity from then on.
   *
   * @default - unchanged
   */
  readonly minCapacity?: number;

  /**
   * The maximum capacity from then on.
   *
   * @default - unchanged
   */
  readonly maxCapacity?: number;
}

/**
 * Properties of an AlbAutoScalingGroup.
 */
export interface AlbAutoScalingGroupProps extends PublicLoadBalancerProps {
  /**
   * The instance type.
   *
   * @default - t4g.small, a current-generation Graviton (ARM64) type
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Instance types the group falls back to, in order, when `instanceType` has no capacity in an
   * Availability Zone: at least one, all of `instanceType`'s architecture, none repeated.
   *
   * @default - m7g.medium for an ARM64 instance type (t4g.medium when that is the instance
   * type), m7i.large for x86-64 (t3.medium when that is the instance type): another family, so
   * another capacity pool
   */
  readonly fallbackInstanceTypes?: ec2.InstanceType[];

  /**
   * The machine image.
   *
   * @default - the latest Amazon Linux 2023 for the instance type's architecture, looked up at
   * deploy time
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * The script instances run once at first boot, as root: install and start the application.
   *
   * @default - none
   */
  readonly userData?: ec2.UserData;

  /**
   * The size of the encrypted gp3 root volume, in GiB, from 8 to 16384.
   *
   * @default 8
   */
  readonly rootVolumeSize?: number;

  /**
   * The fewest instances, at least 1: a service never scales to nothing.
   *
   * @default - 2 in PROD (one failure leaves one serving), 1 in DEV
   */
  readonly minCapacity?: number;

  /**
   * The most instances, a whole number of at least `minCapacity`.
   *
   * @default - 4 in PROD, 2 in DEV, or `minCapacity` when that is higher
   */
  readonly maxCapacity?: number;

  /**
   * The instances to start with, from `minCapacity` to `maxCapacity`. Setting it resets the
   * group's size on every deployment.
   *
   * @default - `minCapacity`, and then whatever scaling decides
   */
  readonly desiredCapacity?: number;

  /**
   * The average CPU utilization, in percent from 1 to 100, that target tracking keeps the group at.
   *
   * @default 50
   */
  readonly targetCpuUtilization?: number;

  /**
   * Requests per minute per instance that target tracking keeps the group at, at least 1.
   *
   * @default - no request-based scaling
   */
  readonly targetRequestsPerMinute?: number;

  /**
   * Capacity changes on a schedule, for known peaks.
   *
   * @default - none
   */
  readonly scheduledCapacity?: ScheduledCapacity[];

  /**
   * How long a new instance takes to count in the group's metrics, from 0 to 3600 seconds.
   *
   * @default Duration.minutes(5)
   */
  readonly instanceWarmup?: Duration;

  /**
   * The port the application listens on, from 1 to 65535.
   *
   * @default 80
   */
  readonly applicationPort?: number;

  /**
   * The path the load balancer checks on each instance.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * The HTTP codes that count as healthy, such as '200' or '200-299'.
   *
   * @default '200'
   */
  readonly healthyHttpCodes?: string;

  /**
   * How long a new instance may fail health checks while it starts, from 0 to 7200 seconds.
   *
   * @default Duration.minutes(5)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How long sticky sessions last, from 1 second to 7 days. Stickiness unbalances load: use it
   * only when the application keeps session state.
   *
   * @default - no stickiness
   */
  readonly stickinessCookieDuration?: Duration;
}

const DEFAULT_INSTANCE_TYPE = 't4g.small';
// Per architecture, the fallbacks tried in order: the first that is not the instance type itself.
const DEFAULT_FALLBACKS: Record<string, string[]> = {
  [ec2.InstanceArchitecture.ARM_64]: ['m7g.medium', 't4g.medium'],
  [ec2.InstanceArchitecture.X86_64]: ['m7i.large', 't3.medium'],
};
// An Auto Scaling group's mixed instances policy takes at most 40 instance types.
const MAX_INSTANCE_TYPES = 40;
const HTTP_CODES = /^[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*$/;

/**
 * A public Application Load Balancer over the public subnets, forwarding to an Auto Scaling group
 * of instances in the private subnets: it scales with load, replaces unhealthy instances and
 * exposes nothing else.
 *
 * Applies: the load balancer as the single entry point, TLS with a modern policy and HTTP only
 * redirecting (plain HTTP only by an explicit opt-in); instances reachable only from the load
 * balancer's security group, without SSH (Session Manager instead); IMDSv2, encrypted gp3, a
 * current-generation Graviton type; ELB health checks with a grace period; target tracking on
 * CPU, optionally on requests and on a schedule; rolling updates; invalid headers dropped and
 * desync mitigation; access logs; WAF in PROD; deletion protection in PROD; alarms on unhealthy
 * hosts, 5xx responses and p99 latency.
 *
 * @example
 * import { AlbAutoScalingGroup, MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * declare const certificate: acm.ICertificate;
 * const network = new MultiAzVpc(this, 'Network');
 * const userData = ec2.UserData.forLinux();
 * userData.addCommands('dnf install -y nginx', 'systemctl enable --now nginx');
 * new AlbAutoScalingGroup(this, 'Web', { vpc: network.vpc, certificate, userData });
 */
export class AlbAutoScalingGroup extends LoadBalancedWebTier {
  /**
   * The Auto Scaling group.
   */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /**
   * The instances' security group: the application port from the load balancer only.
   */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;

  /**
   * The alarms of this pattern: unhealthy hosts, target and load balancer 5xx responses, and p99
   * target response time.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: AlbAutoScalingGroupProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'AlbAutoScalingGroup', props);
    props = prelude.props;
    this.alarms = prelude.alarms;

    const production = prelude.production;
    const minCapacity = props.minCapacity ?? (production ? 2 : 1);
    const maxCapacity = props.maxCapacity ?? Math.max(production ? 4 : 2, minCapacity);
    const applicationPort = props.applicationPort ?? 80;
    const allowedCidrs = props.allowedCidrs ?? ['0.0.0.0/0'];
    this.validate(prelude.validator, props, minCapacity, maxCapacity, allowedCidrs);

    const front = this._createFront(prelude, allowedCidrs);

    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: props.vpc,
      description: `Instances of ${this.node.path}: the application port from the load balancer only`,
      // Instances reach package repositories and Systems Manager through the NAT gateways.
      allowAllOutbound: true,
    });
    this.autoScalingGroup = this.createAutoScalingGroup(props, minCapacity, maxCapacity);
    this.autoScalingGroup.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(applicationPort), 'Application port from the load balancer');

    front.addTargets('Instances', {
      port: applicationPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.autoScalingGroup],
      stickinessCookieDuration: props.stickinessCookieDuration,
      healthCheck: { path: props.healthCheckPath ?? '/', healthyHttpCodes: props.healthyHttpCodes ?? '200' },
    }, { one: 'An instance', all: 'The instances' });

    this.configureScaling(props);
    const byGroup = { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName };
    prelude.dashboard([
      { title: 'Requests', metrics: [this.loadBalancer.metrics.requestCount({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })] },
      {
        title: 'Instances in service',
        metrics: [new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap: byGroup, statistic: cloudwatch.Stats.MAXIMUM })],
      },
      {
        title: 'CPU utilization',
        metrics: [new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: byGroup, statistic: cloudwatch.Stats.AVERAGE })],
      },
    ]);
  }

  private validate(v: PropValidator, props: AlbAutoScalingGroupProps, minCapacity: number, maxCapacity: number, allowedCidrs: string[]): void {
    v.capacityRange(minCapacity, maxCapacity);
    // desiredCapacity lies within whichever bounds are known at synth.
    const [minKnown, maxKnown] = [!Token.isUnresolved(minCapacity), !Token.isUnresolved(maxCapacity)];
    if (minKnown && maxKnown) {
      v.integerInRange('desiredCapacity', props.desiredCapacity, minCapacity, maxCapacity);
    } else if (maxKnown) {
      v.integerInRange('desiredCapacity', props.desiredCapacity, 1, maxCapacity);
    } else {
      v.integerAtLeast('desiredCapacity', props.desiredCapacity, minKnown ? minCapacity : 1);
    }
    v.integerInRange('rootVolumeSize', props.rootVolumeSize, 8, 16384);
    if (props.fallbackInstanceTypes) {
      const primary = props.instanceType ?? new ec2.InstanceType(DEFAULT_INSTANCE_TYPE);
      const names = props.fallbackInstanceTypes.map((t) => t.toString());
      v.check(names.length >= 1 && names.length < MAX_INSTANCE_TYPES, 'fallbackInstanceTypes', names,
        `1 to ${MAX_INSTANCE_TYPES - 1} instance types (a mixed instances policy takes at most ${MAX_INSTANCE_TYPES}, the instance type included)`);
      v.check(new Set([primary.toString(), ...names]).size === names.length + 1, 'fallbackInstanceTypes', names,
        `instance types that repeat neither each other nor instanceType (${primary})`);
      const otherArchitecture = props.fallbackInstanceTypes.filter((t) => t.architecture !== primary.architecture).map((t) => t.toString());
      v.check(otherArchitecture.length === 0, 'fallbackInstanceTypes', otherArchitecture,
        `instance types of instanceType's architecture (${primary.architecture}), since the machine image is built for it`);
    }
    v.integerInRange('targetCpuUtilization', props.targetCpuUtilization, 1, 100);
    v.integerAtLeast('targetRequestsPerMinute', props.targetRequestsPerMinute, 1);
    v.secondsInRange('instanceWarmup', props.instanceWarmup, 0, 3600);
    v.integerInRange('applicationPort', props.applicationPort, 1, 65535);
    PublicLoadBalancer.validateHealthCheckPath(v, props.healthCheckPath);
    if (props.healthyHttpCodes !== undefined && !Token.isUnresolved(props.healthyHttpCodes)) {
      v.check(HTTP_CODES.test(props.healthyHttpCodes), 'healthyHttpCodes', props.healthyHttpCodes,
        "codes from 200 to 499, as a list or ranges such as '200' or '200-299,302'");
    }
    v.secondsInRange('healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 7200);
    PublicLoadBalancer.validate(v, props, allowedCidrs);
    // aws-cdk-lib's target group converts it at synth, so a token cannot reach the template.
    v.knownAtSynth('stickinessCookieDuration', props.stickinessCookieDuration, "aws-cdk-lib's target group reads it at synth");
    v.secondsInRange('stickinessCookieDuration', props.stickinessCookieDuration, 1, Duration.days(7).toSeconds());
    const names = new Set<string>();
    for (const action of props.scheduledCapacity ?? []) {
      v.check(/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(action.name) && !names.has(action.name), `scheduledCapacity['${action.name}'].name`, action.name,
        'unique, a letter followed by up to 63 letters, digits or hyphens');
      names.add(action.name);
      v.check(action.minCapacity !== undefined || action.maxCapacity !== undefined, `scheduledCapacity['${action.name}']`, 'no capacity',
        'a minCapacity, a maxCapacity or both');
      v.integerAtLeast(`scheduledCapacity['${action.name}'].minCapacity`, action.minCapacity, 1);
      if (action.minCapacity !== undefined && action.maxCapacity !== undefined
        && !Token.isUnresolved(action.minCapacity) && !Token.isUnresolved(action.maxCapacity)) {
        v.check(action.maxCapacity >= action.minCapacity, `scheduledCapacity['${action.name}'].maxCapacity`, action.maxCapacity,
          `at least its minCapacity (${action.minCapacity})`);
      }
    }
    v.throwIfInvalid();
  }

  private createAutoScalingGroup(props: AlbAutoScalingGroupProps, minCapacity: number, maxCapacity: number): autoscaling.AutoScalingGroup {
    const instanceType = props.instanceType ?? new ec2.InstanceType(DEFAULT_INSTANCE_TYPE);
    // Grants to the group (`table.grantReadData(web.autoScalingGroup)`) land in a managed policy of
    // this role, never inline, which the HIPAA, NIST and PCI packs refuse.
    const role = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of ${this.node.path}: Session Manager access and nothing else`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledgeNagFinding(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AmazonSSMManagedInstanceCore is the minimal AWS-maintained policy Session Manager needs; it replaces SSH keys and port 22.');

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType,
      machineImage: props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023({
        cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
      }),
      userData: props.userData,
      role,
      securityGroup: this.instanceSecurityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      associatePublicIpAddress: false,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeSize ?? 8, {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    });

    // A shortage of one instance type in one Availability Zone must not stop the group from scaling:
    // the overrides are tried in order (the instance type first), all on demand.
    const fallbacks = props.fallbackInstanceTypes
      ?? [new ec2.InstanceType(DEFAULT_FALLBACKS[instanceType.architecture].find((t) => t !== instanceType.toString())!)];
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const group = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: props.vpc,
      vpcSubnets: subnets,
      mixedInstancesPolicy: {
        launchTemplate,
        launchTemplateOverrides: [instanceType, ...fallbacks].map((type) => ({ instanceType: type })),
        instancesDistribution: {
          onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
          onDemandPercentageAboveBaseCapacity: 100,
        },
      },
      minCapacity,
      maxCapacity,
      desiredCapacity: props.desiredCapacity,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: props.healthCheckGracePeriod ?? Duration.minutes(5),
      }),
      defaultInstanceWarmup: props.instanceWarmup ?? Duration.minutes(5),
      // Replace instances one at a time, never dropping below the minimum that serves traffic.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        minInstancesInService: minInstancesInService(minCapacity, maxCapacity),
        maxBatchSize: 1,
      }),
      groupMetrics: [autoscaling.GroupMetrics.all()],
      notifications: [{ topic: this.scalingNotificationTopic(props) }],
    });
    // The group names its Availability Zones, those of its subnets, so the spread is explicit.
    const cfnGroup = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    cfnGroup.availabilityZones = props.vpc.selectSubnets(subnets).availabilityZones;
    // These rules read a group's own LaunchTemplate property, not the one its mixed instances policy
    // names; that template is this pattern's, which requires IMDSv2 and encrypts its gp3 volume.
    acknowledgeNagFinding(cfnGroup, 'AwsSolutions-EC26',
      "The group launches from this pattern's launch template through its mixed instances policy, which the rule does not read; the template encrypts the root volume.");
    acknowledgeNagRule(cfnGroup, NIST_AND_HIPAA_PACKS, 'EC2IMDSv2Enabled',
      "The group launches from this pattern's launch template through its mixed instances policy, which the rule does not read; the template requires IMDSv2.");
    return group;
  }

  /**
   * Scaling events (launches, terminations and their failures) go where the alarms go. The stack's
   * own alarm topic lets Auto Scaling use its key; a topic you give that is encrypted must too.
   */
  private scalingNotificationTopic(props: AlbAutoScalingGroupProps): sns.ITopic {
    if (props.alarmTopic) {
      return props.alarmTopic;
    }
    const operations = StackOperations.of(this);
    operations.allowAutoScalingNotifications();
    return operations.alarmTopic;
  }

  private configureScaling(props: AlbAutoScalingGroupProps): void {
    this.autoScalingGroup.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: props.targetCpuUtilization ?? 50 });
    if (props.targetRequestsPerMinute !== undefined) {
      this.autoScalingGroup.scaleOnRequestCount('RequestScaling', { targetRequestsPerMinute: props.targetRequestsPerMinute });
    }
    for (const action of props.scheduledCapacity ?? []) {
      this.autoScalingGroup.scaleOnSchedule(action.name, {
        schedule: action.schedule,
        minCapacity: action.minCapacity,
        maxCapacity: action.maxCapacity,
      });
    }
  }
}

/**
 * How many instances a rolling update keeps in service: the group's minimum, but below its maximum,
 * which CloudFormation requires ("MinInstancesInService must be less than the autoscaling group's
 * MaxSize"): with `minCapacity` equal to `maxCapacity`, the first update that replaces instances
 * would fail. Such a group keeps one fewer in service while it replaces one at a time. Tokens, only
 * known at deploy time, keep the minimum.
 */
function minInstancesInService(minCapacity: number, maxCapacity: number): number {
  if (Token.isUnresolved(minCapacity) || Token.isUnresolved(maxCapacity)) {
    return minCapacity;
  }
  return Math.max(0, Math.min(minCapacity, maxCapacity - 1));
}
