import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { HardenedFunctionProps } from './hardened-function';
import { createPatternAlarm } from '../core/alarms';
import { PropValidator } from '../core/prop-validator';

/**
 * What the alarms of a function are called and who they notify.
 */
export interface FunctionAlarmOptions {
  /** How the alarm descriptions name the function, e.g. `The function of Stack/Api`. */
  readonly subject: string;
  /** Prefix of the alarms' construct ids, e.g. `Function` for `FunctionErrorsAlarm`. */
  readonly idPrefix: string;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The alarms of a function: any error, any throttle, and a p99 duration within 80% of its timeout
 * (when the timeout is known). Each watches what `fn`'s metrics describe: for a HardenedFunction,
 * its alias.
 */
export function functionAlarms(
  scope: Construct, fn: lambda.IFunction, timeout: Duration | undefined, options: FunctionAlarmOptions,
): cloudwatch.Alarm[] {
  const fiveMinutes = Duration.minutes(5);
  const alarms = [
    createPatternAlarm(scope, `${options.idPrefix}ErrorsAlarm`, {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `${options.subject} failed`,
    }, options.alarmTopic),
    createPatternAlarm(scope, `${options.idPrefix}ThrottlesAlarm`, {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      description: `${options.subject} was throttled: callers got errors`,
    }, options.alarmTopic),
  ];
  if (timeout && !timeout.isUnresolved()) {
    alarms.push(createPatternAlarm(scope, `${options.idPrefix}DurationAlarm`, {
      metric: fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
      threshold: Math.round(timeout.toMilliseconds() * 0.8),
      description: `${options.subject} runs close to its ${timeout.toHumanString()} timeout`,
    }, options.alarmTopic));
  }
  return alarms;
}

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
  if (props.aliasName !== undefined && !Token.isUnresolved(props.aliasName)) {
    v.check(ALIAS_NAME.test(props.aliasName), 'aliasName', props.aliasName, '1 to 128 letters, digits, hyphens and underscores, not only digits');
  }
  const extra = props.deploymentAlarms?.length ?? 0;
  v.check(extra <= MAX_DEPLOYMENT_ALARMS - 2, 'deploymentAlarms', `${extra} alarms`,
    `at most ${MAX_DEPLOYMENT_ALARMS - 2}: a deployment group watches at most ${MAX_DEPLOYMENT_ALARMS} alarms, and the function's errors and duration alarms are 2 of them`);
}
