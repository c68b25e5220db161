import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledgeNagRule, NagPackPrefix } from './nag';

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
