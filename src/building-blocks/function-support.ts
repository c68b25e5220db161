import { Duration, SizeRoundingBehavior, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { HardenedFunctionProps } from './hardened-function';
import { PatternAlarmOptions } from '../core/alarms';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * What the alarms of a function are called and who they notify.
 */
export interface FunctionAlarmOptions {
  /** How the alarm descriptions name the function, e.g. `The function of Stack/Api`. */
  readonly subject: string;
  /** Prefix of the alarms' construct ids, e.g. `Function` for `FunctionErrorsAlarm`. */
  readonly idPrefix: string;
  /** The p99 duration above which the duration alarm fires; 80% of the timeout when unset. */
  readonly durationP99Threshold?: Duration;
  /** The errors per 5 minutes above which the errors alarm fires; 0 (any error) when unset. */
  readonly errorsThreshold?: number;
}

/**
 * The alarms of a function: errors (any, or more than `errorsThreshold`), any throttle, and a p99
 * duration above `durationP99Threshold`, else within 80% of its timeout (when the timeout is
 * known). Throttles stay at any: a throttled call is a caller's error, and the fix is
 * concurrency, not tolerance. Each watches what `fn`'s metrics describe: for a HardenedFunction,
 * its alias. They are the pattern's: created under it, notifying its alarm topic and recorded in
 * `prelude.alarms`.
 */
export function functionAlarms(
  prelude: PatternPrelude<PatternProps>, fn: lambda.IFunction, timeout: Duration | undefined, options: FunctionAlarmOptions,
): cloudwatch.Alarm[] {
  const alarm = (id: string, alarmOptions: PatternAlarmOptions) => prelude.alarm(`${options.idPrefix}${id}`, alarmOptions);
  const fiveMinutes = Duration.minutes(5);
  const errors = options.errorsThreshold ?? 0;
  const alarms = [
    alarm('ErrorsAlarm', {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: errors,
      // A number token in a template literal would print its encoding, not the parameter's value.
      description: errors === 0 ? `${options.subject} failed` : `${options.subject} failed more than ${Tokenization.stringifyNumber(errors)} times in 5 minutes`,
    }),
    alarm('ThrottlesAlarm', {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `${options.subject} was throttled: callers got errors`,
    }),
  ];
  const duration = options.durationP99Threshold;
  if (duration) {
    alarms.push(alarm('DurationAlarm', {
      metric: fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: duration.toMilliseconds({ integral: false }),
      description: `${options.subject} takes longer than ${duration.isUnresolved()
        ? `${Tokenization.stringifyNumber(duration.toMilliseconds())} ms` : duration.toHumanString()} for 1% of its invocations`,
    }));
  } else if (timeout && !timeout.isUnresolved()) {
    alarms.push(alarm('DurationAlarm', {
      metric: fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: Math.round(timeout.toMilliseconds() * 0.8),
      description: `${options.subject} runs close to its ${timeout.toHumanString()} timeout`,
    }));
  }
  return alarms;
}

/**
 * The keys Lambda sets itself and refuses in a function's configuration: the "Reserved environment
 * variables" of https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * (aws-cdk-lib's `addEnvironment` refuses the same list, one key at a time).
 */
const RESERVED_ENVIRONMENT_KEYS: readonly string[] = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];
/** The key pattern of the Lambda API's `Environment.Variables`: https://docs.aws.amazon.com/lambda/latest/dg/API_Environment.html */
const ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/**
 * "The total size of all environment variables doesn't exceed 4 KB" (Lambda quotas, and the
 * requirements of https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). Lambda
 * measures the variables as JSON, keys and values with their quotes, colons and commas: its error
 * quotes the "String measured", `{"KEY":"value",...}`.
 */
const MAX_ENVIRONMENT_BYTES = 4096;

/**
 * The size Lambda measures of a function's environment variables: their compact JSON, in UTF-8 bytes.
 */
function environmentBytes(variables: { [key: string]: string }): number {
  return Buffer.byteLength(JSON.stringify(variables), 'utf8');
}

