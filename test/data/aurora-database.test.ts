import { Annotations, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations as AssertionAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AuroraDatabase, AuroraDatabaseProps, DatabaseEngine, DeploymentStage, GuardedKey, HardenedBackupPlan, HardenedFunction, MultiAzVpc,
} from '../../src';
import { auroraMaxConnections } from '../../src/data/aurora-database/engines';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { dataTierSplit, referencedStacks, templatesOf } from '../support/cross-stack';
import { COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';
import { policyStatements } from '../support/policies';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

type Props = Omit<AuroraDatabaseProps, 'vpc'>;
const GIB = 1024 ** 3;

/** The cluster in a MultiAzVpc, without synthesizing. */
function place(props: Props = {}, stack = newStack({ withEnv: true })) {
  const network = new MultiAzVpc(stack, 'Network');
  const database = new AuroraDatabase(stack, 'Database', { vpc: network.vpc, ...props });
  return { stack, network, database };
}

function build(props: Props = {}, stack = newStack({ withEnv: true })) {
  const placed = place(props, stack);
  return { ...placed, template: Template.fromStack(stack) };
}

/** Aurora MySQL, provisioned, with 2 readers, reader autoscaling, a proxy and a backup plan: the snapshot's fully configured set. */
function fullyConfigured(stack: Stack): Props {
  return {
    stage: DeploymentStage.PROD,
    engine: DatabaseEngine.MYSQL,
    engineVersion: '8.0.mysql_aurora.3.10.3',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
    readers: 2,
    readerAutoScaling: { maxReaders: 5, targetConnections: 500 },
    databaseName: 'orders',
    masterUsername: 'dbadmin',
    proxy: true,
    backupRetention: Duration.days(35),
    preferredBackupWindow: '22:00-22:30',
    preferredMaintenanceWindow: 'sat:23:00-sun:00:30',
    backupPlan: backup.BackupPlan.daily35DayRetention(stack, 'Plan'),
    backtrackWindow: Duration.hours(24),
    logRetention: logs.RetentionDays.THREE_MONTHS,
    cpuAlarmThreshold: 70,
  };
}

const clusterOf = (template: Template) => Object.values(template.findResources('AWS::RDS::DBCluster'))[0];
const instancesOf = (template: Template) => Object.values(template.findResources('AWS::RDS::DBInstance'));
/** The cluster's alarms (not the network's). */
const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties)
  .filter((a) => a.Dimensions?.some((d: any) => d.Name === 'DBClusterIdentifier'));
const alarmOn = (template: Template, metric: string, role?: string) => alarmsOf(template)
  .find((a) => a.MetricName === metric && (role === undefined || a.Dimensions.some((d: any) => d.Name === 'Role' && d.Value === role)));

