import { Annotations, ArnFormat, Duration, Reference, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LoadBalancedWebTier } from '../building-blocks/load-balanced-web-tier';
import { PublicLoadBalancer, PublicLoadBalancerProps } from '../building-blocks/public-load-balancer';
import { createLogEncryptionKey } from '../core/log-encryption';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding, nagResourceText } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PropValidator } from '../core/prop-validator';
import { grantKeyThroughSecretsManager, SECRET_KEY_READ } from '../core/secret-grants';

/**
 * A container health check, run by ECS inside the container.
 */
export interface ContainerHealthCheckOptions {
  /**
   * The command, as ECS takes it: `['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1']`
   * or `['CMD', '/healthcheck']`.
   */
  readonly command: string[];

  /**
   * How often the check runs, from 5 to 300 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;

  /**
   * How long one check may take, from 2 to 120 seconds.
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * How many failures in a row make the container unhealthy, from 1 to 10.
   *
   * @default 3
   */
  readonly retries?: number;

  /**
   * How long a starting container may fail checks without counting, from 0 to 300 seconds.
   *
   * @default - no start period
   */
  readonly startPeriod?: Duration;
}

/**
 * Properties of an AlbFargateService.
 */
export interface AlbFargateServiceProps extends PublicLoadBalancerProps {
  /**
   * The container image. Build it for `cpuArchitecture` (ARM64 by default).
   */
  readonly image: ecs.ContainerImage;

  /**
   * The cluster to run in.
   *
   * @default - a new cluster in the VPC, with Container Insights in enhanced observability mode
   */
  readonly cluster?: ecs.ICluster;

  /**
   * The port the container listens on, from 1 to 65535.
   *
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * The task's CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
   *
   * @default 512
   */
  readonly cpu?: number;

  /**
   * The task's memory in MiB, within Fargate's range for `cpu`. The ranges by CPU units: 256: 512,
   * 1024 or 2048; 512: 1024 to 4096; 1024: 2048 to 8192; 2048: 4096 to 16384; 4096: 8192 to 30720
   * (all in 1024 steps); 8192: 16384 to 61440 in 4096 steps; 16384: 32768 to 122880 in 8192 steps.
   *
   * @default 1024
   */
  readonly memoryLimitMiB?: number;

  /**
   * The CPU architecture the image is built for.
   *
   * @default ecs.CpuArchitecture.ARM64 (Graviton)
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Plain environment variables. Never credentials: use `secrets`.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Environment variables read from Secrets Manager or SSM Parameter Store when the task starts.
   * The execution role may read these and nothing else. A Secrets Manager secret encrypted with
   * a customer-managed key may live in another stack of the app: the execution role is then
   * granted the secret and the key (through Secrets Manager only) in its own policy, so that key's
   * policy must let IAM policies grant it, as a `kms.Key`'s default policy does.
   *
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * A health check ECS runs inside the container.
   *
   * @default - none; the load balancer's health check on `healthCheckPath` decides
   */
  readonly containerHealthCheck?: ContainerHealthCheckOptions;

  /**
   * The user (name, UID, or UID:GID) the container runs as. Pass a non-root user where the image
   * does not set one. Fargate mounts the `/tmp` scratch volume owned by root (mode 0755) unless the
   * image declares `VOLUME /tmp` with other permissions (`chmod 1777 /tmp` before it), so a
   * non-root user that writes to `/tmp` needs that line in its Dockerfile.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Lets the container write to its root file system. A weakening: a compromised process can then
   * change the image's files. The scratch volume at `/tmp` stays writable either way.
   *
   * With `enableExecuteCommand` the root is writable unless this is `false`: AWS supports ECS Exec
   * only with a writable root ("making the root file system read-only ... isn't supported",
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html). Set it to `false`
   * there to keep the root read-only with writable volumes at the three directories the Exec agent
   * writes to, `/managed-agents`, `/var/lib/amazon/ssm` and `/var/log/amazon/ssm`: the workaround
   * of aws/containers-roadmap#1359, which AWS does not document, so check that the task's
   * `ExecuteCommandAgent` is `RUNNING` (`aws ecs describe-tasks`) before you rely on it.
   *
   * @default - false (a read-only root file system); true with `enableExecuteCommand`
   */
  readonly writableRootFilesystem?: boolean;

