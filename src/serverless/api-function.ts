import { Annotations, Duration, RemovalPolicy, Token, Tokenization } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaApiProps } from './lambda-api-props';
import { functionAlarms, validateFunctionProps } from '../building-blocks/function-support';
import { HardenedFunction, HardenedFunctionProps } from '../building-blocks/hardened-function';
import { createLogEncryptionKey } from '../core/log-encryption';
import { PatternPrelude } from '../core/pattern-prelude';
import { PropValidator } from '../core/prop-validator';

/**
 * API Gateway cuts off integrations after 29 seconds.
 */
export const INTEGRATION_TIMEOUT = Duration.seconds(29);

// The props of the function the pattern creates, which make no sense with your own function.
// `logRetention` is not among them: it also keeps the API's access logs.
const FUNCTION_ONLY_PROPS = [
  'handler', 'runtime', 'architecture', 'memorySize', 'timeout', 'reservedConcurrentExecutions', 'environment', 'description', 'vpc',
  'logEncryptionKey', 'retryAttempts', 'maxEventAge', 'aliasName', 'deploymentConfig', 'deploymentAlarms', 'preTrafficHook', 'postTrafficHook',
  'functionOptions', 'bundling', 'durationP99Threshold', 'errorsThreshold',
] as const;
// Fails to compile when HardenedFunctionProps gains a prop that is neither listed above nor one the
// API shares with its function, so a new function prop is never silently accepted with handlerFunction.
type UnsortedFunctionProp = Exclude<keyof HardenedFunctionProps, typeof FUNCTION_ONLY_PROPS[number] | 'code' | 'entry' | 'logRetention' | 'stage' | 'alarmTopic'>;
const everyFunctionPropSorted: [UnsortedFunctionProp] extends [never] ? true : UnsortedFunctionProp = true;
void everyFunctionPropSorted;

/** The warning of a burst above API Gateway's default account burst. */
export const BURST_ABOVE_ACCOUNT_DEFAULT_WARNING = 'cdk-best-practice-patterns:burstAboveAccountDefault';
const DEFAULT_ACCOUNT_BURST = 5000;

/**
 * Warns of a burst above API Gateway's default account-level burst of 5,000 requests
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
 * the account's limit applies over a stage's or a usage plan's, unless AWS raised the account's
 * quota. A warning, not an error, since such an account may use it.
 */
export function warnAboveAccountBurst(scope: Construct, prop: string, burst: number | undefined): void {
  if (burst !== undefined && !Token.isUnresolved(burst) && burst > DEFAULT_ACCOUNT_BURST) {
    Annotations.of(scope).addWarningV2(BURST_ABOVE_ACCOUNT_DEFAULT_WARNING,
      `${prop} is ${burst}, above API Gateway's default account burst of 5,000 requests: unless your account's quota was raised, `
      + "the account's limit throttles first.");
  }
}

/**
 * Checks the props LambdaApiProps shares between the API patterns, the created function's among them.
 */
export function validateLambdaApiProps(validator: PropValidator, props: LambdaApiProps): void {
  validator.exactlyOne({ handlerFunction: props.handlerFunction, code: props.code, entry: props.entry },
    'your function, or the code or entry file of the function the pattern creates');
  if (props.handlerFunction) {
    for (const prop of FUNCTION_ONLY_PROPS) {
      validator.check(props[prop] === undefined, prop, props[prop] === undefined ? undefined : 'set',
        'left unset with handlerFunction (it configures the function the pattern creates)');
    }
  }
  validateFunctionProps(validator, props);
  // Checked here too: the API's access logs keep it, with your function as well as with the one created.
  validator.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
  if (props.timeout && !props.timeout.isUnresolved()) {
    validator.check(props.timeout.toSeconds({ integral: false }) <= INTEGRATION_TIMEOUT.toSeconds(), 'timeout', `${props.timeout.toSeconds({ integral: false })} seconds`,
      `at most the API's integration timeout of ${INTEGRATION_TIMEOUT.toSeconds()} seconds`);
  }
  if (props.throttlingRateLimit !== undefined && !Token.isUnresolved(props.throttlingRateLimit)) {
    validator.check(props.throttlingRateLimit >= 0, 'throttlingRateLimit', props.throttlingRateLimit, 'at least 0 requests per second');
  }
  validator.integerAtLeast('throttlingBurstLimit', props.throttlingBurstLimit, 1);
  const rates = { errorRate5xxThreshold: props.errorRate5xxThreshold, errorRate4xxThreshold: props.errorRate4xxThreshold };
  for (const [prop, value] of Object.entries(rates)) {
    validator.percentage(prop, value);
  }
  refuseRenamedRateProps(validator, props);
  const latency = props.latencyP99Threshold;
  if (latency && !latency.isUnresolved()) {
    validator.check(latency.toMilliseconds() > 0, 'latencyP99Threshold', `${latency.toMilliseconds()} ms`, 'longer than 0');
  } else if (latency) {
    // The alarm compares milliseconds, and CloudFormation has no arithmetic to convert a
    // parameter's seconds: aws-cdk-lib would throw without naming the prop.
    validator.check(latency.unitLabel() === 'millis', 'latencyP99Threshold', `a token in ${latency.unitLabel()}`,
      `given as Duration.millis(...) when only known at deploy time: the alarm compares milliseconds, and CloudFormation cannot convert ${latency.unitLabel()}`);
  }
  validateOrigins(validator, props.allowedOrigins);
}

