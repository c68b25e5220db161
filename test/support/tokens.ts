import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';

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
