import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CacheEngine, DeploymentStage, GuardedKey, HardenedFunction, InMemoryCache, InMemoryCacheProps, MultiAzVpc } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { dataTierSplit, referencedStacks, templatesOf } from '../support/cross-stack';
import { errorLines, KEY_GRANT_GUARD } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

/** The first block of the stack's id, as the template computes it. */
const STACK_ID_BLOCK = { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] };
const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

type Props = Omit<InMemoryCacheProps, 'vpc'>;

/** The cache in a MultiAzVpc (three Availability Zones), without synthesizing. */
function place(props: Props = {}, stack = newStack({ withEnv: true })) {
  const network = new MultiAzVpc(stack, 'Network');
  const cache = new InMemoryCache(stack, 'Cache', { vpc: network.vpc, ...props });
  return { stack, network, cache };
}

function build(props: Props = {}, stack = newStack({ withEnv: true })) {
  const placed = place(props, stack);
  return { ...placed, template: Template.fromStack(stack) };
}

/**
 * Redis OSS in cluster mode, 4 shards of 3 nodes (12: the node alarms need two groups of at most
 * 10), every setting given, and a HardenedFunction allowed in and granted: the snapshot's fully
 * configured set.
 */
const CLUSTER_MODE: Props = {
  stage: DeploymentStage.PROD,
  engine: CacheEngine.REDIS_OSS,
  engineVersion: '7.1',
  nodeType: 'cache.r7g.xlarge',
  shards: 4,
  replicasPerShard: 2,
  snapshotRetention: Duration.days(20),
  snapshotWindow: '22:00-23:00',
  maintenanceWindow: 'sat:23:00-sun:00:30',
  logRetention: logs.RetentionDays.THREE_MONTHS,
  applicationAccessString: 'on ~app:* +@read +@write',
  cpuAlarmThreshold: 70,
  memoryAlarmThreshold: 75,
  connectionsThreshold: 40_000,
  evictionsThreshold: 50,
  replicationLagThreshold: Duration.seconds(10),
  authenticationFailuresThreshold: 5,
};

function placeCluster(stack: Stack) {
  const placed = place(CLUSTER_MODE, stack);
  const api = new HardenedFunction(stack, 'Api', { code: CODE, vpc: placed.network.vpc });
  placed.cache.allowConnectionsFrom(api);
  placed.cache.grantConnect(api);
  return { ...placed, api };
}

/**
 * PROD defaults, DEV defaults, cluster mode with its client, and DEV node-based, in one stack of one
 * VPC: the compliance and validity checks read each kind, and one VPC instead of four keeps them fast.
 */
function placeEveryKind(app: App) {
  const stack = new Stack(app, 'Caches', { env: TEST_ENV });
  const vpc = new MultiAzVpc(stack, 'Network').vpc;
  new InMemoryCache(stack, 'Prod', { vpc });
  new InMemoryCache(stack, 'Dev', { vpc, stage: DeploymentStage.DEV });
  const cluster = new InMemoryCache(stack, 'Cluster', { vpc, ...CLUSTER_MODE });
  const api = new HardenedFunction(stack, 'Api', { code: CODE, vpc });
  cluster.allowConnectionsFrom(api);
  cluster.grantConnect(api);
  new InMemoryCache(stack, 'DevNodes', { vpc, stage: DeploymentStage.DEV, serverless: false });
  return stack;
}

const resources = (template: Template, type: string) => template.findResources(type);
const onlyResource = (template: Template, type: string) => {
  const found = Object.entries(resources(template, type));
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
};
const groupOf = (template: Template) => onlyResource(template, 'AWS::ElastiCache::ReplicationGroup');
const serverlessOf = (template: Template) => onlyResource(template, 'AWS::ElastiCache::ServerlessCache');
const users = (template: Template) => Object.values(resources(template, 'AWS::ElastiCache::User')).map((u) => u.Properties);
/** The cache's alarms (the VPC's NAT gateway alarms left out). */
const alarms = (template: Template): any[] => Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties)
  .filter((a) => JSON.stringify(a).includes('AWS/ElastiCache'));
const cacheSecurityGroupId = (template: Template) =>
  Object.keys(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^The ElastiCache cache') } }))[0];
/** The node ids an alarm's expression reads, by its CacheClusterId dimension. */
const nodesOf = (alarm: any): string[] => alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => {
  expect(m.MetricStat.Metric.Dimensions).toHaveLength(1);
  expect(m.MetricStat.Metric.Dimensions[0].Name).toBe('CacheClusterId');
  return m.MetricStat.Metric.Dimensions[0].Value;
});

