import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, Node } from 'constructs';
import { DeadLetterQueue, DeadLetterSource } from './dead-letter-queue';
import { functionAlarms, validateEnvironment, validateFunctionProps } from './function-support';
import { createLogEncryptionKey } from '../core/log-encryption';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NIST_AND_HIPAA_PACKS } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * Properties of a HardenedFunction. Exactly one of `code` and `entry` is required.
 */
export interface HardenedFunctionProps extends PatternProps {
  /**
   * The function's code. One of `code` and `entry`.
   *
   * @default - none
   */
  readonly code?: lambda.Code;

  /**
   * A TypeScript or JavaScript file to bundle with esbuild. It is bundled as aws-lambda-nodejs
   * does, so esbuild must be installed, or Docker running. One of `code` and `entry`.
   *
   * @default - none
   */
  readonly entry?: string;

  /**
   * The handler: `file.export` with `code`, the exported function's name with `entry`.
   *
   * @default - 'index.handler' with `code`, 'handler' with `entry`
   */
  readonly handler?: string;

  /**
   * The runtime. A fixed version, so a template never changes by itself when aws-cdk-lib learns
   * of a newer one.
   *
   * @default - the newest fixed Node.js runtime this aws-cdk-lib knows
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The processor architecture. Graviton (ARM64) costs about 20% less per GB-second; choose
   * X86_64 only when a dependency forbids ARM.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Memory in MB, from 128 to 10240. CPU grows with it.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long an invocation may run, from 1 to 900 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Reserved concurrency, at least 0: concurrency set aside for this function alone, which also
   * caps it, to protect what it calls. Lambda keeps 100 of an account's concurrency unreserved, so
   * an account at a new account's default quota of 10 cannot reserve any and the deploy fails
   * ([reserved concurrency](https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)).
   * To cap a queue consumer, set `maxConcurrency` on its QueueWithDeadLetterQueue (or in an
   * SnsFanOut subscriber's `queueOptions`) instead: the event source mapping's maximum concurrency
   * caps it without reserving anything.
   *
   * @default - none: a reservation can exceed a new account's concurrency quota
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Environment variables. Never put secrets here: read them from Secrets Manager at run time.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * A description of the function, at most 256 characters.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * A VPC to run the function in, in its private subnets with egress, for code that calls private
   * resources. The function's security group is `securityGroup`.
   *
   * @default - outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How long the function's logs are kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The KMS key that encrypts the function's log group. Its policy must let CloudWatch Logs use it.
   *
   * @default - one rotating key per stack, shared by the logs of every HardenedFunction in it
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * How many times Lambda retries a failed asynchronous invocation, from 0 to 2.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * How long Lambda keeps trying an asynchronous event, from 60 seconds to 6 hours. Events that
   * fail every retry, or grow older than this, go to the dead-letter queue.
   *
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;

  /**
   * The name of the alias every caller invokes: a letter, digit, hyphen or underscore, 1 to 128
   * of them, and not only digits (those name versions).
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * How CodeDeploy shifts the alias to a new version.
   *
   * @default - all at once in DEV; in PROD a canary: 10% of the traffic for 5 minutes, then all
   */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;

  /**
   * More alarms that roll a deployment back when they fire, on top of the function's own errors
   * and duration alarms: at most 8, since a deployment group watches at most 10 alarms.
   *
   * @default - only the function's errors and duration alarms
   */
  readonly deploymentAlarms?: cloudwatch.IAlarm[];

  /**
   * A function CodeDeploy runs before it shifts any traffic to a new version. It reports the
   * outcome with `codedeploy:PutLifecycleEventHookExecutionStatus`, which it is granted.
   *
   * @default - none
   */
  readonly preTrafficHook?: lambda.IFunction;

  /**
   * A function CodeDeploy runs once all traffic has shifted to a new version.
   *
   * @default - none
   */
  readonly postTrafficHook?: lambda.IFunction;