/**
 * The error-rate thresholds' former names. TypeScript refuses them, but JavaScript, JSON
 * configuration or a spread object would pass them unnoticed, and the alarm would keep its
 * default: so they are refused by name, with the new prop and unit (the old ones were shares from
 * 0 to 1, the new ones percentages).
 */
const RENAMED_RATE_PROPS = [
  ['serverErrorRateThreshold', 'errorRate5xxThreshold'],
  ['clientErrorRateThreshold', 'errorRate4xxThreshold'],
] as const;

function refuseRenamedRateProps(validator: PropValidator, props: LambdaApiProps): void {
  for (const [old, renamed] of RENAMED_RATE_PROPS) {
    const value: unknown = (props as unknown as Record<string, unknown>)[old];
    const converted = typeof value === 'number' && !Token.isUnresolved(value) ? `(a share of ${value} is ${Number((value * 100).toPrecision(12))})` : '';
    validator.renamed(props, old, `${renamed}, a percentage from 0 to 100`, converted);
  }
}

/**
 * Origins as browsers send them: a scheme and a host (and a port), no path, no trailing slash;
 * or '*' alone. A list known only at deploy time is the API kind's to judge.
 */
function validateOrigins(validator: PropValidator, origins: string[] | undefined): void {
  if (origins === undefined || Token.isUnresolved(origins)) {
    return;
  }
  // An empty list would configure CORS that admits no origin (aws-cdk-lib refuses it for REST APIs
  // without naming the prop); '*' with others makes them pointless (aws-cdk-lib refuses that too).
  validator.check(origins.length > 0, 'allowedOrigins', origins, 'at least one origin, or left unset for no CORS');
  validator.check(!origins.includes('*') || origins.length === 1, 'allowedOrigins', origins, "'*' alone, or specific origins: '*' already admits every origin");
  for (const origin of origins) {
    if (!Token.isUnresolved(origin)) {
      validator.check(origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin), 'allowedOrigins', origin, "origins such as 'https://app.example.com' (scheme and host, no path), or '*'");
    }
  }
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
export function apiLogSettings(scope: Construct, prelude: PatternPrelude<LambdaApiProps>): ApiLogSettings {
  return {
    retention: prelude.props.logRetention ?? (prelude.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH),
    removalPolicy: prelude.removalPolicy,
    encryptionKey: createLogEncryptionKey(scope, 'LogKey', `Encrypts the logs of ${scope.node.path}`, prelude.removalPolicy),
  };
}

/**
 * The access log format of both kinds of API: API Gateway's standard fields, as JSON (the v1
 * module's AccessLogFormat serves HTTP APIs' stages too).
 */
export function apiAccessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.jsonWithStandardFields({
    caller: true,
    httpMethod: true,
    ip: true,
    protocol: true,
    requestTime: true,
    resourcePath: true,
    responseLength: true,
    status: true,
    user: true,
  });
}

/**
 * The user's function, or a new HardenedFunction (the API integration and its permission then point
 * at its alias), logging with the API's key and retention.
 */
