import type * as backup from 'aws-cdk-lib/aws-backup';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../core/nag';

/**
 * Puts a data pattern's resources in the backup plan its user gave: a HardenedBackupPlan selects
 * them with its own backup role; any other plan gets a selection of its own, with aws-cdk-lib's
 * default backup role. The selection is the owner's child `BackupSelection` either way, so it goes
 * with the pattern. Without a plan it does nothing. Internal: the data patterns share it.
 *
 * AWS Backup's modules (aws-backup, and the hardened plan's aws-events and targets) load here only
 * when there is a plan: a table without one would otherwise pay about 13 ms of module loading on
 * each synth, a tenth of a plain table's whole build (`npm run bench`).
 *
 * @param resourceArns the ARNs of the resources to back up
 * @param why what AWS Backup does with the resources, for the AWS-managed policy's acknowledgement:
 * 'to snapshot the database'
 */
export function selectForBackup(owner: Construct, plan: backup.IBackupPlan | undefined, resourceArns: string[], why: string): void {
  if (plan === undefined) {
    return;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BackupResource, BackupSelection } = require('aws-cdk-lib/aws-backup') as typeof backup;
  const { HardenedBackupPlan } = require('./hardened-backup-plan') as typeof import('./hardened-backup-plan');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const resources = resourceArns.map((arn) => BackupResource.fromArn(arn));
  if (plan instanceof HardenedBackupPlan) {
    plan.protectFor(owner, resources);
  } else {
    const selection = new BackupSelection(owner, 'BackupSelection', { backupPlan: plan, resources });
    acknowledgeNagFinding(selection, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      `AWS maintains this service-role policy for AWS Backup, which needs it ${why}.`);
  }
}
