import { IConstruct } from 'constructs';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS, NIST_AND_HIPAA_PACKS } from '../../core/nag';

/** The compliance packs whose RDS rules the acknowledgements below answer. */

/** What the acknowledgements of one instance depend on. */
export interface WeakenedFacts {
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly defaultPort: boolean;
  readonly backupPlan: boolean;
  readonly mysql: boolean;
  readonly replica?: boolean;
}

/**
 * Acknowledges the findings of what the props weaken on an instance (the primary or a replica):
 * each says why, and none is made where the practice holds.
 */
export function acknowledgeWeakenings(instance: IConstruct, facts: WeakenedFacts): void {
  if (facts.defaultPort) {
    acknowledgeNagFinding(instance, 'AwsSolutions-RDS11',
      "A non-default port hides nothing from a scan; the security group admits only the clients allowed in, on the engine's port.");
  } else if (facts.replica) {
    acknowledgeNagFinding(instance, 'AwsSolutions-RDS11',
      'A read replica carries no Engine in the template, so the rule cannot tell its port is not the default; it listens on `port`, like its primary.');
  }
  if (!facts.multiAz && !facts.replica) {
    const reason = 'Multi-AZ is off (the DEV default, or `multiAz: false`): a single-AZ database is a cost trade-off for non-production data.';
    acknowledgeNagFinding(instance, 'AwsSolutions-RDS3', reason);
    acknowledgeNagRule(instance, COMPLIANCE_PACKS, 'RDSMultiAZSupport', reason);
  }
  if (!facts.deletionProtection) {
    const reason = 'Deletion protection is off (the DEV default, or `deletionProtection: false`), so `cdk destroy` removes the database.';
    acknowledgeNagFinding(instance, 'AwsSolutions-RDS10', reason);
    acknowledgeNagRule(instance, COMPLIANCE_PACKS, 'RDSInstanceDeletionProtectionEnabled', reason);
  }
  if (facts.mysql) {
    const reason = "MySQL's general log records every statement (costly, and it logs the data in them), and its audit log needs the "
      + 'MariaDB audit plugin option group; the error and slow query logs are exported.';
    for (const log of ['general', 'audit']) {
      for (const pack of COMPLIANCE_PACKS) {
        acknowledgeNagFinding(instance, `${pack}-RDSLoggingEnabled[LogExport::${log}]`, reason);
      }
    }
  }
  if (!facts.backupPlan || facts.replica) {
    acknowledgeNagRule(instance, NIST_AND_HIPAA_PACKS, 'RDSInBackupPlan',
      facts.replica
        ? 'A read replica copies the primary, which is the one backed up.'
        : 'Automated backups with point-in-time recovery are on; pass `backupPlan` where the organisation audits backups in AWS Backup.');
  }
}

/**
 * Acknowledges the findings every read replica raises for what RDS decides for replicas: no
 * Multi-AZ of its own, encryption inherited from the source, and on PostgreSQL no automated
 * backups.
 */
export function acknowledgeReplicaFindings(replica: IConstruct, postgres: boolean): void {
  acknowledgeNagRule(replica, COMPLIANCE_PACKS, 'RDSMultiAZSupport',
    "A read replica scales reads; the primary's synchronous standby takes over on failure, and replicas sit in other Availability Zones.");
  acknowledgeNagFinding(replica, 'AwsSolutions-RDS3',
    "A read replica scales reads; the primary's synchronous standby takes over on failure, and replicas sit in other Availability Zones.");
  const inherited = "A read replica inherits its source's storage encryption and key; CloudFormation refuses StorageEncrypted beside "
    + 'SourceDBInstanceIdentifier (cfn-lint F3020), which this rule does not know.';
  acknowledgeNagFinding(replica, 'AwsSolutions-RDS2', inherited);
  acknowledgeNagRule(replica, COMPLIANCE_PACKS, 'RDSStorageEncrypted', inherited);
  if (postgres) {
    acknowledgeNagRule(replica, COMPLIANCE_PACKS, 'RDSInstanceBackupEnabled',
      "RDS for PostgreSQL read replicas cannot have automated backups; the primary's backups hold the same data.");
    acknowledgeNagFinding(replica, 'AwsSolutions-RDS13',
      "RDS for PostgreSQL read replicas cannot have automated backups; the primary's backups hold the same data.");
  }
}