/**
 * Checks environment variables against Lambda's rules: every key matches its pattern and is none
 * Lambda reserves, and all of them together, as JSON, take at most 4 KB. Keys that are tokens are
 * skipped, and the size is not checked when a key or value is a token: it is not known at synth.
 *
 * @param added keys among `variables` that aws-cdk-lib or the pattern added, for the message
 */
export function validateEnvironment(v: PropValidator, variables: { [key: string]: unknown } | undefined, added: string[] = []): void {
  if (variables === undefined || Token.isUnresolved(variables)) {
    return;
  }
  let known = true;
  for (const [key, value] of Object.entries(variables)) {
    if (Token.isUnresolved(key)) {
      known = false;
      continue;
    }
    known &&= typeof value === 'string' && !Token.isUnresolved(value);
    if (added.includes(key)) {
      continue;
    }
    v.check(ENVIRONMENT_KEY.test(key), 'environment key', key,
      'letters, numbers and underscores, starting with a letter, at least 2 characters (Lambda\'s key pattern)');
    v.check(!RESERVED_ENVIRONMENT_KEYS.includes(key), 'environment key', key,
      `a key Lambda does not reserve; it reserves ${RESERVED_ENVIRONMENT_KEYS.join(', ')}`);
  }
  if (!known) {
    return;
  }
  const bytes = environmentBytes(variables as { [key: string]: string });
  const addedNote = added.length === 0 ? '' : `, with ${added.join(', ')}, which aws-cdk-lib or the pattern adds`;
  v.check(bytes <= MAX_ENVIRONMENT_BYTES, 'environment', `${thousands(bytes)} bytes (keys and values, as JSON${addedNote})`,
    `at most ${thousands(MAX_ENVIRONMENT_BYTES)} bytes (Lambda's limit on all environment variables of a function)`);
}

/** 4096 as '4,096'. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The function settings `functionOptions` may not hold, and what to use instead: what the pattern
 * decides itself, and what it has a prop of its own for (which is validated there).
 */
const PATTERN_FUNCTION_OPTIONS: { [option: string]: string } = {
  role: 'the pattern creates the role, with managed policies only; grant the function what it needs (table.grantReadData(fn))',
  initialPolicy: 'grant the function what it needs (table.grantReadData(fn)); the pattern keeps grants in managed policies',
  logGroup: 'the pattern creates the encrypted log group; set logRetention and logEncryptionKey',
  logRetention: 'use the logRetention prop',
  logRetentionRole: 'the pattern creates the log group, so no log retention function runs',
  logRetentionRetryOptions: 'the pattern creates the log group, so no log retention function runs',
  logFormat: 'the pattern writes JSON logs',
  loggingFormat: 'the pattern writes JSON logs',
  tracing: 'the pattern turns active tracing on',
  deadLetterQueue: "the pattern creates the function's dead-letter queue",
  deadLetterQueueEnabled: "the pattern creates the function's dead-letter queue",
  deadLetterTopic: "the pattern creates the function's dead-letter queue",
  onFailure: "failed asynchronous events go to the function's dead-letter queue",
  onSuccess: 'the pattern configures asynchronous invocations on its alias',
  retryAttempts: 'use the retryAttempts prop',
  maxEventAge: 'use the maxEventAge prop',
  currentVersionOptions: 'the pattern publishes a version per change behind its alias',
  events: 'add event sources to the HardenedFunction (fn.addEventSource), so that they invoke its alias',
  architecture: 'use the architecture prop',
  memorySize: 'use the memorySize prop',
  timeout: 'use the timeout prop',
  reservedConcurrentExecutions: 'use the reservedConcurrentExecutions prop',
  environment: 'use the environment prop',
  description: 'use the description prop',
  vpc: 'use the vpc prop',
  allowPublicSubnet: 'the function runs in private subnets',
  functionName: 'CloudFormation names the function, so that it can be replaced and the pattern used in several stacks',
  logRemovalPolicy: 'the pattern creates the log group, retained in PROD',
};

/** Lambda: at most 5 layers per function; ephemeral storage from 512 to 10,240 MiB. */
const MAX_LAYERS = 5;

