import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeNagRule, NagPackPrefix } from './nag';

/**
 * What an alarm of a pattern watches.
 */
export interface PatternAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires when the metric exceeds it, or reaches it with `orEqual`. */
  readonly threshold: number;
  readonly orEqual?: boolean;
  /** What went wrong, for the operator who reads the notification. */
  readonly description: string;
}

/**
 * Creates one of a pattern's alarms: it fires on the first period past the threshold (a dead
 * letter or a dropped packet is worth knowing about at once), treats missing data as fine (an
 * idle queue publishes no metric), and notifies the alarm topic when there is one.
 */
export function createPatternAlarm(scope: Construct, id: string, options: PatternAlarmOptions, alarmTopic: sns.ITopic | undefined): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: options.orEqual
      ? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
      : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
  routeAlarm(alarm, alarmTopic);
  return alarm;
}

/**
 * Sends an alarm's state changes to the pattern's alarm topic, when it has one.
 */
export function routeAlarm(alarm: cloudwatch.Alarm, alarmTopic: sns.ITopic | undefined): void {
  if (alarmTopic) {
    const action = new actions.SnsAction(alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return;
  }
  acknowledgeNagRule(
    alarm,
    [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5],
    'CloudWatchAlarmAction',
    'No alarmTopic was given, so this alarm has no action yet; the pattern exposes it as `alarms` for the caller to route.',
  );
}