  /**
   * Whether operators may open a shell in running tasks with ECS Exec. The sessions are then
   * logged to an encrypted log group with a retention, in a cluster the pattern creates. The
   * container's root file system becomes writable, the only way AWS supports Exec (a synth
   * warning, `cdk-best-practice-patterns:execWritableRoot`, says so), unless
   * `writableRootFilesystem` is `false`: see there.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * The fewest tasks, at least 1.
   *
   * @default - 2 in PROD (over 2 Availability Zones), 1 in DEV
   */
  readonly minCapacity?: number;

  /**
   * The most tasks, at least `minCapacity`.
   *
   * @default - 4 in PROD, 2 in DEV, or `minCapacity` when that is higher
   */
  readonly maxCapacity?: number;

  /**
   * The average CPU utilization, in percent from 1 to 100, that target tracking keeps the tasks at.
   *
   * @default 50
   */
  readonly targetCpuUtilization?: number;

  /**
   * The tasks' average CPU utilization, in percent above 0 and at most 100 over 15 minutes, above which an
   * alarm fires. Keep it above `targetCpuUtilization`, which scaling holds the tasks at.
   *
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;

  /**
   * The tasks' average memory utilization, in percent above 0 and at most 100 over 15 minutes, above which
   * an alarm fires.
   *
   * @default 80
   */
  readonly memoryAlarmThreshold?: number;

  /**
   * Requests per target (per task, per minute) that target tracking keeps the service at, at least 1.
   *
   * @default - no request-based scaling
   */
  readonly targetRequestsPerTarget?: number;

  /**
   * The path the load balancer checks on each task.
   *
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * How long a new task may fail health checks while it starts, from 0 to 2,147,483,647 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * How long the container logs are kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;
}

// Fargate's task sizes: for each CPU value, the memory range and its step, in MiB (256 CPU units
// take 512, 1024 or 2048 only, not 1536).
const TASK_SIZES: Record<number, { min: number; max: number; step: number; only?: number[] }> = {
  256: { min: 512, max: 2048, step: 512, only: [512, 1024, 2048] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};
const SCRATCH_VOLUME = 'scratch';
/**
 * Where the ECS Exec agent writes, as volume name and path: the directories that people running
 * Exec under a read-only root found they had to make writable (aws/containers-roadmap#1359,
 * aws-containers/amazon-ecs-exec-checker#71). `/managed-agents` holds the agent's own files,
 * bind-mounted there by ECS; the other two are the SSM agent's state and logs.
 */
const EXEC_AGENT_VOLUMES: Array<[string, string]> = [
  ['exec-agents', '/managed-agents'],
  ['ssm-state', '/var/lib/amazon/ssm'],
  ['ssm-logs', '/var/log/amazon/ssm'],
];
/** The id of the warning that ECS Exec made the root file system writable. */
const EXEC_WRITABLE_ROOT_WARNING = 'cdk-best-practice-patterns:execWritableRoot';

/**
 * An ECS service on Fargate in the private subnets, behind the public load balancer front that
 * AlbAutoScalingGroup uses too: it scales with load, deploys without dropping capacity and rolls
 * back a failed deployment by itself.
 *
 * Applies: the front (HTTPS with a redirect, TLS 1.2/1.3, WAF and deletion protection in PROD,
 * access logs, invalid headers dropped); tasks without public IPs, reachable only from the load
 * balancer; ARM64; a read-only root file system with a scratch volume, no privileged mode or added
 * capabilities, logs to an encrypted log group with a retention; secrets from Secrets Manager or
 * SSM only; an empty task role and an execution role limited to this image, these secrets and this
 * log group, both with managed policies; 2 tasks over 2 AZs in PROD; target tracking on CPU and
 * optionally requests; a deployment circuit breaker with rollback, 100% minimum healthy and 200%
 * maximum; Container Insights; alarms on CPU, memory, running tasks and the front's.
 *
 * @example
 * import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
 * import { AlbFargateService, MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * declare const certificate: acm.ICertificate;
 * const network = new MultiAzVpc(this, 'Network');
 * new AlbFargateService(this, 'Service', {
 *   vpc: network.vpc,
 *   certificate,
 *   // An image that listens on 8080 and answers 200 on /health, built for the tasks' ARM64
 *   image: ecs.ContainerImage.fromAsset('./app', { platform: ecrAssets.Platform.LINUX_ARM64 }),
 * });
 */
export class AlbFargateService extends LoadBalancedWebTier {
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The role the application runs as: empty until you grant it what the application calls. */
  public readonly taskRole: iam.IRole;
  /** The tasks' security group: the container port from the load balancer only. */
  public readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** The container logs. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The alarms of this pattern: unhealthy tasks, target and load balancer 5xx, p99 latency, CPU,
   * memory and running tasks below the minimum.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: AlbFargateServiceProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'AlbFargateService', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const production = prelude.production;
    const minCapacity = props.minCapacity ?? (production ? 2 : 1);
    const maxCapacity = props.maxCapacity ?? Math.max(production ? 4 : 2, minCapacity);
    const allowedCidrs = props.allowedCidrs ?? ['0.0.0.0/0'];
    const containerPort = props.containerPort ?? 8080;
    const cpu = props.cpu ?? 512;
    const memoryLimitMiB = props.memoryLimitMiB ?? 1024;
    this.validate(prelude.validator, props, minCapacity, maxCapacity, allowedCidrs, cpu, memoryLimitMiB);