/** CodeDeploy watches at most 10 alarms per deployment group. */
const MAX_DEPLOYMENT_ALARMS = 10;
const ALIAS_NAME = /^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks the props of a HardenedFunction against Lambda's and CodeDeploy's limits, into the
 * validator of whichever construct creates the function, so one error lists every problem.
 * Where its source comes from (`code`, `entry`) is the creator's to check.
 */
export function validateFunctionProps(v: PropValidator, props: HardenedFunctionProps): void {
  v.integerInRange('memorySize', props.memorySize, 128, 10240);
  v.secondsInRange('timeout', props.timeout, 1, 900);
  v.integerAtLeast('reservedConcurrentExecutions', props.reservedConcurrentExecutions, 0);
  v.integerInRange('retryAttempts', props.retryAttempts, 0, 2);
  v.secondsInRange('maxEventAge', props.maxEventAge, 60, Duration.hours(6).toSeconds());
  const timeout = props.timeout ?? Duration.seconds(10);
  // Lambda stops an invocation at its timeout: a p99 at or above it is never reached.
  v.millisBelow('durationP99Threshold', props.durationP99Threshold, timeout.isUnresolved() ? undefined : {
    millis: timeout.toMilliseconds({ integral: false }),
    what: `the timeout (${timeout.toHumanString()}): Lambda stops an invocation at its timeout, so a p99 duration at or above it is never reached and the alarm could never fire`,
  });
  v.integerAtLeast('errorsThreshold', props.errorsThreshold, 0);
  if (props.aliasName !== undefined && !Token.isUnresolved(props.aliasName)) {
    v.check(ALIAS_NAME.test(props.aliasName), 'aliasName', props.aliasName, '1 to 128 letters, digits, hyphens and underscores, not only digits');
  }
  const description = props.description;
  // Lambda's CreateFunction: a description of 0 to 256 characters.
  v.check(description === undefined || Token.isUnresolved(description) || description.length <= 256, 'description',
    `${description?.length} characters`, 'at most 256 characters (Lambda)');
  validateEnvironment(v, props.environment);
  validateFunctionOptions(v, props.functionOptions, props.vpc !== undefined);
  const extra = props.deploymentAlarms?.length ?? 0;
  v.check(extra <= MAX_DEPLOYMENT_ALARMS - 2, 'deploymentAlarms', `${extra} alarms`,
    `at most ${MAX_DEPLOYMENT_ALARMS - 2}: a deployment group watches at most ${MAX_DEPLOYMENT_ALARMS} alarms, and the function's errors and duration alarms are 2 of them`);
}

/**
 * Checks `functionOptions`, the escape hatch: none of the settings the pattern decides or has a
 * prop for, and Lambda's limits on layers and ephemeral storage.
 */
function validateFunctionOptions(v: PropValidator, options: lambda.FunctionOptions | undefined, inVpc: boolean): void {
  if (options === undefined) {
    return;
  }
  for (const [option, instead] of Object.entries(PATTERN_FUNCTION_OPTIONS)) {
    v.check((options as { [key: string]: unknown })[option] === undefined, `functionOptions.${option}`, 'set', `left unset: ${instead}`);
  }
  v.check(options.vpcSubnets === undefined || inVpc, 'functionOptions.vpcSubnets', 'set', 'left unset without the vpc prop');
  const layers = options.layers;
  if (layers !== undefined && !Token.isUnresolved(layers)) {
    v.check(layers.length <= MAX_LAYERS, 'functionOptions.layers', `${layers.length} layers`, `at most ${MAX_LAYERS} (Lambda's limit per function)`);
  }
  const storage = options.ephemeralStorageSize;
  if (storage !== undefined && !storage.isUnresolved()) {
    const mib = storage.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    v.check(Number.isInteger(mib) && mib >= 512 && mib <= 10240, 'functionOptions.ephemeralStorageSize', `${mib} MiB`,
      'a whole number of MiB from 512 to 10,240 (Lambda)');
  }
}