  /**
   * The p99 duration (over 5 minutes, on the alias) above which an alarm fires, and CodeDeploy rolls
   * a deployment back: above 0 and below `timeout`, since Lambda stops an invocation at its timeout,
   * so a p99 at or above it is never reached and the alarm could never fire. A value known only at
   * deploy time must be given as `Duration.millis(...)`: the alarm compares milliseconds. Given, it
   * also alarms a function whose timeout is a token, which otherwise has no duration alarm.
   *
   * @default - 80% of the timeout (8 seconds at the default 10): the function is close to being
   * cut off, while there is still time to act
   */
  readonly durationP99Threshold?: Duration;

  /**
   * The number of errors (the sum over 5 minutes, on the alias) above which an alarm fires, and
   * CodeDeploy rolls a deployment back: a whole number, at least 0. The default, 0, alarms on any
   * error, since a function is expected not to fail. Raise it only for a busy function with a known
   * background of failures (timeouts of a flaky dependency, retried by the caller), where an alarm
   * on any error would stay in ALARM and roll back every deployment.
   *
   * @default 0
   */
  readonly errorsThreshold?: number;

  /**
   * Further settings of the Lambda function that the pattern has no prop for, such as `layers` (at
   * most 5), `ephemeralStorageSize` (512 to 10,240 MiB), `securityGroups`, `vpcSubnets`,
   * `filesystem`, `snapStart`, `adotInstrumentation` or `paramsAndSecrets`: the escape hatch, in
   * place of reaching into `node.defaultChild`. They are merged under the pattern's guarantees:
   * what the pattern decides (`role`, `logGroup`, logging format, `tracing`, the dead-letter queue,
   * asynchronous destinations, `currentVersionOptions`, `initialPolicy`, `events`) and what it has
   * a prop of its own for (`memorySize`, `timeout`, `environment`, `vpc`, ...) are refused here,
   * each with what to use instead.
   *
   * @default - none
   */
  readonly functionOptions?: lambda.FunctionOptions;

  /**
   * esbuild options for the `entry` file, such as `nodeModules` to install rather than bundle,
   * `externalModules` to leave out, `define` or `banner`, merged over the pattern's own: minified,
   * with source maps. Only with `entry`.
   *
   * @default - minified, with source maps
   */
  readonly bundling?: nodejs.BundlingOptions;
}

const SHARED_LOG_KEY_ID = 'HardenedFunctionLogKey';
const HARDENED_FUNCTION_MARKER = Symbol.for('cdk-best-practice-patterns.HardenedFunction');

/**
 * A Lambda function with every practice of the catalogue, deployed safely: every change publishes
 * a version, callers invoke an alias, and CodeDeploy shifts the alias to the new version (all at
 * once in DEV, a 10% canary for 5 minutes in PROD), rolling back by itself when the alias's
 * alarms fire.
 *
 * It is a `lambda.IFunction` that stands for its alias: whatever it is handed to (an API
 * integration, an event source mapping, a rule target, `grantInvoke`) invokes the alias, never
 * `$LATEST`. Grants made to it (`table.grantReadData(fn)`) land in a managed policy, never inline.
 *
 * Applies: ARM64 and the newest fixed Node.js runtime; active X-Ray tracing; JSON logs to a
 * KMS-encrypted log group with a retention; a least-privilege role with managed policies only;
 * asynchronous invocations with bounded retries and age, and a dead-letter queue that is
 * encrypted, TLS-only, alarmed and retained in PROD; versions, an alias and CodeDeploy traffic
 * shifting with automatic rollback; alarms on the alias's errors, throttles and duration.
 *
 * @example
 * import { HardenedFunction } from 'cdk-best-practice-patterns';
 *
 * declare const table: dynamodb.ITable;
 * const fn = new HardenedFunction(this, 'Function', {
 *   code: lambda.Code.fromAsset('lambda/orders'),
 *   timeout: Duration.seconds(30),
 *   environment: { TABLE_NAME: table.tableName },
 * });
 * // The grant lands in a managed policy of the function's role; callers invoke its alias
 * table.grantReadWriteData(fn);
 */
