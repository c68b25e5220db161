import * as sns from 'aws-cdk-lib/aws-sns';
import { DeploymentStage } from './deployment-stage';

/**
 * Props every pattern accepts.
 */
export interface PatternProps {
  /**
   * The kind of environment: PROD keeps data and high availability, DEV is cheap and
   * destroyable. Only defaults change; explicit props win.
   *
   * @default - the stage `PatternDefaults` sets on the nearest scope above, else the context key
   * `cdk-best-practice-patterns:stage`, else DeploymentStage.PROD
   */
  readonly stage?: DeploymentStage;

  /**
   * The SNS topic every alarm of the pattern notifies, in alarm and back to OK. If it is encrypted,
   * its key policy must let `cloudwatch.amazonaws.com` use the key.
   *
   * @default - the topic `PatternDefaults` sets on the nearest scope above, else the stack's own
   * alarm topic, created once per stack (`PatternDefaults.alarmTopicOf(stack)`)
   */
  readonly alarmTopic?: sns.ITopic;
}
