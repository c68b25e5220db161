import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { LambdaApiProps } from '../../src';

/**
 * Values known only at deploy time, as a user passes them from a `CfnParameter` or another
 * stack's output: every validated prop must accept them (a validator skips what it cannot read),
 * except the few that decide what the construct creates, which refuse them by name.
 */
export interface DeployTimeValues {
  /** A number from a `Number` parameter. */
  readonly number: number;
  /** A string from a `String` parameter. */
  readonly text: string;
  /** A list of strings from a `CommaDelimitedList` parameter. */
  readonly list: string[];
  /** A duration of a parameter's number of seconds. */
  readonly duration: Duration;
}

/**
 * Parameters in `stack` whose values the tests pass as props. Each call adds parameters with ids
 * unique to `name`, so one stack can hold several.
 */
export function deployTimeValues(stack: Stack, name = 'DeployTime'): DeployTimeValues {
  const number = new CfnParameter(stack, `${name}Number`, { type: 'Number' }).valueAsNumber;
  return {
    number,
    text: new CfnParameter(stack, `${name}Text`, { type: 'String' }).valueAsString,
    list: new CfnParameter(stack, `${name}List`, { type: 'CommaDelimitedList' }).valueAsList,
    duration: Duration.seconds(number),
  };
}

/**
 * Every validated prop the two API patterns share (LambdaApiProps, their function's included), as
 * a value known only at deploy time: each API's test adds its own props to these cases.
 */
export const LAMBDA_API_DEPLOY_TIME_CASES: Array<[string, (t: DeployTimeValues) => Partial<LambdaApiProps>]> = [
  ['memorySize', (t) => ({ memorySize: t.number })],
  ['timeout', (t) => ({ timeout: t.duration })],
  ['reservedConcurrentExecutions', (t) => ({ reservedConcurrentExecutions: t.number })],
  ['retryAttempts', (t) => ({ retryAttempts: t.number })],
  ['maxEventAge', (t) => ({ maxEventAge: t.duration })],
  ['aliasName', (t) => ({ aliasName: t.text })],
  ['environment', (t) => ({ environment: { TABLE: t.text } })],
  ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays })],
  ['throttlingRateLimit', (t) => ({ throttlingRateLimit: t.number })],
  ['throttlingBurstLimit', (t) => ({ throttlingBurstLimit: t.number })],
  ['errorRate5xxThreshold', (t) => ({ errorRate5xxThreshold: t.number })],
  ['errorRate4xxThreshold', (t) => ({ errorRate4xxThreshold: t.number })],
  // CloudWatch compares latency in milliseconds, which CloudFormation cannot convert to.
  ['latencyP99Threshold', (t) => ({ latencyP99Threshold: Duration.millis(t.number) })],
];