export class HardenedFunction extends lambda.FunctionBase {
  /**
   * Whether `x` is a HardenedFunction, from this copy of the library or another one in the same
   * app (an app and a construct library may each bring one), where `instanceof` would say no.
   */
  public static isHardenedFunction(x: any): x is HardenedFunction {
    return x !== null && typeof x === 'object' && HARDENED_FUNCTION_MARKER in x;
  }

  /**
   * The underlying function. Invoke the alias (this construct) instead.
   */
  public readonly lambdaFunction: lambda.Function;

  /**
   * The version published for the function's current code and configuration.
   */
  public readonly version: lambda.Version;

  /**
   * The alias every caller invokes, and CodeDeploy shifts.
   */
  public readonly alias: lambda.Alias;

  /**
   * The CodeDeploy deployment group that shifts the alias.
   */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  /**
   * Where asynchronous events go when they failed every retry or grew too old.
   */
  public readonly deadLetterQueue: sqs.Queue;

  /**
   * The function's log group.
   */
  public readonly logGroup: logs.LogGroup;

  /**
   * How long an invocation may run.
   */
  public readonly timeout: Duration;

  /**
   * The function's security group, when it runs in a VPC.
   */
  public readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * The alarms of this function: errors, throttles and a p99 duration near the timeout (all on
   * the alias), and the dead-letter queue not empty.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly role?: iam.IRole;
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly permissionsNode: Node;
  public readonly architecture: lambda.Architecture;
  public readonly tenancyConfig?: lambda.TenancyConfig;
  public readonly resourceArnsForGrantInvoke: string[];
  protected readonly canCreatePermissions: boolean = true;

