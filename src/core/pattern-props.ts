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
   * @default DeploymentStage.PROD
   */
  readonly stage?: DeploymentStage;

  /**
   * The SNS topic every alarm of the pattern notifies, in alarm and back to OK.
   *
   * @default - the alarms have no action; they are exposed as `alarms` to route yourself
   */
  readonly alarmTopic?: sns.ITopic;
}
