import { Duration, Names, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { allowClientIn } from '../../core/connections';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { acknowledgeNagFinding } from '../../core/nag';
import { humanSize, PropValidator } from '../../core/prop-validator';
import { HardenedBackupPlan } from '../hardened-backup-plan';

// What the two SQL patterns (RelationalDatabase, an RDS instance, and AuroraDatabase, an Aurora
// cluster) build the same way, as a building block below the data area, which imports it: the network placement, the monitoring role, the log
// groups RDS exports to, the proxy, and the rules their props share.

/**
 * The isolated subnets of the VPC, one per Availability Zone; an empty selection rather than
 * aws-cdk-lib's error when there are none, so that validation can name the fix.
 */
export function isolatedSubnetsOf(vpc: ec2.IVpc): ec2.SelectedSubnets {
  return vpc.isolatedSubnets.length > 0
    ? vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true })
    : { subnets: [], availabilityZones: [] as string[], subnetIds: [] } as unknown as ec2.SelectedSubnets;
}

/** Checks that the VPC has isolated subnets in at least 2 Availability Zones. */
export function validateIsolatedSubnets(validator: PropValidator, isolatedSubnets: ec2.SelectedSubnets): void {
  const isolatedAzs = isolatedSubnets.availabilityZones;
  validator.check(isolatedSubnets.subnets.length === 0 || isolatedAzs.length >= 2 || Token.isUnresolved(isolatedAzs[0]),
    'vpc', `isolated subnets in ${isolatedSubnets.availabilityZones.length} Availability Zone(s)`, 'a VPC with isolated subnets in at least 2 Availability Zones (RDS subnet groups and proxies need 2)');
  validator.check(isolatedSubnets.subnets.length > 0, 'vpc', 'a VPC without isolated subnets',
    'a VPC with isolated subnets (no route out), such as MultiAzVpc with its default `isolatedSubnets: true`');
}

/**
 * Records an error when the storage key is known to be in another Region than the database: "KMS
 * keys are specific to the Amazon Web Services Region that they are created in, and you can't use
 * KMS keys from one Amazon Web Services Region in another" (KmsKeyId of
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html).
 * The key's Region comes from a literal ARN, or from the stack of a key the app creates.
 */
export function validateKeyRegion(validator: PropValidator, key: kms.IKey | undefined, scope: Construct): void {
  if (key === undefined) {
    return;
  }
  const region = Stack.of(scope).region;
  const arn = key.keyArn;
  let keyRegion: string | undefined;
  let where: string | undefined;
  if (!Token.isUnresolved(arn)) {
    keyRegion = /^arn:[^:]+:kms:([^:]+):/.exec(arn)?.[1];
    where = arn;
  } else if (key instanceof kms.Key) {
    keyRegion = Stack.of(key).region;
    where = `${key.node.path}, a key of stack ${Stack.of(key).stackName}`;
  }
  if (keyRegion === undefined || Token.isUnresolved(keyRegion) || Token.isUnresolved(region)) {
    return;
  }
  validator.check(keyRegion === region, 'encryptionKey', where,
    `a KMS key in the database's Region, ${region}, not ${keyRegion}: RDS encrypts with keys of its own Region only`);
}

/** Checks the automated backups' retention: whole days from 1 to 35, a token in days. */
export function validateBackupRetention(validator: PropValidator, retention: Duration | undefined): void {
  if (retention && !retention.isUnresolved()) {
    const days = retention.toHours({ integral: false }) / 24;
    validator.check(Number.isInteger(days) && days >= 1 && days <= 35, 'backupRetention', retention.toHumanString(),
      'a whole number of days from 1 to 35 (0 would turn automated backups off)');
  } else if (retention) {
    // aws-cdk-lib converts a token only in the unit RDS takes, days; in any other it throws
    // an error that names no prop.
    validator.check(retention.unitLabel() === 'days', 'backupRetention', `a token in ${retention.unitLabel()}`,
      'in days when it is a token (Duration.days(token)): RDS takes the retention in days');
  }
}

