import { ArnFormat, Aws, Duration, Fn, Names, RemovalPolicy, Size, Stack, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CacheEngine } from './engine';
import { CacheSettings, settleCacheProps, validateInMemoryCacheProps } from './validate';
import { allowClientIn } from '../../core/connections';
import { createPatternKey } from '../../core/keys';
import { createLogEncryptionKey } from '../../core/log-encryption';
import { acknowledgeNagFinding, acknowledgeNagRule, NIST_AND_HIPAA_PACKS } from '../../core/nag';
import { PatternPrelude } from '../../core/pattern-prelude';
import { PatternProps } from '../../core/pattern-props';

/**
 * Where and how clients reach an InMemoryCache.
 */
export interface InMemoryCacheEndpoint {
  /** The primary (or, in cluster mode, configuration) endpoint's host name: writes and reads. */
  readonly hostname: string;
  /** The port, the same on every endpoint. */
  readonly port: number;
  /**
   * The reader endpoint's host name, which spreads reads over the replicas (serverless: port
   * `port + 1`), when the cache has one.
   *
   * @default - none for a cache without replicas or in cluster mode (the configuration endpoint
   * serves reads too)
   */
  readonly readerHostname?: string;
  /** Whether clients must connect with TLS: always true; the cache refuses plain connections. */
  readonly tls: boolean;
  /**
   * The user the application authenticates as, with an IAM token (`grantConnect`): its user id
   * and name, which are equal.
   */
  readonly userName: string;
  /**
   * The name an IAM token is signed for: the replication group's id, or the serverless cache's
   * name (`GET https://<cacheName>/?Action=connect&User=<userName>`, with
   * `&ResourceType=ServerlessCache` for a serverless cache).
   */
  readonly cacheName: string;
  /** Whether the cache is serverless: its IAM token names `ResourceType=ServerlessCache`. */
  readonly serverless: boolean;
}

/**
 * Properties of an InMemoryCache.
 */
export interface InMemoryCacheProps extends PatternProps {
  /**
   * The VPC, whose isolated subnets hold the cache: at least two Availability Zones for Multi-AZ
   * and for a serverless cache.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The engine.
   *
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;

  /**
   * The engine version: `major.minor` for a node-based cache (Valkey 7.2, 8.0, 8.1, 8.2; Redis OSS 7.0,
   * 7.1), the major version alone for a serverless one (Valkey 7 or 8, Redis OSS 7). IAM
   * authentication needs version 7 or above, so Redis OSS 6 is refused.
   *
   * @default - Valkey 8.1 (serverless: 8), Redis OSS 7.1 (serverless: 7)
   */
  readonly engineVersion?: string;

  /**
   * Whether the cache is ElastiCache Serverless (it scales itself, replicates across Availability
   * Zones, and bills for data stored and ElastiCache Processing Units used) rather than a
   * replication group of nodes. DEV defaults to serverless: idle, it costs about $6 a month (100 MB
   * of Valkey billed at least), less than one cache.t4g.micro node, and nothing to size.
   *
   * @default - true in DEV, false in PROD
   */
  readonly serverless?: boolean;

  /**
   * The node type (node-based only), `cache.<family>.<size>`; a Graviton family (m7g, r7g, t4g)
   * costs less for the same memory.
   *
   * @default - cache.r7g.large in PROD, cache.t4g.micro in DEV
   */
  readonly nodeType?: string;

  /**
   * Node-based only: turns on cluster mode with this many shards (node groups), 1 to 500, each
   * holding part of the key space. Clients must support cluster mode.
   *
   * @default - cluster mode off: one shard
   */
  readonly shards?: number;

  /**
   * Node-based only: read replicas in each shard, 0 to 5. Multi-AZ needs at least one.
   *
   * @default - 1 in PROD, 0 in DEV
   */
  readonly replicasPerShard?: number;