  constructor(scope: Construct, id: string, props: HardenedFunctionProps) {
    super(scope, id);
    Object.defineProperty(this, HARDENED_FUNCTION_MARKER, { value: true });
    const prelude = PatternPrelude.start(this, 'HardenedFunction', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    this.timeout = props.timeout ?? Duration.seconds(10);
    this.validate(prelude.validator, props);

    const production = prelude.production;
    const removalPolicy = prelude.removalPolicy;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
      encryptionKey: props.logEncryptionKey ?? sharedLogKey(this, production),
      removalPolicy,
    });
    const deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      source: DeadLetterSource.LAMBDA_FUNCTION,
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      alarmDescription: `An asynchronous event to ${this.node.path} failed every retry and is in its dead-letter queue`,
    });
    this.deadLetterQueue = deadLetterQueue.queue;

    const role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `The function ${this.node.path}`,
    });
    const executionPolicy = this.createExecutionPolicy(role, props.vpc !== undefined);
    this.lambdaFunction = this.createFunction(props, role);
    this.validateSynthesizedEnvironment(prelude.validator, props);
    this.lambdaFunction.node.addDependency(executionPolicy);
    this.securityGroup = props.vpc ? this.lambdaFunction.connections.securityGroups[0] : undefined;
    if (props.vpc) {
      this._connections = this.lambdaFunction.connections;
    }

    this.version = this.lambdaFunction.currentVersion;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.version,
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
    });
    acknowledgeNagFinding(this.alias.node.findChild('EventInvokeConfig'), 'Serverless-LambdaAsyncFailureDestination',
      "Failed asynchronous events go to the function's dead-letter queue (DeadLetterConfig), which covers every version and alias; "
      + 'an on-failure destination as well would deliver each failure twice.');

    this.functionName = this.alias.functionName;
    this.functionArn = this.alias.functionArn;
    this.role = role;
    this.grantPrincipal = role;
    this.permissionsNode = this.node;
    this.architecture = this.lambdaFunction.architecture;
    this.resourceArnsForGrantInvoke = [this.alias.functionArn];

    const ownAlarms = functionAlarms(prelude, this, this.timeout, {
      subject: `The function ${this.node.path}`,
      idPrefix: '',
      durationP99Threshold: props.durationP99Threshold,
      errorsThreshold: props.errorsThreshold,
    });
    this.alarms.push(deadLetterQueue.alarm);
    this.deploymentGroup = this.createDeploymentGroup(props, production, ownAlarms);
    prelude.dashboard([
      { title: 'Invocations', metrics: [this.metricInvocations({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })] },
      { title: 'Concurrent executions', metrics: [this.metric('ConcurrentExecutions', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })] },
    ]);
  }

  /**
   * The function's metrics, for its alias: what callers invoke, and what a deployment watches.
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.alias.metric(metricName, props);
  }

  /**
   * The unqualified function's `$LATEST`, which nothing of this construct invokes.
   */
  public get latestVersion(): lambda.IVersion {
    return this.lambdaFunction.latestVersion;
  }

  /**
   * A function URL for the alias.
   */
  public addFunctionUrl(options?: lambda.FunctionUrlOptions): lambda.FunctionUrl {
    return this.alias.addFunctionUrl(options);
  }

  /**
   * Not available: the function configures its asynchronous invocations itself, with
   * `retryAttempts`, `maxEventAge` and its dead-letter queue.
   */
  public configureAsyncInvoke(_options: lambda.EventInvokeConfigOptions): void {
    throw new Error(`HardenedFunction '${this.node.path}' configures its asynchronous invocations itself: set retryAttempts and maxEventAge in its props.`);
  }

  private validate(v: PropValidator, props: HardenedFunctionProps): void {
    v.exactlyOne({ code: props.code, entry: props.entry });
    v.check(props.bundling === undefined || props.entry !== undefined, 'bundling', 'set', 'left unset without entry (only an entry file is bundled)');
    validateFunctionProps(v, props);
    v.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
    v.throwIfInvalid();
  }

  /**
   * Checks the environment variables the function was created with, which can be more than
   * `environment`: what aws-cdk-lib adds (AWS_NODEJS_CONNECTION_REUSE_ENABLED for a bundled entry on
   * an SDK v2 runtime) counts towards Lambda's 4 KB too. When a variable given is a token the
   * size is not known at synth, and the variables are not resolved: resolving would fix a lazy
   * value before its time. A value added that is a token resolves to an intrinsic, not a string,
   * and the size is not checked either.
   */
  private validateSynthesizedEnvironment(v: PropValidator, props: HardenedFunctionProps): void {
    if (Object.entries(props.environment ?? {}).some(([key, value]) => Token.isUnresolved(key) || Token.isUnresolved(value))) {
      return;
    }
    const cfn = this.lambdaFunction.node.defaultChild as lambda.CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as { variables?: { [key: string]: unknown } } | undefined;
    const variables = resolved?.variables ?? {};
    const given = Object.keys(props.environment ?? {});
    const added = Object.keys(variables).filter((key) => !given.includes(key));
    if (added.length === 0) {
      return;
    }
    validateEnvironment(v, variables, added);
    v.throwIfInvalid();
  }

  /**
   * What every function needs to run: write its own logs and traces, park failed events in its
   * dead-letter queue, and in a VPC manage its network interfaces. Grants made later go to the
   * role's own managed policy instead, so this policy's acknowledgement of `*` covers exactly
   * these actions.
   */
  private createExecutionPolicy(role: iam.IRole, inVpc: boolean): iam.ManagedPolicy {
    const statements = [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    ];
    if (inVpc) {
      // Lambda attaches network interfaces in the VPC on the function's behalf.
      statements.push(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      description: `Lets the function ${this.node.path} write its logs and traces and park failed events`,
      roles: [role],
      statements,
    });
    acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', inVpc
      ? 'X-Ray PutTraceSegments/PutTelemetryRecords and the EC2 network-interface actions Lambda needs in a VPC support no resource-level permissions.'
      : 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so they can only be granted on *.');
    return policy;
  }

  private createFunction(props: HardenedFunctionProps, role: iam.IRole): lambda.Function {
    const common: lambda.FunctionOptions = {
      // The user's further settings first, so that everything the pattern decides wins (the
      // validator has refused any that would collide).
      ...props.functionOptions,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: this.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: props.environment,
      description: props.description,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role,
      vpc: props.vpc,
      // Private subnets with egress unless the user chose others (public ones are refused).
      vpcSubnets: props.vpc ? props.functionOptions?.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
    };
    const runtime = props.runtime ?? newestNodeRuntime();
    const fn = props.entry
      ? new nodejs.NodejsFunction(this, 'Function', {
        ...common,
        runtime,
        entry: props.entry,
        handler: props.handler ?? 'handler',
        bundling: { minify: true, sourceMap: true, ...props.bundling },
      })
      : new lambda.Function(this, 'Function', { ...common, runtime, code: props.code!, handler: props.handler ?? 'index.handler' });
    // Tracing and the dead-letter queue are set on the resource rather than through the `tracing` and
    // `deadLetterQueue` props, which would grant their actions a second time, in the grants policy:
    // the execution policy holds them, and a function nobody grants anything needs no other policy.
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    cfn.deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };

    if (props.reservedConcurrentExecutions === undefined) {
      acknowledgeNagRule(fn, NIST_AND_HIPAA_PACKS, 'LambdaConcurrency',
        'reservedConcurrentExecutions is a prop, unset by default: a reservation could exceed a new account\'s concurrency quota and fail the deploy; '
        + 'cap a queue consumer with the queue\'s maxConcurrency instead.');
    }
    if (!props.vpc) {
      acknowledgeNagRule(fn, COMPLIANCE_PACKS, 'LambdaInsideVPC',
        'No vpc was given, so the function is taken to call only public AWS endpoints; pass vpc to run it in private subnets.');
    }
    return fn;
  }

  private createDeploymentGroup(props: HardenedFunctionProps, production: boolean, ownAlarms: cloudwatch.Alarm[]): codedeploy.LambdaDeploymentGroup {
    const role = new ManagedPolicyRole(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: `Lets CodeDeploy shift the alias of ${this.node.path}`,
    });
    acknowledgeNagFinding(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      'AWSCodeDeployRoleForLambdaLimited is the AWS-maintained policy CodeDeploy needs to shift Lambda aliases and read their alarms.');
    // Rolling back on errors and duration: what a bad version causes. Throttles are about load,
    // and the dead-letter queue about asynchronous callers, not about the version being shifted.
    const rollbackAlarms = ownAlarms.filter((alarm) => /(Errors|Duration)Alarm$/.test(alarm.node.id));
    return new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.alias,
      role,
      deploymentConfig: props.deploymentConfig
        ?? (production ? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES : codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE),
      alarms: [...rollbackAlarms, ...props.deploymentAlarms ?? []],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      preHook: props.preTrafficHook,
      postHook: props.postTrafficHook,
    });
  }
}

