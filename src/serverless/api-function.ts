import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaApiProps } from './lambda-api-props';
import { createPatternAlarm } from '../core/alarms';
import { isProduction } from '../core/deployment-stage';
import { createLogEncryptionKey } from '../core/log-encryption';
import { acknowledgeNagFinding, acknowledgeNagRule, NagPackPrefix } from '../core/nag';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * API Gateway cuts off integrations after 29 seconds.
 */
export const INTEGRATION_TIMEOUT = Duration.seconds(29);

/**
 * Checks the props LambdaApiProps shares between the API patterns.
 */
export function validateLambdaApiProps(validator: PropValidator, props: LambdaApiProps): void {
  const sources = Object.entries({ handlerFunction: props.handlerFunction, code: props.code, entry: props.entry })
    .filter(([, value]) => value !== undefined).map(([name]) => name);
  validator.check(sources.length === 1, 'handlerFunction, code and entry', sources,
    'exactly one of them: your function, or the code or entry file of the function the pattern creates');
  if (props.handlerFunction) {
    const createOnly = {
      handler: props.handler,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: props.environment,
      vpc: props.vpc,
    };
    for (const [prop, value] of Object.entries(createOnly)) {
      validator.check(value === undefined, prop, value === undefined ? undefined : 'set', 'left unset with handlerFunction (it configures the function the pattern creates)');
    }
  }
  validator.integerInRange('memorySize', props.memorySize, 128, 10240);
  validator.secondsInRange('timeout', props.timeout, 1, 900);
  if (props.timeout && !props.timeout.isUnresolved()) {
    validator.check(props.timeout.toSeconds({ integral: false }) <= INTEGRATION_TIMEOUT.toSeconds(), 'timeout', `${props.timeout.toSeconds({ integral: false })} seconds`,
      `at most the API's integration timeout of ${INTEGRATION_TIMEOUT.toSeconds()} seconds`);
  }
  validator.integerAtLeast('reservedConcurrentExecutions', props.reservedConcurrentExecutions, 0);
  if (props.throttlingRateLimit !== undefined && !Token.isUnresolved(props.throttlingRateLimit)) {
    validator.check(props.throttlingRateLimit >= 0, 'throttlingRateLimit', props.throttlingRateLimit, 'at least 0 requests per second');
  }
  validator.integerInRange('throttlingBurstLimit', props.throttlingBurstLimit, 1, 5000);
  const rates = { serverErrorRateThreshold: props.serverErrorRateThreshold, clientErrorRateThreshold: props.clientErrorRateThreshold };
  for (const [prop, value] of Object.entries(rates)) {
    if (value !== undefined && !Token.isUnresolved(value)) {
      validator.check(value >= 0 && value <= 1, prop, value, 'a share of requests from 0 to 1');
    }
  }
  if (props.latencyP99Threshold && !props.latencyP99Threshold.isUnresolved()) {
    validator.check(props.latencyP99Threshold.toMilliseconds() > 0, 'latencyP99Threshold', `${props.latencyP99Threshold.toMilliseconds()} ms`, 'longer than 0');
  }
  for (const origin of props.allowedOrigins ?? []) {
    if (!Token.isUnresolved(origin)) {
      validator.check(origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin), 'allowedOrigins', origin, "origins such as 'https://app.example.com' (scheme and host, no path), or '*'");
    }
  }
}

/**
 * The newest fixed Node.js runtime this aws-cdk-lib knows. NODEJS_LATEST is skipped: it is
 * variable, so the template's runtime would change when aws-cdk-lib moves it, and resolving it
 * loads every region's facts, which tripled the synth time of a one-function API.
 */
export function newestNodeRuntime(): lambda.Runtime {
  const version = (r: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(r.name)?.[1] ?? 0);
  return lambda.Runtime.ALL
    .filter((r) => r.family === lambda.RuntimeFamily.NODEJS && !r.isVariable && version(r) > 0)
    .reduce((newest, r) => (version(r) > version(newest) ? r : newest));
}

/**
 * The log settings of an API pattern, shared by all its log groups (they are LogGroupProps):
 * retention by stage, removal by stage, and one key.
 */
export interface ApiLogSettings {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey: kms.IKey;
}

/**
 * A rotating key and a retention for every log group of an API pattern.
 */
export function apiLogSettings(scope: Construct, props: LambdaApiProps): ApiLogSettings {
  const production = isProduction(props.stage);
  const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  return {
    retention: props.logRetention ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
    removalPolicy,
    encryptionKey: createLogEncryptionKey(scope, 'LogKey', `Encrypts the logs of ${scope.node.path}`, removalPolicy),
  };
}

/**
 * The user's function, or a new one: ARM64 on the newest Node.js runtime, active tracing, JSON
 * logs to an encrypted log group with a retention, and a role that may write exactly those logs
 * and traces. The role's permissions are a managed policy (the compliance packs reject inline
 * ones); your own grants on `handlerFunction` still work as usual.
 */
