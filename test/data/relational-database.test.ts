import { Annotations, CfnParameter, Duration, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations as AssertionAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  AlbFargateService, DatabaseEngine, DeploymentStage, GuardedKey, HardenedBackupPlan, HardenedFunction, MasterPassword, MultiAzVpc,
  RelationalDatabase, RelationalDatabaseProps,
} from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { dataTierSplit, referencedStacks, templatesOf } from '../support/cross-stack';
import { COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';
import { policyStatements } from '../support/policies';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

type Props = Omit<RelationalDatabaseProps, 'vpc'>;

/** The database in a MultiAzVpc, without synthesizing: for tests that add to it, or synthesize the app themselves. */
function place(props: Props = {}, stack = newStack({ withEnv: true })) {
  const network = new MultiAzVpc(stack, 'Network');
  const database = new RelationalDatabase(stack, 'Database', { vpc: network.vpc, ...props });
  return { stack, network, database };
}

function build(props: Props = {}, stack = newStack({ withEnv: true })) {
  const placed = place(props, stack);
  return { ...placed, template: Template.fromStack(stack) };
}

/** MySQL with a replica, a proxy and a backup plan: the snapshot's fully configured set. */
function fullyConfigured(stack: Stack): Props {
  return {
    stage: DeploymentStage.PROD,
    engine: DatabaseEngine.MYSQL,
    engineVersion: '8.4.5',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
    databaseName: 'orders',
    masterUsername: 'dbadmin',
    readReplicas: 1,
    rotationInterval: Duration.days(14),
    proxy: true,
    allocatedStorage: 100,
    maxAllocatedStorage: 500,
    backupRetention: Duration.days(35),
    preferredBackupWindow: '22:00-22:30',
    preferredMaintenanceWindow: 'sat:23:00-sun:00:30',
    backupPlan: backup.BackupPlan.daily35DayRetention(stack, 'Plan'),
    logRetention: logs.RetentionDays.THREE_MONTHS,
    cpuAlarmThreshold: 70,
  };
}

const instances = (template: Template) => Object.values(template.findResources('AWS::RDS::DBInstance'));

/** The statements of the key policy of the one key in a template whose description starts with `description`. */
const keyStatements = (template: Template, description: RegExp): any[] =>
  Object.values(template.findResources('AWS::KMS::Key')).find((k) => description.test(k.Properties.Description ?? ''))!.Properties.KeyPolicy.Statement;

/** The grantee's statements (parsed) that let it decrypt with a key matching `key`, through Secrets Manager only. */
const keyGrants = (statements: string[], key: RegExp) => statements.map((st) => JSON.parse(st))
  .filter((st) => st.Action === 'kms:Decrypt' && key.test(JSON.stringify(st.Resource))
    && st.Condition?.StringEquals?.['kms:ViaService'] === `secretsmanager.${TEST_ENV.region}.amazonaws.com`);
const primaryOf = (template: Template) => instances(template).find((i) => !i.Properties.SourceDBInstanceIdentifier)!;

describe('RelationalDatabase', () => {
  const prod = build();
  const dev = build({ stage: DeploymentStage.DEV });
  const fullStack = newStack({ withEnv: true });
  const full = build(fullyConfigured(fullStack), fullStack);

  describe('snapshots', () => {
    test('defaults', () => {
      expect(normalizedTemplate(prod.stack)).toMatchSnapshot();
    });

    test('fully configured: MySQL with a replica, a proxy and a backup plan', () => {
      expect(normalizedTemplate(full.stack)).toMatchSnapshot();
    });
  });

  describe('engine and placement', () => {
    test('PostgreSQL 17 on db.m7g.large in PROD and db.t4g.micro in DEV, minor versions upgraded automatically', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBInstance', {
        Engine: 'postgres', EngineVersion: '17', DBInstanceClass: 'db.m7g.large', AutoMinorVersionUpgrade: true, MasterUsername: 'postgres', Port: '5432',
      });
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t4g.micro' });
      full.template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'mysql', EngineVersion: '8.4.5', DBInstanceClass: 'db.r7g.xlarge', DBName: 'orders', Port: '3306' });
    });

    test('in a subnet group over the isolated subnets, never publicly accessible', () => {
      const isolated = prod.network.vpc.isolatedSubnets.map((s) => prod.stack.resolve(s.subnetId));
      expect(isolated).toHaveLength(3);
      prod.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolated });
      prod.template.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
    });

    test('its security group admits nothing and sends nothing until a client is allowed in, on the port only', () => {
      const groups = prod.template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^The database') } });
      const [groupId] = Object.keys(groups);
      expect(groups[groupId].Properties.SecurityGroupIngress).toBeUndefined();
      // aws-cdk-lib's placeholder for "no egress": a rule to an address that cannot exist.
      expect(groups[groupId].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
      const { stack, database, network } = place();
      const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
      database.allowConnectionsFrom(client);
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp', SourceSecurityGroupId: Match.anyValue(),
      });
      expect(database.port).toBe(5432);
    });

    test('a VPC without isolated subnets is refused with the fix', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network', { isolatedSubnets: false });
      expect(() => new RelationalDatabase(stack, 'Database', { vpc: network.vpc })).toThrow(/vpc is 'a VPC without isolated subnets'.*isolatedSubnets: true/);
    });

    test('isolated subnets in one Availability Zone are refused: subnet groups and proxies need 2', () => {
      const stack = newStack({ withEnv: true });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      expect(() => new RelationalDatabase(stack, 'Database', { vpc })).toThrow(/vpc is 'isolated subnets in 1 Availability Zone\(s\)'/);
    });
  });

  describe('high availability', () => {
    test('Multi-AZ in PROD, single-AZ in DEV, and multiAz wins over the stage', () => {
      expect(primaryOf(prod.template).Properties.MultiAZ).toBe(true);
      expect(primaryOf(dev.template).Properties.MultiAZ).toBe(false);
      expect(primaryOf(build({ stage: DeploymentStage.DEV, multiAz: true }).template).Properties.MultiAZ).toBe(true);
    });

    test('a single-AZ primary sits in the first Availability Zone, so its replicas are elsewhere', () => {
      const { template } = build({ stage: DeploymentStage.DEV, readReplicas: 1 });
      const [primary, replica] = [primaryOf(template), instances(template).find((i) => i.Properties.SourceDBInstanceIdentifier)!];
      expect(primary.Properties.AvailabilityZone).toMatch(/1a$/);
      expect(replica.Properties.AvailabilityZone).toMatch(/1b$/);
      expect(primaryOf(prod.template).Properties.AvailabilityZone).toBeUndefined();
    });

    test('read replicas of the primary sit in the other Availability Zones, each hardened like it and watched for lag', () => {
      const { template, database } = build({ readReplicas: 3 });
      const replicas = instances(template).filter((i) => i.Properties.SourceDBInstanceIdentifier);
      expect(replicas).toHaveLength(3);
      expect(database.readReplicas).toHaveLength(3);
      expect(replicas.map((r) => r.Properties.AvailabilityZone)).toEqual([expect.stringMatching(/1b$/), expect.stringMatching(/1c$/), expect.stringMatching(/1b$/)]);
      for (const replica of replicas) {
        expect(replica.Properties).toMatchObject({
          PubliclyAccessible: false,
          EnableIAMDatabaseAuthentication: true,
          EnablePerformanceInsights: true,
          MonitoringInterval: 60,
          StorageType: 'gp3',
          DeletionProtection: true,
          AutoMinorVersionUpgrade: true,
          EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        });
        // A replica inherits its source's encryption; CloudFormation refuses the property there.
        expect(replica.Properties.StorageEncrypted).toBeUndefined();
      }
      expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'ReplicaLag')).toHaveLength(3);
    });
  });

  describe('storage', () => {
    test('gp3, 20 GiB growing up to 1,000 GiB, encrypted with a rotating customer key that denies grants for anything but AWS resources', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBInstance', {
        StorageType: 'gp3', AllocatedStorage: '20', MaxAllocatedStorage: 1000, StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] },
      });
      prod.template.hasResourceProperties('AWS::KMS::Key', {
        Description: Match.stringLikeRegexp('storage, snapshots, secret'),
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny' })]) },
      });
    });

    test('a given key encrypts the storage, the secret and Performance Insights', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Given');
      const { template } = build({ encryptionKey: key }, stack);
      const keyArn = stack.resolve(key.keyArn);
      template.hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: keyArn, MasterUserSecret: { KmsKeyId: keyArn }, PerformanceInsightsKMSKeyId: keyArn });
    });
  });

  describe('in transit', () => {
    test('the parameter group forces TLS: rds.force_ssl for PostgreSQL, require_secure_transport for MySQL', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres17', Parameters: { 'rds.force_ssl': '1' } });
      full.template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mysql8.4', Parameters: Match.objectLike({ require_secure_transport: 'ON', slow_query_log: '1' }) });
      // The replica too: a client of a replica gets the same refusal.
      expect(instances(full.template).map((i) => JSON.stringify(i.Properties.DBParameterGroupName))).toEqual([
        expect.stringMatching(/DatabaseParameters/), expect.stringMatching(/DatabaseParameters/),
      ]);
    });
  });

  describe('credentials', () => {
    test('by default RDS manages the master password in a secret under the database key; IAM authentication is on', () => {
      const primary = primaryOf(prod.template).Properties;
      expect(primary.ManageMasterUserPassword).toBe(true);
      expect(primary.MasterUserSecret).toEqual({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] } });
      expect(primary.MasterUserPassword).toBeUndefined();
      expect(primary.EnableIAMDatabaseAuthentication).toBe(true);
      prod.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      prod.template.resourceCountIs('AWS::Serverless::Application', 0);
      expect(prod.database.secret.secretArn).toBeDefined();
    });

    test("secret.grantRead is the grantee's IAM policy alone: the secret, and the key through Secrets Manager only; the key's policy names nobody", () => {
      const { stack, database } = place();
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      database.secret.grantRead(reader);
      const template = Template.fromStack(stack);
      // No key statement names the grantee (its stack may be another, which the key's must not
      // depend on), and none lets anyone else decrypt: the key's policy is the one every key has.
      const keyPolicy = JSON.stringify(keyStatements(template, /^Encrypts the storage/));
      expect(keyPolicy).not.toContain('Reader');
      expect(keyPolicy).not.toContain('kms:ViaService');
      const readerPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('Reader'))!;
      const statements = (readerPolicy.Properties.PolicyDocument.Statement as unknown[]).map((st) => JSON.stringify(st));
      expect(statements.map((st) => JSON.parse(st).Action)).toEqual([['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], 'kms:Decrypt']);
      expect(keyGrants(statements, /DatabaseKey/)).toHaveLength(1);
      expect(database.secret.encryptionKey).toBeUndefined();
    });

    test('ROTATED_SECRET: a generated secret under the key, rotated every 30 days through a Secrets Manager endpoint in the isolated subnets', () => {
      const { stack, template, network } = build({ masterPassword: MasterPassword.ROTATED_SECRET });
      template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] } });
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
      const isolated = network.vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId));
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: 'com.amazonaws.us-east-1.secretsmanager', VpcEndpointType: 'Interface', PrivateDnsEnabled: false, SubnetIds: isolated,
      });
      // The function calls the endpoint by its own Regional DNS name (`vpce-<id>-<suffix>.secretsmanager.<region>.vpce.amazonaws.com`,
      // the first of its DnsEntries, `<zone>:<name>`), which resolves without private DNS; not aws-cdk-lib's
      // `<endpoint id>.secretsmanager.<region>.amazonaws.com`, a name AWS does not document.
      const rotation = Object.values(template.findResources('AWS::Serverless::Application'))[0];
      const endpointId = Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.us-east-1.secretsmanager' } }))[0];
      expect(rotation.Properties.Parameters.endpoint).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [endpointId, 'DnsEntries'] }] }] }] }]],
      });
      // The rotation function's group reaches the endpoint on 443 and the database on its port, nothing else.
      const rotationGroup = Object.keys(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('rotation') } }))[0];
      const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
        .filter((e) => JSON.stringify(e.Properties.GroupId).includes(rotationGroup)).map((e) => e.Properties.FromPort).sort();
      expect(egress).toEqual([443, 5432]);
    });

    test("ROTATED_SECRET uses the VPC's own Secrets Manager endpoint when it has one, by its DNS name", () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network', { interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] });
      new RelationalDatabase(stack, 'Database', { vpc: network.vpc, masterPassword: MasterPassword.ROTATED_SECRET });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
      const endpointId = Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.us-east-1.secretsmanager' } }))[0];
      const rotation = Object.values(template.findResources('AWS::Serverless::Application'))[0];
      expect(JSON.stringify(rotation.Properties.Parameters.endpoint)).toContain(JSON.stringify({ 'Fn::GetAtt': [endpointId, 'DnsEntries'] }));
    });

    // Reading DnsEntries across stacks would need a list reference, which a new project's weak
    // references render as Fn::Split over Fn::GetStackOutput (cfn-lint E1022).
    test("an endpoint with private DNS in the network's stack is called by the standard name, with no cross-stack list", () => {
      const app = newApp();
      const network = new MultiAzVpc(new Stack(app, 'Network', { env: TEST_ENV }), 'Network', { interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] });
      const data = new Stack(app, 'Data', { env: TEST_ENV });
      new RelationalDatabase(data, 'Database', { vpc: network.vpc, masterPassword: MasterPassword.ROTATED_SECRET });
      const rotation = Object.values(Template.fromStack(data).findResources('AWS::Serverless::Application'))[0];
      expect(rotation.Properties.Parameters.endpoint).toEqual({ 'Fn::Join': ['', ['https://secretsmanager.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
      expect(JSON.stringify(Template.fromStack(data).toJSON())).not.toContain('Fn::Split');
    });

    test("an imported endpoint, whose DNS names the pattern cannot read, is called by Secrets Manager's standard name", () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      const secretsManagerEndpoint = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Imported', { vpcEndpointId: 'vpce-0123456789abcdef0', port: 443 });
      new RelationalDatabase(stack, 'Database', { vpc: network.vpc, masterPassword: MasterPassword.ROTATED_SECRET, secretsManagerEndpoint });
      const rotation = Object.values(Template.fromStack(stack).findResources('AWS::Serverless::Application'))[0];
      expect(rotation.Properties.Parameters.endpoint).toEqual({ 'Fn::Join': ['', ['https://secretsmanager.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
    });

    test('read replicas get a rotated secret by default, since RDS cannot replicate a database whose password it manages', () => {
      full.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      full.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(14 days)' } });
      expect(primaryOf(full.template).Properties.ManageMasterUserPassword).toBeUndefined();
    });

    test('grantConnect lets a principal connect as a database user, to the database and its proxy', () => {
      const stack = newStack({ withEnv: true });
      const { database } = place({ proxy: true }, stack);
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      database.grantConnect(role, 'reader');
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('Reader'))!;
      const statement = policy.Properties.PolicyDocument.Statement[0];
      expect(statement.Action).toBe('rds-db:connect');
      expect(JSON.stringify(statement.Resource)).toMatch(/dbuser:.*DbiResourceId.*\/reader/);
      expect(JSON.stringify(statement.Resource)).toMatch(/DatabaseProxy/);
    });
  });

  describe('proxy', () => {
    test('requires TLS and IAM authentication, in the isolated subnets, with its own group admitting the same clients', () => {
      full.template.hasResourceProperties('AWS::RDS::DBProxy', {
        RequireTLS: true,
        EngineFamily: 'MYSQL',
        Auth: [Match.objectLike({ IAMAuth: 'REQUIRED', AuthScheme: 'SECRETS' })],
        VpcSubnetIds: full.network.vpc.isolatedSubnets.map((s) => full.stack.resolve(s.subnetId)),
      });
      const { stack, database, network } = place({ proxy: true });
      const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
      database.allowConnectionsFrom(client);
      const ingress = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'))
        .filter((r) => JSON.stringify(r.Properties.SourceSecurityGroupId).includes('Client'));
      expect(ingress.map((r) => JSON.stringify(r.Properties.GroupId)).sort()).toEqual([
        expect.stringMatching(/DatabaseProxySecurityGroup/), expect.stringMatching(/DatabaseSecurityGroup/),
      ]);
      // The proxy reaches the database on the literal port: the rules aws-cdk-lib wrote with the endpoint's attribute are written out.
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: Match.anyValue() });
      expect(database.proxy).toBeDefined();
    });

    test('each proxy is named after its instance: proxy names are unique per account and region', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      new RelationalDatabase(stack, 'Orders', { vpc: network.vpc, proxy: true });
      new RelationalDatabase(stack, 'Billing', { vpc: network.vpc, proxy: true });
      const template = Template.fromStack(stack);
      const names = Object.values(template.findResources('AWS::RDS::DBProxy')).map((p) => p.Properties.DBProxyName);
      const identifiers = instances(template).map((i) => i.Properties.DBInstanceIdentifier);
      expect(names.sort()).toEqual(identifiers.map((id) => `${id}-proxy`).sort());
      for (const name of names) {
        expect(name).toMatch(/^[a-z][a-z0-9-]{0,59}$/);
      }
    });

    test("the proxy's role reads the secret through a managed policy, never an inline one", () => {
      full.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^DatabaseProxyRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) })]) },
      });
      expect(Object.values(full.template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('ProxyRole'))).toEqual([]);
    });
  });

  describe('backups and removal', () => {
    test('14 days of backups in PROD and 1 in DEV, windows that do not overlap, tags copied to snapshots', () => {
      prod.template.hasResourceProperties('AWS::RDS::DBInstance', {
        BackupRetentionPeriod: 14, PreferredBackupWindow: '03:00-04:00', PreferredMaintenanceWindow: 'sun:05:00-sun:06:00', CopyTagsToSnapshot: true,
      });
      dev.template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 1 });
    });

    test('PROD: deletion protection and a final snapshot; DEV: destroyed with the stack', () => {
      const prodPrimary = primaryOf(prod.template);
      expect(prodPrimary.Properties.DeletionProtection).toBe(true);
      expect(prodPrimary.DeletionPolicy).toBe('Snapshot');
      const devPrimary = primaryOf(dev.template);
      expect(devPrimary.Properties.DeletionProtection).toBe(false);
      expect(devPrimary.DeletionPolicy).toBe('Delete');
      const keys = Object.entries(prod.template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('Database'));
      expect(keys.map(([, k]) => k.DeletionPolicy)).toEqual(['Retain', 'Retain']);
    });

    test('a backup plan gets a selection naming the database', () => {
      full.template.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: { Resources: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] },
      });
      prod.template.resourceCountIs('AWS::Backup::BackupSelection', 0);
    });
  });

  describe('observability', () => {
    test('Performance Insights under the key, enhanced monitoring every 60 s, log exports to encrypted log groups kept a year', () => {
      const primary = primaryOf(prod.template);
      expect(primary.Properties).toMatchObject({ EnablePerformanceInsights: true, MonitoringInterval: 60, EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
      const identifier = primary.Properties.DBInstanceIdentifier;
      for (const log of ['postgresql', 'upgrade']) {
        prod.template.hasResourceProperties('AWS::Logs::LogGroup', {
          LogGroupName: `/aws/rds/instance/${identifier}/${log}`, RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseLogKey'), 'Arn'] },
        });
      }
      // Created before the instance, so RDS never makes them itself, unencrypted and kept forever.
      expect(primary.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseInstancePostgresqlLogs/), expect.stringMatching(/^DatabaseInstanceUpgradeLogs/)]));
      prod.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'monitoring.rds.amazonaws.com' } })] },
      });
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('the connections alarm sits below what RDS reports for small classes, and under PostgreSQL\'s 5,000 cap for large ones', () => {
      const threshold = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .find((a) => a.Properties.MetricName === 'DatabaseConnections')!.Properties.Threshold;
      // RDS reports max_connections of about 81-87 for PostgreSQL on db.t4g.micro, about 66 for MySQL.
      expect(threshold(dev.template)).toBeLessThan(81);
      expect(threshold(build({ stage: DeploymentStage.DEV, engine: DatabaseEngine.MYSQL }).template)).toBeLessThan(66);
      expect(threshold(build({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE8) }).template)).toBe(4000);
    });

    test("Performance Insights is off on MySQL's micro and small classes, which do not support it", () => {
      const { template } = build({ engine: DatabaseEngine.MYSQL, stage: DeploymentStage.DEV });
      expect(primaryOf(template).Properties.EnablePerformanceInsights).toBe(false);
      expect(primaryOf(full.template).Properties.EnablePerformanceInsights).toBe(true);
    });

    test('alarms on CPU, freeable memory, free storage and connections, each notifying the stack alarm topic', () => {
      const alarms = Object.fromEntries(Object.entries(prod.template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Database')));
      const byMetric = Object.fromEntries(Object.values(alarms).map((a) => [a.Properties.MetricName, a.Properties]));
      expect(Object.keys(byMetric).sort()).toEqual(['CPUUtilization', 'DatabaseConnections', 'FreeStorageSpace', 'FreeableMemory']);
      expect(byMetric.CPUUtilization).toMatchObject({ Threshold: 80, Period: 900, ComparisonOperator: 'GreaterThanThreshold' });
      // 10% of db.m7g.large's 8 GiB; 5% of 20 GiB; 80% of PostgreSQL's default max_connections for 8 GiB
      // (DBInstanceClassMemory / 9,531,392, with DBInstanceClassMemory about 75% of 8 GiB): 675, so 540.
      expect(byMetric.FreeableMemory).toMatchObject({ Threshold: Math.round(0.8 * 1024 ** 3), ComparisonOperator: 'LessThanThreshold' });
      expect(byMetric.FreeStorageSpace).toMatchObject({ Threshold: 20 * 1024 ** 3 * 0.05, ComparisonOperator: 'LessThanThreshold' });
      expect(byMetric.DatabaseConnections).toMatchObject({ Threshold: 540 });
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties.Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: { Ref: expect.stringMatching(/^DatabaseInstance/) } }]);
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PatternOperationsAlarmTopic/) }]);
      }
      expect(prod.database.alarms).toHaveLength(4);
      expect(full.database.alarms).toHaveLength(5);
      const fullCpu = Object.values(full.template.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'CPUUtilization')!;
      expect(fullCpu.Properties.Threshold).toBe(70);
    });
  });

  describe('alarm thresholds', () => {
    const alarmOf = (template: Template, metric: string) => Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .find((a) => a.Properties.MetricName === metric)!.Properties;

    test('freeableMemoryThreshold sets the memory alarm, named in its description; the default is 10% of the class, else 256 MiB', () => {
      const { template } = build({ freeableMemoryThreshold: Size.mebibytes(512) });
      expect(alarmOf(template, 'FreeableMemory')).toMatchObject({
        Threshold: 512 * 1024 ** 2, ComparisonOperator: 'LessThanThreshold', AlarmDescription: 'TestStack/Database has less than 512 MiB of memory left',
      });
      expect(alarmOf(prod.template, 'FreeableMemory')).toMatchObject({ Threshold: Math.round(0.8 * 1024 ** 3), AlarmDescription: 'TestStack/Database has less than 819 MiB of memory left' });
      const unknownClass = build({ instanceType: new ec2.InstanceType('x2g.large') });
      expect(alarmOf(unknownClass.template, 'FreeableMemory')).toMatchObject({ Threshold: 256 * 1024 ** 2 });
    });

    test('freeStorageSpaceThreshold sets the storage alarm, named in its description; the default is 5% of the allocated storage', () => {
      const { template } = build({ allocatedStorage: 100, freeStorageSpaceThreshold: Size.gibibytes(10) });
      expect(alarmOf(template, 'FreeStorageSpace')).toMatchObject({
        Threshold: 10 * 1024 ** 3,
        ComparisonOperator: 'LessThanThreshold',
        AlarmDescription: 'TestStack/Database has less than 10 GiB of storage left, and autoscaling has not grown it',
      });
      expect(alarmOf(build({ allocatedStorage: 100 }).template, 'FreeStorageSpace')).toMatchObject({ Threshold: 5 * 1024 ** 3 });
    });

    test('connectionsThreshold sets the connections alarm, named in its description; the default is 80% of the default max_connections', () => {
      const { template } = build({ connectionsThreshold: 300 });
      expect(alarmOf(template, 'DatabaseConnections')).toMatchObject({ Threshold: 300, AlarmDescription: 'TestStack/Database has more than 300 connections' });
      expect(alarmOf(prod.template, 'DatabaseConnections')).toMatchObject({
        Threshold: 540, AlarmDescription: 'TestStack/Database has more than 540 connections, 80% of the default maximum for its class',
      });
    });

    test("replicaLagThreshold sets every replica's lag alarm, named in its description; the default is 60 seconds", () => {
      const { template } = build({ readReplicas: 2, replicaLagThreshold: Duration.minutes(5) });
      const lagAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'ReplicaLag');
      expect(lagAlarms).toHaveLength(2);
      for (const alarm of lagAlarms) {
        expect(alarm.Properties).toMatchObject({ Threshold: 300, AlarmDescription: expect.stringMatching(/is more than 5 minutes behind its primary$/) });
      }
      expect(alarmOf(full.template, 'ReplicaLag')).toMatchObject({ Threshold: 60, AlarmDescription: expect.stringMatching(/is more than 60 seconds behind its primary$/) });
    });
  });

  describe('validation', () => {
    const stack = newStack({ withEnv: true });
    const vpc = new MultiAzVpc(stack, 'Network').vpc;
    let n = 0;
    const attempt = (props: Props) => () => new RelationalDatabase(stack, `Db${n++}`, { vpc, ...props });

    test.each<[string, Props, RegExp]>([
      ['a PostgreSQL version below 13', { engineVersion: '12' }, /engineVersion is '12'.*PostgreSQL version from 13 to 18/],
      ['a MySQL major version alone', { engine: DatabaseEngine.MYSQL, engineVersion: '8.4' }, /engineVersion is '8.4'.*full MySQL 8.0 or 8.4/],
      ['MySQL 5.7', { engine: DatabaseEngine.MYSQL, engineVersion: '5.7.44' }, /engineVersion is '5.7.44'/],
      ['a database name starting with a digit', { databaseName: '1orders' }, /databaseName is '1orders'/],
      ['a database name of 64 characters', { databaseName: 'a'.repeat(64) }, /databaseName is 'a{64}'.*at most 63/],
      ['a MySQL master user name of 33 characters', { engine: DatabaseEngine.MYSQL, masterUsername: 'a'.repeat(33) }, /masterUsername is 'a{33}'.*at most 32 characters for mysql/],
      ['a PostgreSQL master user name of 64 characters', { masterUsername: 'a'.repeat(64) }, /masterUsername is 'a{64}'.*at most 63 characters for postgres/],
      ['a MySQL database name of 65 characters', { engine: DatabaseEngine.MYSQL, databaseName: 'a'.repeat(65) }, /databaseName is 'a{65}'.*at most 64 characters for mysql/],
      ['the reserved master user rdsadmin', { masterUsername: 'rdsadmin' }, /masterUsername is 'rdsadmin'/],
      ['port 1149', { port: 1149 }, /port is 1149.*from 1150 to 65535/],
      ['port 65536', { port: 65536 }, /port is 65536/],
      ['16 read replicas', { readReplicas: 16 }, /readReplicas is 16.*from 0 to 15/],
      ['an RDS-managed password with replicas', { readReplicas: 1, masterPassword: MasterPassword.MANAGED_BY_RDS }, /masterPassword is 'managed-by-rds'.*ROTATED_SECRET with read replicas/],
      ['a rotation interval with an RDS-managed password', { rotationInterval: Duration.days(10) }, /rotationInterval is '10 days'.*rotates every 7 days/],
      ['a rotation interval of 1,001 days', { masterPassword: MasterPassword.ROTATED_SECRET, rotationInterval: Duration.days(1001) }, /rotationInterval is '1001 days'.*from 1 to 1000/],
      ['a rotation interval of 12 hours', { masterPassword: MasterPassword.ROTATED_SECRET, rotationInterval: Duration.hours(12) }, /rotationInterval is '12 hours'/],
      ['19 GiB of storage', { allocatedStorage: 19 }, /allocatedStorage is 19.*from 20 to 65536/],
      ['65,537 GiB of storage', { allocatedStorage: 65537 }, /allocatedStorage is 65537/],

      ['a maximum storage above 65,536 GiB', { maxAllocatedStorage: 65537 }, /maxAllocatedStorage is 65537/],
      ['no backups', { backupRetention: Duration.days(0) }, /backupRetention is '0 days'.*from 1 to 35/],
      ['36 days of backups', { backupRetention: Duration.days(36) }, /backupRetention is '36 days'/],
      ['a malformed backup window', { preferredBackupWindow: '3:00-4:00' }, /preferredBackupWindow is '3:00-4:00'.*hh24:mi-hh24:mi/],
      ['a backup window of 29 minutes', { preferredBackupWindow: '03:00-03:29' }, /preferredBackupWindow is '03:00-03:29'.*at least 30 minutes/],
      ['a backup window past 23:59', { preferredBackupWindow: '24:00-01:00' }, /preferredBackupWindow is '24:00-01:00'/],
      ['a malformed maintenance window', { preferredMaintenanceWindow: 'sunday:05:00-sunday:06:00' }, /preferredMaintenanceWindow is 'sunday:05:00-sunday:06:00'/],
      ['a maintenance window of 29 minutes', { preferredMaintenanceWindow: 'mon:05:00-mon:05:29' }, /preferredMaintenanceWindow is 'mon:05:00-mon:05:29'.*at least 30 minutes/],
      ['overlapping windows', { preferredBackupWindow: '05:30-06:30', preferredMaintenanceWindow: 'wed:06:00-wed:07:00' }, /preferredMaintenanceWindow is 'wed:06:00-wed:07:00'.*does not overlap the backup window \(05:30-06:30\)/],
      ['windows overlapping across midnight and the week', { preferredBackupWindow: '23:30-00:30', preferredMaintenanceWindow: 'sun:23:00-mon:00:00' }, /does not overlap/],
      ['a maintenance window that overlaps only after the week wraps', { preferredBackupWindow: '00:00-00:30', preferredMaintenanceWindow: 'sun:23:50-mon:00:40' }, /does not overlap/],
      ['a CPU threshold above 100%', { cpuAlarmThreshold: 101 }, /cpuAlarmThreshold is 101/],
      ['a freeable memory threshold of all of db.m7g.large\'s memory', { freeableMemoryThreshold: Size.gibibytes(8) },
        /^ {2}- freeableMemoryThreshold is 8 GiB; it must be above 0 and below the 8 GiB of memory of db\.m7g\.large \(an instance never has more memory free than it has\)\.$/m],
      ['a freeable memory threshold of 0', { freeableMemoryThreshold: Size.bytes(0) }, /^ {2}- freeableMemoryThreshold is 0 bytes; it must be above 0 and below the 8 GiB/m],
      ['a free storage threshold of all the allocated storage', { freeStorageSpaceThreshold: Size.gibibytes(20) },
        /^ {2}- freeStorageSpaceThreshold is 20 GiB; it must be above 0 and below allocatedStorage \(20 GiB\): free space never exceeds the allocated storage, so the alarm would always fire\.$/m],
      ['a free storage threshold of 0', { freeStorageSpaceThreshold: Size.bytes(0) }, /^ {2}- freeStorageSpaceThreshold is 0 bytes; it must be above 0 and below allocatedStorage/m],
      ['a connections threshold at PostgreSQL\'s limit', { connectionsThreshold: 262_143 },
        /^ {2}- connectionsThreshold is 262143; it must be a whole number from 1 to 262142: the alarm fires above it, and postgres accepts at most 262143 connections \(its largest max_connections\)\.$/m],
      ['a connections threshold at MySQL\'s limit', { engine: DatabaseEngine.MYSQL, connectionsThreshold: 100_000 },
        /^ {2}- connectionsThreshold is 100000; it must be a whole number from 1 to 99999: .*mysql accepts at most 100000 connections/m],
      ['a connections threshold of 0', { connectionsThreshold: 0 }, /^ {2}- connectionsThreshold is 0; it must be a whole number from 1 to 262142/m],
      ['a replica lag threshold without replicas', { replicaLagThreshold: Duration.minutes(2) },
        /^ {2}- replicaLagThreshold is '2 minutes'; it must be unset without read replicas \(readReplicas is 0\): it is the threshold of each replica's lag alarm\.$/m],
      ['a replica lag threshold under a second', { readReplicas: 1, replicaLagThreshold: Duration.millis(500) },
        /^ {2}- replicaLagThreshold is 0\.5 seconds; it must be a whole number of seconds from 1 second to 30 days\.$/m],
      ['a replica lag threshold over 30 days', { readReplicas: 1, replicaLagThreshold: Duration.days(31) },
        /^ {2}- replicaLagThreshold is 31 days; it must be a whole number of seconds from 1 second to 30 days\.$/m],
    ])('%s is refused, naming the prop, its value and the range', (_, props, message) => {
      expect(attempt(props)).toThrow(message);
    });

    test.each<[string, Props, string | RegExp]>([
      ['an engine none of DatabaseEngine\'s', { engine: 'postgresql' as DatabaseEngine },
        "engine is 'postgresql'; it must be one of DatabaseEngine's values: 'postgres', 'mysql'."],
      ['a master password none of MasterPassword\'s', { masterPassword: 'rds-managed' as MasterPassword },
        "masterPassword is 'rds-managed'; it must be one of MasterPassword's values: 'managed-by-rds', 'rotated-secret'."],
      ['a log retention none of logs.RetentionDays\'s', { logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, .*, 3653, 9999\.$/m],
    ])('%s, as untyped configuration may give, is refused, naming the allowed values', (_, props, message) => {
      expect(attempt(props)).toThrow(message);
    });

    /** The error line for one prop, exactly. */
    const line = (text: string) => new RegExp(`^ {2}- ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

    test.each<[string, Props, string]>([
      ['rdsadmin, RDS\'s own administrator, as the MySQL master user', { engine: DatabaseEngine.MYSQL, masterUsername: 'rdsadmin' },
        "masterUsername is 'rdsadmin'; it must be a name other than rdsadmin, which RDS reserves on mysql."],
      ['admin, which RDS reserves on PostgreSQL, as the master user', { masterUsername: 'admin' },
        "masterUsername is 'admin'; it must be a name other than rdsadmin and admin, which RDS reserves on postgres."],
      ['a word PostgreSQL reserves as the master user', { masterUsername: 'User' },
        "masterUsername is 'User'; it must be a name that is not a word postgres reserves, which RDS refuses as a master user name."],
      ['a word MySQL reserves as the master user', { engine: DatabaseEngine.MYSQL, masterUsername: 'select' },
        "masterUsername is 'select'; it must be a name that is not a word mysql reserves, which RDS refuses as a master user name."],
      ['a word PostgreSQL reserves as the database name', { databaseName: 'order' },
        "databaseName is 'order'; it must be a name that is not a word postgres reserves, which RDS refuses as a database name."],
      ['a word MySQL reserves as the database name', { engine: DatabaseEngine.MYSQL, databaseName: 'Database' },
        "databaseName is 'Database'; it must be a name that is not a word mysql reserves, which RDS refuses as a database name."],
      ['an instance class with the db. prefix, which RDS adds again', { instanceType: new ec2.InstanceType('db.t4g.micro') },
        "instanceType is 'db.t4g.micro'; it must be the class without the db. prefix, which RDS adds (this renders as 'db.db.t4g.micro'): "
        + "new ec2.InstanceType('t4g.micro'), or ec2.InstanceType.of(...)."],
      ['a maximum storage not above the allocated', { allocatedStorage: 100, maxAllocatedStorage: 100 },
        'maxAllocatedStorage is 100; it must be at least 110 GiB, 10% above allocatedStorage (100 GiB): RDS refuses a smaller maximum for storage autoscaling.'],
      ['a maximum storage less than 10% above the allocated', { allocatedStorage: 1000, maxAllocatedStorage: 1099 },
        'maxAllocatedStorage is 1099; it must be at least 1100 GiB, 10% above allocatedStorage (1000 GiB): RDS refuses a smaller maximum for storage autoscaling.'],
      ['a maximum storage where 10% above the allocated is past the limit', { allocatedStorage: 60000, maxAllocatedStorage: 65536 },
        "maxAllocatedStorage is 65536; it must be unset: 10% above allocatedStorage (60000 GiB), RDS's minimum for storage autoscaling, is past its 65536 GiB limit."],
      ['a PostgreSQL version with a wildcard', { engineVersion: '16.x' },
        "engineVersion is '16.x'; it must be a PostgreSQL version from 13 to 18, such as '17' or '17.4'."],
      ['a PostgreSQL version with a v prefix', { engineVersion: 'v16' },
        "engineVersion is 'v16'; it must be a PostgreSQL version from 13 to 18, such as '17' or '17.4'."],
      ['a MySQL version without its patch', { engine: DatabaseEngine.MYSQL, engineVersion: '8.0' },
        "engineVersion is '8.0'; it must be a full MySQL 8.0 or 8.4 version, such as '8.4.8'."],
      ['an engine version from a token', { engineVersion: Token.asString({ Ref: 'Version' }) },
        "engineVersion is a token, only known at deploy time; it must be a value known at synth: it decides the major version, which names the parameter group's family."],
      ['a replica count from a token', { readReplicas: Token.asNumber({ Ref: 'Replicas' }) },
        'readReplicas is a token, only known at deploy time; it must be a value known at synth: it decides how many replicas the pattern creates.'],
      ['an instance class without a size', { instanceType: new ec2.InstanceType('m7g') },
        "instanceType is 'm7g'; it must be an instance family and size, such as 'm7g.large' or 't4g.micro'."],
      ['a KMS key of another Region, by its ARN', { encryptionKey: kms.Key.fromKeyArn(newStack(), 'EuropeanKey', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') },
        "encryptionKey is 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'; it must be a KMS key in the database's Region, us-east-1, "
        + 'not eu-west-1: RDS encrypts with keys of its own Region only.'],
      ['a backup retention from a token in seconds', { backupRetention: Duration.seconds(Token.asNumber({ Ref: 'Retention' })) },
        "backupRetention is 'a token in seconds'; it must be in days when it is a token (Duration.days(token)): RDS takes the retention in days."],
      ['a rotation interval from a token', { masterPassword: MasterPassword.ROTATED_SECRET, rotationInterval: Duration.days(Token.asNumber({ Ref: 'Interval' })) },
        "rotationInterval is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's rotation schedule reads its days at synth."],
    ])('%s is refused, naming the prop, its value and what is allowed', (_, props, message) => {
      expect(attempt(props)).toThrow(line(message));
    });

    describe('engine versions aws-cdk-lib does not know', () => {
      const UNKNOWN_VERSION = 'cdk-best-practice-patterns:unknownEngineVersion';
      const warningsOf = (props: Props) => {
        const placed = place(props);
        return AssertionAnnotations.fromStack(placed.stack).findWarning('*', Match.stringLikeRegexp(UNKNOWN_VERSION));
      };

      test('a well-formed PostgreSQL version aws-cdk-lib does not know is warned of, naming the newest it knows of that major', () => {
        const placed = place({ engineVersion: '16.99' });
        AssertionAnnotations.fromStack(placed.stack).hasWarning(`/${placed.database.node.path}`, Match.stringLikeRegexp(
          "^engineVersion is '16\\.99', which aws-cdk-lib 2\\.\\d+\\.\\d+ does not know as a PostgreSQL version RDS offers "
          + '\\(its newest PostgreSQL 16 versions are 16\\.\\d+, 16\\.\\d+, 16\\.\\d+, 16\\.\\d+, 16\\.\\d+\\)\\. '
          + 'If RDS does not offer it, CloudFormation fails at deploy time, minutes into creating the instance\\. '
          + 'If it is newer than this aws-cdk-lib, upgrade aws-cdk-lib or acknowledge this warning\\. '
          + `\\[ack: ${UNKNOWN_VERSION}\\]$`));
      });

      test('the versions it names are the newest of the major, newest first', () => {
        const [warning] = warningsOf({ engineVersion: '16.99' });
        const named = /are ([\d., ]+)\)/.exec(String(warning.entry.data))![1].split(', ');
        // Numerically, not as text: 16.10 is newer than 16.9.
        const known = Object.values(rds.PostgresEngineVersion)
          .filter((v): v is rds.PostgresEngineVersion => v instanceof rds.PostgresEngineVersion)
          .map((v) => v.postgresFullVersion).filter((v) => /^16\.\d+$/.test(v));
        const newest = [...new Set(known)].sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1])).slice(0, 5);
        expect(named).toEqual(newest);
        expect(named).toHaveLength(5);
      });

      test('a well-formed MySQL version aws-cdk-lib does not know is warned of, naming the newest it knows of that major', () => {
        const [warning] = warningsOf({ engine: DatabaseEngine.MYSQL, engineVersion: '8.0.999' });
        expect(warning.entry.data).toMatch(
          /^engineVersion is '8\.0\.999', which aws-cdk-lib \S+ does not know as a MySQL version RDS offers \(its newest MySQL 8\.0 versions are 8\.0\.\d+, /);
      });

      test('the warning can be acknowledged', () => {
        const placed = place({ engineVersion: '17.99' });
        Annotations.of(placed.database).acknowledgeWarning(UNKNOWN_VERSION, 'RDS released 17.99 after this aws-cdk-lib');
        AssertionAnnotations.fromStack(placed.stack).hasNoWarning('*', Match.stringLikeRegexp(UNKNOWN_VERSION));
      });

      test.each<[string, Props]>([
        ['the default PostgreSQL version', {}],
        ['the default MySQL version', { engine: DatabaseEngine.MYSQL }],
        ['a PostgreSQL major version aws-cdk-lib knows', { engineVersion: '16' }],
        ['a full PostgreSQL version aws-cdk-lib knows', { engineVersion: '16.4' }],
        ['a MySQL 8.0 version aws-cdk-lib knows', { engine: DatabaseEngine.MYSQL, engineVersion: '8.0.39' }],
        ['a MySQL 8.4 version aws-cdk-lib knows', { engine: DatabaseEngine.MYSQL, engineVersion: '8.4.5' }],
      ])('%s is accepted without a warning', (_, props) => {
        expect(warningsOf(props)).toEqual([]);
      });
    });

    describe('instance classes and master user names RDS may refuse are warned of', () => {
      const UNKNOWN_CLASS = 'cdk-best-practice-patterns:unknownInstanceClass';
      const LONG_USERNAME = 'cdk-best-practice-patterns:longMasterUsername';
      const warningsOf = (props: Props, id: string) => AssertionAnnotations.fromStack(place(props).stack).findWarning('*', Match.stringLikeRegexp(id));

      test('a family RDS does not offer is warned of, naming the families it does', () => {
        const [warning] = warningsOf({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.C7G, ec2.InstanceSize.LARGE) }, UNKNOWN_CLASS);
        expect(warning.entry.data).toMatch(new RegExp(
          "^instanceType is 'c7g\\.large', which the pattern does not know as a DB instance class RDS offers for PostgreSQL and MySQL "
          + '\\(the families it knows RDS to offer are t2, t3, t4g, m4, .*, x2iedn\\)\\. If RDS does not offer it, CloudFormation fails at deploy time\\.'));
      });

      test('a size its family does not have on RDS is warned of, naming the sizes it has', () => {
        const [warning] = warningsOf({ instanceType: new ec2.InstanceType('t4g.nano') }, UNKNOWN_CLASS);
        expect(warning.entry.data).toMatch(/^instanceType is 't4g\.nano', .* \(RDS offers db\.t4g in the sizes micro, small, medium, large, xlarge, 2xlarge\)\./);
      });

      test('the defaults and classes RDS offers are not warned of; the warning can be acknowledged', () => {
        const offered: Props[] = [
          {},
          { stage: DeploymentStage.DEV },
          { engine: DatabaseEngine.MYSQL, instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE) },
          { instanceType: new ec2.InstanceType('r8g.48xlarge') },
        ];
        for (const props of offered) {
          expect(warningsOf(props, UNKNOWN_CLASS)).toEqual([]);
        }
        const placed = place({ instanceType: new ec2.InstanceType('m9g.large') });
        Annotations.of(placed.database).acknowledgeWarning(UNKNOWN_CLASS, 'RDS released db.m9g after this list');
        AssertionAnnotations.fromStack(placed.stack).hasNoWarning('*', Match.stringLikeRegexp(UNKNOWN_CLASS));
      });

      test('a master user name over the 16 characters RDS documents is warned of, up to the engine\'s own limit', () => {
        const [warning] = warningsOf({ masterUsername: 'application_admin' }, LONG_USERNAME);
        expect(warning.entry.data).toMatch(/^masterUsername is 'application_admin', 17 characters: RDS's API reference documents 1 to 16 for every engine, though postgres itself allows up to 63\./);
        expect(warningsOf({ engine: DatabaseEngine.MYSQL, masterUsername: 'a'.repeat(32) }, LONG_USERNAME)).toHaveLength(1);
        expect(warningsOf({ masterUsername: 'a'.repeat(16) }, LONG_USERNAME)).toEqual([]);
      });
    });

    test('a key created in a stack of another Region is refused; one of the same Region is accepted', () => {
      const app = newApp();
      const keys = new Stack(app, 'EuropeanKeys', { env: { account: TEST_ENV.account, region: 'eu-west-1' } });
      const databases = new Stack(app, 'Databases', { env: TEST_ENV, crossRegionReferences: true });
      const network = new MultiAzVpc(databases, 'Network');
      expect(() => new RelationalDatabase(databases, 'Db', { vpc: network.vpc, encryptionKey: new kms.Key(keys, 'Key') })).toThrow(
        "\n  - encryptionKey is 'EuropeanKeys/Key, a key of stack EuropeanKeys'; it must be a KMS key in the database's Region, us-east-1, not eu-west-1: "
        + 'RDS encrypts with keys of its own Region only.');
      expect(attempt({ encryptionKey: kms.Key.fromKeyArn(stack, 'SameRegionKey', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') })).not.toThrow();
    });

    test('names RDS accepts are accepted: the engines\' default users, admin on MySQL, words that only contain a reserved one', () => {
      expect(attempt({ masterUsername: 'postgres', databaseName: 'orders' })).not.toThrow();
      expect(attempt({ engine: DatabaseEngine.MYSQL, masterUsername: 'admin', databaseName: 'users' })).not.toThrow();
      expect(attempt({ masterUsername: 'app_user', databaseName: 'selection' })).not.toThrow();
      expect(attempt({ instanceType: new ec2.InstanceType('t4g.micro'), allocatedStorage: 1000, maxAllocatedStorage: 1100 })).not.toThrow();
    });

    test('a database name and master user name from parameters are accepted and passed through', () => {
      const tokenStack = new Stack(newApp(), 'NameTokens', { env: TEST_ENV });
      const tokenVpc = new MultiAzVpc(tokenStack, 'Network').vpc;
      const databaseName = new CfnParameter(tokenStack, 'DatabaseName').valueAsString;
      const masterUsername = new CfnParameter(tokenStack, 'MasterUsername').valueAsString;
      for (const engine of [DatabaseEngine.POSTGRES, DatabaseEngine.MYSQL]) {
        expect(() => new RelationalDatabase(tokenStack, `Db${engine}`, { vpc: tokenVpc, engine, databaseName, masterUsername })).not.toThrow();
      }
      const template = Template.fromStack(tokenStack);
      expect(instances(template).map((i) => [i.Properties.DBName, i.Properties.MasterUsername]))
        .toEqual([[{ Ref: 'DatabaseName' }, { Ref: 'MasterUsername' }], [{ Ref: 'DatabaseName' }, { Ref: 'MasterUsername' }]]);
    });

    test('the default maximum storage is 10% or more above the allocated storage, or absent where 65,536 GiB is not', () => {
      const maximum = (allocatedStorage: number) => primaryOf(build({ allocatedStorage }).template).Properties.MaxAllocatedStorage;
      expect(maximum(909)).toBe(1000);
      expect(maximum(910)).toBe(65536);
      expect(maximum(59578)).toBe(65536);
      expect(maximum(59579)).toBeUndefined();
    });

    test('an engine from a token is refused: the engine decides what the pattern creates, at synth', () => {
      expect(attempt({ engine: Token.asString({ Ref: 'Engine' }) as DatabaseEngine })).toThrow(
        "engine is a token, only known at deploy time; it must be a value known at synth: it decides the engine's version, parameters, port, log exports and reserved names.");
    });

    test('names up to the engine\'s limits are accepted, and 65,536 GiB without autoscaling', () => {
      expect(attempt({ masterUsername: 'a'.repeat(63), databaseName: 'b'.repeat(63) })).not.toThrow();
      expect(attempt({ engine: DatabaseEngine.MYSQL, masterUsername: 'a'.repeat(32), databaseName: 'b'.repeat(64) })).not.toThrow();
      expect(attempt({ allocatedStorage: 65536 })).not.toThrow();
      const { template } = build({ allocatedStorage: 65536 });
      expect(primaryOf(template).Properties.MaxAllocatedStorage).toBeUndefined();
      expect(primaryOf(build({ allocatedStorage: 2000 }).template).Properties.MaxAllocatedStorage).toBe(65536);
    });

    test('alarm thresholds just inside their limits are accepted', () => {
      expect(attempt({
        freeableMemoryThreshold: Size.bytes(8 * 1024 ** 3 - 1), freeStorageSpaceThreshold: Size.gibibytes(19), connectionsThreshold: 262_142,
      })).not.toThrow();
      expect(attempt({
        engine: DatabaseEngine.MYSQL, connectionsThreshold: 99_999, readReplicas: 1, replicaLagThreshold: Duration.days(30),
      })).not.toThrow();
      expect(attempt({ readReplicas: 1, replicaLagThreshold: Duration.seconds(1), freeableMemoryThreshold: Size.kibibytes(1) })).not.toThrow();
      // A class whose memory the pattern does not know: any memory above 0.
      expect(attempt({ instanceType: new ec2.InstanceType('x2g.large'), freeableMemoryThreshold: Size.gibibytes(64) })).not.toThrow();
    });

    test('every invalid prop is reported in one error', () => {
      expect(attempt({ port: 1, readReplicas: 99, allocatedStorage: 1 })).toThrow(/3 invalid props/);
    });

    test('adjacent windows, and windows on different days, are accepted; a token is not validated', () => {
      expect(attempt({ preferredBackupWindow: '04:00-05:00', preferredMaintenanceWindow: 'sun:05:00-sun:06:00' })).not.toThrow();
      expect(attempt({ preferredBackupWindow: '23:00-23:30', preferredMaintenanceWindow: 'mon:00:00-mon:00:30' })).not.toThrow();
      const tokenStack = new Stack(newApp(), 'Tokens', { env: TEST_ENV });
      const tokenVpc = new MultiAzVpc(tokenStack, 'Network').vpc;
      expect(() => new RelationalDatabase(tokenStack, 'Db', { vpc: tokenVpc, allocatedStorage: Lazy.number({ produce: () => 50 }), port: Lazy.number({ produce: () => 1 }) })).not.toThrow();
    });
  });

  describe('values known only at deploy time', () => {
    const fromTokens = (props: (t: DeployTimeValues, stack: Stack) => Props) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      new RelationalDatabase(stack, 'Database', { vpc, ...props(t, stack) });
      return Template.fromStack(stack);
    };
    const primary = (template: Template) => primaryOf(template).Properties;

    it.each<[string, (t: DeployTimeValues, stack: Stack) => Props, (template: Template) => void]>([
      ['instanceType', (t) => ({ instanceType: new ec2.InstanceType(t.text) }), (tp) => expect(primary(tp).DBInstanceClass).toEqual({ 'Fn::Join': ['', ['db.', { Ref: 'DeployTimeText' }]] })],
      ['databaseName', (t) => ({ databaseName: t.text }), (tp) => expect(primary(tp).DBName).toEqual({ Ref: 'DeployTimeText' })],
      ['masterUsername', (t) => ({ masterUsername: t.text }), (tp) => expect(primary(tp).MasterUsername).toEqual({ Ref: 'DeployTimeText' })],
      ['masterPassword', (t) => ({ masterPassword: t.text as MasterPassword }), (tp) => expect(primary(tp).ManageMasterUserPassword).toBeUndefined()],
      ['port', (t) => ({ port: t.number }), (tp) => expect(primary(tp).Port).toEqual({ Ref: 'DeployTimeNumber' })],
      ['allocatedStorage', (t) => ({ allocatedStorage: t.number }), (tp) => {
        expect(primary(tp).AllocatedStorage).toEqual({ Ref: 'DeployTimeNumber' });
        // Its alarm cannot take 5% of a parameter: it fires at 5% of RDS's smallest allocation, and says so.
        tp.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', Threshold: Math.round(20 * 1024 ** 3 * 0.05), AlarmDescription: Match.stringLikeRegexp('less than 1 GiB') });
      }],
      ['maxAllocatedStorage', (t) => ({ maxAllocatedStorage: t.number }), (tp) => expect(primary(tp).MaxAllocatedStorage).toEqual({ Ref: 'DeployTimeNumber' })],
      ['backupRetention, in days', (t) => ({ backupRetention: Duration.days(t.number) }), (tp) => expect(primary(tp).BackupRetentionPeriod).toEqual({ Ref: 'DeployTimeNumber' })],
      ['preferredBackupWindow', (t) => ({ preferredBackupWindow: t.text }), (tp) => expect(primary(tp).PreferredBackupWindow).toEqual({ Ref: 'DeployTimeText' })],
      ['preferredMaintenanceWindow', (t) => ({ preferredMaintenanceWindow: t.text }), (tp) => expect(primary(tp).PreferredMaintenanceWindow).toEqual({ Ref: 'DeployTimeText' })],
      ['cpuAlarmThreshold', (t) => ({ cpuAlarmThreshold: t.number }), (tp) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization',
        Threshold: { Ref: 'DeployTimeNumber' },
        // The description names the parameter's value, not a token's encoding.
        AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] },
      })],
      ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays }), (tp) => tp.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'DeployTimeNumber' } })],
      // Each description names the parameter's value, not a token's encoding.
      ...([
        ['freeableMemoryThreshold, in bytes', 'FreeableMemory', (t) => ({ freeableMemoryThreshold: Size.bytes(t.number) })],
        ['freeStorageSpaceThreshold, in bytes', 'FreeStorageSpace', (t) => ({ freeStorageSpaceThreshold: Size.bytes(t.number) })],
        ['connectionsThreshold', 'DatabaseConnections', (t) => ({ connectionsThreshold: t.number })],
        ['replicaLagThreshold, in seconds', 'ReplicaLag', (t) => ({ readReplicas: 1, replicaLagThreshold: Duration.seconds(t.number) })],
      ] as Array<[string, string, (t: DeployTimeValues) => Props]>).map(([name, metric, props]) => [name, props, (tp: Template) => tp.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Threshold: { Ref: 'DeployTimeNumber' },
        AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] },
      })] as [string, (t: DeployTimeValues, stack: Stack) => Props, (template: Template) => void]),
      ['encryptionKey', (t, stack) => ({ encryptionKey: kms.Key.fromKeyArn(stack, 'TokenKey', t.text) }), (tp) => expect(primary(tp).KmsKeyId).toEqual({ Ref: 'DeployTimeText' })],
    ])('accepts a token for %s, and passes it on', (_prop, props, reached) => {
      reached(fromTokens(props));
    });

    test('with the allocated storage from a token, a free storage threshold must stay below the maximum storage', () => {
      const threshold = (gib: number) => Size.gibibytes(gib);
      expect(() => fromTokens((t) => ({ allocatedStorage: t.number, maxAllocatedStorage: 200, freeStorageSpaceThreshold: threshold(200) }))).toThrow(
        /^ {2}- freeStorageSpaceThreshold is 200 GiB; it must be above 0 and below maxAllocatedStorage \(200 GiB\): free space never exceeds the storage\.$/m);
      expect(() => fromTokens((t) => ({ allocatedStorage: t.number, maxAllocatedStorage: t.number, freeStorageSpaceThreshold: threshold(65_536) })))
        .toThrow(
          /^ {2}- freeStorageSpaceThreshold is 64 TiB; it must be above 0 and below 65536 GiB, the most storage RDS allocates: .*$/m);
      expect(() => fromTokens((t) => ({ allocatedStorage: t.number, freeStorageSpaceThreshold: Size.gibibytes(100) }))).not.toThrow();
    });

    it.each<[string, (t: DeployTimeValues) => Props, string]>([
      ['engine', (t) => ({ engine: t.text as DatabaseEngine }),
        "engine is a token, only known at deploy time; it must be a value known at synth: it decides the engine's version, parameters, port, log exports and reserved names."],
      ['engineVersion', (t) => ({ engineVersion: t.text }),
        "engineVersion is a token, only known at deploy time; it must be a value known at synth: it decides the major version, which names the parameter group's family."],
      ['readReplicas', (t) => ({ readReplicas: t.number }),
        'readReplicas is a token, only known at deploy time; it must be a value known at synth: it decides how many replicas the pattern creates.'],
      ['rotationInterval', (t) => ({ masterPassword: MasterPassword.ROTATED_SECRET, rotationInterval: Duration.days(t.number) }),
        "rotationInterval is a token, only known at deploy time; it must be a value known at synth: aws-cdk-lib's rotation schedule reads its days at synth."],
      ['freeableMemoryThreshold in MiB', (t) => ({ freeableMemoryThreshold: Size.mebibytes(t.number) }),
        "freeableMemoryThreshold is 'a token in mebibytes'; it must be given as Size.bytes(...) when only known at deploy time: the alarm compares bytes, and CloudFormation cannot convert mebibytes."],
      ['replicaLagThreshold in minutes', (t) => ({ readReplicas: 1, replicaLagThreshold: Duration.minutes(t.number) }),
        "replicaLagThreshold is 'a token in minutes'; it must be given as Duration.seconds(...) when only known at deploy time: the template holds seconds, and CloudFormation cannot convert minutes."],
      ['backupRetention in seconds', (t) => ({ backupRetention: t.duration }),
        "backupRetention is 'a token in seconds'; it must be in days when it is a token (Duration.days(token)): RDS takes the retention in days."],
    ])('refuses a token for %s, saying why', (_prop, props, message) => {
      expect(() => fromTokens(props)).toThrow(message);
    });
  });

  describe('compliance', () => {
    test.each<[string, Props]>([
      ['defaults', {}],
      ['DEV', { stage: DeploymentStage.DEV }],
    ])('%s: no unacknowledged finding in any of the five cdk-nag packs, under 3.x and 2.x', (_, props) => {
      const app = newApp();
      place(props, new Stack(app, 'Compliance'));
      // Both majors in one synth of the one app.
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });

    test('fully configured, and PostgreSQL with replicas and a proxy: no unacknowledged finding under 3.x and 2.x', () => {
      const app = newApp();
      const stack = new Stack(app, 'Compliance', { env: TEST_ENV });
      place(fullyConfigured(stack), stack);
      const network = new MultiAzVpc(stack, 'OtherNetwork');
      new RelationalDatabase(stack, 'Postgres', { vpc: network.vpc, readReplicas: 2, proxy: true, port: 6543 });
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });
  });

  describe('with a HardenedBackupPlan', () => {
    const stack = newStack({ withEnv: true });
    const backups = new HardenedBackupPlan(stack, 'Backups');
    const { database, template } = build({ backupPlan: backups }, stack);

    test("selects exactly its own instance, under the database, with the plan's backup role", () => {
      const selections = template.findResources('AWS::Backup::BackupSelection');
      expect(Object.keys(selections)).toHaveLength(1);
      const [id, selection] = Object.entries(selections)[0];
      expect(id).toMatch(/^DatabaseBackupSelection/);
      expect(selection.Properties.BackupSelection.Resources).toHaveLength(1);
      const instanceId = stack.getLogicalId(database.instance.node.defaultChild as rds.CfnDBInstance);
      expect(JSON.stringify(selection.Properties.BackupSelection.Resources[0])).toContain(instanceId);
      expect(selection.Properties.BackupSelection.IamRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupsBackupRole/), 'Arn'] });
      expect(selection.Properties.BackupPlanId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupsPlan/), 'BackupPlanId'] });
      // The database's own selection role is not created: the plan's serves every selection.
      expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((r) => r.startsWith('DatabaseBackupSelection'))).toEqual([]);
    });

    test("keeps its automated backups as long as the plan's continuous rule, which takes them over; a retention given still wins", () => {
      template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 35 });
      const devStack = newStack({ withEnv: true });
      build({ stage: DeploymentStage.DEV, backupPlan: new HardenedBackupPlan(devStack, 'Backups', { stage: DeploymentStage.DEV }) }, devStack)
        .template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 7 });
      const snapshotsOnly = newStack({ withEnv: true });
      build({ backupPlan: new HardenedBackupPlan(snapshotsOnly, 'Backups', { continuousBackup: false }) }, snapshotsOnly)
        .template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14 });
      const given = newStack({ withEnv: true });
      build({ backupRetention: Duration.days(21), backupPlan: new HardenedBackupPlan(given, 'Backups') }, given)
        .template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 21 });
    });

    test('acknowledges no RDSInBackupPlan finding, and the five packs pass under 3.x and 2.x', () => {
      const instance = database.instance.node.defaultChild as rds.CfnDBInstance;
      const suppressed = (instance.getMetadata('cdk_nag')?.rules_to_suppress ?? []).map((r: { id: string }) => r.id);
      expect(suppressed.filter((id: string) => id.endsWith('RDSInBackupPlan'))).toEqual([]);
      const app = newApp();
      const nagStack = new Stack(app, 'Compliance', { env: TEST_ENV });
      place({ backupPlan: new HardenedBackupPlan(nagStack, 'Backups') }, nagStack);
      const { v3, v2 } = runNagPacksOfBothMajors(app);
      expect(v3).toEqual(COMPLIANT);
      expect(v2).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two databases in one stack synthesize, each with its own identifier and log groups', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      new RelationalDatabase(stack, 'Orders', { vpc: network.vpc });
      new RelationalDatabase(stack, 'Billing', { vpc: network.vpc, engine: DatabaseEngine.MYSQL });
      const template = Template.fromStack(stack);
      const identifiers = instances(template).map((i) => i.Properties.DBInstanceIdentifier);
      expect(new Set(identifiers).size).toBe(2);
      for (const id of identifiers) {
        expect(id).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
        expect(id).not.toMatch(/--|-$/);
      }
      template.resourceCountIs('AWS::Logs::LogGroup', 1 + 4);
    });
  });

  describe('across stacks', () => {
    // One app, built once: in a Stage, the network in its own stack, the key and the backup plan
    // in a Shared stack, the databases in a Data stack, and every client (a function, a Fargate
    // service reading the secret into its task) in an App stack, as real apps split them.
    const { networkStack, shared, data, service } = dataTierSplit();
    const network = new MultiAzVpc(networkStack, 'Network');
    const key = new GuardedKey(shared, 'Key', { description: 'The shared data key' });
    const database = new RelationalDatabase(data, 'Database', {
      vpc: network.vpc, encryptionKey: key, backupPlan: new HardenedBackupPlan(shared, 'Backups'), proxy: true,
    });
    // A rotated secret (an attachment's ARN) under the database's own key.
    const rotated = new RelationalDatabase(data, 'Rotated', { vpc: network.vpc, masterPassword: MasterPassword.ROTATED_SECRET });
    const api = new HardenedFunction(service, 'Api', { code: lambda.Code.fromInline('exports.handler = async () => 1;'), vpc: network.vpc });
    const web = new AlbFargateService(service, 'Web', {
      vpc: network.vpc,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password') },
      allowInsecureHttp: true,
    });
    for (const db of [database, rotated]) {
      db.allowConnectionsFrom(api);
      db.grantConnect(api, 'app');
      db.secret.grantRead(api);
    }
    database.allowConnectionsFrom(web.service);
    let templates: Record<'network' | 'shared' | 'data' | 'service', Template>;
    beforeAll(() => {
      templates = templatesOf({ network: networkStack, shared, data, service });
    });

    test("the databases' stack references only the network's and the key's; those reference nothing", () => {
      expect(referencedStacks(templates.data)).toEqual([networkStack.stackName, shared.stackName].sort());
      expect(referencedStacks(templates.network)).toEqual([]);
      expect(referencedStacks(templates.shared)).toEqual([]);
      // The plan's selection is the database's, in the database's stack.
      templates.data.resourceCountIs('AWS::Backup::BackupSelection', 1);
    });

    test("allowConnectionsFrom: the database's and the proxy's ingress rules are in the client's stack, for a function and a Fargate service", () => {
      const ingress = Object.values(templates.service.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
      const into = (target: RegExp) => ingress.filter((r) => target.test(JSON.stringify(r.GroupId)) && r.FromPort === 5432 && r.ToPort === 5432);
      // The function and the service into the database and its proxy; the function into the second database.
      expect(into(/DatabaseSecurityGroup/).map((r) => JSON.stringify(r.SourceSecurityGroupId)).sort())
        .toEqual([expect.stringMatching(/Api/), expect.stringMatching(/Web/)]);
      expect(into(/DatabaseProxySecurityGroup/)).toHaveLength(2);
      expect(into(/RotatedSecurityGroup/)).toHaveLength(1);
    });

    test("secret.grantRead and ecs.Secret.fromSecretsManager: the secret's grant is the grantee's IAM policy, in the grantee's stack", () => {
      const statements = policyStatements(templates.service).filter((st) => st.includes('secretsmanager:GetSecretValue'));
      // The function's, on both secrets (the RDS-managed one and the rotated one's attachment), and
      // the task's execution role's, on the one it reads: by their ARNs, from the databases' stack.
      expect(statements).toHaveLength(2);
      expect(statements.filter((st) => /MasterUserSecretSecretArn.*RotatedInstanceSecretAttachment/.test(st))).toHaveLength(1);
      expect(statements.filter((st) => /MasterUserSecretSecretArn/.test(st) && !/Rotated/.test(st))).toHaveLength(1);
      expect(database.secret.encryptionKey).toBeUndefined();
      expect(policyStatements(templates.service).join()).toContain('rds-db:connect');
    });

    test("the grantees decrypt through Secrets Manager by their own policies; no key names a role of the clients' stack", () => {
      const statements = policyStatements(templates.service);
      // The function on both databases' keys (the shared one, the rotated database's own); the
      // task's execution role on the shared one, for the secret it reads.
      const grants = keyGrants(statements, /./);
      expect(grants.length).toBeGreaterThanOrEqual(2);
      // The keys, read from their stacks: the shared key's and the rotated database's own.
      const keyStacks = new Set(grants.flatMap((st) => [st.Resource].flat()).map((r: any) => r['Fn::GetStackOutput']?.StackName));
      expect(keyStacks).toEqual(new Set([shared.stackName, data.stackName]));
      for (const template of [templates.shared, templates.data]) {
        for (const keyResource of Object.values(template.findResources('AWS::KMS::Key'))) {
          expect(JSON.stringify(keyResource.Properties.KeyPolicy)).not.toMatch(/Prod-App|ApiServiceRole|WebExecutionRole/);
          // Nor lets any principal of the account decrypt whatever its IAM policy says.
          expect(keyResource.Properties.KeyPolicy.Statement.filter((st: any) => st.Effect === 'Allow' && st.Principal?.AWS === '*')).toEqual([]);
        }
      }
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      place(fullyConfigured(stack), stack);
      new RelationalDatabase(stack, 'Defaults', { vpc: new MultiAzVpc(stack, 'Other').vpc });
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