describe('AuroraDatabase', () => {
  const prod = build();
  const dev = build({ stage: DeploymentStage.DEV });
  const fullStack = newStack({ withEnv: true });
  const full = build(fullyConfigured(fullStack), fullStack);

  describe('snapshots', () => {
    test('defaults', () => {
      expect(normalizedTemplate(prod.stack)).toMatchSnapshot();
    });

    test('fully configured: Aurora MySQL provisioned, with 2 readers, reader autoscaling, a proxy and a backup plan', () => {
      expect(normalizedTemplate(full.stack)).toMatchSnapshot();
    });
  });

  describe('engine, capacity and placement', () => {
    test('PROD: Aurora PostgreSQL 17.7 on db.r7g.large, a writer and a reader; minor versions upgraded automatically', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBCluster', {
        Engine: 'aurora-postgresql', EngineVersion: '17.7', MasterUsername: 'postgres', Port: 5432, ServerlessV2ScalingConfiguration: Match.absent(),
      });
      const instances = instancesOf(prod.template);
      expect(instances.map((i) => [i.Properties.DBInstanceClass, i.Properties.AutoMinorVersionUpgrade])).toEqual([['db.r7g.large', true], ['db.r7g.large', true]]);
      full.template.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.10.3', DatabaseName: 'orders', Port: 3306 });
      expect(instancesOf(full.template).map((i) => i.Properties.DBInstanceClass)).toEqual(['db.r7g.xlarge', 'db.r7g.xlarge', 'db.r7g.xlarge']);
    });

    test('DEV: Serverless v2 from 0 ACU, paused after 5 idle minutes, up to 4, with no reader', () => {
      dev.template.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 300 } });
      expect(instancesOf(dev.template).map((i) => i.Properties.DBInstanceClass)).toEqual(['db.serverless']);
    });

    test('serverless in PROD starts at 0.5 ACU (no pause) up to 16; capacity and pause delay as given; instanceType gives provisioned in DEV', () => {
      build({ serverless: {} }).template.hasResourceProperties('AWS::RDS::DBCluster', {
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16, SecondsUntilAutoPause: Match.absent() },
      });
      build({ serverless: { minCapacity: 0, maxCapacity: 64.5, autoPauseAfter: Duration.hours(1) } }).template.hasResourceProperties('AWS::RDS::DBCluster', {
        ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 64.5, SecondsUntilAutoPause: 3600 },
      });
      const provisionedDev = build({ stage: DeploymentStage.DEV, instanceType: new ec2.InstanceType('t4g.medium') }).template;
      expect(clusterOf(provisionedDev).Properties.ServerlessV2ScalingConfiguration).toBeUndefined();
      expect(instancesOf(provisionedDev).map((i) => i.Properties.DBInstanceClass)).toEqual(['db.t4g.medium']);
    });

    test('in a subnet group over the isolated subnets; every instance written out as not publicly accessible', () => {
      const isolated = prod.network.vpc.isolatedSubnets.map((s) => prod.stack.resolve(s.subnetId));
      prod.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolated });
      for (const template of [prod.template, dev.template, full.template]) {
        expect(instancesOf(template).map((i) => i.Properties.PubliclyAccessible)).toEqual(instancesOf(template).map(() => false));
      }
    });

    test('the writer in the first Availability Zone, readers round the others; the first reader is the failover target (tier 1)', () => {
      const azs = full.network.vpc.isolatedSubnets.map((s) => s.availabilityZone);
      const placement = instancesOf(full.template).map(({ Properties: p }) => [p.DBInstanceIdentifier, p.AvailabilityZone, p.PromotionTier]);
      expect(placement).toEqual([
        [expect.stringMatching(/-writer$/), azs[0], 0], [expect.stringMatching(/-reader1$/), azs[1], 1], [expect.stringMatching(/-reader2$/), azs[2], 2],
      ]);
      expect(full.database.readers).toHaveLength(2);
      expect(full.stack.resolve(full.database.writer.instanceIdentifier)).toEqual({ Ref: expect.stringMatching(/^DatabaseClusterWriter/) });
      expect(full.database.readers.map((r) => full.stack.resolve(r.instanceIdentifier))).toEqual([1, 2].map((n) => ({ Ref: expect.stringMatching(new RegExp(`^DatabaseClusterReader${n}`)) })));
    });

    test('a Serverless v2 first reader scales with the writer, so a failover lands on an instance of its size', () => {
      const { template } = build({ serverless: {}, readers: 2 });
      expect(instancesOf(template).map((i) => i.Properties.PromotionTier)).toEqual([0, 1, 2]);
    });

    test('its security group admits nothing until a client is allowed in, on the port only; reader and writer endpoints are exposed', () => {
      const groups = prod.template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^The database') } });
      const [groupId] = Object.keys(groups);
      expect(groups[groupId].Properties.SecurityGroupIngress).toBeUndefined();
      const { stack, database, network } = place();
      const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
      database.allowConnectionsFrom(client);
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp',
      });
      expect(stack.resolve(database.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Address'] });
      expect(stack.resolve(database.readerEndpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'ReadEndpoint.Address'] });
    });

    test('a VPC without isolated subnets is refused with the fix', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network', { isolatedSubnets: false });
      expect(() => new AuroraDatabase(stack, 'Database', { vpc: network.vpc })).toThrow(/vpc is 'a VPC without isolated subnets'.*isolatedSubnets: true/);
    });
  });

  describe('reader autoscaling', () => {
    test('tracks the readers\' CPU at 70% by default, from the readers the pattern creates to maxReaders, through the service-linked role', () => {
      const { template, stack, database } = build({ readerAutoScaling: { maxReaders: 4 } });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'rds',
        ScalableDimension: 'rds:cluster:ReadReplicaCount',
        MinCapacity: 1,
        MaxCapacity: 4,
        ResourceId: { 'Fn::Join': ['', ['cluster:', stack.resolve(database.cluster.clusterIdentifier)]] },
        RoleARN: Match.absent(),
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' }, TargetValue: 70 },
      });
      // Registered once the writer and the reader exist, deregistered before they go.
      const [target] = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
      expect(target.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseClusterWriter/), expect.stringMatching(/^DatabaseClusterReader1/)]));
      // No role of its own: Application Auto Scaling acts through its service-linked role for RDS clusters.
      expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => /Scaling/.test(id))).toEqual([]);
    });

    test('or on connections, with minReaders as given', () => {
      full.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 5 });
      full.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageDatabaseConnections' }, TargetValue: 500 },
      });
      build({ readers: 1, readerAutoScaling: { maxReaders: 3, minReaders: 0, targetCpuUtilization: 50 } }).template
        .hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 });
      prod.template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    });
  });

  describe('storage and transit', () => {
    test('storage encrypted with a rotating customer key that denies grants for anything but AWS resources', () => {
      const cluster = clusterOf(prod.template).Properties;
      expect(cluster.StorageEncrypted).toBe(true);
      expect(cluster.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] });
      const key = prod.template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('^Encrypts the storage') } });
      const [keyResource] = Object.values(key);
      expect(keyResource.Properties.EnableKeyRotation).toBe(true);
      expect(JSON.stringify(keyResource.Properties.KeyPolicy)).toContain('DenyGrantsExceptForAwsResources');
    });

    test('a given key encrypts the storage, the secret and Performance Insights', () => {
      const stack = newStack({ withEnv: true });
      const key = new GuardedKey(stack, 'Given', { description: 'given' });
      const { template } = build({ encryptionKey: key }, stack);
      const keyArn = { 'Fn::GetAtt': [expect.stringMatching(/^Given/), 'Arn'] };
      const cluster = clusterOf(template).Properties;
      expect([cluster.KmsKeyId, cluster.MasterUserSecret.KmsKeyId, cluster.PerformanceInsightsKmsKeyId]).toEqual([keyArn, keyArn, keyArn]);
      template.resourcePropertiesCountIs('AWS::KMS::Key', { Description: Match.stringLikeRegexp('^Encrypts the storage') }, 0);
    });

    test('the cluster parameter group forces TLS: rds.force_ssl for Aurora PostgreSQL, require_secure_transport for Aurora MySQL', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql17', Parameters: { 'rds.force_ssl': '1' } });
      full.template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-mysql8.0', Parameters: Match.objectLike({ require_secure_transport: 'ON' }) });
    });
  });

  describe('credentials', () => {
    test('RDS manages the master password in a secret under the cluster key; IAM authentication is on', () => {
      const cluster = clusterOf(prod.template).Properties;
      expect(cluster.ManageMasterUserPassword).toBe(true);
      expect(cluster.MasterUserPassword).toBeUndefined();
      expect(cluster.EnableIAMDatabaseAuthentication).toBe(true);
      prod.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(prod.database.secret.encryptionKey).toBeUndefined();
    });

    test("secret.grantRead is the grantee's IAM policy alone: the secret, and the key through Secrets Manager only", () => {
      const { stack, database } = place();
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      database.secret.grantRead(role);
      const template = Template.fromStack(stack);
      const statements = policyStatements(template);
      expect(statements.filter((st) => st.includes('secretsmanager:GetSecretValue') && st.includes('MasterUserSecret.SecretArn'))).toHaveLength(1);
      expect(statements.filter((st) => st.includes('kms:Decrypt') && st.includes(`secretsmanager.${TEST_ENV.region}.amazonaws.com`))).toHaveLength(1);
      const key = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('^Encrypts the storage') } }))[0];
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('Reader');
    });

    test('grantConnect lets a principal connect as a database user, to the cluster and its proxy', () => {
      const { stack, database } = place({ proxy: true });
      const role = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      database.grantConnect(role, 'app');
      const connects = policyStatements(Template.fromStack(stack)).filter((st) => st.includes('rds-db:connect'));
      expect(connects.join()).toMatch(/dbuser:.*DBClusterResourceId.*\/app/);
      expect(connects.join()).toMatch(/DatabaseProxy/);
    });
  });

  describe('proxy', () => {
    test('requires TLS and IAM authentication, in the isolated subnets, named after the cluster, targeting it', () => {
      full.template.hasResourceProperties('AWS::RDS::DBProxy', {
        RequireTLS: true,
        Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })],
        EngineFamily: 'MYSQL',
        DBProxyName: `${clusterOf(full.template).Properties.DBClusterIdentifier}-proxy`,
      });
      full.template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBClusterIdentifiers: [{ Ref: Match.stringLikeRegexp('^DatabaseCluster') }] });
      full.template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^The RDS Proxy of') });
    });
  });

  describe('backups and removal', () => {
    test('14 days of backups in PROD and 1 in DEV, windows that do not overlap, tags copied to snapshots', () => {
      expect(clusterOf(prod.template).Properties).toMatchObject({
        BackupRetentionPeriod: 14, PreferredBackupWindow: '03:00-04:00', PreferredMaintenanceWindow: 'sun:05:00-sun:06:00', CopyTagsToSnapshot: true,
      });
      expect(clusterOf(dev.template).Properties.BackupRetentionPeriod).toBe(1);
      expect(clusterOf(full.template).Properties).toMatchObject({ BackupRetentionPeriod: 35, PreferredBackupWindow: '22:00-22:30', PreferredMaintenanceWindow: 'sat:23:00-sun:00:30' });
    });

    test('PROD: deletion protection and a final snapshot; DEV: destroyed with the stack', () => {
      const prodCluster = clusterOf(prod.template);
      expect([prodCluster.Properties.DeletionProtection, prodCluster.DeletionPolicy, prodCluster.UpdateReplacePolicy]).toEqual([true, 'Snapshot', 'Snapshot']);
      const devCluster = clusterOf(dev.template);
      expect([devCluster.Properties.DeletionProtection, devCluster.DeletionPolicy]).toEqual([false, 'Delete']);
      expect(clusterOf(build({ stage: DeploymentStage.DEV, deletionProtection: true }).template).Properties.DeletionProtection).toBe(true);
    });

    test('a backup plan selects the cluster, which AWS Backup protects as a whole', () => {
      const selection = Object.values(full.template.findResources('AWS::Backup::BackupSelection'))[0];
      expect(selection.Properties.BackupSelection.Resources).toHaveLength(1);
      expect(JSON.stringify(selection.Properties.BackupSelection.Resources[0])).toMatch(/:cluster:.*DatabaseCluster/);
    });

    test('with a continuous HardenedBackupPlan, the automated backups last as long as its continuous rule', () => {
      const stack = newStack({ withEnv: true });
      const { template } = build({ backupPlan: new HardenedBackupPlan(stack, 'Backups') }, stack);
      expect(clusterOf(template).Properties.BackupRetentionPeriod).toBe(35);
      template.resourceCountIs('AWS::Backup::BackupSelection', 1);
    });

    test('Backtrack on Aurora MySQL, in seconds', () => {
      expect(clusterOf(full.template).Properties.BacktrackWindow).toBe(86_400);
      expect(clusterOf(prod.template).Properties.BacktrackWindow).toBeUndefined();
    });
  });

  describe('observability', () => {
    test('Performance Insights under the key (7 days, free), enhanced monitoring every 60 s on every instance', () => {
      expect(clusterOf(prod.template).Properties).toMatchObject({
        PerformanceInsightsEnabled: true,
        PerformanceInsightsRetentionPeriod: 7,
        PerformanceInsightsKmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] },
      });
      for (const instance of instancesOf(full.template)) {
        expect(instance.Properties).toMatchObject({ MonitoringInterval: 60, MonitoringRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseMonitoringRole/), 'Arn'] } });
      }
    });

    test("Performance Insights is off on Aurora MySQL's db.t3 classes, which do not support it", () => {
      const t3 = build({ engine: DatabaseEngine.MYSQL, instanceType: new ec2.InstanceType('t3.medium') }).template;
      expect(clusterOf(t3).Properties.PerformanceInsightsEnabled).toBe(false);
      const t4g = build({ engine: DatabaseEngine.MYSQL, instanceType: new ec2.InstanceType('t4g.medium') }).template;
      expect(clusterOf(t4g).Properties.PerformanceInsightsEnabled).toBe(true);
    });

    test('every log exported to an encrypted group with a retention, created before the cluster; Aurora MySQL\'s audit and slow query logs filled', () => {
      const identifier = clusterOf(prod.template).Properties.DBClusterIdentifier;
      expect(clusterOf(prod.template).Properties.EnableCloudwatchLogsExports).toEqual(['postgresql', 'iam-db-auth-error']);
      prod.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/rds/cluster/${identifier}/iam-db-auth-error`, RetentionInDays: 365 });
      prod.template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/cluster/${identifier}/postgresql`, RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseLogKey'), 'Arn'] },
      });
      expect(clusterOf(prod.template).DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseClusterPostgresqlLogs/)]));
      expect(clusterOf(full.template).Properties.EnableCloudwatchLogsExports).toEqual(['audit', 'error', 'slowquery', 'iam-db-auth-error']);
      full.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 4);
      full.template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
        Parameters: { require_secure_transport: 'ON', server_audit_logging: '1', server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL', slow_query_log: '1', long_query_time: '2', log_output: 'FILE' },
      });
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('alarms on the writer\'s and the readers\' CPU and memory, connections and replica lag; ACU utilization on Serverless v2; each notifies', () => {
      const names = (template: Template) => alarmsOf(template).map((a) => `${a.MetricName}${(a.Dimensions.find((d: any) => d.Name === 'Role')?.Value ?? '')}`).sort();
      expect(names(prod.template)).toEqual(['AuroraReplicaLagMaximum', 'CPUUtilizationREADER', 'CPUUtilizationWRITER', 'DatabaseConnectionsWRITER', 'FreeableMemoryREADER', 'FreeableMemoryWRITER']);
      expect(names(dev.template)).toEqual(['ACUUtilization', 'CPUUtilizationWRITER', 'DatabaseConnectionsWRITER', 'FreeableMemoryWRITER']);
      for (const alarm of alarmsOf(prod.template)) {
        expect(alarm.AlarmActions).toHaveLength(1);
        expect(alarm.Dimensions).toEqual(expect.arrayContaining([{ Name: 'DBClusterIdentifier', Value: { Ref: expect.stringMatching(/^DatabaseCluster/) } }]));
      }
      expect(prod.database.alarms).toHaveLength(6);
    });

    test('default thresholds: 80% CPU, 10% of the memory, 80% of the default max_connections, 1 s of lag, 90% of the ACUs', () => {
      expect(alarmOn(prod.template, 'CPUUtilization', 'WRITER')).toMatchObject({ Threshold: 80, Statistic: 'Average', Period: 900 });
      expect(alarmOn(prod.template, 'FreeableMemory', 'READER')).toMatchObject({ Threshold: Math.round(16 * GIB / 10), ComparisonOperator: 'LessThanThreshold' });
      // db.r7g.large (16 GiB): Aurora PostgreSQL's default is 16 GiB * 0.75 / 9,531,392 = 1,351.
      expect(alarmOn(prod.template, 'DatabaseConnections')).toMatchObject({ Threshold: Math.floor(1351 * 0.8) });
      expect(alarmOn(prod.template, 'AuroraReplicaLagMaximum')).toMatchObject({ Threshold: 1000, Statistic: 'Maximum' });
      // Serverless v2: memory and connections follow maxCapacity (4 ACU, 8 GiB).
      expect(alarmOn(dev.template, 'FreeableMemory')).toMatchObject({ Threshold: Math.round(8 * GIB / 10) });
      expect(alarmOn(dev.template, 'DatabaseConnections')).toMatchObject({ Threshold: Math.floor(auroraMaxConnections(DatabaseEngine.POSTGRES, 8 * GIB) * 0.8) });
      expect(alarmOn(dev.template, 'ACUUtilization')).toMatchObject({ Threshold: 90 });
      // Aurora MySQL on db.r7g.xlarge (32 GiB): 2,000 connections.
      expect(alarmOn(full.template, 'DatabaseConnections')).toMatchObject({ Threshold: 1600 });
      expect(alarmOn(full.template, 'CPUUtilization', 'READER')).toMatchObject({ Threshold: 70, Statistic: 'Average', AlarmDescription: expect.stringMatching(/^The readers of .* averaged over 70% CPU for 15 minutes$/) });
    });

    test("Aurora MySQL's default max_connections follows AWS's table", () => {
      const mysql = (gib: number) => auroraMaxConnections(DatabaseEngine.MYSQL, gib * GIB);
      expect([mysql(4), mysql(8), mysql(16), mysql(32), mysql(64), mysql(128), mysql(256), mysql(384), mysql(512), mysql(768)])
        .toEqual([90, 135, 1000, 2000, 3000, 4000, 5000, 6000, 6000, 7000]);
      expect(auroraMaxConnections(DatabaseEngine.POSTGRES, 1024 * GIB)).toBe(5000);
    });

    test('thresholds as given, named in the descriptions', () => {
      const { template } = build({
        freeableMemoryThreshold: Size.gibibytes(2), connectionsThreshold: 700, replicaLagThreshold: Duration.millis(250), cpuAlarmThreshold: 65,
      });
      expect(alarmOn(template, 'FreeableMemory', 'WRITER')).toMatchObject({ Threshold: 2 * GIB, AlarmDescription: expect.stringMatching('less than 2 GiB') });
      expect(alarmOn(template, 'DatabaseConnections')).toMatchObject({ Threshold: 700, AlarmDescription: expect.stringMatching('more than 700 connections') });
      expect(alarmOn(template, 'AuroraReplicaLagMaximum')).toMatchObject({ Threshold: 250, AlarmDescription: expect.stringMatching('more than 250 milliseconds behind') });
      expect(alarmOn(template, 'CPUUtilization', 'READER')).toMatchObject({ Threshold: 65 });
      expect(alarmOn(build({ serverless: {}, acuUtilizationThreshold: 75 }).template, 'ACUUtilization')).toMatchObject({ Threshold: 75 });
    });
  });

  describe('validation', () => {
    const stack = newStack({ withEnv: true });
    const vpc = new MultiAzVpc(stack, 'Network').vpc;
    let n = 0;
    const attempt = (props: Props) => () => new AuroraDatabase(stack, `Db${n++}`, { vpc, ...props });
    /** The error line for one prop, exactly. */
    const line = (text: string) => new RegExp(`^ {2}- ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

    test.each<[string, Props, string]>([
      ['Aurora PostgreSQL 13', { engineVersion: '13.15' }, "engineVersion is '13.15'; it must be a full Aurora PostgreSQL version from 14 to 18, such as '17.7'."],
      ['a major version alone', { engineVersion: '17' }, "engineVersion is '17'; it must be a full Aurora PostgreSQL version from 14 to 18, such as '17.7'."],
      ['an RDS for MySQL version on Aurora MySQL', { engine: DatabaseEngine.MYSQL, engineVersion: '8.0.40' },
        "engineVersion is '8.0.40'; it must be a full Aurora MySQL 3 or 8.4 version, such as '8.0.mysql_aurora.3.10.3' or '8.4.mysql_aurora.8.4.7'."],
      ['Aurora MySQL 2', { engine: DatabaseEngine.MYSQL, engineVersion: '5.7.mysql_aurora.2.12.6' },
        "engineVersion is '5.7.mysql_aurora.2.12.6'; it must be a full Aurora MySQL 3 or 8.4 version, such as '8.0.mysql_aurora.3.10.3' or '8.4.mysql_aurora.8.4.7'."],
      ['a master user name of 17 characters', { masterUsername: 'a'.repeat(17) },
        `masterUsername is '${'a'.repeat(17)}'; it must be a letter, then letters, digits or underscores, at most 16 characters for aurora-postgresql.`],
      ['admin on Aurora PostgreSQL', { masterUsername: 'admin' }, "masterUsername is 'admin'; it must be a name other than rdsadmin and admin, which RDS reserves on aurora-postgresql."],
      ['a database name Aurora MySQL reserves', { engine: DatabaseEngine.MYSQL, databaseName: 'select' },
        "databaseName is 'select'; it must be a name that is not a word aurora-mysql reserves, which RDS refuses as a database name."],
      ['an instance class and serverless', { instanceType: new ec2.InstanceType('r7g.large'), serverless: {} },
        "instanceType is 'r7g.large'; it must be unset with serverless: the instances are either provisioned (instanceType) or Serverless v2 (serverless)."],
      ['an instance class with the db. prefix', { instanceType: new ec2.InstanceType('db.r7g.large') },
        "instanceType is 'db.r7g.large'; it must be the class without the db. prefix, which RDS adds (this renders as 'db.db.r7g.large'): new ec2.InstanceType('r7g.large'), or ec2.InstanceType.of(...)."],
      ['a minimum of 0.25 ACU', { serverless: { minCapacity: 0.25 } }, 'serverless.minCapacity is 0.25; it must be 0 (pause when idle) or 0.5 to 256 ACU in steps of 0.5.'],
      ['a minimum of 1.2 ACU', { serverless: { minCapacity: 1.2 } }, 'serverless.minCapacity is 1.2; it must be 0 (pause when idle) or 0.5 to 256 ACU in steps of 0.5.'],
      ['a maximum of 0.5 ACU', { serverless: { minCapacity: 0, maxCapacity: 0.5 } }, 'serverless.maxCapacity is 0.5; it must be 1 to 256 ACU in steps of 0.5.'],
      ['a maximum of 257 ACU', { serverless: { maxCapacity: 257 } }, 'serverless.maxCapacity is 257; it must be 1 to 256 ACU in steps of 0.5.'],
      ['a maximum below the minimum', { serverless: { minCapacity: 8, maxCapacity: 4 } }, 'serverless.maxCapacity is 4; it must be at least serverless.minCapacity (8 ACU).'],
      ['a pause delay without a minimum of 0', { serverless: { minCapacity: 1, autoPauseAfter: Duration.minutes(10) } },
        "serverless.autoPauseAfter is '10 minutes'; it must be unset unless serverless.minCapacity is 0: only an instance that scales to 0 ACU pauses."],
      ['a pause delay of 4 minutes', { serverless: { minCapacity: 0, autoPauseAfter: Duration.minutes(4) } },
        'serverless.autoPauseAfter is 4 minutes; it must be a whole number of seconds from 5 minutes to 1 day.'],
      ['a pause delay over a day', { serverless: { minCapacity: 0, autoPauseAfter: Duration.hours(25) } },
        'serverless.autoPauseAfter is 25 hours; it must be a whole number of seconds from 5 minutes to 1 day.'],
      ['pausing on a version without it', { engineVersion: '16.2', serverless: { minCapacity: 0 } },
        'serverless.minCapacity is 0; it must be at least 0.5 with Aurora PostgreSQL 16.2: scaling to 0 ACU needs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3, 17.4 or later.'],
      ['pausing on Aurora MySQL 3.07', { engine: DatabaseEngine.MYSQL, engineVersion: '8.0.mysql_aurora.3.07.1', serverless: { minCapacity: 0 } },
        'serverless.minCapacity is 0; it must be at least 0.5 with Aurora MySQL 8.0.mysql_aurora.3.07.1: scaling to 0 ACU needs Aurora MySQL 3.08 or later.'],
      ['16 readers', { readers: 16 }, 'readers is 16; it must be a whole number from 0 to 15.'],
      ['fewer maxReaders than readers', { readers: 3, readerAutoScaling: { maxReaders: 2 } },
        'readerAutoScaling.maxReaders is 2; it must be at least readers (3): Aurora never removes the readers the pattern creates.'],
      ['16 maxReaders', { readerAutoScaling: { maxReaders: 16 } }, 'readerAutoScaling.maxReaders is 16; it must be a whole number from 1 to 15.'],
      ['minReaders above maxReaders', { readerAutoScaling: { maxReaders: 2, minReaders: 3 } }, 'readerAutoScaling.minReaders is 3; it must be at most readerAutoScaling.maxReaders (2).'],
      ['both scaling targets', { readerAutoScaling: { maxReaders: 2, targetCpuUtilization: 60, targetConnections: 100 } },
        'readerAutoScaling.targetConnections is 100; it must be unset with targetCpuUtilization: the readers scale on one target.'],
      ['a CPU target of 95%', { readerAutoScaling: { maxReaders: 2, targetCpuUtilization: 95 } },
        'readerAutoScaling.targetCpuUtilization is 95; it must be a percentage from 10 to 90: lower adds readers that do nothing, higher leaves none to absorb a spike.'],
      ['a connections target of 0', { readerAutoScaling: { maxReaders: 2, targetConnections: 0 } }, 'readerAutoScaling.targetConnections is 0; it must be a whole number from 1 to 16000.'],
      ['reader autoscaling on Serverless v2', { serverless: {}, readerAutoScaling: { maxReaders: 2 } },
        "readerAutoScaling is 'set'; it must be unset with Serverless v2, where Aurora Auto Scaling is not supported: create its readers with `readers`, and they scale down when idle."],
      ['reader autoscaling without a reader', { readers: 0, readerAutoScaling: { maxReaders: 2 } },
        "readers is 0; it must be at least 1 with readerAutoScaling: the policy tracks the readers' average load, which has no data without a reader."],
      ['port 1149', { port: 1149 }, 'port is 1149; it must be a whole number from 1150 to 65535.'],
      ['port 65536', { port: 65536 }, 'port is 65536; it must be a whole number from 1150 to 65535.'],
      ['minReaders below 0', { readerAutoScaling: { maxReaders: 2, minReaders: -1 } }, 'readerAutoScaling.minReaders is -1; it must be a whole number from 0 to 15.'],
      ['a database name of 64 characters on Aurora PostgreSQL', { databaseName: 'a'.repeat(64) },
        `databaseName is '${'a'.repeat(64)}'; it must be a letter, then letters, digits or underscores, at most 63 characters for aurora-postgresql.`],
      ['a log retention none of logs.RetentionDays\'s', { logRetention: 13 as logs.RetentionDays },
        "logRetention is 13; it must be one of logs.RetentionDays's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999."],
      ['no backups', { backupRetention: Duration.days(0) }, "backupRetention is '0 days'; it must be a whole number of days from 1 to 35 (0 would turn automated backups off)."],
      ['Backtrack on Aurora PostgreSQL', { backtrackWindow: Duration.hours(1) }, "backtrackWindow is '1 hour'; it must be unset with Aurora PostgreSQL: Backtrack is an Aurora MySQL feature."],
      ['Backtrack on Serverless v2', { engine: DatabaseEngine.MYSQL, serverless: {}, backtrackWindow: Duration.hours(1) },
        "backtrackWindow is '1 hour'; it must be unset with Serverless v2: Aurora offers Backtrack on provisioned instances only."],
      ['Backtrack over 72 hours', { engine: DatabaseEngine.MYSQL, backtrackWindow: Duration.hours(73) },
        'backtrackWindow is 73 hours; it must be a whole number of seconds from 1 second to 3 days.'],
      ['overlapping windows', { preferredBackupWindow: '05:30-06:30', preferredMaintenanceWindow: 'wed:06:00-wed:07:00' },
        "preferredMaintenanceWindow is 'wed:06:00-wed:07:00'; it must be a window that does not overlap the backup window (05:30-06:30)."],
      ['a CPU threshold of 0', { cpuAlarmThreshold: 0 }, 'cpuAlarmThreshold is 0; it must be a percentage above 0 and at most 100.'],
      ['an ACU threshold with provisioned instances', { acuUtilizationThreshold: 80 },
        'acuUtilizationThreshold is 80; it must be unset with provisioned instances: it is the threshold of the Serverless v2 ACU utilization alarm.'],
      ['an ACU threshold above 100%', { serverless: {}, acuUtilizationThreshold: 101 }, 'acuUtilizationThreshold is 101; it must be a percentage above 0 and at most 100.'],
      ['a freeable memory threshold of all of db.r7g.large\'s memory', { freeableMemoryThreshold: Size.gibibytes(16) },
        'freeableMemoryThreshold is 16 GiB; it must be above 0 and below the 16 GiB of memory of db.r7g.large (an instance never has more memory free than it has).'],
      ['a freeable memory threshold of all of Serverless v2\'s memory', { serverless: { maxCapacity: 2 }, freeableMemoryThreshold: Size.gibibytes(4) },
        'freeableMemoryThreshold is 4 GiB; it must be above 0 and below the 4 GiB of memory of 2 ACU, the most the instances scale to.'],
      ['a connections threshold at Aurora MySQL\'s limit', { engine: DatabaseEngine.MYSQL, connectionsThreshold: 16_000 },
        'connectionsThreshold is 16000; it must be a whole number from 1 to 15999: the alarm fires above it, and Aurora MySQL accepts at most 16000 connections.'],
      ['a replica lag threshold without readers', { readers: 0, replicaLagThreshold: Duration.seconds(2) },
        "replicaLagThreshold is '2 seconds'; it must be unset without readers (readers is 0 and no readerAutoScaling): it is the threshold of the replica lag alarm."],
      ['a replica lag threshold over an hour', { replicaLagThreshold: Duration.minutes(61) },
        "replicaLagThreshold is '1 hour 1 minute'; it must be a whole number of milliseconds from 1 millisecond to 1 hour."],
      ['a KMS key of another Region, by its ARN', { encryptionKey: kms.Key.fromKeyArn(newStack(), 'EuropeanKey', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') },
        "encryptionKey is 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'; it must be a KMS key in the database's Region, us-east-1, "
        + 'not eu-west-1: RDS encrypts with keys of its own Region only.'],
      ['an engine none of DatabaseEngine\'s', { engine: 'aurora-postgresql' as DatabaseEngine }, "engine is 'aurora-postgresql'; it must be one of DatabaseEngine's values: 'postgres', 'mysql'."],
      ['an engine version from a token', { engineVersion: Token.asString({ Ref: 'Version' }) },
        "engineVersion is a token, only known at deploy time; it must be a value known at synth: it decides the major version, which names the parameter group's family."],
      ['a reader count from a token', { readers: Token.asNumber({ Ref: 'Readers' }) },
        'readers is a token, only known at deploy time; it must be a value known at synth: it decides how many readers the pattern creates.'],
      ['a minimum capacity from a token', { serverless: { minCapacity: Token.asNumber({ Ref: 'Min' }) } },
        'serverless.minCapacity is a token, only known at deploy time; it must be a value known at synth: it decides whether the instances pause, which the engine version must allow.'],
      ['a replica lag threshold from a token in seconds', { replicaLagThreshold: Duration.seconds(Token.asNumber({ Ref: 'Lag' })) },
        "replicaLagThreshold is 'a token in seconds'; it must be given as Duration.millis(...) when only known at deploy time: the alarm compares milliseconds, and CloudFormation cannot convert seconds."],
    ])('%s is refused, naming the prop, its value and what is allowed', (_, props, message) => {
      expect(attempt(props)).toThrow(line(message));
    });

    test('every invalid prop is reported in one error', () => {
      expect(attempt({ readers: 16, port: 1, serverless: { maxCapacity: 300 } })).toThrow(/readers is 16[\s\S]*port is 1[\s\S]*maxCapacity is 300|serverless\.maxCapacity is 300[\s\S]*port is 1[\s\S]*readers is 16/);
    });

    test('values just inside the limits are accepted: 15 readers, 256 ACU, 72 hours of Backtrack, Aurora MySQL 8.4, pausing from 16.3', () => {
      expect(attempt({ readers: 15, readerAutoScaling: { maxReaders: 15, minReaders: 0, targetCpuUtilization: 90 } })).not.toThrow();
      expect(attempt({ serverless: { minCapacity: 0.5, maxCapacity: 256 }, acuUtilizationThreshold: 100 })).not.toThrow();
      expect(attempt({ serverless: { minCapacity: 0, maxCapacity: 1, autoPauseAfter: Duration.days(1) }, engineVersion: '16.3' })).not.toThrow();
      expect(attempt({ engine: DatabaseEngine.MYSQL, backtrackWindow: Duration.hours(72), masterUsername: 'a'.repeat(16) })).not.toThrow();
      expect(attempt({ engine: DatabaseEngine.MYSQL, engineVersion: '8.4.mysql_aurora.8.4.7', stage: DeploymentStage.DEV })).not.toThrow();
      expect(attempt({ replicaLagThreshold: Duration.hours(1), connectionsThreshold: 262_142 })).not.toThrow();
    });

    test('DEV on a version from before pausing starts at 0.5 ACU instead of refusing the version', () => {
      build({ stage: DeploymentStage.DEV, engineVersion: '16.2' }).template.hasResourceProperties('AWS::RDS::DBCluster', {
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4, SecondsUntilAutoPause: Match.absent() },
      });
      build({ stage: DeploymentStage.DEV, engine: DatabaseEngine.MYSQL, engineVersion: '8.0.mysql_aurora.3.07.1' }).template
        .hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5 } });
    });

    test('Aurora MySQL 8.4 names its own parameter group family', () => {
      const { template } = build({ engine: DatabaseEngine.MYSQL, engineVersion: '8.4.mysql_aurora.8.4.7', stage: DeploymentStage.DEV });
      template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-mysql8.4' });
    });

    describe('what Aurora may refuse at deploy time is warned of', () => {
      const warnings = (props: Props, id: string) => AssertionAnnotations.fromStack(place(props).stack).findWarning('*', Match.stringLikeRegexp(id));

      test('a well-formed version aws-cdk-lib does not know, naming the newest it knows of the major', () => {
        const found = warnings({ engineVersion: '17.99' }, 'unknownEngineVersion');
        expect(found).toHaveLength(1);
        expect(JSON.stringify(found[0].entry.data)).toMatch(/engineVersion is '17.99', which aws-cdk-lib [\d.]+ does not know as a Aurora PostgreSQL version RDS offers \(its newest Aurora PostgreSQL 17 versions are 17\.\d/);
        expect(warnings({ engineVersion: '17.7' }, 'unknownEngineVersion')).toHaveLength(0);
      });

      test('a class Aurora does not offer, naming the sizes it does; classes it offers are not warned of', () => {
        const found = warnings({ instanceType: new ec2.InstanceType('t4g.micro') }, 'unknownInstanceClass');
        expect(JSON.stringify(found[0].entry.data)).toMatch(/DB instance class RDS offers for Aurora \(RDS offers db.t4g in the sizes medium, large\)/);
        expect(warnings({ instanceType: new ec2.InstanceType('r8g.48xlarge') }, 'unknownInstanceClass')).toHaveLength(0);
        expect(warnings({}, 'unknownInstanceClass')).toHaveLength(0);
      });

      test('the warning can be acknowledged', () => {
        const placed = place({ engineVersion: '17.99' });
        Annotations.of(placed.database).acknowledgeWarning('cdk-best-practice-patterns:unknownEngineVersion', 'A version released after this aws-cdk-lib');
        expect(AssertionAnnotations.fromStack(placed.stack).findWarning('*', Match.stringLikeRegexp('unknownEngineVersion'))).toHaveLength(0);
      });
    });
  });

  describe('values known only at deploy time', () => {
    const fromTokens = (props: (t: DeployTimeValues, stack: Stack) => Props) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new AuroraDatabase(stack, 'Database', { vpc: new MultiAzVpc(stack, 'Network').vpc, ...props(t, stack) });
      return Template.fromStack(stack);
    };
    const cluster = (template: Template) => clusterOf(template).Properties;

    it.each<[string, (t: DeployTimeValues, stack: Stack) => Props, (template: Template) => void]>([
      ['instanceType', (t) => ({ instanceType: new ec2.InstanceType(t.text) }),
        (tp) => expect(instancesOf(tp)[0].Properties.DBInstanceClass).toEqual({ 'Fn::Join': ['', ['db.', { Ref: 'DeployTimeText' }]] })],
      ['databaseName', (t) => ({ databaseName: t.text }), (tp) => expect(cluster(tp).DatabaseName).toEqual({ Ref: 'DeployTimeText' })],
      ['masterUsername', (t) => ({ masterUsername: t.text }), (tp) => expect(cluster(tp).MasterUsername).toEqual({ Ref: 'DeployTimeText' })],
      ['port', (t) => ({ port: t.number }), (tp) => expect(cluster(tp).Port).toEqual({ Ref: 'DeployTimeNumber' })],
      ['serverless.maxCapacity', (t) => ({ serverless: { maxCapacity: t.number } }),
        (tp) => expect(cluster(tp).ServerlessV2ScalingConfiguration.MaxCapacity).toEqual({ Ref: 'DeployTimeNumber' })],
      ['backupRetention, in days', (t) => ({ backupRetention: Duration.days(t.number) }), (tp) => expect(cluster(tp).BackupRetentionPeriod).toEqual({ Ref: 'DeployTimeNumber' })],
      ['preferredBackupWindow', (t) => ({ preferredBackupWindow: t.text }), (tp) => expect(cluster(tp).PreferredBackupWindow).toEqual({ Ref: 'DeployTimeText' })],
      ['readerAutoScaling.maxReaders', (t) => ({ readerAutoScaling: { maxReaders: t.number } }),
        (tp) => tp.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MaxCapacity: { Ref: 'DeployTimeNumber' } })],
      ['cpuAlarmThreshold', (t) => ({ cpuAlarmThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization', Threshold: { Ref: 'DeployTimeNumber' }, AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] },
      })],
      ['connectionsThreshold', (t) => ({ connectionsThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'DatabaseConnections', Threshold: { Ref: 'DeployTimeNumber' }, AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] },
      })],
      ['replicaLagThreshold, in milliseconds', (t) => ({ replicaLagThreshold: Duration.millis(t.number) }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AuroraReplicaLagMaximum', Threshold: { Ref: 'DeployTimeNumber' }, AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] },
      })],
      ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays }), (tp) => tp.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'DeployTimeNumber' } })],
      ['encryptionKey', (t, stack) => ({ encryptionKey: kms.Key.fromKeyArn(stack, 'TokenKey', t.text) }), (tp) => expect(cluster(tp).KmsKeyId).toEqual({ Ref: 'DeployTimeText' })],
    ])('accepts a token for %s, and passes it on', (_prop, props, reached) => {
      reached(fromTokens(props));
    });
  });

  describe('compliance', () => {
    test.each<[string, (stack: Stack) => Props]>([
      ['defaults', () => ({})],
      ['DEV', () => ({ stage: DeploymentStage.DEV })],
      ['fully configured', (stack) => fullyConfigured(stack)],
      ['Aurora MySQL in DEV, and Serverless v2 with a proxy, a HardenedBackupPlan and a non-default port', (stack) => {
        const other = new MultiAzVpc(stack, 'Other').vpc;
        new AuroraDatabase(stack, 'MySql', { vpc: other, engine: DatabaseEngine.MYSQL, stage: DeploymentStage.DEV });
        // Aurora PostgreSQL on 3306, the one port cdk-nag's RDS11 flags on any Aurora engine.
        new AuroraDatabase(stack, 'PostgresOn3306', { vpc: other, port: 3306, stage: DeploymentStage.DEV });
        return { serverless: {}, proxy: true, backupPlan: new HardenedBackupPlan(stack, 'Backups'), port: 6543 };
      }],
    ])('%s: no unacknowledged finding in any of the five cdk-nag packs, under 3.x and 2.x', (_, props) => {
      const app = newApp();
      const stack = new Stack(app, 'Compliance', { env: TEST_ENV });
      place(props(stack), stack);
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });

    test('acknowledges only what the props weaken: Backtrack only when it is off, RDS11 only on port 3306', () => {
      const ids = (construct: { node: { defaultChild?: unknown } }) => ((construct.node.defaultChild as rds.CfnDBCluster).getMetadata('cdk_nag')?.rules_to_suppress ?? [])
        .map((r: { id: string }) => r.id);
      expect(ids(full.database.cluster)).not.toContain('AwsSolutions-RDS14');
      expect(ids(full.database.cluster)).toContain('AwsSolutions-RDS11');
      expect(ids(full.database.cluster)).not.toContain('AwsSolutions-RDS10');
      expect(ids(prod.database.cluster)).toEqual([]);
      expect(ids(dev.database.cluster)).toEqual(expect.arrayContaining(['AwsSolutions-RDS10']));
      expect(ids(build({ engine: DatabaseEngine.MYSQL, port: 3307 }).database.cluster)).not.toContain('AwsSolutions-RDS11');
      expect(ids(build({ port: 3306 }).database.cluster)).toContain('AwsSolutions-RDS11');
    });
  });

  describe('composition', () => {
    test('two clusters in one stack synthesize, each with its own identifiers and log groups', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      new AuroraDatabase(stack, 'Orders', { vpc: network.vpc });
      new AuroraDatabase(stack, 'Billing', { vpc: network.vpc, engine: DatabaseEngine.MYSQL });
      const template = Template.fromStack(stack);
      const clusters = Object.values(template.findResources('AWS::RDS::DBCluster')).map((c) => c.Properties.DBClusterIdentifier);
      const instances = instancesOf(template).map((i) => i.Properties.DBInstanceIdentifier);
      expect(new Set(clusters).size).toBe(2);
      expect(new Set(instances).size).toBe(4);
      for (const id of [...clusters, ...instances]) {
        expect(id).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
      }
      // The network's flow logs, Aurora PostgreSQL's two logs, Aurora MySQL's four.
      template.resourceCountIs('AWS::Logs::LogGroup', 1 + 2 + 4);
    });
  });

  describe('across stacks', () => {
    const { networkStack, shared, data, service } = dataTierSplit();
    const network = new MultiAzVpc(networkStack, 'Network');
    const key = new GuardedKey(shared, 'Key', { description: 'The shared data key' });
    const database = new AuroraDatabase(data, 'Database', {
      vpc: network.vpc, encryptionKey: key, backupPlan: new HardenedBackupPlan(shared, 'Backups'), proxy: true,
    });
    const api = new HardenedFunction(service, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => 1;'), vpc: network.vpc });
    database.allowConnectionsFrom(api);
    database.grantConnect(api, 'app');
    database.secret.grantRead(api);
    let templates: Record<'network' | 'shared' | 'data' | 'service', Template>;
    beforeAll(() => {
      templates = templatesOf({ network: networkStack, shared, data, service });
    });

    test("the cluster's stack references only the network's and the key's; the rules and grants are in the client's stack", () => {
      expect(referencedStacks(templates.data)).toEqual([networkStack.stackName, shared.stackName].sort());
      templates.data.resourceCountIs('AWS::Backup::BackupSelection', 1);
      const ingress = Object.values(templates.service.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => JSON.stringify(r.Properties.GroupId));
      expect(ingress.filter((g) => /DatabaseSecurityGroup/.test(g))).toHaveLength(1);
      expect(ingress.filter((g) => /DatabaseProxySecurityGroup/.test(g))).toHaveLength(1);
      const statements = policyStatements(templates.service).join();
      expect(statements).toContain('rds-db:connect');
      expect(statements).toContain('secretsmanager:GetSecretValue');
      for (const keyResource of Object.values(templates.shared.findResources('AWS::KMS::Key'))) {
        expect(JSON.stringify(keyResource.Properties.KeyPolicy)).not.toMatch(/ApiServiceRole/);
      }
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      place(fullyConfigured(stack), stack);
      new AuroraDatabase(stack, 'Serverless', { vpc: new MultiAzVpc(stack, 'Other').vpc, stage: DeploymentStage.DEV, proxy: true });
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