  /**
   * Node-based only: whether a replica in another Availability Zone takes over when the primary
   * fails (Multi-AZ with automatic failover). Needs `replicasPerShard` of at least 1.
   *
   * @default - true in PROD, false in DEV
   */
  readonly multiAz?: boolean;

  /**
   * Serverless only: the most data the cache may hold, in whole GB from 1 to 5,000, so a runaway
   * writer cannot bill without limit; writes beyond it fail. An alarm fires at 80%.
   *
   * @default Size.gibibytes(10)
   */
  readonly maxDataStorage?: Size;

  /**
   * Serverless only: the most ElastiCache Processing Units a second the cache may use, from 1,000
   * to 15,000,000; commands beyond it are throttled. An alarm fires at 80%.
   *
   * @default 100000
   */
  readonly maxEcpuPerSecond?: number;

  /**
   * Node-based only: the port, from 1,024 to 65,535. The engine's own (6379) by default: a
   * different port hides nothing from a scan, and the security group admits only the clients
   * allowed in, as RelationalDatabase does.
   *
   * @default 6379
   */
  readonly port?: number;

  /**
   * The customer-managed KMS key that encrypts the cache and its snapshots at rest.
   *
   * @default - a GuardedKey created for the cache (rotating, retained in PROD)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long automatic snapshots are kept, in whole days from 1 to 35. The HIPAA and NIST packs
   * ask for at least 15.
   *
   * @default - 15 days in PROD, 1 day in DEV
   */
  readonly snapshotRetention?: Duration;

  /**
   * The daily UTC window for automatic snapshots, `hh24:mi-hh24:mi`, at least 60 minutes and apart
   * from `maintenanceWindow`. A serverless cache snapshots at the window's start.
   *
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;

  /**
   * Node-based only: the weekly UTC maintenance window, `ddd:hh24:mi-ddd:hh24:mi`, at least 60
   * minutes and apart from `snapshotWindow`.
   *
   * @default 'sun:05:00-sun:06:00'
   */
  readonly maintenanceWindow?: string;

  /**
   * Node-based only: how long the engine and slow logs are kept in their encrypted log groups.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What the application's user may run, in the engine's ACL syntax (`on` and its keys and
   * commands). The default allows every key and command but the dangerous ones (FLUSHALL, CONFIG,
   * KEYS, DEBUG and the like).
   *
   * @default 'on ~* +@all -@dangerous'
   */
  readonly applicationAccessString?: string;

  /**
   * Node-based only: the engine CPU (average over 5 minutes, busiest node) above which an alarm
   * fires, a percentage from 1 to 100.
   *
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;

  /**
   * Node-based only: the memory used for data (DatabaseMemoryUsagePercentage, busiest node) above
   * which an alarm fires, a percentage from 1 to 100. Above it the cache starts evicting.
   *
   * @default 80
   */
  readonly memoryAlarmThreshold?: number;

  /**
   * Node-based only: the client connections of one node above which an alarm fires, from 1 to
   * 65,000 (the engine's `maxclients`).
   *
   * @default 52000 (80% of maxclients)
   */
  readonly connectionsThreshold?: number;

  /**
   * Node-based only: the keys evicted in 5 minutes (busiest node) from which an alarm fires, at
   * least 1: a cache that evicts is too small for what it holds.
   *
   * @default 100
   */
  readonly evictionsThreshold?: number;

  /**
   * Node-based with replicas only: how far a replica may trail its primary before an alarm fires,
   * from 1 second to 1 hour.
   *
   * @default Duration.seconds(30)
   */
  readonly replicationLagThreshold?: Duration;

  /**
   * Serverless only: the p99 latency of successful reads, and of writes, above which an alarm
   * fires, more than 0 and below 1 second.
   *
   * @default Duration.millis(5)
   */
  readonly latencyP99Threshold?: Duration;

  /**
   * The failed authentications in 5 minutes from which an alarm fires, at least 1: an expired IAM
   * token, a client without permission, or someone guessing.
   *
   * @default 10
   */
  readonly authenticationFailuresThreshold?: number;
}