/**
 * One log key per stack for every HardenedFunction that is given none: a key costs a dollar a
 * month, and the functions of one stack share an owner. It is retained as soon as one of them is
 * PROD, so a retained log group never outlives the key that decrypts it.
 */
function sharedLogKey(scope: Construct, production: boolean): kms.IKey {
  const stack = Stack.of(scope);
  const key = stack.node.tryFindChild(SHARED_LOG_KEY_ID) as kms.Key | undefined
    ?? createLogEncryptionKey(stack, SHARED_LOG_KEY_ID, 'Encrypts the logs of the HardenedFunctions of this stack', RemovalPolicy.DESTROY);
  if (production) {
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
  return key;
}

/**
 * The newest fixed Node.js runtime this aws-cdk-lib knows. NODEJS_LATEST is skipped: it is
 * variable, so the template's runtime would change when aws-cdk-lib moves it, and resolving it
 * loads every region's facts, which tripled the synth time of a one-function API.
 */
function newestNodeRuntime(): lambda.Runtime {
  const version = (r: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(r.name)?.[1] ?? 0);
  return lambda.Runtime.ALL
    .filter((r) => r.family === lambda.RuntimeFamily.NODEJS && !r.isVariable && version(r) > 0)
    .reduce((newest, r) => (version(r) > version(newest) ? r : newest));
}