/**
 * How long automated backups are kept: as given; else, with a HardenedBackupPlan that backs up
 * continuously, its daily retention, since AWS Backup takes the automated backups over and sets
 * their retention to its rule's
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html), so the
 * template says the same and does not drift; else 14 days in PROD and 1 in DEV.
 */
export function automatedBackupRetention(given: Duration | undefined, plan: backup.IBackupPlan | undefined, production: boolean): Duration {
  const continuousPlan = plan instanceof HardenedBackupPlan && plan.continuousBackup ? plan : undefined;
  return given ?? continuousPlan?.dailyRetention ?? Duration.days(production ? 14 : 1);
}

/** How long a database's exported logs are kept: as given, else a year in PROD and a month in DEV. */
export function exportedLogRetention(given: logs.RetentionDays | undefined, production: boolean): logs.RetentionDays {
  return given ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH);
}

/**
 * The secret an RDS Proxy reads. With the secret's own key, aws-cdk-lib names the proxy's role in
 * the key policy and grants it Decrypt: in the database's stack, the key may. A key of another
 * stack may not (its stack would depend on the database's, which depends on it): there the proxy
 * reads the MasterSecret, whose grants write the role's own policy, as clients' are.
 */
export function proxySecret(scope: Construct, key: kms.IKey, rdsSecret: secretsmanager.ISecret,
  masterSecret: secretsmanager.ISecret): secretsmanager.ISecret {
  return Stack.of(key) === Stack.of(scope) ? rdsSecret : masterSecret;
}

/**
 * Lets a principal connect as a database user through IAM database authentication, to the
 * database and, when there is one, to its proxy.
 */
export function grantConnectWithProxy(database: { grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant },
  proxy: rds.DatabaseProxy | undefined, grantee: iam.IGrantable, dbUser: string): iam.Grant {
  const grant = database.grantConnect(grantee, dbUser);
  return proxy ? grant.combine(proxy.grantConnect(grantee, dbUser)) : grant;
}

/**
 * A stable identifier from the construct path, lower case as RDS keeps it: letters, digits and
 * single hyphens, starting with a letter, at most 52 characters (instances and replicas add to it,
 * within RDS's 63).
 */
export function databaseIdentifier(scope: Construct): string {
  const raw = Names.uniqueResourceName(scope, { maxLength: 52, separator: '-' }).toLowerCase();
  const cleaned = raw.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
  return cleaned || `db-${Names.uniqueId(scope).slice(-8).toLowerCase()}`;
}

/** The database's security group: no ingress until a client is allowed in, and no egress. */
export function createDatabaseSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `The database ${scope.node.path}: no ingress until a client is allowed in`,
    // A database answers; it never starts a connection.
    allowAllOutbound: false,
  });
}