// Alarm math can read at most 10 metrics (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html):
// a node-based metric is alarmed on per group of up to 10 nodes, by its busiest node.
const NODES_PER_ALARM = 10;
const FIVE_MINUTES = Duration.minutes(5);

/**
 * An ElastiCache cache for Valkey (or Redis OSS) that clients reach only from inside the VPC,
 * only over TLS, and only as an IAM-authenticated user: a replication group of nodes in PROD
 * (Multi-AZ with automatic failover, a replica per shard, optional cluster mode), or ElastiCache
 * Serverless (the DEV default) with usage limits. The seeds' cache tier: look in the cache first,
 * and go to the data store only on a miss.
 *
 * cdk-nag has no rule for ElastiCache Serverless, users or user groups: the tests assert those.
 * Applies: isolated subnets and a security group without ingress until `allowConnectionsFrom`;
 * encryption at rest with a rotating customer key; TLS required; role-based access control with
 * an IAM-authenticated application user (`grantConnect`) and no unauthenticated default user;
 * snapshots kept 15 days in PROD, in a window apart from maintenance, and a final snapshot on
 * delete; engine and slow logs to encrypted log groups with a retention; alarms on CPU, memory,
 * evictions, connections, replication lag and failed authentications (node-based), or on
 * processing units and data against their limits, throttled commands and p99 latency (serverless).
 *
 * @example
 * import { HardenedFunction, InMemoryCache, MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * const network = new MultiAzVpc(this, 'Network');
 * const cache = new InMemoryCache(this, 'Sessions', { vpc: network.vpc });
 * const api = new HardenedFunction(this, 'Api', {
 *   code: lambda.Code.fromAsset('lambda/api'),
 *   vpc: network.vpc,
 *   environment: { CACHE_HOST: cache.endpoint.hostname, CACHE_USER: cache.endpoint.userName },
 * });
 * cache.allowConnectionsFrom(api);
 * cache.grantConnect(api);
 */
export class InMemoryCache extends Construct implements ec2.IConnectable {
  /** Where and how clients connect. */
  public readonly endpoint: InMemoryCacheEndpoint;

  /** The security group of the cache, which admits only the clients `allowConnectionsFrom` names. */
  public readonly securityGroup: ec2.ISecurityGroup;

  /** Who the cache lets in: `allowConnectionsFrom(client)` adds to it. */
  public readonly connections: ec2.Connections;

  /** The replication group, for a node-based cache. */
  public readonly replicationGroup?: elasticache.CfnReplicationGroup;

  /** The serverless cache, for a serverless one. */
  public readonly serverlessCache?: elasticache.CfnServerlessCache;

  /** The user group: the application's IAM user (and, for Redis OSS, the disabled `default` user). */
  public readonly userGroup: elasticache.CfnUserGroup;

  /** The application's IAM-authenticated user. */
  public readonly applicationUser: elasticache.CfnUser;

  /** The key that encrypts the cache and its snapshots. */
  public readonly encryptionKey: kms.IKey;

  /** The engine and slow log groups, for a node-based cache. */
  public readonly logGroups: logs.ILogGroup[] = [];

  /** The alarms of this pattern. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The ARN `elasticache:Connect` is granted on, with the user's. */
  private readonly cacheArn: string;

