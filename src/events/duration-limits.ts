import { Duration } from 'aws-cdk-lib';
import { PropValidator } from '../core/prop-validator';

/**
 * One end of a duration limit: its length, and how a user says it ('1 minute', '24 hours').
 */
export interface DurationBound {
  readonly duration: Duration;
  readonly label: string;
}

/**
 * Records an error unless `value` is a whole number of seconds from `min` to `max`, in a message
 * that says the value and the range in the units users think in ('from 1 minute to 24 hours')
 * rather than in seconds.
 *
 * A duration known only at deploy time is not checked, but it must be in the unit aws-cdk-lib
 * renders (`tokenUnit`): CloudFormation cannot convert a parameter's minutes into seconds, and
 * aws-cdk-lib would throw without naming the prop.
 */
export function durationInRange(v: PropValidator, prop: string, value: Duration | undefined, min: DurationBound, max: DurationBound,
  tokenUnit: 'seconds' | 'days' = 'seconds'): void {
  if (value === undefined) {
    return;
  }
  if (value.isUnresolved()) {
    const factory = tokenUnit === 'seconds' ? 'Duration.seconds' : 'Duration.days';
    v.check(value.unitLabel() === tokenUnit, prop, `a token in ${value.unitLabel()}`,
      `given as ${factory}(...) when only known at deploy time: the template holds ${tokenUnit}, and CloudFormation cannot convert ${value.unitLabel()}`);
    return;
  }
  const seconds = value.toSeconds({ integral: false });
  const ok = Number.isInteger(seconds) && seconds >= min.duration.toSeconds() && seconds <= max.duration.toSeconds();
  v.check(ok, prop, humanDuration(seconds), `a whole number of seconds from ${min.label} to ${max.label}`);
}

/**
 * A number of seconds in the largest unit that holds it whole: '25 hours', '90 seconds', '0.5 seconds'.
 */
export function humanDuration(seconds: number): string {
  const units: Array<[string, number]> = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const [unit, size] = units.find(([, s]) => seconds >= s && Number.isInteger(seconds / s)) ?? ['second', 1];
  const amount = seconds / size;
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