export function apiFunction(scope: Construct, props: LambdaApiProps, logSettings: ApiLogSettings): lambda.IFunction {
  return props.handlerFunction ?? new HardenedFunction(scope, 'Function', {
    ...props,
    logRetention: logSettings.retention,
    logEncryptionKey: logSettings.encryptionKey,
  });
}

/**
 * The metrics both kinds of API Gateway API offer.
 */
export interface ApiMetrics {
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * Alarms on an API (the pattern `scope`) and its function, into the prelude's alarms: 5xx and 4xx
 * rates (the Average of API Gateway's error metrics is the share of requests that failed), p99
 * latency, and the function's alarms.
 */
export function apiAlarms(scope: Construct, prelude: PatternPrelude<LambdaApiProps>, api: ApiMetrics, fn: lambda.IFunction): void {
  const props = prelude.props;
  const fiveMinutes = Duration.minutes(5);
  const latency = props.latencyP99Threshold ?? Duration.seconds(3);
  errorRateAlarm(scope, prelude, 'ServerErrorRateAlarm', api.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
    props.errorRate5xxThreshold ?? 1, '5xx');
  errorRateAlarm(scope, prelude, 'ClientErrorRateAlarm', api.metricClientError({ period: fiveMinutes, statistic: cloudwatch.Stats.AVERAGE }),
    props.errorRate4xxThreshold ?? 10, '4xx');
  prelude.alarm('LatencyP99Alarm', {
    metric: api.metricLatency({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
    threshold: latency.toMilliseconds(),
    description: `1% of the requests to ${scope.node.path} take longer than ${latency.toHumanString()}`,
  });
  apiFunctionAlarms(scope, prelude, fn);
}

/**
 * An error-rate alarm. The Average of API Gateway's `5XXError`/`4XXError` (REST) and `5xx`/`4xx`
 * (HTTP) is a share of requests from 0 to 1
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html), and the
 * threshold a percentage: a known percentage becomes a share at synth, so the alarm watches the
 * metric itself; a token cannot be divided in CloudFormation, so the alarm then watches the metric
 * times 100 (metric math) against the parameter's percentage.
 */
function errorRateAlarm(scope: Construct, prelude: PatternPrelude<LambdaApiProps>, id: string, rate: cloudwatch.Metric, percent: number,
  kind: string): void {
  const known = !Token.isUnresolved(percent);
  prelude.alarm(id, {
    metric: known ? rate : new cloudwatch.MathExpression({
      expression: '100 * rate',
      usingMetrics: { rate },
      period: rate.period,
      label: `${kind} error rate (%)`,
    }),
    // toPrecision: 0.7 / 100 is 0.006999999999999999 in floating point.
    threshold: known ? Number((percent / 100).toPrecision(12)) : percent,
    // A number token in a template literal would print its encoding, not the parameter's value.
    description: `More than ${Tokenization.stringifyNumber(percent)}% of the requests to ${scope.node.path} end in a ${kind} error`,
  });
}

/**
 * An API pattern's dashboard section: its requests and latency, and its alarms (with those of
 * the function it created).
 */
export function addApiDashboardSection(prelude: PatternPrelude<LambdaApiProps>, api: ApiMetrics): void {
  const fiveMinutes = Duration.minutes(5);
  prelude.dashboard([
    { title: 'Requests', metrics: [api.metricCount({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })] },
    {
      title: 'Latency',
      metrics: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(99)].map((statistic) => api.metricLatency({ period: fiveMinutes, statistic })),
    },
  ]);
}

/**
 * The function's alarms, as the API's: a HardenedFunction the pattern created brings its own; one
 * that you created keeps its own, outside the API's; any other function gets errors, throttles and
 * duration alarms from the pattern (created by functionAlarms, under the pattern like the API's).
 */
function apiFunctionAlarms(scope: Construct, prelude: PatternPrelude<LambdaApiProps>, fn: lambda.IFunction): void {
  if (HardenedFunction.isHardenedFunction(fn)) {
    if (!prelude.props.handlerFunction) {
      prelude.alarms.push(...fn.alarms);
    }
    return;
  }
  const timeout = fn instanceof lambda.Function ? fn.timeout ?? Duration.seconds(3) : undefined;
  functionAlarms(prelude, fn, timeout, { subject: `The function of ${scope.node.path}`, idPrefix: 'Function' });
}