  constructor(scope: Construct, id: string, props: InMemoryCacheProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'InMemoryCache', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const settings = settleCacheProps(props, prelude.production);
    // An empty selection rather than aws-cdk-lib's error, so the message can name the fix. One subnet
    // per Availability Zone: the subnet group and a serverless cache's endpoints spread over zones
    // (ElastiCache picks 2 or 3 zones' subnets itself when given none: SubnetIds of
    // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html).
    const isolated = props.vpc?.isolatedSubnets.length > 0
      ? props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true })
      : { subnets: [], availabilityZones: [] as string[], subnetIds: [] } as unknown as ec2.SelectedSubnets;
    validateInMemoryCacheProps(prelude.validator, props, settings, isolated);
    prelude.validator.throwIfInvalid();

    // ElastiCache names its replication groups, serverless caches, users and user groups per account
    // and region, and the alarms need the nodes' names at synth: a name derived from the construct
    // path, unique in the app and stable across deployments (lower case, a letter first, at most 40).
    const name = cacheName(this);
    const engine = settings.engine === CacheEngine.VALKEY ? 'valkey' : 'redis';
    const removalPolicy = prelude.removalPolicy;

    this.encryptionKey = props.encryptionKey
      ?? createPatternKey(this, 'Key', `Encrypts the ElastiCache cache ${this.node.path} and its snapshots`, removalPolicy);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `The ElastiCache cache ${this.node.path}: only the clients allowed in`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(settings.port) });

    // Role-based access control: the application authenticates as an IAM user with a short-lived
    // token, so no password exists to leak or rotate. A Valkey user group needs no `default` user
    // and gets none, so no connection is served unauthenticated: it may only hold users who sign in
    // with a password or IAM (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
    // A Redis OSS group must hold a user named `default`, which is created switched off (`off`, no command).
    this.applicationUser = new elasticache.CfnUser(this, 'ApplicationUser', {
      engine,
      userId: name,
      userName: name,
      authenticationMode: { Type: 'iam' },
      accessString: props.applicationAccessString ?? 'on ~* +@all -@dangerous',
    });
    const users: elasticache.CfnUser[] = [this.applicationUser];
    if (settings.engine === CacheEngine.REDIS_OSS) {
      users.push(new elasticache.CfnUser(this, 'DisabledDefaultUser', {
        engine,
        userId: `${name}-default`.slice(0, 40),
        userName: 'default',
        authenticationMode: { Type: 'no-password-required' },
        accessString: 'off -@all',
      }));
    }
    this.userGroup = new elasticache.CfnUserGroup(this, 'UserGroup', {
      engine,
      userGroupId: name,
      userIds: users.map((user) => user.ref),
    });

    const stack = Stack.of(this);
    if (settings.serverless) {
      // ElastiCache Serverless spreads a cache over two or three Availability Zones, and picks two or
      // three subnets itself when given none: three isolated subnets, one per zone, at most.
      this.serverlessCache = this.createServerlessCache(settings, name, engine, isolated.subnetIds.slice(0, 3));
      this.cacheArn = this.serverlessCache.attrArn;
      this.endpoint = {
        hostname: this.serverlessCache.attrEndpointAddress,
        port: settings.port,
        readerHostname: this.serverlessCache.attrReaderEndpointAddress,
        tls: true,
        userName: name,
        cacheName: name,
        serverless: true,
      };
      this.createServerlessAlarms(prelude, props, settings, name);
    } else {
      this.replicationGroup = this.createReplicationGroup(props, settings, name, engine, isolated.subnetIds, removalPolicy);
      this.cacheArn = stack.formatArn({ service: 'elasticache', resource: 'replicationgroup', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      const group = this.replicationGroup;
      this.endpoint = {
        // In cluster mode, the configuration endpoint, from which clients learn every shard.
        hostname: settings.clusterMode ? group.attrConfigurationEndPointAddress : group.attrPrimaryEndPointAddress,
        port: settings.port,
        readerHostname: !settings.clusterMode && settings.replicasPerShard > 0 ? group.attrReaderEndPointAddress : undefined,
        tls: true,
        userName: name,
        cacheName: name,
        serverless: false,
      };
      this.createNodeAlarms(prelude, props, settings, name);
    }

    // AEC6 recognizes only an AUTH token; this cache authenticates every client as an IAM user.
    if (this.replicationGroup) {
      acknowledgeNagFinding(this.replicationGroup, 'AwsSolutions-AEC6',
        'Clients authenticate as IAM users of the role-based access control user group, which replaces an AUTH token; the rule recognizes only AUTH tokens.');
    }
    prelude.dashboard(this.dashboardGraphs(settings, name));
  }

  /**
   * Lets `peer` reach the cache on its port (and, serverless, its reader port), through the
   * security group. The client still needs `grantConnect` to authenticate.
   */
  public allowConnectionsFrom(peer: ec2.IConnectable, description?: string): void {
    const why = description ?? `Clients of the cache ${this.node.path}`;
    // The rules go in the client's stack (see allowClientIn): a client in another stack of the app
    // would otherwise make this stack depend on the client's, which depends on this one.
    allowClientIn(this, peer, ec2.Port.tcp(this.endpoint.port), why);
    if (this.serverlessCache) {
      allowClientIn(this, peer, ec2.Port.tcp(this.endpoint.port + 1), `${why} (reader endpoint)`);
    }
  }

  /**
   * Lets `grantee` authenticate as the application user: `elasticache:Connect` on this cache and
   * that user, nothing else. The client signs a token (SigV4, valid 15 minutes) for the user
   * `endpoint.userName` and sends it as the password, over TLS.
   */
  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticache:Connect'],
      resourceArns: [this.cacheArn, this.applicationUser.attrArn],
    });
  }

  private createReplicationGroup(props: InMemoryCacheProps, settings: CacheSettings, name: string, engine: string, subnetIds: string[],
    removalPolicy: RemovalPolicy): elasticache.CfnReplicationGroup {
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `The isolated subnets of the ElastiCache cache ${this.node.path}`,
      subnetIds,
    });
    const logKey = createLogEncryptionKey(this, 'LogKey', `Encrypts the engine and slow logs of ${this.node.path}`, removalPolicy);
    const logRetention = props.logRetention ?? (settings.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH);
    const logDeliveryConfigurations = (['slow-log', 'engine-log'] as const).map((logType) => {
      const logGroup = new logs.LogGroup(this, logType === 'slow-log' ? 'SlowLog' : 'EngineLog', {
        // Under /aws/vendedlogs/: CloudWatch Logs grants ElastiCache's log delivery by one
        // account-wide resource policy of at most 5,120 characters, which names log groups under
        // this prefix with one wildcard instead of each one
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html).
        // The stack id's first block too: PROD retains the log groups, so a stack created again after
        // a deletion would otherwise find their names taken.
        logGroupName: Fn.join('', [`/aws/vendedlogs/elasticache/${name}-`, stackIdBlock(), `/${logType}`]),
        encryptionKey: logKey,
        retention: logRetention,
        removalPolicy,
      });
      this.logGroups.push(logGroup);
      return {
        logType,
        logFormat: 'json',
        destinationType: 'cloudwatch-logs',
        destinationDetails: { cloudWatchLogsDetails: { logGroup: logGroup.logGroupName } },
      };
    });

    const replicas = settings.replicasPerShard;
    const group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: name,
      replicationGroupDescription: `The ElastiCache cache ${this.node.path}`.slice(0, 255),
      engine,
      engineVersion: settings.engineVersion,
      cacheNodeType: settings.nodeType,
      port: settings.port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      kmsKeyId: this.encryptionKey.keyArn,
      // TLS only. TransitEncryptionMode stays unset: 'required' is documented as the second step of a
      // migration from 'preferred' (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable.html,
      // TransitEncryptionMode of https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html),
      // and a group created with encryption in transit and no mode refuses plain connections
      // (hashicorp/terraform-cdk#3259). Its user group needs TLS too (hashicorp/terraform-provider-aws#42966).
      transitEncryptionEnabled: true,
      userGroupIds: [this.userGroup.ref],
      // Cluster mode needs automatic failover; without replicas there is nothing to fail over to.
      automaticFailoverEnabled: settings.clusterMode || replicas > 0,
      multiAzEnabled: settings.multiAz,
      ...(settings.clusterMode
        ? {
          clusterMode: 'enabled',
          numNodeGroups: settings.shards,
          replicasPerNodeGroup: replicas,
          // A cluster-mode group needs a parameter group with cluster-enabled set: the engine's default one.
          cacheParameterGroupName: `default.${settings.parameterGroupFamily}.cluster.on`,
        }
        : { numCacheClusters: 1 + replicas }),
      snapshotRetentionLimit: settings.snapshotRetentionDays,
      snapshotWindow: settings.snapshotWindow,
      preferredMaintenanceWindow: settings.maintenanceWindow,
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations,
    });
    // PROD: CloudFormation takes a final snapshot before it deletes or replaces the group.
    group.applyRemovalPolicy(settings.production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY);

    if (!settings.multiAz) {
      acknowledgeNagFinding(group, 'AwsSolutions-AEC4',
        'Multi-AZ is off (the DEV default, or multiAz: false): the cache has no standby in another Availability Zone.');
    }
    if (settings.engine === CacheEngine.REDIS_OSS && settings.port === 6379) {
      acknowledgeNagFinding(group, 'AwsSolutions-AEC5',
        "A non-default port hides nothing from a scan; the security group admits only the clients allowed in, on the engine's port.");
    }
    if (settings.snapshotRetentionDays < 15) {
      acknowledgeNagRule(group, NIST_AND_HIPAA_PACKS, 'ElastiCacheRedisClusterAutomaticBackup',
        `Snapshots are kept ${settings.snapshotRetentionDays} days (the DEV default of 1, or snapshotRetention), fewer than the 15 the rule asks for.`);
    }
    return group;
  }

  private createServerlessCache(settings: CacheSettings, name: string, engine: string, subnetIds: string[]): elasticache.CfnServerlessCache {
    const cache = new elasticache.CfnServerlessCache(this, 'ServerlessCache', {
      serverlessCacheName: name,
      description: `The ElastiCache cache ${this.node.path}`.slice(0, 255),
      engine,
      majorEngineVersion: settings.engineVersion,
      cacheUsageLimits: {
        dataStorage: { maximum: settings.maxDataStorageGb, unit: 'GB' },
        ecpuPerSecond: { maximum: settings.maxEcpuPerSecond },
      },
      kmsKeyId: this.encryptionKey.keyArn,
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds,
      userGroupId: this.userGroup.ref,
      snapshotRetentionLimit: settings.snapshotRetentionDays,
      dailySnapshotTime: settings.snapshotWindow.slice(0, 5),
      // PROD: ElastiCache takes a final snapshot, under this name, when the stack deletes the cache.
      // Snapshot names are unique in the account and region, and the snapshot outlives the stack:
      // the first block of the stack's id, drawn anew for each stack CloudFormation creates, keeps
      // a second deletion of a recreated stack from failing on the first one's snapshot.
      finalSnapshotName: settings.production ? Fn.join('-', [name, 'final', stackIdBlock()]) : undefined,
    });
    cache.applyRemovalPolicy(RemovalPolicy.DESTROY);
    return cache;
  }

  private createNodeAlarms(prelude: PatternPrelude<InMemoryCacheProps>, props: InMemoryCacheProps, settings: CacheSettings, name: string): void {
    const nodes = memberClusterIds(name, settings);
    const groups = chunks(nodes, NODES_PER_ALARM);
    const cpu = props.cpuAlarmThreshold ?? 80;
    const memory = props.memoryAlarmThreshold ?? 80;
    const connections = props.connectionsThreshold ?? 52_000;
    const evictions = props.evictionsThreshold ?? 100;
    const lag = props.replicationLagThreshold ?? Duration.seconds(30);
    const failures = props.authenticationFailuresThreshold ?? 10;
    const path = this.node.path;
    const rules: Array<[string, string, string, number, boolean, string]> = [
      ['EngineCpuAlarm', 'EngineCPUUtilization', cloudwatch.Stats.AVERAGE, cpu, false,
        `The engine CPU of a node of ${path} averaged over ${Tokenization.stringifyNumber(cpu)}% for 5 minutes`],
      ['MemoryAlarm', 'DatabaseMemoryUsagePercentage', cloudwatch.Stats.MAXIMUM, memory, false,
        `A node of ${path} used over ${Tokenization.stringifyNumber(memory)}% of its memory for data: it will start evicting`],
      ['ConnectionsAlarm', 'CurrConnections', cloudwatch.Stats.MAXIMUM, connections, false,
        `A node of ${path} held over ${Tokenization.stringifyNumber(connections)} client connections`],
      ['EvictionsAlarm', 'Evictions', cloudwatch.Stats.SUM, evictions, true,
        `A node of ${path} evicted ${Tokenization.stringifyNumber(evictions)} keys or more in 5 minutes: the cache is too small for what it holds`],
      ['AuthenticationFailuresAlarm', 'AuthenticationFailures', cloudwatch.Stats.SUM, failures, true,
        `${Tokenization.stringifyNumber(failures)} or more failed authentications at ${path} in 5 minutes: expired tokens, missing permissions, or guessing`],
    ];
    if (settings.replicasPerShard > 0) {
      rules.push(['ReplicationLagAlarm', 'ReplicationLag', cloudwatch.Stats.MAXIMUM, lag.toSeconds(), false,
        `A replica of ${path} trailed its primary by over ${lag.isUnresolved() ? `${Tokenization.stringifyNumber(lag.toSeconds())} seconds` : lag.toHumanString()}`]);
    }
    for (const [id, metricName, statistic, threshold, orEqual, description] of rules) {
      groups.forEach((group, i) => {
        prelude.alarm(groups.length === 1 ? id : `${id}${i + 1}`, {
          // Failed authentications are counted over the nodes, as the alarm says; the rest are the
          // busiest node's.
          metric: overNodes(metricName, statistic, group, metricName === 'AuthenticationFailures' ? 'SUM' : 'MAX'),
          threshold,
          orEqual,
          description,
        });
      });
    }
  }

  private createServerlessAlarms(prelude: PatternPrelude<InMemoryCacheProps>, props: InMemoryCacheProps, settings: CacheSettings,
    name: string): void {
    const path = this.node.path;
    // Serverless caches publish their metrics under the dimension clusterId, the cache's name
    // (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html).
    const metric = (metricName: string, statistic: string, period = FIVE_MINUTES) => new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { clusterId: name }, statistic, period,
    });
    const ecpuPerMinute = settings.maxEcpuPerSecond * 60;
    prelude.alarm('ProcessingUnitsAlarm', {
      metric: metric('ElastiCacheProcessingUnits', cloudwatch.Stats.SUM, Duration.minutes(1)),
      threshold: Math.floor(ecpuPerMinute * 0.8),
      description: `${path} used over 80% of its limit of ${settings.maxEcpuPerSecond} ElastiCache Processing Units a second for a minute: beyond it, commands are throttled`,
    });
    const bytes = settings.maxDataStorageGb * 1e9;
    prelude.alarm('DataStorageAlarm', {
      metric: metric('BytesUsedForCache', cloudwatch.Stats.MAXIMUM),
      threshold: Math.floor(bytes * 0.8),
      description: `${path} holds over 80% of its limit of ${settings.maxDataStorageGb} GB of data: beyond it, writes fail`,
    });
    prelude.alarm('ThrottledCommandsAlarm', {
      metric: metric('ThrottledCmds', cloudwatch.Stats.SUM),
      threshold: 1,
      orEqual: true,
      description: `${path} throttled commands: it reached its processing limit or scaled too slowly`,
    });
    const latency = props.latencyP99Threshold ?? Duration.millis(5);
    for (const [id, metricName, what] of [['ReadLatencyAlarm', 'SuccessfulReadRequestLatency', 'Reads'], ['WriteLatencyAlarm', 'SuccessfulWriteRequestLatency', 'Writes']]) {
      prelude.alarm(id, {
        // In microseconds.
        metric: metric(metricName, 'p99'),
        threshold: latency.toMilliseconds() * 1000,
        description: `${what} of ${path} took over ${latency.toHumanString()} at the 99th percentile`,
      });
    }
    const failures = props.authenticationFailuresThreshold ?? 10;
    prelude.alarm('AuthenticationFailuresAlarm', {
      metric: metric('AuthenticationFailures', cloudwatch.Stats.SUM),
      threshold: failures,
      orEqual: true,
      description: `${Tokenization.stringifyNumber(failures)} or more failed authentications at ${path} in 5 minutes: expired tokens, missing permissions, or guessing`,
    });
  }

  private dashboardGraphs(settings: CacheSettings, name: string) {
    if (settings.serverless) {
      const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { clusterId: name }, statistic, period: FIVE_MINUTES,
      });
      return [
        { title: 'Cache hits and misses', metrics: [metric('CacheHits', cloudwatch.Stats.SUM), metric('CacheMisses', cloudwatch.Stats.SUM)] },
        { title: 'Processing units', metrics: [metric('ElastiCacheProcessingUnits', cloudwatch.Stats.SUM)] },
      ];
    }
    const nodes = memberClusterIds(name, settings).slice(0, NODES_PER_ALARM);
    const perNode = (metricName: string, statistic: string) => nodes.map((node) => new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: node }, statistic, period: FIVE_MINUTES, label: node,
    }));
    return [
      { title: 'Cache hits', metrics: perNode('CacheHits', cloudwatch.Stats.SUM) },
      { title: 'Memory used for data (%)', metrics: perNode('DatabaseMemoryUsagePercentage', cloudwatch.Stats.MAXIMUM) },
    ];
  }
}