/** A subnet group over the VPC's isolated subnets. */
export function createIsolatedSubnetGroup(scope: Construct, vpc: ec2.IVpc): rds.SubnetGroup {
  return new rds.SubnetGroup(scope, 'SubnetGroup', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    description: `The isolated subnets of ${scope.node.path}`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** The role enhanced monitoring publishes OS metrics with. */
export function createMonitoringRole(scope: Construct): iam.Role {
  const monitoringRole = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    description: `Enhanced monitoring of ${scope.node.path}`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  acknowledgeNagFinding(monitoringRole, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    'AWS maintains this service-role policy for enhanced monitoring: it writes only to the RDSOSMetrics log group.');
  return monitoringRole;
}

/** Where RDS exports the logs of a database, and what waits for their groups. */
export interface ExportedLogs {
  /** The construct id prefix of the log groups ('Instance', 'Replica1', 'Cluster'). */
  readonly idPrefix: string;
  /** The group names' prefix: `/aws/rds/instance/<identifier>` or `/aws/rds/cluster/<identifier>`. */
  readonly groupPrefix: string;
  readonly exports: readonly string[];
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * RDS exports each log to `<groupPrefix>/<log>` and creates the group itself when it is missing,
 * unencrypted and kept forever. Created first, the groups get a key and a retention, which is why
 * the patterns name their instances and clusters.
 */
export function createExportedLogGroups(scope: Construct, exporter: IConstruct, options: ExportedLogs): logs.LogGroup[] {
  return options.exports.map((log) => {
    // 'iam-db-auth-error' as IamDbAuthError.
    const name = log.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
    const group = new logs.LogGroup(scope, `${options.idPrefix}${name}Logs`, {
      logGroupName: `${options.groupPrefix}/${log}`,
      retention: options.retention,
      encryptionKey: options.key,
      removalPolicy: options.removalPolicy,
    });
    exporter.node.addDependency(group);
    return group;
  });
}

/** What an RDS Proxy in front of a database needs. */
export interface HardenedProxyOptions {
  readonly vpc: ec2.IVpc;
  readonly target: rds.ProxyTarget;
  /** The master user's secret, as the proxy reads it. */
  readonly secret: secretsmanager.ISecret;
  /** The database's identifier: the proxy's name adds `-proxy`. */
  readonly identifier: string;
}

/**
 * An RDS Proxy requiring TLS and IAM authentication, in the isolated subnets, with a security
 * group of its own that admits the database's clients only (see `allowDatabaseClient`).
 */
export function createHardenedProxy(scope: Construct, options: HardenedProxyOptions): { proxy: rds.DatabaseProxy; securityGroup: ec2.SecurityGroup } {
  const securityGroup = new ec2.SecurityGroup(scope, 'ProxySecurityGroup', {
    vpc: options.vpc,
    description: `The RDS Proxy of ${scope.node.path}: the same clients as the database`,
    allowAllOutbound: false,
  });
  const proxyRole = new ManagedPolicyRole(scope, 'ProxyRole', {
    assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
    description: `The RDS Proxy of ${scope.node.path}, which reads the master secret`,
  });
  const proxy = new rds.DatabaseProxy(scope, 'Proxy', {
    proxyTarget: options.target,
    secrets: [options.secret],
    vpc: options.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [securityGroup],
    role: proxyRole,
    requireTLS: true,
    iamAuth: true,
    // Proxy names are unique per account and region; aws-cdk-lib would name every proxy
    // 'Proxy' without the databaseProxyUniqueResourceName flag.
    dbProxyName: `${options.identifier}-proxy`,
  });
  return { proxy, securityGroup };
}

/**
 * Lets a client reach the database (and its proxy) on its port, and nothing else: security group
 * to security group. The rules go in the client's stack (see allowClientIn): a client in another
 * stack of the app would otherwise make the database's stack depend on the client's, which
 * depends on it.
 */
export function allowDatabaseClient(database: ec2.IConnectable, proxySecurityGroup: ec2.SecurityGroup | undefined, client: ec2.IConnectable,
  port: number, description: string): void {
  allowClientIn(database, client, ec2.Port.tcp(port), description);
  if (proxySecurityGroup) {
    allowClientIn(proxySecurityGroup, client, ec2.Port.tcp(port), description);
  }
}

/**
 * aws-cdk-lib's rules for the rotation function and the proxy name the port by the endpoint's
 * Port attribute. The port is known, and written out it is what a reader of the template (and
 * cdk-nag's port rules, which cannot read the attribute) need.
 */
export function useLiteralPorts(scope: Construct, port: number): void {
  for (const rule of scope.node.findAll()) {
    if ((rule instanceof ec2.CfnSecurityGroupIngress || rule instanceof ec2.CfnSecurityGroupEgress) && Token.isUnresolved(rule.fromPort)) {
      rule.fromPort = port;
      rule.toPort = port;
    }
  }
}

/**
 * A number of bytes as a user set it, in the largest binary unit that holds it whole; a number
 * token as its parameter's value (a template literal would print the token's encoding).
 */
export function bytesText(bytes: number): string {
  return Token.isUnresolved(bytes) ? `${Tokenization.stringifyNumber(bytes)} bytes` : humanSize(bytes);
}