export function apiFunction(scope: Construct, props: LambdaApiProps, logSettings: ApiLogSettings): lambda.IFunction {
  if (props.handlerFunction) {
    return props.handlerFunction;
  }
  const logGroup = new logs.LogGroup(scope, 'FunctionLogs', logSettings);
  const role = new iam.Role(scope, 'FunctionRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `The function of ${scope.node.path}`,
  });
  const statements = [
    new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
  ];
  if (props.vpc) {
    // Lambda attaches network interfaces in the VPC on the function's behalf.
    statements.push(new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));
  }
  const policy = new iam.ManagedPolicy(scope, 'FunctionPolicy', { roles: [role], statements });
  acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]', props.vpc
    ? 'X-Ray PutTraceSegments/PutTelemetryRecords and the EC2 network-interface actions Lambda needs in a VPC support no resource-level permissions.'
    : 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so they can only be granted on *.');

  const common = {
    runtime: newestNodeRuntime(),
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(10),
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    environment: props.environment,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    role,
    vpc: props.vpc,
    vpcSubnets: props.vpc ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
  };
  const fn = props.entry
    ? new nodejs.NodejsFunction(scope, 'Function', {
      ...common,
      entry: props.entry,
      handler: props.handler ?? 'handler',
      bundling: { minify: true, sourceMap: true },
    })
    : new lambda.Function(scope, 'Function', { ...common, code: props.code!, handler: props.handler ?? 'index.handler' });
  // Active tracing set on the resource rather than through the `tracing` prop, which would add
  // the X-Ray permissions the managed policy already grants as an inline policy.
  (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
  fn.node.addDependency(policy);

  const allPacks = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY];
  acknowledgeNagRule(fn, [...allPacks, NagPackPrefix.SERVERLESS], 'LambdaDLQ',
    'API Gateway invokes this function synchronously and returns its errors to the caller; a dead-letter queue only receives asynchronous events.');
  if (props.reservedConcurrentExecutions === undefined) {
    acknowledgeNagRule(fn, allPacks, 'LambdaConcurrency',
      'The API throttles requests before they reach the function; reservedConcurrentExecutions is a prop, since a default could exceed a new account quota.');
  }
  if (!props.vpc) {
    acknowledgeNagRule(fn, [...allPacks, NagPackPrefix.PCI_DSS_321], 'LambdaInsideVPC',
      'No vpc was given, so the handler is taken to call only public AWS endpoints; pass vpc to run it in private subnets.');
  }
  return fn;
}

/**
 * The metrics both kinds of API Gateway API offer.
 */
export interface ApiMetrics {
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * Alarms on an API and its function: 5xx and 4xx rates (the Average of API Gateway's error
 * metrics is the share of requests that failed), p99 latency, and the function's alarms.
 */
export function apiAlarms(scope: Construct, api: ApiMetrics, fn: lambda.IFunction, props: LambdaApiProps): cloudwatch.Alarm[] {
  const fiveMinutes = Duration.minutes(5);
  const serverErrorRate = props.serverErrorRateThreshold ?? 0.01;
  const clientErrorRate = props.clientErrorRateThreshold ?? 0.1;
  const latency = props.latencyP99Threshold ?? Duration.seconds(3);
  return [
    createPatternAlarm(scope, 'ServerErrorRateAlarm', {
      metric: api.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
      threshold: serverErrorRate,
      description: `More than ${serverErrorRate * 100}% of the requests to ${scope.node.path} end in a 5xx error`,
    }, props.alarmTopic),
    createPatternAlarm(scope, 'ClientErrorRateAlarm', {
      metric: api.metricClientError({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
      threshold: clientErrorRate,
      description: `More than ${clientErrorRate * 100}% of the requests to ${scope.node.path} end in a 4xx error`,
    }, props.alarmTopic),
    createPatternAlarm(scope, 'LatencyP99Alarm', {
      metric: api.metricLatency({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: latency.toMilliseconds(),
      description: `1% of the requests to ${scope.node.path} take longer than ${latency.toHumanString()}`,
    }, props.alarmTopic),
    ...functionAlarms(scope, fn, knownTimeout(fn), props),
  ];
}

/**
 * Alarms on the function: any error, any throttle, and a p99 duration within 80% of its timeout.
 */
export function functionAlarms(scope: Construct, fn: lambda.IFunction, timeout: Duration | undefined, props: PatternProps): cloudwatch.Alarm[] {
  const fiveMinutes = Duration.minutes(5);
  const alarms = [
    createPatternAlarm(scope, 'FunctionErrorsAlarm', {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `The function of ${scope.node.path} failed`,
    }, props.alarmTopic),
    createPatternAlarm(scope, 'FunctionThrottlesAlarm', {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `The function of ${scope.node.path} was throttled: callers got errors`,
    }, props.alarmTopic),
  ];
  if (timeout && !timeout.isUnresolved()) {
    alarms.push(createPatternAlarm(scope, 'FunctionDurationAlarm', {
      metric: fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: Math.round(timeout.toMilliseconds() * 0.8),
      description: `The function of ${scope.node.path} runs close to its ${timeout.toHumanString()} timeout`,
    }, props.alarmTopic));
  }
  return alarms;
}

/**
 * The function's timeout when the pattern knows it.
 */
export function knownTimeout(fn: lambda.IFunction): Duration | undefined {
  return fn instanceof lambda.Function ? fn.timeout ?? Duration.seconds(3) : undefined;
}