/**
 * The cache's name: its construct path made unique, lower case, letters, digits and single
 * hyphens, starting with a letter, at most 38 characters (ElastiCache's rules for replication
 * group ids, serverless cache names, user ids and user group ids).
 */
function cacheName(scope: Construct): string {
  // At most 38 with the prefix, so `<name>-d...` (the disabled default user's id) stays distinct within 40.
  const unique = Names.uniqueResourceName(scope, { maxLength: 36, separator: '-' }).toLowerCase()
    .replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(unique) ? unique : `c-${unique}`;
}

/**
 * The member clusters (one node each) ElastiCache names after the replication group:
 * `<id>-001`, `<id>-002` without cluster mode; `<id>-0001-001` (shard, node) with it.
 */
function memberClusterIds(name: string, settings: CacheSettings): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const perShard = settings.replicasPerShard + 1;
  if (!settings.clusterMode) {
    return Array.from({ length: perShard }, (_, node) => `${name}-${pad(node + 1, 3)}`);
  }
  return Array.from({ length: settings.shards }, (_, shard) =>
    Array.from({ length: perShard }, (__, node) => `${name}-${pad(shard + 1, 4)}-${pad(node + 1, 3)}`)).flat();
}

/**
 * A metric of up to 10 nodes, as one alarm can read: the busiest node's (MAX) or their total (SUM).
 * FILL: a node that published nothing in a period (no failed authentication, say) must not leave
 * the whole expression without a value there.
 */
function overNodes(metricName: string, statistic: string, nodes: string[], aggregate: 'MAX' | 'SUM'): cloudwatch.IMetric {
  const usingMetrics = Object.fromEntries(nodes.map((node, i) => [`n${i}`, new cloudwatch.Metric({
    namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: node }, statistic, period: FIVE_MINUTES,
  })]));
  return new cloudwatch.MathExpression({
    expression: `${aggregate}([${Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(', ')}])`,
    usingMetrics,
    period: FIVE_MINUTES,
    label: aggregate === 'MAX' ? `${metricName}, busiest node` : `${metricName}, all nodes`,
  });
}

/** The first block of the stack's id (`arn:...:stack/<name>/<this>-...`), new for each stack CloudFormation creates. */
function stackIdBlock(): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
