import { App, CfnParameter, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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

/** What one case of `deployTimeCases` built: its stack's resources, or the error its construct threw. */
export interface DeployTimeCase {
  /** The prefix of the case's own parameters: `<name>Number`, `<name>Text`, `<name>List`. */
  readonly name: string;
  /** The JSON of the `Resources` of the template of the case's stack. */
  readonly resources: string;
}

export interface DeployTimeCasesOptions {
  /** How many cases share a stack: CloudFormation allows 500 resources in one. */
  readonly perStack: number;
  /** The props of each stack. */
  readonly stackProps?: StackProps;
  /** What a stack holds before its cases, e.g. the VPC they share, found by the cases with `node.findChild`. */
  readonly prepare?: (stack: Stack) => void;
}

/**
 * Each case built in one app, `perStack` cases to a stack, synthesized once on first use (rather
 * than an app per case): for the tests that a value known only at deploy time reaches the
 * template. Each case gets parameters of its own (`Case<i>Number`, ...) and a construct id of its
 * own (`Case<i>`), so finding its parameters in its stack's template shows that its own construct
 * passed them on. A case whose construct throws fails its own test only: `caseOf` rethrows.
 */
export function deployTimeCases<T>(
  newApp: () => App,
  cases: readonly T[],
  build: (stack: Stack, id: string, t: DeployTimeValues, c: T) => void,
  options: DeployTimeCasesOptions,
): (i: number) => DeployTimeCase {
  let built: { resources: string[]; errors: Map<number, unknown> } | undefined;
  return (i) => {
    if (!built) {
      const app = newApp();
      const stacks: Stack[] = [];
      const errors = new Map<number, unknown>();
      cases.forEach((c, n) => {
        if (n % options.perStack === 0) {
          const stack = new Stack(app, `Cases${stacks.length}`, options.stackProps);
          options.prepare?.(stack);
          stacks.push(stack);
        }
        const stack = stacks[stacks.length - 1];
        try {
          build(stack, `Case${n}`, deployTimeValues(stack, `Case${n}`), c);
        } catch (error) {
          errors.set(n, error);
        }
      });
      built = { resources: stacks.map((stack) => JSON.stringify(Template.fromStack(stack).toJSON().Resources)), errors };
    }
    if (built.errors.has(i)) {
      throw built.errors.get(i);
    }
    return { name: `Case${i}`, resources: built.resources[Math.floor(i / options.perStack)] };
  };
}
