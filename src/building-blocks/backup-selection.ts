import * as backup from 'aws-cdk-lib/aws-backup';
import { Construct } from 'constructs';
import { HardenedBackupPlan } from './hardened-backup-plan';
import { acknowledgeNagFinding } from '../core/nag';

/**
 * Puts a data pattern's resources in the backup plan its user gave: a HardenedBackupPlan selects
 * them with its own backup role; any other plan gets a selection of its own, with aws-cdk-lib's
 * default backup role. The selection is the owner's child `BackupSelection` either way, so it goes
 * with the pattern. Internal: the data patterns share it.
 *
 * @param why what AWS Backup does with the resources, for the AWS-managed policy's acknowledgement:
 * 'to snapshot the database'
 */
export function selectForBackup(owner: Construct, plan: backup.IBackupPlan | undefined, resources: backup.BackupResource[], why: string): void {
  if (plan instanceof HardenedBackupPlan) {
    plan.protectFor(owner, resources);
  } else if (plan) {
    const selection = new backup.BackupSelection(owner, 'BackupSelection', { backupPlan: plan, resources });
    acknowledgeNagFinding(selection, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      `AWS maintains this service-role policy for AWS Backup, which needs it ${why}.`);
  }
}