describe('InMemoryCache', () => {
  // Built once and shared: each synthesis costs time, and the file must stay fast.
  const prod = build();
  const dev = build({ stage: DeploymentStage.DEV });
  const clusterStack = newStack({ withEnv: true });
  const cluster = { ...placeCluster(clusterStack), template: undefined as unknown as Template };
  cluster.template = Template.fromStack(clusterStack);
  const devNodes = build({ stage: DeploymentStage.DEV, serverless: false });
  const prodName = prod.cache.endpoint.userName;
  const devName = dev.cache.endpoint.userName;
  const clusterName = cluster.cache.endpoint.userName;

  describe('snapshots', () => {
    test('PROD defaults: a Multi-AZ Valkey replication group', () => {
      expect(normalizedTemplate(prod.stack)).toMatchSnapshot();
    });

    test('DEV defaults: a serverless Valkey cache', () => {
      expect(normalizedTemplate(dev.stack)).toMatchSnapshot();
    });

    test('fully configured: Redis OSS in cluster mode, a client allowed in and granted', () => {
      expect(normalizedTemplate(cluster.stack)).toMatchSnapshot();
    });
  });

  describe('kind, engine and placement', () => {
    test('PROD: a Valkey 8.1 replication group of two cache.r7g.large nodes; DEV: Valkey 8 serverless; DEV node-based: one cache.t4g.micro', () => {
      expect(groupOf(prod.template).resource.Properties).toMatchObject({
        Engine: 'valkey', EngineVersion: '8.1', CacheNodeType: 'cache.r7g.large', NumCacheClusters: 2, Port: 6379, AutoMinorVersionUpgrade: true,
      });
      prod.template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
      expect(prod.cache.serverlessCache).toBeUndefined();
      expect(serverlessOf(dev.template).resource.Properties).toMatchObject({ Engine: 'valkey', MajorEngineVersion: '8' });
      dev.template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
      expect(dev.cache.replicationGroup).toBeUndefined();
      expect(groupOf(devNodes.template).resource.Properties).toMatchObject({ CacheNodeType: 'cache.t4g.micro', NumCacheClusters: 1 });
    });

    test('names derived from the construct path (ElastiCache names them per account and region; the alarms need them): lower case, at most 40 characters, alike for the cache, user and group', () => {
      expect(prodName).toMatch(/^teststack-cache-[0-9a-f]{8}$/);
      expect(groupOf(prod.template).resource.Properties.ReplicationGroupId).toBe(prodName);
      expect(serverlessOf(dev.template).resource.Properties.ServerlessCacheName).toBe(devName);
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      const long = new InMemoryCache(stack, `A${'Very'.repeat(20)}LongCacheName`, { vpc: network.vpc, engine: CacheEngine.REDIS_OSS });
      const digit = new InMemoryCache(new Stack(stack, '9Nested'), 'Cache', { vpc: network.vpc, engine: CacheEngine.REDIS_OSS });
      for (const cache of [long, digit]) {
        const ids = [cache.endpoint.userName, ...cache.userGroup.userIds.map((ref) => (cache.node.scope as Stack).resolve(ref))];
        expect(cache.endpoint.userName).toMatch(/^[a-z][a-z0-9-]{0,37}$/);
        expect(cache.endpoint.userName).not.toMatch(/--|-$/);
        expect(ids).toHaveLength(3);
      }
      const defaultIds = [long, digit].map((cache) => Stack.of(cache).resolve(
        (cache.node.findChild('DisabledDefaultUser') as any).userId));
      defaultIds.forEach((id, i) => {
        expect(id.length).toBeLessThanOrEqual(40);
        expect(id).not.toBe([long, digit][i].endpoint.userName);
        expect(id).not.toMatch(/-$/);
      });
    });

    test('in the isolated subnets: a subnet group for the nodes, the subnet list for serverless', () => {
      const isolated = prod.network.vpc.isolatedSubnets.map((s) => prod.stack.resolve(s.subnetId));
      expect(isolated).toHaveLength(3);
      prod.template.hasResourceProperties('AWS::ElastiCache::SubnetGroup', { SubnetIds: isolated });
      expect(groupOf(prod.template).resource.Properties.CacheSubnetGroupName).toEqual({ Ref: onlyResource(prod.template, 'AWS::ElastiCache::SubnetGroup').id });
      const devIsolated = dev.network.vpc.isolatedSubnets.map((s) => dev.stack.resolve(s.subnetId));
      expect(serverlessOf(dev.template).resource.Properties.SubnetIds).toEqual(devIsolated);
      dev.template.resourceCountIs('AWS::ElastiCache::SubnetGroup', 0);
    });

    test('a security group that admits nothing and sends nothing until a client is allowed in, then only that client on 6379 (serverless: 6380 too)', () => {
      for (const { template, cache } of [prod, dev]) {
        const groupId = cacheSecurityGroupId(template);
        const group = template.toJSON().Resources[groupId];
        expect(group.Properties.SecurityGroupIngress).toBeUndefined();
        expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
        template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
        expect(cache.securityGroup).toBe(cache.connections.securityGroups[0]);
      }
      for (const [props, ports] of [[{}, [6379]], [{ stage: DeploymentStage.DEV }, [6379, 6380]]] as const) {
        const { stack, cache, network } = place(props);
        const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
        cache.allowConnectionsFrom(client);
        const template = Template.fromStack(stack);
        const ingress = Object.values(resources(template, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
        expect(ingress.map((r) => [r.FromPort, r.ToPort, r.IpProtocol])).toEqual(ports.map((p) => [p, p, 'tcp']));
        for (const rule of ingress) {
          expect(rule.GroupId).toEqual({ 'Fn::GetAtt': [cacheSecurityGroupId(template), 'GroupId'] });
          expect(rule.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(client.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] });
        }
      }
    });

    test('the endpoint: the primary and reader endpoints, the configuration endpoint in cluster mode, the port, TLS, the user and the name a token is signed for', () => {
      const group = groupOf(prod.template).id;
      expect(prod.stack.resolve(prod.cache.endpoint)).toEqual({
        hostname: { 'Fn::GetAtt': [group, 'PrimaryEndPoint.Address'] },
        readerHostname: { 'Fn::GetAtt': [group, 'ReaderEndPoint.Address'] },
        port: 6379,
        tls: true,
        userName: prodName,
        cacheName: groupOf(prod.template).resource.Properties.ReplicationGroupId,
        serverless: false,
      });
      const cache = serverlessOf(dev.template).id;
      expect(dev.stack.resolve(dev.cache.endpoint)).toEqual({
        hostname: { 'Fn::GetAtt': [cache, 'Endpoint.Address'] },
        readerHostname: { 'Fn::GetAtt': [cache, 'ReaderEndpoint.Address'] },
        port: 6379,
        tls: true,
        userName: devName,
        cacheName: serverlessOf(dev.template).resource.Properties.ServerlessCacheName,
        serverless: true,
      });
      expect(cluster.stack.resolve(cluster.cache.endpoint)).toEqual({
        hostname: { 'Fn::GetAtt': [groupOf(cluster.template).id, 'ConfigurationEndPoint.Address'] },
        port: 6379,
        tls: true,
        userName: clusterName,
        cacheName: groupOf(cluster.template).resource.Properties.ReplicationGroupId,
        serverless: false,
      });
      expect(devNodes.cache.endpoint.readerHostname).toBeUndefined();
    });
  });

  describe('encryption and access', () => {
    test('encrypted at rest with its own rotating guarded key, on both kinds; TLS required', () => {
      for (const [template, stack, cache, properties] of [
        [prod.template, prod.stack, prod.cache, groupOf(prod.template).resource.Properties],
        [dev.template, dev.stack, dev.cache, serverlessOf(dev.template).resource.Properties],
      ] as const) {
        const keyId = stack.getLogicalId(cache.encryptionKey.node.defaultChild as any);
        expect(properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
        const key = template.toJSON().Resources[keyId];
        expect(key.Properties.EnableKeyRotation).toBe(true);
        expect(key.Properties.Description).toMatch(/^Encrypts the ElastiCache cache TestStack\/Cache and its snapshots/);
        expect(key.Properties.KeyPolicy.Statement).toContainEqual(KEY_GRANT_GUARD);
      }
      expect(groupOf(prod.template).resource.Properties).toMatchObject({ AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true });
      // Unset: created with encryption in transit, the group refuses plain connections ('required').
      expect(groupOf(prod.template).resource.Properties.TransitEncryptionMode).toBeUndefined();
      expect(groupOf(prod.template).resource.Properties.AuthToken).toBeUndefined();
      prod.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { Description: Match.stringLikeRegexp('ElastiCache cache') } });
      dev.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { Description: Match.stringLikeRegexp('ElastiCache cache') } });
    });

    test('a given key encrypts the cache instead, and no cache key is created', () => {
      const stack = newStack({ withEnv: true });
      const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
      const { template } = build({ encryptionKey: key }, stack);
      expect(groupOf(template).resource.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
      expect(Object.keys(resources(template, 'AWS::KMS::Key')).filter((id) => id.startsWith('CacheKey'))).toEqual([]);
    });

    test('Valkey: a user group of the IAM application user alone, no default user, name equal to id', () => {
      for (const { template, cache } of [prod, dev]) {
        const [user] = users(template);
        expect(users(template)).toHaveLength(1);
        expect(user).toEqual({
          Engine: 'valkey',
          UserId: cache.endpoint.userName,
          UserName: cache.endpoint.userName,
          AuthenticationMode: { Type: 'iam' },
          AccessString: 'on ~* +@all -@dangerous',
        });
        const group = onlyResource(template, 'AWS::ElastiCache::UserGroup');
        expect(group.resource.Properties).toEqual({
          Engine: 'valkey',
          UserGroupId: cache.endpoint.userName,
          UserIds: [{ Ref: Object.keys(resources(template, 'AWS::ElastiCache::User'))[0] }],
        });
      }
      expect(groupOf(prod.template).resource.Properties.UserGroupIds).toEqual([{ Ref: onlyResource(prod.template, 'AWS::ElastiCache::UserGroup').id }]);
      expect(serverlessOf(dev.template).resource.Properties.UserGroupId).toEqual({ Ref: onlyResource(dev.template, 'AWS::ElastiCache::UserGroup').id });
    });

    test("Redis OSS: the IAM application user and a disabled user named 'default' ('off -@all'), both in the group", () => {
      const all = users(cluster.template);
      expect(all).toEqual([
        { Engine: 'redis', UserId: clusterName, UserName: clusterName, AuthenticationMode: { Type: 'iam' }, AccessString: 'on ~app:* +@read +@write' },
        { Engine: 'redis', UserId: `${clusterName}-default`, UserName: 'default', AuthenticationMode: { Type: 'no-password-required' }, AccessString: 'off -@all' },
      ]);
      const group = onlyResource(cluster.template, 'AWS::ElastiCache::UserGroup').resource.Properties;
      expect(group.Engine).toBe('redis');
      expect(group.UserIds).toEqual(Object.keys(resources(cluster.template, 'AWS::ElastiCache::User')).map((id) => ({ Ref: id })));
    });

    test("grantConnect: exactly elasticache:Connect on the cache and the user, in the HardenedFunction's managed policy", () => {
      const policies = Object.entries(resources(cluster.template, 'AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('ApiRolePolicy'));
      expect(policies).toHaveLength(1);
      cluster.template.resourceCountIs('AWS::IAM::Policy', 0);
      const userId = Object.entries(resources(cluster.template, 'AWS::ElastiCache::User')).find(([, u]) => u.Properties.UserName === clusterName)![0];
      expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual([{
        Effect: 'Allow',
        Action: 'elasticache:Connect',
        Resource: [`arn:aws:elasticache:us-east-1:123456789012:replicationgroup:${clusterName}`, { 'Fn::GetAtt': [userId, 'Arn'] }],
      }]);
      // Serverless: the cache's own ARN.
      const { stack, cache } = place({ stage: DeploymentStage.DEV });
      const fn = new HardenedFunction(stack, 'Api', { code: CODE });
      cache.grantConnect(fn);
      const template = Template.fromStack(stack);
      const [, policy] = Object.entries(resources(template, 'AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('ApiRolePolicy'))!;
      expect(policy.Properties.PolicyDocument.Statement).toEqual([{
        Effect: 'Allow',
        Action: 'elasticache:Connect',
        Resource: [{ 'Fn::GetAtt': [Object.keys(resources(template, 'AWS::ElastiCache::User'))[0], 'Arn'] }, { 'Fn::GetAtt': [serverlessOf(template).id, 'ARN'] }],
      }]);
    });
  });

  describe('availability and durability', () => {
    test('PROD: Multi-AZ with automatic failover and one replica', () => {
      expect(groupOf(prod.template).resource.Properties).toMatchObject({ MultiAZEnabled: true, AutomaticFailoverEnabled: true, NumCacheClusters: 2 });
    });

    test('DEV node-based with no replica: neither Multi-AZ nor automatic failover, which would have nothing to fail over to', () => {
      const properties = groupOf(devNodes.template).resource.Properties;
      expect(properties).toMatchObject({ MultiAZEnabled: false, AutomaticFailoverEnabled: false, NumCacheClusters: 1 });
      // A replica in DEV: automatic failover, Multi-AZ only when asked.
      expect(groupOf(build({ stage: DeploymentStage.DEV, serverless: false, replicasPerShard: 1 }).template).resource.Properties)
        .toMatchObject({ MultiAZEnabled: false, AutomaticFailoverEnabled: true, NumCacheClusters: 2 });
    });

    test("cluster mode: the engine's cluster parameter group, shards and replicas per shard, automatic failover", () => {
      const properties = groupOf(cluster.template).resource.Properties;
      expect(properties).toMatchObject({
        ClusterMode: 'enabled',
        NumNodeGroups: 4,
        ReplicasPerNodeGroup: 2,
        CacheParameterGroupName: 'default.redis7.cluster.on',
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        Engine: 'redis',
        EngineVersion: '7.1',
        CacheNodeType: 'cache.r7g.xlarge',
      });
      expect(properties.NumCacheClusters).toBeUndefined();
      expect(groupOf(prod.template).resource.Properties.CacheParameterGroupName).toBeUndefined();
      expect(groupOf(build({ shards: 2 }).template).resource.Properties.CacheParameterGroupName).toBe('default.valkey8.cluster.on');
    });

    test('snapshots kept 15 days in PROD and 1 in DEV, at 03:00-04:00, apart from maintenance on sun:05:00-sun:06:00', () => {
      expect(groupOf(prod.template).resource.Properties).toMatchObject({
        SnapshotRetentionLimit: 15, SnapshotWindow: '03:00-04:00', PreferredMaintenanceWindow: 'sun:05:00-sun:06:00',
      });
      expect(groupOf(devNodes.template).resource.Properties.SnapshotRetentionLimit).toBe(1);
      expect(serverlessOf(dev.template).resource.Properties).toMatchObject({ SnapshotRetentionLimit: 1, DailySnapshotTime: '03:00' });
      expect(groupOf(cluster.template).resource.Properties).toMatchObject({
        SnapshotRetentionLimit: 20, SnapshotWindow: '22:00-23:00', PreferredMaintenanceWindow: 'sat:23:00-sun:00:30',
      });
    });

    test('PROD: a final snapshot when CloudFormation deletes the group; DEV: deleted', () => {
      expect(groupOf(prod.template).resource).toMatchObject({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
      expect(groupOf(devNodes.template).resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    });

    test('serverless: a final snapshot named after the cache in PROD only, deleted with the stack', () => {
      expect(serverlessOf(dev.template).resource).toMatchObject({ DeletionPolicy: 'Delete' });
      expect(serverlessOf(dev.template).resource.Properties.FinalSnapshotName).toBeUndefined();
      const { template, cache } = build({ serverless: true });
      // With the first block of the stack's id, new for each stack: a recreated stack's final
      // snapshot does not collide with the last one's.
      expect(template.toJSON().Resources[serverlessOf(template).id].Properties.FinalSnapshotName).toEqual({
        'Fn::Join': ['-', [`${cache.endpoint.userName}-final`, STACK_ID_BLOCK]],
      });
      expect(serverlessOf(template).resource.Properties.SnapshotRetentionLimit).toBe(15);
    });

    test('serverless usage limits: 10 GB of data and 100,000 ECPUs a second by default, or as given', () => {
      expect(serverlessOf(dev.template).resource.Properties.CacheUsageLimits).toEqual({
        DataStorage: { Maximum: 10, Unit: 'GB' }, ECPUPerSecond: { Maximum: 100_000 },
      });
      const { template } = build({ stage: DeploymentStage.DEV, maxDataStorage: Size.gibibytes(50), maxEcpuPerSecond: 5000 });
      expect(serverlessOf(template).resource.Properties.CacheUsageLimits).toEqual({
        DataStorage: { Maximum: 50, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000 },
      });
    });

    test('slow and engine logs, in JSON, to log groups encrypted with a key of their own, kept a year in PROD and a month in DEV', () => {
      for (const [template, retention, policy] of [[prod.template, 365, 'Retain'], [devNodes.template, 30, 'Delete'], [cluster.template, 90, 'Retain']] as const) {
        const groups = resources(template, 'AWS::Logs::LogGroup');
        const ours = Object.entries(groups).filter(([id]) => id.startsWith('Cache'));
        expect(ours.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['CacheSlowLog', 'CacheEngineLog']);
        const logKey = Object.keys(resources(template, 'AWS::KMS::Key')).find((id) => id.startsWith('CacheLogKey'))!;
        for (const [, group] of ours) {
          expect(group.Properties).toMatchObject({ RetentionInDays: retention, KmsKeyId: { 'Fn::GetAtt': [logKey, 'Arn'] } });
          // Under /aws/vendedlogs/ (one resource policy for every vended log group), with the stack
          // id's first block: PROD retains them, and a recreated stack must not find the names taken.
          const [prefix, block, suffix] = group.Properties.LogGroupName['Fn::Join'][1];
          expect(prefix).toMatch(/^\/aws\/vendedlogs\/elasticache\/[a-z0-9-]+-$/);
          expect(block).toEqual(STACK_ID_BLOCK);
          expect(suffix).toMatch(/^\/(slow|engine)-log$/);
          expect(group.DeletionPolicy).toBe(policy);
        }
        expect(groupOf(template).resource.Properties.LogDeliveryConfigurations).toEqual(ours.map(([id], i) => ({
          LogType: ['slow-log', 'engine-log'][i],
          LogFormat: 'json',
          DestinationType: 'cloudwatch-logs',
          DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: id } } },
        })));
      }
      // Serverless caches deliver no logs.
      dev.template.resourceCountIs('AWS::Logs::LogGroup', Object.keys(resources(dev.template, 'AWS::Logs::LogGroup')).filter((id) => !id.startsWith('Cache')).length);
      expect(dev.cache.logGroups).toEqual([]);
    });
  });

  describe('alarms', () => {
    const byDescription = (template: Template, pattern: RegExp) => {
      const found = alarms(template).filter((a) => pattern.test(a.AlarmDescription));
      return found;
    };

    test('node-based: the busiest of its nodes (failed authentications: their sum), by CacheClusterId, for each metric and threshold', () => {
      const nodes = [`${prodName}-001`, `${prodName}-002`];
      const expected: Array<[RegExp, string, string, number, string]> = [
        [/engine CPU/, 'EngineCPUUtilization', 'Average', 80, 'GreaterThanThreshold'],
        [/of its memory/, 'DatabaseMemoryUsagePercentage', 'Maximum', 80, 'GreaterThanThreshold'],
        [/client connections/, 'CurrConnections', 'Maximum', 52_000, 'GreaterThanThreshold'],
        [/evicted/, 'Evictions', 'Sum', 100, 'GreaterThanOrEqualToThreshold'],
        [/failed authentications/, 'AuthenticationFailures', 'Sum', 10, 'GreaterThanOrEqualToThreshold'],
        [/trailed its primary by over 30 seconds/, 'ReplicationLag', 'Maximum', 30, 'GreaterThanThreshold'],
      ];
      expect(alarms(prod.template)).toHaveLength(expected.length);
      expect(prod.cache.alarms).toHaveLength(expected.length);
      for (const [description, metricName, stat, threshold, comparison] of expected) {
        const [alarm] = byDescription(prod.template, description);
        expect(alarm).toMatchObject({ Threshold: threshold, ComparisonOperator: comparison, EvaluationPeriods: 1 });
        // FILL: a node with no data in a period must not leave the expression without a value.
        const aggregate = metricName === 'AuthenticationFailures' ? 'SUM' : 'MAX';
        expect(alarm.Metrics[0]).toMatchObject({ Expression: `${aggregate}([FILL(n0, 0), FILL(n1, 0)])`, ReturnData: true });
        expect(nodesOf(alarm)).toEqual(nodes);
        for (const m of alarm.Metrics.slice(1)) {
          expect(m.MetricStat).toMatchObject({ Metric: { MetricName: metricName, Namespace: 'AWS/ElastiCache' }, Period: 300, Stat: stat });
        }
      }
    });

    test('DEV node-based without replicas: one node, no replication lag alarm', () => {
      expect(alarms(devNodes.template)).toHaveLength(5);
      expect(byDescription(devNodes.template, /trailed/)).toEqual([]);
      for (const alarm of alarms(devNodes.template)) {
        expect(nodesOf(alarm)).toEqual([`${devNodes.cache.endpoint.userName}-001`]);
      }
    });

    test('cluster mode: every member cluster <id>-<shard>-<node>, at most 10 per alarm, with the thresholds given', () => {
      const all = Array.from({ length: 4 }, (_, s) => [1, 2, 3].map((n) => `${clusterName}-000${s + 1}-00${n}`)).flat();
      expect(alarms(cluster.template)).toHaveLength(12);
      for (const [description, threshold] of [
        [/engine CPU.*70%/, 70], [/over 75% of its memory/, 75], [/over 40000 client/, 40_000], [/evicted 50 keys/, 50],
        [/^5 or more failed/, 5], [/trailed its primary by over 10 seconds/, 10],
      ] as const) {
        const found = byDescription(cluster.template, description);
        expect(found.map((a) => a.Threshold)).toEqual([threshold, threshold]);
        expect(found.map((a) => nodesOf(a))).toEqual([all.slice(0, 10), all.slice(10)]);
        expect(found.map((a) => a.Metrics.filter((m: any) => m.MetricStat).length)).toEqual([10, 2]);
      }
    });

    test('serverless: by clusterId (the cache name), ECPU and storage at 80% of their limits, throttles, p99 latency in microseconds, failed authentications', () => {
      const expected: Array<[RegExp, string, Record<string, unknown>, number, number, string]> = [
        [/Processing Units/, 'ElastiCacheProcessingUnits', { Statistic: 'Sum' }, 60, 0.8 * 100_000 * 60, 'GreaterThanThreshold'],
        [/of data/, 'BytesUsedForCache', { Statistic: 'Maximum' }, 300, 0.8 * 10e9, 'GreaterThanThreshold'],
        [/^TestStack\/Cache throttled commands/, 'ThrottledCmds', { Statistic: 'Sum' }, 300, 1, 'GreaterThanOrEqualToThreshold'],
        [/^Reads .* 5 millis at the 99th/, 'SuccessfulReadRequestLatency', { ExtendedStatistic: 'p99' }, 300, 5000, 'GreaterThanThreshold'],
        [/^Writes .* 5 millis at the 99th/, 'SuccessfulWriteRequestLatency', { ExtendedStatistic: 'p99' }, 300, 5000, 'GreaterThanThreshold'],
        [/failed authentications/, 'AuthenticationFailures', { Statistic: 'Sum' }, 300, 10, 'GreaterThanOrEqualToThreshold'],
      ];
      expect(alarms(dev.template)).toHaveLength(expected.length);
      for (const [description, metricName, stat, period, threshold, comparison] of expected) {
        const found = byDescription(dev.template, description);
        expect([description, found.length]).toEqual([description, 1]);
        expect(found[0]).toMatchObject({
          Namespace: 'AWS/ElastiCache',
          MetricName: metricName,
          Dimensions: [{ Name: 'clusterId', Value: devName }],
          Period: period,
          Threshold: threshold,
          ComparisonOperator: comparison,
          ...stat,
        });
      }
      const limits = build({
        stage: DeploymentStage.DEV, maxDataStorage: Size.gibibytes(1), maxEcpuPerSecond: 1000, latencyP99Threshold: Duration.millis(2),
      }).template;
      expect(byDescription(limits, /Processing Units/)[0].Threshold).toBe(48_000);
      expect(byDescription(limits, /of data/)[0].Threshold).toBe(800_000_000);
      expect(byDescription(limits, /^Reads/)[0].Threshold).toBe(2000);
    });

    test('every alarm notifies the alarm topic, in ALARM and back to OK', () => {
      for (const template of [prod.template, dev.template, cluster.template, devNodes.template]) {
        const topicId = Object.keys(resources(template, 'AWS::SNS::Topic')).find((id) => id.startsWith('PatternOperationsAlarmTopic'));
        expect(topicId).toBeDefined();
        for (const alarm of alarms(template)) {
          expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
          expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
        }
      }
    });
  });

  describe('validation', () => {
    const DEV_SERVERLESS: Props = { stage: DeploymentStage.DEV };
    const invalid: Array<[string, Props, string]> = [
      ['an engine of no known value', { engine: 'MEMCACHED' as CacheEngine },
        "engine is 'MEMCACHED'; it must be one of CacheEngine's values: 'VALKEY', 'REDIS_OSS'."],
      ['a log retention of no known value', { logRetention: 12 as logs.RetentionDays },
        `logRetention is 12; it must be one of logs.RetentionDays's values: ${Object.values(logs.RetentionDays).filter((v) => typeof v === 'number').join(', ')}.`],
      ['Redis OSS 6.2, which IAM authentication does not support', { engine: CacheEngine.REDIS_OSS, engineVersion: '6.2' },
        "engineVersion is '6.2'; it must be one of 7.0, 7.1 for Redis OSS (major.minor)."],
      ['a Valkey version without its minor for nodes', { engineVersion: '8' }, "engineVersion is '8'; it must be one of 7.2, 8.0, 8.1, 8.2 for Valkey (major.minor)."],
      ['a node-based version for serverless', { ...DEV_SERVERLESS, engineVersion: '8.1' },
        "engineVersion is '8.1'; it must be one of 7, 8 for Valkey serverless (the major version alone)."],
      ['a node type without the cache prefix', { nodeType: 'r7g.large' }, "nodeType is 'r7g.large'; it must be a node type cache.<family>.<size>, such as cache.r7g.large."],
      ['a data tiering node type, which CreateReplicationGroup refuses without data tiering', { nodeType: 'cache.r6gd.xlarge' },
        "nodeType is 'cache.r6gd.xlarge'; it must be a node type without data tiering (not r6gd): the pattern neither turns data tiering on nor alarms on what it keeps on SSD."],
      ['0 shards', { shards: 0 }, 'shards is 0; it must be a whole number from 1 to 500.'],
      ['501 shards', { shards: 501 }, 'shards is 501; it must be a whole number from 1 to 500.'],
      ['6 replicas per shard', { replicasPerShard: 6 }, 'replicasPerShard is 6; it must be a whole number from 0 to 5.'],
      ['-1 replicas per shard', { replicasPerShard: -1, multiAz: false }, 'replicasPerShard is -1; it must be a whole number from 0 to 5.'],
      ['more than 500 nodes', { shards: 100, replicasPerShard: 5 },
        "shards is 100; it must be at most 500 nodes in all with replicasPerShard 5 (ElastiCache's limit for a cluster): 600 asked."],
      ['Multi-AZ without a replica', { replicasPerShard: 0 },
        'multiAz is true; it must be false when replicasPerShard is 0: Multi-AZ fails over to a replica in another Availability Zone (replicasPerShard: 0).'],
      ['port 1023', { port: 1023 }, 'port is 1023; it must be a whole number from 1024 to 65535.'],
      ['port 65536', { port: 65_536 }, 'port is 65536; it must be a whole number from 1024 to 65535.'],
      ['a CPU threshold of 0', { cpuAlarmThreshold: 0 }, 'cpuAlarmThreshold is 0; it must be a percentage above 0 and at most 100.'],
      ['a memory threshold of 101', { memoryAlarmThreshold: 101 }, 'memoryAlarmThreshold is 101; it must be a percentage above 0 and at most 100.'],
      ['a connections threshold of 0', { connectionsThreshold: 0 }, 'connectionsThreshold is 0; it must be a whole number from 1 to 65000.'],
      ['a connections threshold of 65,001', { connectionsThreshold: 65_001 }, 'connectionsThreshold is 65001; it must be a whole number from 1 to 65000.'],
      ['an evictions threshold of 0', { evictionsThreshold: 0 }, 'evictionsThreshold is 0; it must be a whole number of at least 1.'],
      ['a replication lag threshold of 0 seconds', { replicationLagThreshold: Duration.seconds(0) },
        'replicationLagThreshold is 0 seconds; it must be a whole number of seconds from 1 second to 1 hour.'],
      ['a replication lag threshold of 3,601 seconds', { replicationLagThreshold: Duration.seconds(3601) },
        'replicationLagThreshold is 3601 seconds; it must be a whole number of seconds from 1 second to 1 hour.'],
      ['a replication lag threshold without replicas', { stage: DeploymentStage.DEV, serverless: false, replicationLagThreshold: Duration.seconds(5) },
        "replicationLagThreshold is 'given'; it must be left unset without replicas (replicasPerShard: 0): no node reports replication lag."],
      ['0 GB of data', { ...DEV_SERVERLESS, maxDataStorage: Size.gibibytes(0) }, "maxDataStorage is '0 GB'; it must be a whole number of GB from 1 to 5000 (Size.gibibytes(n))."],
      ['5,001 GB of data', { ...DEV_SERVERLESS, maxDataStorage: Size.gibibytes(5001) }, "maxDataStorage is '5001 GB'; it must be a whole number of GB from 1 to 5000 (Size.gibibytes(n))."],
      ['1.5 GB of data', { ...DEV_SERVERLESS, maxDataStorage: Size.mebibytes(1536) }, "maxDataStorage is '1.5 GB'; it must be a whole number of GB from 1 to 5000 (Size.gibibytes(n))."],
      ['999 ECPUs a second', { ...DEV_SERVERLESS, maxEcpuPerSecond: 999 }, 'maxEcpuPerSecond is 999; it must be a whole number from 1000 to 15000000.'],
      ['15,000,001 ECPUs a second', { ...DEV_SERVERLESS, maxEcpuPerSecond: 15_000_001 }, 'maxEcpuPerSecond is 15000001; it must be a whole number from 1000 to 15000000.'],
      ['a p99 latency threshold of 0', { ...DEV_SERVERLESS, latencyP99Threshold: Duration.millis(0) }, 'latencyP99Threshold is 0 seconds; it must be above 0 and below 1 second.'],
      ['a p99 latency threshold of 1 second', { ...DEV_SERVERLESS, latencyP99Threshold: Duration.seconds(1) }, 'latencyP99Threshold is 1 second; it must be above 0 and below 1 second.'],
      ['snapshots kept 0 days', { snapshotRetention: Duration.days(0) }, "snapshotRetention is '0 seconds'; it must be a whole number of days from 1 to 35."],
      ['snapshots kept 36 days', { snapshotRetention: Duration.days(36) }, "snapshotRetention is '36 days'; it must be a whole number of days from 1 to 35."],
      ['snapshots kept 36 hours', { ...DEV_SERVERLESS, snapshotRetention: Duration.hours(36) }, "snapshotRetention is '36 hours'; it must be a whole number of days from 1 to 35."],
      ['a snapshot window of 59 minutes', { snapshotWindow: '03:00-03:59' },
        "snapshotWindow is '03:00-03:59'; it must be a daily UTC window hh24:mi-hh24:mi of at least 60 minutes, such as 03:00-04:00."],
      ['a maintenance window of 30 minutes', { maintenanceWindow: 'sun:05:00-sun:05:30' },
        "maintenanceWindow is 'sun:05:00-sun:05:30'; it must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of at least 60 minutes, such as sun:05:00-sun:06:00."],
      ['a maintenance window over the snapshot window', { maintenanceWindow: 'wed:03:30-wed:04:30' },
        "maintenanceWindow is 'wed:03:30-wed:04:30'; it must be a window that does not overlap the snapshot window (03:00-04:00)."],
      ['a serverless snapshot window that is no window', { ...DEV_SERVERLESS, snapshotWindow: '3:00' },
        "snapshotWindow is '3:00'; it must be a daily UTC window hh24:mi-hh24:mi, such as 03:00-04:00 (a serverless cache snapshots at its start)."],
      ['an application user switched off', { applicationAccessString: 'off ~* +@all' },
        "applicationAccessString is 'off ~* +@all'; it must be an access string that starts with 'on' (a user that is 'off' cannot connect), such as 'on ~app:* +@read +@write'."],
      ['a password in the access string, which ElastiCache refuses', { applicationAccessString: 'on >secret ~* +@all' },
        "applicationAccessString is 'on >secret ~* +@all'; it must be an access string without passwords or password rules ('>', '<', '#', '!', nopass, resetpass, reset): the user authenticates with IAM."],
      ['nopass in the access string', { applicationAccessString: 'on nopass ~* +@all' },
        "applicationAccessString is 'on nopass ~* +@all'; it must be an access string without passwords or password rules ('>', '<', '#', '!', nopass, resetpass, reset): the user authenticates with IAM."],
      ['an authentication failures threshold of 0', { authenticationFailuresThreshold: 0 }, 'authenticationFailuresThreshold is 0; it must be a whole number of at least 1.'],
      ['a node type for serverless', { ...DEV_SERVERLESS, nodeType: 'cache.r7g.large' },
        "nodeType is 'cache.r7g.large'; it must be left unset for a serverless cache (serverless: true)."],
      ['a maintenance window for serverless', { ...DEV_SERVERLESS, maintenanceWindow: 'sun:05:00-sun:06:00' },
        "maintenanceWindow is 'sun:05:00-sun:06:00'; it must be left unset for a serverless cache (serverless: true)."],
      ['a storage limit for nodes', { maxDataStorage: Size.gibibytes(10) }, "maxDataStorage is 'given'; it must be left unset for a node-based cache (serverless: false)."],
      ['an ECPU limit for nodes', { maxEcpuPerSecond: 5000 }, 'maxEcpuPerSecond is 5000; it must be left unset for a node-based cache (serverless: false).'],
    ];

    test.each(invalid)('rejects %s, naming the prop, the value and what is allowed', (_name, props, line) => {
      const lines = errorLines(() => place(props));
      expect(lines[0]).toBe("InMemoryCache 'TestStack/Cache' has 1 invalid prop:");
      expect(lines[1]).toBe(`  - ${line}`);
    });

    test('a VPC without isolated subnets, or with them in one Availability Zone, is refused with the fix', () => {
      const stack = newStack({ withEnv: true });
      const noIsolated = new MultiAzVpc(stack, 'Network', { isolatedSubnets: false });
      expect(errorLines(() => new InMemoryCache(stack, 'Cache', { vpc: noIsolated.vpc }))).toContain(
        "  - vpc is 'a VPC without isolated subnets'; it must be a VPC with isolated subnets (no route out), such as MultiAzVpc with its default `isolatedSubnets: true`.");
      const oneAz = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      expect(errorLines(() => new InMemoryCache(stack, 'Single', { vpc: oneAz }))).toContain(
        "  - vpc is 'isolated subnets in 1 Availability Zone(s)'; it must be a VPC with isolated subnets in at least 2 Availability Zones "
        + '(Multi-AZ puts a replica in another; a serverless cache spreads over them).');
    });

    test('reports every invalid prop at once', () => {
      expect(() => place({ shards: 0, port: 80, cpuAlarmThreshold: 0 })).toThrow(/InMemoryCache 'TestStack\/Cache' has 3 invalid props/);
    });

    test('accepts the limits themselves', () => {
      expect(() => place({
        shards: 250,
        replicasPerShard: 1,
        port: 1024,
        cpuAlarmThreshold: 100,
        memoryAlarmThreshold: 1,
        connectionsThreshold: 65_000,
        evictionsThreshold: 1,
        replicationLagThreshold: Duration.hours(1),
        snapshotRetention: Duration.days(35),
        snapshotWindow: '23:30-00:30',
        maintenanceWindow: 'mon:00:30-mon:01:30',
        authenticationFailuresThreshold: 1,
      })).not.toThrow();
      expect(() => place({
        shards: 1, replicasPerShard: 5, port: 65_535, connectionsThreshold: 1, replicationLagThreshold: Duration.seconds(1),
      })).not.toThrow();
      expect(() => place({
        ...DEV_SERVERLESS, maxDataStorage: Size.gibibytes(1), maxEcpuPerSecond: 1000, latencyP99Threshold: Duration.millis(999),
      })).not.toThrow();
      expect(() => place({
        ...DEV_SERVERLESS, maxDataStorage: Size.gibibytes(5000), maxEcpuPerSecond: 15_000_000, snapshotRetention: Duration.days(1),
      })).not.toThrow();
      expect(() => place({ stage: DeploymentStage.PROD, replicasPerShard: 0, multiAz: false })).not.toThrow();
      for (const engineVersion of ['7.2', '8.0', '8.1']) {
        expect(() => place({ engineVersion })).not.toThrow();
      }
      expect(() => place({ engine: CacheEngine.REDIS_OSS, engineVersion: '7.0' })).not.toThrow();
      expect(() => place({ ...DEV_SERVERLESS, engine: CacheEngine.REDIS_OSS, engineVersion: '7' })).not.toThrow();
    });
  });

  describe('values known only at deploy time', () => {
    it.each<[string, (t: DeployTimeValues) => Props, (template: Template) => void]>([
      ['nodeType', (t) => ({ nodeType: t.text }), (tp) => expect(groupOf(tp).resource.Properties.CacheNodeType).toEqual({ Ref: 'DeployTimeText' })],
      ['engineVersion without cluster mode', (t) => ({ engineVersion: t.text }),
        (tp) => expect(groupOf(tp).resource.Properties.EngineVersion).toEqual({ Ref: 'DeployTimeText' })],
      ['snapshotWindow of a node-based cache', (t) => ({ snapshotWindow: t.text }),
        (tp) => expect(groupOf(tp).resource.Properties.SnapshotWindow).toEqual({ Ref: 'DeployTimeText' })],
      ['maintenanceWindow', (t) => ({ maintenanceWindow: t.text }),
        (tp) => expect(groupOf(tp).resource.Properties.PreferredMaintenanceWindow).toEqual({ Ref: 'DeployTimeText' })],
      ['applicationAccessString', (t) => ({ applicationAccessString: t.text }),
        (tp) => expect(users(tp)[0].AccessString).toEqual({ Ref: 'DeployTimeText' })],
      ['cpuAlarmThreshold', (t) => ({ cpuAlarmThreshold: t.number }),
        (tp) => expect(alarms(tp).find((a) => /engine CPU/.test(JSON.stringify(a.AlarmDescription)))!.Threshold).toEqual({ Ref: 'DeployTimeNumber' })],
      ['connectionsThreshold', (t) => ({ connectionsThreshold: t.number }),
        (tp) => expect(alarms(tp).filter((a) => a.Threshold?.Ref === 'DeployTimeNumber')).toHaveLength(1)],
      ['replicationLagThreshold, in seconds', (t) => ({ replicationLagThreshold: t.duration }),
        (tp) => expect(alarms(tp).filter((a) => a.Threshold?.Ref === 'DeployTimeNumber')).toHaveLength(1)],
      ['authenticationFailuresThreshold of a serverless cache', (t) => ({ stage: DeploymentStage.DEV, authenticationFailuresThreshold: t.number }),
        (tp) => expect(alarms(tp).filter((a) => a.Threshold?.Ref === 'DeployTimeNumber')).toHaveLength(1)],
    ])('accepts a token for %s', (_prop, props, check) => {
      const stack = newStack({ withEnv: true });
      check(build(props(deployTimeValues(stack)), stack).template);
    });

    it.each<[string, (t: DeployTimeValues) => Props, string]>([
      ['engine', (t) => ({ engine: t.text as CacheEngine }),
        'engine is a token, only known at deploy time; it must be a value known at synth: it decides the users, the port and the parameter group.'],
      ['serverless', (t) => ({ serverless: t.text as unknown as boolean }),
        'serverless is a token, only known at deploy time; it must be a value known at synth: it decides which kind of cache is created.'],
      ['shards', (t) => ({ shards: t.number }), 'shards is a token, only known at deploy time; it must be a value known at synth: it decides the nodes the alarms watch.'],
      ['replicasPerShard', (t) => ({ replicasPerShard: t.number }),
        'replicasPerShard is a token, only known at deploy time; it must be a value known at synth: it decides the nodes the alarms watch.'],
      ['port', (t) => ({ port: t.number }),
        "port is a token, only known at deploy time; it must be a value known at synth: it is the security group's port and the endpoint's."],
      ['engineVersion in cluster mode', (t) => ({ shards: 2, engineVersion: t.text }),
        "engineVersion is a token, only known at deploy time; it must be a value known at synth: in cluster mode it names the engine's cluster parameter group."],
      ['snapshotRetention', (t) => ({ snapshotRetention: Duration.days(t.number) }),
        "snapshotRetention is a token, only known at deploy time; it must be a value known at synth: the stage decides whether the packs' 15 days are acknowledged."],
      ['maxDataStorage', (t) => ({ stage: DeploymentStage.DEV, maxDataStorage: Size.gibibytes(t.number) }),
        'maxDataStorage is a token, only known at deploy time; it must be a value known at synth: the storage alarm compares against it.'],
      ['maxEcpuPerSecond', (t) => ({ stage: DeploymentStage.DEV, maxEcpuPerSecond: t.number }),
        'maxEcpuPerSecond is a token, only known at deploy time; it must be a value known at synth: the processing units alarm compares against it.'],
      ['latencyP99Threshold', (t) => ({ stage: DeploymentStage.DEV, latencyP99Threshold: Duration.millis(t.number) }),
        'latencyP99Threshold is a token, only known at deploy time; it must be a value known at synth: the latency alarms compare microseconds, which CloudFormation cannot convert a parameter to.'],
      ['snapshotWindow of a serverless cache', (t) => ({ stage: DeploymentStage.DEV, snapshotWindow: t.text }),
        'snapshotWindow is a token, only known at deploy time; it must be a value known at synth: a serverless cache takes its start as the daily snapshot time, which CloudFormation cannot cut from a parameter.'],
      ['replicationLagThreshold in minutes', (t) => ({ replicationLagThreshold: Duration.minutes(t.number) }),
        "replicationLagThreshold is 'a token in minutes'; it must be given as Duration.seconds(...) when only known at deploy time: the template holds seconds, and CloudFormation cannot convert minutes."],
    ])('refuses a token for %s, saying why', (_prop, props, line) => {
      const stack = newStack({ withEnv: true });
      expect(errorLines(() => place(props(deployTimeValues(stack)), stack))).toContain(`  - ${line}`);
    });
  });

  describe('compliance', () => {
    // Every kind in one app, built and synthesized once with both majors' packs: a test of each reads it.
    let everyKindNag: BothMajorsOutcome | undefined;
    const everyKind = () => {
      if (!everyKindNag) {
        const app = newApp();
        placeEveryKind(app);
        everyKindNag = runNagPacksOfBothMajors(app);
      }
      return everyKindNag;
    };

    test('PROD defaults, DEV defaults, cluster mode and DEV node-based: no unacknowledged finding in the five packs under cdk-nag 3.x', () => {
      expect(everyKind().v3).toEqual(COMPLIANT);
    });

    test('nor under cdk-nag 2.x', () => {
      expect(everyKind().v2).toEqual([]);
    });

    test('each acknowledgement is as narrow as its finding: AEC6 always, AEC5 for Redis OSS on 6379, AEC4 and backups only without Multi-AZ or 15 days', () => {
      const rules = (template: Template) => {
        const group = groupOf(template).resource;
        return (group.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: any) => r.id).sort();
      };
      expect(rules(prod.template)).toEqual(['AwsSolutions-AEC6']);
      expect(rules(cluster.template)).toEqual(['AwsSolutions-AEC5', 'AwsSolutions-AEC6']);
      expect(rules(devNodes.template)).toEqual([
        'AwsSolutions-AEC4', 'AwsSolutions-AEC6',
        'HIPAA.Security-ElastiCacheRedisClusterAutomaticBackup', 'NIST.800.53.R5-ElastiCacheRedisClusterAutomaticBackup',
      ]);
    });
  });

  describe('composition', () => {
    test('two caches in one stack synthesize, each with its own names, key, users and alarms', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      const sessions = new InMemoryCache(stack, 'Sessions', { vpc: network.vpc });
      const pages = new InMemoryCache(stack, 'Pages', { vpc: network.vpc, stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
      template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 1);
      template.resourceCountIs('AWS::ElastiCache::UserGroup', 2);
      expect(sessions.endpoint.userName).not.toBe(pages.endpoint.userName);
      expect(sessions.encryptionKey).not.toBe(pages.encryptionKey);
      expect(new Set(users(template).map((u) => u.UserId)).size).toBe(2);
      expect(alarms(template)).toHaveLength(12);
    });
  });

  describe('across stacks', () => {
    // One app, built once: in a Stage, the network in its own stack, a key in a Shared stack, a
    // serverless and a node-based cache in a Data stack, and their client in an App stack.
    const { networkStack, shared, data, service } = dataTierSplit();
    const network = new MultiAzVpc(networkStack, 'Network');
    const encryptionKey = new GuardedKey(shared, 'Key');
    const sessions = new InMemoryCache(data, 'Sessions', { vpc: network.vpc, encryptionKey, serverless: true });
    const pages = new InMemoryCache(data, 'Pages', { vpc: network.vpc, encryptionKey, serverless: false });
    const api = new HardenedFunction(service, 'Api', { code: CODE, vpc: network.vpc });
    for (const cache of [sessions, pages]) {
      cache.allowConnectionsFrom(api);
      cache.grantConnect(api);
    }
    let templates: Record<'network' | 'shared' | 'data' | 'service', Template>;
    beforeAll(() => {
      templates = templatesOf({ network: networkStack, shared, data, service });
    });

    test("the caches' stack references only the network's and the key's; those reference nothing", () => {
      expect(referencedStacks(templates.data)).toEqual([networkStack.stackName, shared.stackName].sort());
      expect(referencedStacks(templates.network)).toEqual([]);
      expect(referencedStacks(templates.shared)).toEqual([]);
      templates.data.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    test("allowConnectionsFrom: the ingress rules are in the client's stack, on the port and a serverless cache's reader port", () => {
      const ingress = Object.values(templates.service.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
      const into = (cache: string) => ingress.filter((r) => JSON.stringify(r.GroupId).includes(cache))
        .map((r) => { expect(JSON.stringify(r.SourceSecurityGroupId)).toContain('Api'); return r.FromPort; }).sort();
      expect(into('Sessions')).toEqual([6379, 6380]);
      expect(into('Pages')).toEqual([6379]);
    });

    test("grantConnect: elasticache:Connect on each cache and its user, in the client's policy", () => {
      const statements = [...Object.values(templates.service.findResources('AWS::IAM::ManagedPolicy')), ...Object.values(templates.service.findResources('AWS::IAM::Policy'))]
        .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]).filter((st) => st.Action === 'elasticache:Connect');
      // Merged into one statement: each cache's ARN and its user's, from the caches' stack.
      const resourcesGranted = statements.flatMap((st) => st.Resource).map((r: unknown) => JSON.stringify(r));
      expect(resourcesGranted).toHaveLength(4);
      expect(resourcesGranted.filter((r: string) => /SessionsServerlessCache.*ARN/.test(r))).toHaveLength(1);
      expect(resourcesGranted.filter((r: string) => /replicationgroup:proddata-pages/.test(r))).toHaveLength(1);
      expect(resourcesGranted.filter((r: string) => /Fn::GetStackOutput|Fn::ImportValue/.test(r) && /ApplicationUser/.test(r))).toHaveLength(2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags, for each kind", () => {
      const app = newApp();
      placeEveryKind(app);
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});
