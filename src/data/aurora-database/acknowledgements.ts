import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NIST_AND_HIPAA_PACKS } from '../../core/nag';

/** What the acknowledgements of a cluster depend on. */
export interface AuroraFacts {
  readonly deletionProtection: boolean;
  /** Whether the cluster listens on 3306, the one port RDSNonDefaultPort flags on Aurora. */
  readonly port3306: boolean;
  readonly backupPlan: boolean;
  readonly mysql: boolean;
  readonly backtrack: boolean;
}

/**
 * Acknowledges the findings of what the props weaken on a cluster, and the two rules that misread
 * Aurora: each says why, and none is made where the practice holds.
 */
export function acknowledgeAuroraFindings(cluster: IConstruct, instances: rds.CfnDBInstance[], facts: AuroraFacts): void {
  // RDSNonDefaultPort flags any provisioned Aurora cluster (Serverless v2 included) on 3306, the
  // Aurora MySQL default, whatever its engine; Aurora PostgreSQL's 5432 passes.
  if (facts.port3306) {
    acknowledgeNagFinding(cluster, 'AwsSolutions-RDS11',
      'A non-default port hides nothing from a scan; the security group admits only the clients allowed in, on the cluster\'s port.');
  }
  if (!facts.deletionProtection) {
    const reason = 'Deletion protection is off (the DEV default, or `deletionProtection: false`), so `cdk destroy` removes the cluster.';
    acknowledgeNagFinding(cluster, 'AwsSolutions-RDS10', reason);
    acknowledgeNagRule(cluster, NIST_AND_HIPAA_PACKS, 'RDSInstanceDeletionProtectionEnabled', reason);
  }
  if (facts.mysql) {
    if (!facts.backtrack) {
      acknowledgeNagFinding(cluster, 'AwsSolutions-RDS14',
        'Backtrack is off unless `backtrackWindow` is set: Aurora refuses it on Serverless v2, it is billed per change record, '
        + 'and point-in-time restore recovers to a new cluster.');
    }
    const reason = 'The general log records every statement (costly, and it logs the data in them); the audit log records '
      + 'connections and changes to users, grants and schemas, and the error and slow query logs are exported too.';
    for (const pack of COMPLIANCE_PACKS) {
      acknowledgeNagFinding(cluster, `${pack}-RDSLoggingEnabled[LogExport::general]`, reason);
    }
  }
  // The rule looks for each DB instance in a backup selection; AWS Backup protects Aurora by
  // cluster (the instances share its one volume), and refuses an Aurora instance's ARN.
  for (const instance of instances) {
    acknowledgeNagRule(instance, NIST_AND_HIPAA_PACKS, 'RDSInBackupPlan', facts.backupPlan
      ? 'AWS Backup protects Aurora by cluster: the plan selects the cluster, whose one volume holds every instance\'s data.'
      : 'Automated backups with point-in-time recovery are on for the cluster; pass `backupPlan` where the organisation audits backups in AWS Backup.');
  }
}
