import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CacheEngine } from './engine';
import type { InMemoryCacheProps } from './in-memory-cache';
import { validateWindows } from '../../core/maintenance-windows';
import { PropValidator } from '../../core/prop-validator';

/**
 * ElastiCache's limits:
 * - replication groups (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html):
 *   NumNodeGroups 1 to 500, ReplicasPerNodeGroup 0 to 5, at most 500 nodes in a cluster, Multi-AZ
 *   with automatic failover needing a replica;
 * - serverless caches (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CacheUsageLimits.html):
 *   data storage of 1 to 5,000 GB, 1,000 to 15,000,000 ECPUs a second;
 * - snapshots kept 1 to 35 days (0 turns them off, which the pattern refuses); snapshot and
 *   maintenance windows of at least 60 minutes that do not overlap
 *   (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html).
 */
const MAX_SHARDS = 500;
const MAX_REPLICAS_PER_SHARD = 5;
const MAX_NODES = 500;
const MIN_DATA_STORAGE_GB = 1;
const MAX_DATA_STORAGE_GB = 5000;
const MIN_ECPU_PER_SECOND = 1000;
const MAX_ECPU_PER_SECOND = 15_000_000;
const MAX_SNAPSHOT_RETENTION_DAYS = 35;
const MIN_WINDOW_MINUTES = 60;
const MAX_CONNECTIONS = 65_000;
const NODE_TYPE = /^cache\.[a-z0-9]+\.[a-z0-9]+$/;

/**
 * The versions the pattern knows, by engine: node-based `major.minor`, serverless the major. No
 * Redis OSS 6: IAM authentication, the only way the application user signs in, needs Valkey or
 * Redis OSS 7 or above (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html).
 */
const VERSIONS: Record<CacheEngine, { readonly node: readonly string[]; readonly serverless: readonly string[] }> = {
  [CacheEngine.VALKEY]: { node: ['7.2', '8.0', '8.1', '8.2'], serverless: ['7', '8'] },
  [CacheEngine.REDIS_OSS]: { node: ['7.0', '7.1'], serverless: ['7'] },
};

/** What the construct settles from the props, the stage and the defaults, before validating them. */
export interface CacheSettings {
  readonly production: boolean;
  readonly engine: CacheEngine;
  readonly engineVersion: string;
  /** The parameter group family of a node-based engine version: `valkey8`, `redis7`. */
  readonly parameterGroupFamily: string;
  readonly serverless: boolean;
  readonly nodeType: string;
  readonly clusterMode: boolean;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly multiAz: boolean;
  readonly port: number;
  readonly maxDataStorageGb: number;
  readonly maxEcpuPerSecond: number;
  readonly snapshotRetentionDays: number;
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
}

/** The props with their stage's defaults. */
export function settleCacheProps(props: InMemoryCacheProps, production: boolean): CacheSettings {
  const engine = props.engine ?? CacheEngine.VALKEY;
  const serverless = props.serverless ?? !production;
  const engineVersion = props.engineVersion ?? (engine === CacheEngine.REDIS_OSS ? (serverless ? '7' : '7.1') : (serverless ? '8' : '8.1'));
  const major = engineVersion.split('.')[0];
  return {
    production,
    engine,
    engineVersion,
    parameterGroupFamily: engine === CacheEngine.VALKEY ? `valkey${major}` : `redis${major}`,
    serverless,
    nodeType: props.nodeType ?? (production ? 'cache.r7g.large' : 'cache.t4g.micro'),
    clusterMode: props.shards !== undefined,
    shards: props.shards ?? 1,
    replicasPerShard: props.replicasPerShard ?? (production ? 1 : 0),
    multiAz: props.multiAz ?? production,
    port: props.port ?? 6379,
    maxDataStorageGb: props.maxDataStorage && !props.maxDataStorage.isUnresolved()
      ? props.maxDataStorage.toGibibytes({ rounding: SizeRoundingBehavior.NONE }) : 10,
    maxEcpuPerSecond: props.maxEcpuPerSecond ?? 100_000,
    snapshotRetentionDays: props.snapshotRetention && !props.snapshotRetention.isUnresolved()
      // Not integral: a part of a day is refused by validation, with the prop's name, rather than here.
      ? props.snapshotRetention.toDays({ integral: false }) : (production ? 15 : 1),
    snapshotWindow: props.snapshotWindow ?? '03:00-04:00',
    maintenanceWindow: props.maintenanceWindow ?? 'sun:05:00-sun:06:00',
  };
}

/**
 * Checks every prop of an InMemoryCache, rule after rule: what each kind of cache takes, the
 * engine and its version, the shape of the replication group, the serverless limits, snapshots and
 * windows, and the alarm thresholds.
 */