    const removalPolicy = prelude.removalPolicy;
    const front = this._createFront(prelude, allowedCidrs);

    const logKey = createLogEncryptionKey(this, 'LogKey', `Encrypts the container logs of ${this.node.path}`, removalPolicy);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
      encryptionKey: logKey,
      removalPolicy,
    });
    this.cluster = props.cluster ?? this.createCluster(props, logKey, removalPolicy);

    this.taskRole = new ManagedPolicyRole(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `The application of ${this.node.path}: nothing until granted`,
    });
    const executionRole = new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `ECS for ${this.node.path}: pulls the image, reads the task's secrets, writes its logs`,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole,
    });
    this.taskDefinition.addVolume({ name: SCRATCH_VOLUME });
    const executeCommand = props.enableExecuteCommand ?? false;
    // AWS supports ECS Exec only with a writable root file system (see writableRootFilesystem).
    const writableRoot = props.writableRootFilesystem ?? executeCommand;
    this.container = this.taskDefinition.addContainer('App', {
      image: props.image,
      portMappings: [{ containerPort, protocol: ecs.Protocol.TCP }],
      environment: props.environment,
      secrets: props.secrets && this.readableAcrossStacks(props.secrets),
      healthCheck: props.containerHealthCheck,
      user: props.user,
      readonlyRootFilesystem: !writableRoot,
      privileged: false,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'app', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
    });
    if (props.environment && Object.keys(props.environment).length > 0) {
      acknowledgeNagFinding(this.taskDefinition, 'AwsSolutions-ECS2',
        '`environment` holds plain configuration the user passed; credentials come through `secrets`, from Secrets Manager or SSM Parameter Store.');
    }
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: SCRATCH_VOLUME, readOnly: false });
    if (executeCommand && writableRoot && props.writableRootFilesystem === undefined) {
      Annotations.of(this).addWarningV2(EXEC_WRITABLE_ROOT_WARNING,
        'enableExecuteCommand is true, so the container\'s root file system is writable: AWS supports ECS Exec only with a writable root '
        + '(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html). A compromised process can then change the image\'s files. '
        + 'Turn Exec off when you are done debugging, or set writableRootFilesystem: false to keep the root read-only with writable volumes '
        + 'where the Exec agent writes (a workaround AWS does not document).');
    }
    if (executeCommand && !writableRoot) {
      // The Exec agent crashes soon after it starts under a read-only root unless these
      // directories are writable (aws/containers-roadmap#1359).
      for (const [name, containerPath] of EXEC_AGENT_VOLUMES) {
        this.taskDefinition.addVolume({ name });
        this.container.addMountPoints({ containerPath, sourceVolume: name, readOnly: false });
      }
    }
    this.acknowledgeExecutionRole(executionRole);

    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: `Tasks of ${this.node.path}: the container port from the load balancer only`,
      // Tasks pull their image and reach AWS APIs through the NAT gateways.
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      securityGroups: [this.serviceSecurityGroup],
      // No desired count: CloudFormation would reset it on every deployment, undoing what
      // autoscaling decided (aws-cdk #3919). The scalable target's minimum starts the tasks.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      enableExecuteCommand: executeCommand,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    // Tasks must not start before the execution role may pull, read the secrets and log.
    this.service.node.addDependency(executionRole);
    if (executeCommand) {
      this.acknowledgeExecuteCommand();
    }
    this.service.connections.allowFrom(this.loadBalancerSecurityGroup, ec2.Port.tcp(containerPort), 'Container port from the load balancer');

    front.addTargets('Tasks', {
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: this.container.containerName, containerPort })],
      healthCheck: { path: props.healthCheckPath ?? '/health', healthyHttpCodes: '200' },
    }, { one: 'A task', all: 'The tasks' });

    const scaling = this.service.autoScaleTaskCount({ minCapacity, maxCapacity });
    scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: props.targetCpuUtilization ?? 50 });
    if (props.targetRequestsPerTarget !== undefined) {
      scaling.scaleOnRequestCount('RequestScaling', { requestsPerTarget: props.targetRequestsPerTarget, targetGroup: this.targetGroup });
    }
    this.createAlarms(prelude, minCapacity);
  }

  private validate(v: PropValidator, props: AlbFargateServiceProps, minCapacity: number, maxCapacity: number, allowedCidrs: string[],
    cpu: number, memory: number): void {
    PublicLoadBalancer.validate(v, props, allowedCidrs);
    v.integerInRange('containerPort', props.containerPort, 1, 65535);
    const size = TASK_SIZES[cpu];
    v.check(Token.isUnresolved(cpu) || size !== undefined, 'cpu', cpu, `one of Fargate's CPU values: ${Object.keys(TASK_SIZES).join(', ')}`);
    if (size && !Token.isUnresolved(memory)) {
      const allowed = size.only
        ? size.only.includes(memory)
        : Number.isInteger(memory) && memory >= size.min && memory <= size.max && (memory - size.min) % size.step === 0;
      v.check(allowed, 'memoryLimitMiB', memory, size.only
        ? `Fargate's memory for ${cpu} CPU units: ${size.only.join(', ')} MiB`
        : `Fargate's memory for ${cpu} CPU units: ${size.min} to ${size.max} MiB in steps of ${size.step}`);
    }
    v.capacityRange(minCapacity, maxCapacity);
    v.integerInRange('targetCpuUtilization', props.targetCpuUtilization, 1, 100);
    v.integerAtLeast('targetRequestsPerTarget', props.targetRequestsPerTarget, 1);
    for (const [prop, value] of [['cpuAlarmThreshold', props.cpuAlarmThreshold], ['memoryAlarmThreshold', props.memoryAlarmThreshold]] as const) {
      v.percentage(prop, value, true);
    }
    PublicLoadBalancer.validateHealthCheckPath(v, props.healthCheckPath);
    v.secondsInRange('healthCheckGracePeriod', props.healthCheckGracePeriod, 0, 2_147_483_647);
    const check = props.containerHealthCheck;
    if (check) {
      // aws-cdk-lib reads the command's first element at synth and adds CMD-SHELL before anything
      // else, which it cannot do to a list from a token (a CommaDelimitedList parameter): the list
      // and its first element must be known; the others may be tokens.
      const command = check.command;
      const commandKnown = !Token.isUnresolved(command) && !Token.isUnresolved(command[0]);
      v.knownAtSynth('containerHealthCheck.command', commandKnown ? undefined : Token.asString(command),
        'its first element, CMD or CMD-SHELL, decides how ECS runs it, and aws-cdk-lib reads it at synth; the elements after it may be tokens');
      v.check(!commandKnown || (command.length >= 2 && ['CMD', 'CMD-SHELL'].includes(command[0])), 'containerHealthCheck.command', command,
        "['CMD-SHELL', '<shell command>'] or ['CMD', '<executable>', ...args]");
      // aws-cdk-lib checks the interval and the timeout against ECS's ranges at synth, and throws
      // for a token with an error that names no prop.
      for (const [prop, value] of [['interval', check.interval], ['timeout', check.timeout]] as const) {
        v.knownAtSynth(`containerHealthCheck.${prop}`, value, "aws-cdk-lib checks it against ECS's range at synth");
      }
      v.secondsInRange('containerHealthCheck.interval', check.interval, 5, 300);
      v.secondsInRange('containerHealthCheck.timeout', check.timeout, 2, 120);
      v.integerInRange('containerHealthCheck.retries', check.retries, 1, 10);
      v.secondsInRange('containerHealthCheck.startPeriod', check.startPeriod, 0, 300);
      const interval = check.interval ?? Duration.seconds(30);
      const timeout = check.timeout ?? Duration.seconds(5);
      if (!interval.isUnresolved() && !timeout.isUnresolved()) {
        v.check(timeout.toSeconds() < interval.toSeconds(), 'containerHealthCheck.timeout', timeout.toHumanString(),
          `shorter than the interval (${interval.toHumanString()})`);
      }
    }
    v.check(props.user === undefined || Token.isUnresolved(props.user) || /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(props.user),
      'user', props.user, 'a user name or UID, optionally with :group or :GID, such as 1000:1000');
    v.check(!(props.enableExecuteCommand && props.cluster), 'enableExecuteCommand', props.enableExecuteCommand,
      "unset with a given cluster: ECS Exec's session logging is a cluster setting, so configure it there and turn it on in the service yourself");
    v.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
    v.throwIfInvalid();
  }

  private createCluster(props: AlbFargateServiceProps, logKey: kms.IKey, removalPolicy: RemovalPolicy): ecs.Cluster {
    const executeCommand = props.enableExecuteCommand ?? false;
    const sessionLogs = executeCommand
      ? new logs.LogGroup(this, 'ExecSessionLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logKey, removalPolicy })
      : undefined;
    return new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      executeCommandConfiguration: executeCommand ? {
        kmsKey: logKey,
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: sessionLogs, cloudWatchEncryptionEnabled: true },
      } : undefined,
    });
  }

  /**
   * The secrets, with those whose grant would name the execution role in another stack granted
   * through the role alone. aws-cdk-lib's Secret.grantRead lets the role decrypt with the secret's
   * key by writing a kms:ViaService statement that names the role into the KEY POLICY (a
   * ViaServicePrincipal cannot go into the role's policy); with the key in another stack, that
   * stack would reference this one while this one references its secret: a DependencyCycle
   * (issue 28; upstream https://github.com/aws/aws-cdk/issues/14213). The role's own policy grants the same: the secret, and kms:Decrypt on its key
   * only through Secrets Manager in the secret's region
   * (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
   */
  private readableAcrossStacks(secrets: Record<string, ecs.Secret>): Record<string, ecs.Secret> {
    const result: Record<string, ecs.Secret> = {};
    for (const [name, secret] of Object.entries(secrets)) {
      const source = secretsManagerSecretOf(secret);
      // The key's stack decides: the statement aws-cdk-lib would write is in the key's policy.
      const crossStack = source?.encryptionKey !== undefined && Stack.of(source.encryptionKey) !== Stack.of(this);
      result[name] = crossStack ? new GrantedThroughRole(secret, source!) : secret;
    }
    return result;
  }

  /**
   * aws-cdk-lib grants the execution role what ECS needs for this task: pulling this image, these
   * secrets, this log group. ECR's authorization token is the one call without resource ARNs.
   */
  private acknowledgeExecutionRole(executionRole: ManagedPolicyRole): void {
    const policy = executionRole.node.tryFindChild('Policy');
    if (policy) {
      acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        "ecr:GetAuthorizationToken takes no resource ARN; the image pull itself is granted on the image's repository only (for an asset image, the bootstrap's asset repository).");
    }
  }

  /**
   * ECS Exec's grants, which aws-cdk-lib adds to the task role: Session Manager's message channels
   * (no resource ARNs exist for them) and the session log group's streams.
   */
  private acknowledgeExecuteCommand(): void {
    const policy = this.taskRole.node.findChild('Policy');
    acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
      "ECS Exec's Session Manager channels (ssmmessages:*Channel) and logs:DescribeLogGroups take no resource ARNs; they are what enableExecuteCommand needs.");
    const sessionLogs = this.node.tryFindChild('ExecSessionLogs') as logs.LogGroup | undefined;
    if (sessionLogs) {
      const streams = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${sessionLogs.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(this, streams)}]`,
        'The exec sessions write their own log streams, named at run time, in this one log group.');
    }
  }

  private createAlarms(prelude: PatternPrelude<AlbFargateServiceProps>, minCapacity: number): void {
    const fifteenMinutes = { period: Duration.minutes(15) };
    const cpu = prelude.props.cpuAlarmThreshold ?? 80;
    const memory = prelude.props.memoryAlarmThreshold ?? 80;
    // A number token in a template literal would print its encoding, not the parameter's value.
    prelude.alarm('CpuAlarm', {
      metric: this.service.metricCpuUtilization(fifteenMinutes),
      threshold: cpu,
      description: `The tasks of ${this.node.path} averaged over ${Tokenization.stringifyNumber(cpu)}% CPU for 15 minutes`,
    });
    prelude.alarm('MemoryAlarm', {
      metric: this.service.metricMemoryUtilization(fifteenMinutes),
      threshold: memory,
      description: `The tasks of ${this.node.path} averaged over ${Tokenization.stringifyNumber(memory)}% memory for 15 minutes`,
    });
    // Container Insights publishes the running task count; fewer than the minimum means tasks are
    // failing to start or being stopped faster than ECS replaces them. No data counts as breaching:
    // a service with no task left may publish nothing.
    const running = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(5),
    });
    prelude.alarm('RunningTasksAlarm', {
      metric: running,
      threshold: minCapacity,
      below: true,
      missingDataBreaches: true,
      description: `${this.node.path} runs fewer than its minimum of ${Tokenization.stringifyNumber(minCapacity)} tasks`,
    });
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    prelude.dashboard([
      { title: 'Requests', metrics: [this.loadBalancer.metrics.requestCount(fiveMinutes)] },
      { title: 'Running tasks', metrics: [running] },
      { title: 'CPU and memory utilization (%)', metrics: [this.service.metricCpuUtilization(), this.service.metricMemoryUtilization()] },
    ]);
  }
}

/**
 * The Secrets Manager secret an ecs.Secret reads, when its ARN is a reference to one defined in
 * this app (ecs.Secret.fromSecretsManager keeps the secret itself private): the construct that
 * holds the referenced resource.
 */
function secretsManagerSecretOf(secret: ecs.Secret): secretsmanager.Secret | undefined {
  for (const token of Tokenization.reverseString(secret.arn).tokens) {
    if (Reference.isReference(token)) {
      const holder = token.target.node.scope;
      if (holder instanceof secretsmanager.Secret) {
        return holder;
      }
    }
  }
  return undefined;
}

/**
 * An ecs.Secret read from a Secrets Manager secret in another stack, granted in the grantee's own
 * policy only (see AlbFargateService.readableAcrossStacks).
 */
class GrantedThroughRole extends ecs.Secret {
  public readonly arn: string;
  public readonly hasField?: boolean;

  constructor(inner: ecs.Secret, private readonly source: secretsmanager.Secret) {
    super();
    this.arn = inner.arn;
    this.hasField = inner.hasField;
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [this.source.secretArn],
    }).combine(grantKeyThroughSecretsManager(grantee, this.source.encryptionKey!, Stack.of(this.source).region, SECRET_KEY_READ));
  }
}
