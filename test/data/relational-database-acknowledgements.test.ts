import { CfnResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeReplicaFindings, acknowledgeWeakenings, WeakenedFacts } from '../../src/data/relational-database/acknowledgements';
import { newStack } from '../support/app';

const COMPLIANCE = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

/** A construct holding one DB instance resource, as the acknowledgements see an instance. */
function instance(): { scope: Construct; resource: CfnResource } {
  const scope = new Construct(newStack(), 'Instance');
  return { scope, resource: new CfnResource(scope, 'Resource', { type: 'AWS::RDS::DBInstance' }) };
}

/** The finding ids acknowledged on the resource for cdk-nag 2.x, as `Rule[finding]` or `Rule`, sorted. */
function acknowledged(resource: CfnResource): string[] {
  const suppressions: Array<{ id: string; applies_to?: string[] }> = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  return suppressions.map((s) => (s.applies_to ? `${s.id}[${s.applies_to[0]}]` : s.id)).sort();
}

function weakenings(facts: WeakenedFacts): string[] {
  const { scope, resource } = instance();
  acknowledgeWeakenings(scope, facts);
  return acknowledged(resource);
}

const PROD_PRIMARY: WeakenedFacts = { multiAz: true, deletionProtection: true, defaultPort: true, backupPlan: false, mysql: false };

describe('acknowledgeWeakenings', () => {
  test('a PROD PostgreSQL primary on the default port, without a backup plan, acknowledges the port and the plan only', () => {
    expect(weakenings(PROD_PRIMARY)).toEqual(['AwsSolutions-RDS11', 'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
  });

  test('a backup plan and a non-default port leave nothing to acknowledge on a primary', () => {
    expect(weakenings({ ...PROD_PRIMARY, defaultPort: false, backupPlan: true })).toEqual([]);
  });

  test('a single-AZ primary acknowledges Multi-AZ in every pack', () => {
    expect(weakenings({ ...PROD_PRIMARY, multiAz: false, backupPlan: true, defaultPort: false })).toEqual(
      ['AwsSolutions-RDS3', ...COMPLIANCE.map((p) => `${p}-RDSMultiAZSupport`)].sort());
  });

  test('deletion protection off is acknowledged in every pack', () => {
    expect(weakenings({ ...PROD_PRIMARY, deletionProtection: false, backupPlan: true, defaultPort: false })).toEqual(
      ['AwsSolutions-RDS10', ...COMPLIANCE.map((p) => `${p}-RDSInstanceDeletionProtectionEnabled`)].sort());
  });

  test('MySQL acknowledges its general and audit log exports, finding by finding', () => {
    expect(weakenings({ ...PROD_PRIMARY, mysql: true, backupPlan: true, defaultPort: false })).toEqual(
      COMPLIANCE.flatMap((p) => [`${p}-RDSLoggingEnabled[LogExport::audit]`, `${p}-RDSLoggingEnabled[LogExport::general]`]).sort());
  });

  test('a replica acknowledges its port and the backup plan even where the primary needs neither, never Multi-AZ', () => {
    const { scope, resource } = instance();
    acknowledgeWeakenings(scope, { ...PROD_PRIMARY, multiAz: false, defaultPort: false, backupPlan: true, replica: true });
    expect(acknowledged(resource)).toEqual(['AwsSolutions-RDS11', 'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
    const reasons = (resource.getMetadata('cdk_nag').rules_to_suppress as Array<{ reason: string }>).map((s) => s.reason);
    expect(reasons).toContain('A read replica copies the primary, which is the one backed up.');
    expect(reasons.some((r) => r.startsWith('A read replica carries no Engine in the template'))).toBe(true);
  });
});

describe('acknowledgeReplicaFindings', () => {
  const replicaRules = ['AwsSolutions-RDS2', 'AwsSolutions-RDS3', ...COMPLIANCE.flatMap((p) => [`${p}-RDSMultiAZSupport`, `${p}-RDSStorageEncrypted`])];

  test('a MySQL replica acknowledges Multi-AZ and the encryption it inherits', () => {
    const { scope, resource } = instance();
    acknowledgeReplicaFindings(scope, false);
    expect(acknowledged(resource)).toEqual([...replicaRules].sort());
  });

  test('a PostgreSQL replica also acknowledges the automated backups it cannot have', () => {
    const { scope, resource } = instance();
    acknowledgeReplicaFindings(scope, true);
    expect(acknowledged(resource)).toEqual(
      [...replicaRules, 'AwsSolutions-RDS13', ...COMPLIANCE.map((p) => `${p}-RDSInstanceBackupEnabled`)].sort());
  });
});