export function validateInMemoryCacheProps(v: PropValidator, props: InMemoryCacheProps, s: CacheSettings, isolated: ec2.SelectedSubnets): void {
  v.check(props.vpc !== undefined, 'vpc', props.vpc, 'the VPC whose isolated subnets hold the cache: it is required');
  if (props.vpc !== undefined) {
    const azs = isolated.availabilityZones;
    v.check(isolated.subnets.length > 0, 'vpc', 'a VPC without isolated subnets',
      'a VPC with isolated subnets (no route out), such as MultiAzVpc with its default `isolatedSubnets: true`');
    v.check(isolated.subnets.length === 0 || azs.length >= 2 || Token.isUnresolved(azs[0]), 'vpc',
      `isolated subnets in ${azs.length} Availability Zone(s)`,
      'a VPC with isolated subnets in at least 2 Availability Zones (Multi-AZ puts a replica in another; a serverless cache spreads over them)');
  }
  v.knownAtSynth('engine', props.engine, 'it decides the users, the port and the parameter group');
  v.oneOf('engine', props.engine, CacheEngine, 'CacheEngine');
  v.knownAtSynth('serverless', props.serverless, 'it decides which kind of cache is created');
  v.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');

  const kind = s.serverless ? 'serverless cache' : 'node-based cache';
  const notFor = (names: Array<keyof InMemoryCacheProps>) => {
    for (const name of names) {
      const value = props[name];
      v.check(value === undefined, name, value instanceof Duration || value instanceof Size ? 'given' : value,
        `left unset for a ${kind} (serverless: ${s.serverless})`);
    }
  };
  notFor(s.serverless
    ? ['nodeType', 'shards', 'replicasPerShard', 'multiAz', 'port', 'maintenanceWindow', 'logRetention', 'cpuAlarmThreshold',
      'memoryAlarmThreshold', 'connectionsThreshold', 'evictionsThreshold', 'replicationLagThreshold']
    : ['maxDataStorage', 'maxEcpuPerSecond', 'latencyP99Threshold']);

  validateEngineVersion(v, props, s);
  if (s.serverless) {
    validateServerless(v, props);
  } else {
    validateNodes(v, props, s);
  }

  v.knownAtSynth('snapshotRetention', props.snapshotRetention, 'the stage decides whether the packs\' 15 days are acknowledged');
  v.wholeDays('snapshotRetention', props.snapshotRetention, 1, MAX_SNAPSHOT_RETENTION_DAYS);
  if (s.serverless) {
    v.knownAtSynth('snapshotWindow', props.snapshotWindow, 'a serverless cache takes its start as the daily snapshot time, which CloudFormation cannot cut from a parameter');
    v.check(Token.isUnresolved(s.snapshotWindow) || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(s.snapshotWindow), 'snapshotWindow',
      s.snapshotWindow, 'a daily UTC window hh24:mi-hh24:mi, such as 03:00-04:00 (a serverless cache snapshots at its start)');
  } else {
    validateWindows(v, s.snapshotWindow, s.maintenanceWindow,
      { dailyProp: 'snapshotWindow', dailyWhat: 'snapshot', weeklyProp: 'maintenanceWindow', minMinutes: MIN_WINDOW_MINUTES });
  }
  if (props.applicationAccessString !== undefined && !Token.isUnresolved(props.applicationAccessString)) {
    v.check(/^on(\s|$)/.test(props.applicationAccessString.trim()), 'applicationAccessString', props.applicationAccessString,
      "an access string that starts with 'on' (a user that is 'off' cannot connect), such as 'on ~app:* +@read +@write'");
    // Passwords and password resets belong to password users; ElastiCache refuses them in an
    // access string (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
    v.check(!props.applicationAccessString.trim().split(/\s+/).some((rule) => /^[<>#!]/.test(rule) || /^(nopass|resetpass|reset)$/i.test(rule)),
      'applicationAccessString', props.applicationAccessString,
      "an access string without passwords or password rules ('>', '<', '#', '!', nopass, resetpass, reset): the user authenticates with IAM");
  }
  v.integerAtLeast('authenticationFailuresThreshold', props.authenticationFailuresThreshold, 1);
}

function validateEngineVersion(v: PropValidator, props: InMemoryCacheProps, s: CacheSettings): void {
  const version = props.engineVersion;
  if (version === undefined || Token.isUnresolved(version) || !Object.values(CacheEngine).includes(s.engine)) {
    return;
  }
  const known = VERSIONS[s.engine][s.serverless ? 'serverless' : 'node'];
  v.check(known.includes(version), 'engineVersion', version,
    `one of ${known.join(', ')} for ${s.engine === CacheEngine.VALKEY ? 'Valkey' : 'Redis OSS'} ${s.serverless ? 'serverless (the major version alone)' : '(major.minor)'}`);
}

function validateNodes(v: PropValidator, props: InMemoryCacheProps, s: CacheSettings): void {
  if (s.clusterMode) {
    v.knownAtSynth('engineVersion', props.engineVersion, "in cluster mode it names the engine's cluster parameter group");
  }
  v.check(Token.isUnresolved(s.nodeType) || NODE_TYPE.test(s.nodeType), 'nodeType', s.nodeType,
    'a node type cache.<family>.<size>, such as cache.r7g.large');
  // Data tiering nodes must be created with DataTieringEnabled, and their memory metric means
  // another thing (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/data-tiering.html).
  v.check(Token.isUnresolved(s.nodeType) || !/^cache\.r6gd\./.test(s.nodeType), 'nodeType', s.nodeType,
    'a node type without data tiering (not r6gd): the pattern neither turns data tiering on nor alarms on what it keeps on SSD');
  v.knownAtSynth('shards', props.shards, 'it decides the nodes the alarms watch');
  v.integerInRange('shards', props.shards, 1, MAX_SHARDS);
  v.knownAtSynth('replicasPerShard', props.replicasPerShard, 'it decides the nodes the alarms watch');
  v.integerInRange('replicasPerShard', props.replicasPerShard, 0, MAX_REPLICAS_PER_SHARD);
  // The total only once each count is within its own range, so one wrong count is one error.
  const nodes = s.shards * (s.replicasPerShard + 1);
  const countsValid = s.shards <= MAX_SHARDS && s.replicasPerShard <= MAX_REPLICAS_PER_SHARD;
  v.check(!countsValid || !Number.isInteger(nodes) || nodes <= MAX_NODES, 'shards', s.shards,
    `at most ${MAX_NODES} nodes in all with replicasPerShard ${s.replicasPerShard} (ElastiCache's limit for a cluster): ${nodes} asked`);
  v.knownAtSynth('multiAz', props.multiAz, 'it decides automatic failover');
  v.check(!s.multiAz || s.replicasPerShard >= 1, 'multiAz', s.multiAz,
    `false when replicasPerShard is 0: Multi-AZ fails over to a replica in another Availability Zone (replicasPerShard: ${s.replicasPerShard})`);
  v.knownAtSynth('port', props.port, "it is the security group's port and the endpoint's");
  v.integerInRange('port', props.port, 1024, 65535);
  v.percentage('cpuAlarmThreshold', props.cpuAlarmThreshold, true);
  v.percentage('memoryAlarmThreshold', props.memoryAlarmThreshold, true);
  v.integerInRange('connectionsThreshold', props.connectionsThreshold, 1, MAX_CONNECTIONS);
  v.integerAtLeast('evictionsThreshold', props.evictionsThreshold, 1);
  v.secondsInRange('replicationLagThreshold', props.replicationLagThreshold, 1, 3600);
  v.check(props.replicationLagThreshold === undefined || s.replicasPerShard > 0, 'replicationLagThreshold', 'given',
    'left unset without replicas (replicasPerShard: 0): no node reports replication lag');
}

function validateServerless(v: PropValidator, props: InMemoryCacheProps): void {
  const storage = props.maxDataStorage;
  // A Size is no token itself: its amount is.
  v.knownAtSynth('maxDataStorage', storage?.isUnresolved() ? Token.asAny(storage) : undefined, 'the storage alarm compares against it');
  if (storage !== undefined && !storage.isUnresolved()) {
    const gb = storage.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    v.check(Number.isInteger(gb) && gb >= MIN_DATA_STORAGE_GB && gb <= MAX_DATA_STORAGE_GB, 'maxDataStorage', `${gb} GB`,
      `a whole number of GB from ${MIN_DATA_STORAGE_GB} to ${MAX_DATA_STORAGE_GB} (Size.gibibytes(n))`);
  }
  v.knownAtSynth('maxEcpuPerSecond', props.maxEcpuPerSecond, 'the processing units alarm compares against it');
  v.integerInRange('maxEcpuPerSecond', props.maxEcpuPerSecond, MIN_ECPU_PER_SECOND, MAX_ECPU_PER_SECOND);
  const latency = props.latencyP99Threshold;
  if (latency?.isUnresolved()) {
    // The latency metrics are in microseconds, which CloudFormation cannot convert a parameter to.
    v.knownAtSynth('latencyP99Threshold', latency, 'the latency alarms compare microseconds, which CloudFormation cannot convert a parameter to');
  } else {
    v.millisBelow('latencyP99Threshold', latency, { millis: 1000, what: '1 second' });
  }
}
