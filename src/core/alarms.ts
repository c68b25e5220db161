import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PatternDefaults } from './pattern-defaults';

/**
 * What an alarm of a pattern watches.
 */
export interface PatternAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires when the metric exceeds it, or reaches it with `orEqual`. */
  readonly threshold: number;
  readonly orEqual?: boolean;
  /** The alarm fires when the metric falls below the threshold instead (free memory, free storage). */
  readonly below?: boolean;
  /** Missing data counts as breaching, for a metric that stops when what it counts is gone. */
  readonly missingDataBreaches?: boolean;
  /** What went wrong, for the operator who reads the notification. */
  readonly description: string;
}

/**
 * Creates one of a pattern's alarms: it fires on the first period past the threshold (a dead
 * letter or a dropped packet is worth knowing about at once), treats missing data as fine (an
 * idle queue publishes no metric), and notifies an alarm topic (see `routeAlarm`).
 */
export function createPatternAlarm(scope: Construct, id: string, options: PatternAlarmOptions, alarmTopic: sns.ITopic | undefined): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: comparisonOf(options),
    evaluationPeriods: 1,
    treatMissingData: options.missingDataBreaches ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: withinDescriptionLimit(options.description),
  });
  routeAlarm(alarm, alarmTopic);
  return alarm;
}

/**
 * CloudWatch refuses an alarm description over 1,024 characters at deploy time (PutMetricAlarm's
 * AlarmDescription); a pattern's description names its construct path, which a deep tree of long
 * ids can stretch past that, so it is cut short with an ellipsis instead.
 */
function withinDescriptionLimit(description: string): string {
  return Token.isUnresolved(description) || description.length <= MAX_ALARM_DESCRIPTION
    ? description : `${description.slice(0, MAX_ALARM_DESCRIPTION - 1)}…`;
}

const MAX_ALARM_DESCRIPTION = 1024;

function comparisonOf(options: PatternAlarmOptions): cloudwatch.ComparisonOperator {
  if (options.below) {
    return options.orEqual ? cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
  }
  return options.orEqual ? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
}

/**
 * Sends an alarm's changes, into ALARM and back to OK, to a topic: the pattern's `alarmTopic`, else
 * the one `PatternDefaults` sets above the alarm, else its stack's own alarm topic. An alarm
 * nobody hears is a graph nobody watches.
 */
export function routeAlarm(alarm: cloudwatch.Alarm, alarmTopic: sns.ITopic | undefined): void {
  // What aws-cloudwatch-actions' SnsAction does, without loading that module for one ARN.
  const topic = alarmTopicFor(alarm, alarmTopic);
  const action: cloudwatch.IAlarmAction = { bind: () => ({ alarmActionArn: topic.topicArn }) };
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}

/**
 * The topic a pattern's notifications go to: its own `alarmTopic`, the app-wide one, or the
 * stack's.
 */
export function alarmTopicFor(scope: Construct, alarmTopic: sns.ITopic | undefined): sns.ITopic {
  return alarmTopic ?? PatternDefaults.alarmTopicOf(scope);
}
