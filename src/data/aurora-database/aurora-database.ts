import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Tokenization } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeAuroraFindings } from './acknowledgements';
import { AURORA_ENGINES, auroraMaxConnections, MYSQL_AUDIT_AND_SLOW_LOGS } from './engines';
import { pausesOn, validateAuroraDatabaseProps } from './validate';
import { selectForBackup } from '../../building-blocks/backup-selection';
import { DatabaseMaintenanceProps } from '../../building-blocks/sql-database/database-props';
import { DatabaseEngine } from '../../building-blocks/sql-database/engines';
import {
  allowDatabaseClient, automatedBackupRetention, bytesText, createDatabaseSecurityGroup, createExportedLogGroups, createHardenedProxy,
  createIsolatedSubnetGroup, createMonitoringRole, databaseIdentifier, exportedLogRetention, grantConnectWithProxy, isolatedSubnetsOf, proxySecret,
  useLiteralPorts,
} from '../../building-blocks/sql-database/hardening';
import { instanceMemoryBytes } from '../../building-blocks/sql-database/instance-classes';
import { MasterSecret } from '../../building-blocks/sql-database/master-secret';
import { createPatternKey } from '../../core/keys';
import { createLogEncryptionKey } from '../../core/log-encryption';
import { PatternPrelude } from '../../core/pattern-prelude';

/**
 * The capacity of an Aurora Serverless v2 cluster's instances, in Aurora capacity units (ACUs):
 * each ACU is about 2 GiB of memory with its CPU and network.
 */
export interface AuroraServerlessCapacity {
  /**
   * The least capacity of each instance: 0, to pause when idle (Aurora PostgreSQL 13.15, 14.12,
   * 15.7, 16.3 or 17.4 and later; Aurora MySQL 3.08 and later), or 0.5 to 256 in steps of 0.5.
   *
   * @default - 0 in DEV (pauses when idle: storage is then all it costs), or 0.5 on an
   * `engineVersion` from before pausing; 0.5 in PROD, where a paused writer's first connection
   * waits about 15 seconds for it to resume
   */
  readonly minCapacity?: number;

  /**
   * The most capacity of each instance, from 1 to 256 in steps of 0.5, at least `minCapacity`.
   *
   * @default - 4 in DEV, 16 in PROD
   */
  readonly maxCapacity?: number;

  /**
   * How long an instance is idle before it pauses, from 300 to 86,400 seconds. Only with
   * `minCapacity` 0. A token must be in seconds: `Duration.seconds(token)`.
   *
   * @default Duration.minutes(5)
   */
  readonly autoPauseAfter?: Duration;
}

/**
 * Reader autoscaling: Aurora adds readers when the readers' load stays above a target, and
 * removes the ones it added when it falls.
 */
export interface AuroraReaderAutoScaling {
  /**
   * The most readers, from 1 to 15, counting the ones the pattern creates (`readers`).
   */
  readonly maxReaders: number;

  /**
   * The fewest readers, from 0 to `maxReaders`. Aurora never removes the readers the pattern
   * creates, so fewer than `readers` changes nothing.
   *
   * @default - `readers`
   */
  readonly minReaders?: number;

  /**
   * The readers' average CPU utilization, in percent, to keep them at: from 10 to 90.
   *
   * @default - 70, unless `targetConnections` is set
   */
  readonly targetCpuUtilization?: number;

  /**
   * The readers' average number of connections to keep them at, from 1 to 16,000, instead of a
   * CPU target.
   *
   * @default - none: the CPU target
   */
  readonly targetConnections?: number;
}

/**
 * Properties of an AuroraDatabase.
 */
export interface AuroraDatabaseProps extends DatabaseMaintenanceProps {
  /**
   * The VPC, with isolated subnets (no route out) in at least 2 Availability Zones: the cluster's
   * instances and its proxy live there. `MultiAzVpc` has them.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The database engine: `DatabaseEngine.POSTGRES` for Aurora PostgreSQL, `DatabaseEngine.MYSQL`
   * for Aurora MySQL 3 (MySQL 8.0 compatible).
   *
   * @default DatabaseEngine.POSTGRES
   */
  readonly engine?: DatabaseEngine;

  /**
   * The full engine version: '17.7' for Aurora PostgreSQL (14 to 18), '8.0.mysql_aurora.3.10.3'
   * for Aurora MySQL. Minor versions are upgraded automatically in the maintenance window.
   *
   * @default - '17.7' for Aurora PostgreSQL, '8.0.mysql_aurora.3.10.3' (a long-term support
   * release) for Aurora MySQL
   */
  readonly engineVersion?: string;

  /**
   * The class of provisioned instances, without the `db.` prefix: memory-optimized (r6g, r7g, r8g,
   * r6i, r7i, x2g) or, for development, t3 and t4g medium or large. Not with `serverless`.
   *
   * @default - db.r7g.large (Graviton, memory-optimized) in PROD; in DEV, Serverless v2 instead
   * (see `serverless`)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Aurora Serverless v2 instead of provisioned instances: for intermittent or unpredictable load,
   * paid per ACU-hour. Not with `instanceType`.
   *
   * @default - in DEV, Serverless v2 from 0 ACU (paused when idle) to 4; in PROD, provisioned
   * instances (see `instanceType`)
   */
  readonly serverless?: AuroraServerlessCapacity;

  /**
   * How many readers to create besides the writer, from 0 to 15, each in another Availability Zone
   * where there is one. The first is the writer's failover target (promotion tier 1; on Serverless
   * v2 it scales with the writer); the others are tier 2. Without a reader, a failed writer is
   * replaced in place, which takes about 10 minutes instead of about 30 seconds.
   *
   * @default - 1 in PROD, 0 in DEV
   */
  readonly readers?: number;

  /**
   * Reader autoscaling with Application Auto Scaling on the readers' CPU or connections. The
   * readers Aurora adds are not in the template: delete them (scale in to `readers`) before
   * deleting the stack, since CloudFormation cannot delete a cluster that still has instances.
   *
   * @default - none: `readers` readers
   */
  readonly readerAutoScaling?: AuroraReaderAutoScaling;

  /**
   * The name of a database to create: a letter, then letters, digits or underscores, at most 63
   * characters for Aurora PostgreSQL and 64 for Aurora MySQL, not a word the engine reserves.
   *
   * @default - none; Aurora PostgreSQL always has `postgres`
   */
  readonly databaseName?: string;

  /**
   * The master user's name: a letter, then letters, digits or underscores, at most 16 characters
   * (CreateDBCluster's limit for both engines), not `rdsadmin`, not `admin` for Aurora PostgreSQL,
   * and not a word the engine reserves.
   *
   * @default - 'postgres' for Aurora PostgreSQL, 'admin' for Aurora MySQL
   */
  readonly masterUsername?: string;

  /**
   * The port the cluster listens on, from 1150 to 65535.
   *
   * @default - the engine's: 5432 for Aurora PostgreSQL, 3306 for Aurora MySQL
   */
  readonly port?: number;

  /**
   * The customer-managed key that encrypts the storage, the snapshots, the master secret and
   * Performance Insights. It may be in another stack of the same Region. Its policy must let IAM
   * policies grant its use (the default policy of a `kms.Key` does): the grants of `secret` are
   * written in the grantees' IAM policies.
   *
   * @default - a new rotating key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether to put an RDS Proxy in front of the writer, to pool the connections of Lambda
   * functions: TLS and IAM authentication required, in the isolated subnets. A Serverless v2
   * writer with a proxy does not pause: the proxy keeps connections to it.
   *
   * @default false
   */
  readonly proxy?: boolean;

  /**
   * An AWS Backup plan to add the cluster to, where the organisation audits its backups there: a
   * HardenedBackupPlan or any aws-cdk-lib backup plan. AWS Backup protects Aurora by cluster.
   *
   * @default - none; automated backups only
   */
  readonly backupPlan?: backup.IBackupPlan;

  /**
   * How far back Aurora MySQL can rewind the cluster in place, at most 72 hours (Backtrack),
   * billed per change record kept. Aurora MySQL on provisioned instances only: Aurora refuses it
   * on Serverless v2. Set it at creation: Aurora cannot turn Backtrack on for a cluster created
   * without it, so a stack update that tries fails.
   *
   * @default - none; point-in-time restore to a new cluster
   */
  readonly backtrackWindow?: Duration;

  /**
   * The average CPU utilization, in percent over 15 minutes, above which the writer's alarm and
   * the readers' alarm fire.
   *
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;

  /**
   * The freeable memory (the minimum over 15 minutes, over the writer and over the readers) below
   * which an alarm fires: above 0 and below the instances' memory (for Serverless v2, 2 GiB per ACU
   * of `maxCapacity`, which is what the metric counts against). A value known only at deploy time
   * must be given as `Size.bytes(...)`.
   *
   * @default - 10% of the instances' memory; 256 MiB for a class whose memory the pattern does not know
   */
  readonly freeableMemoryThreshold?: Size;

  /**
   * The number of connections to the writer (the maximum over 5 minutes) above which an alarm
   * fires: a whole number from 1 to one below the engine's limit.
   *
   * @default - 80% of the engine's default `max_connections` for the class (for Serverless v2,
   * for `maxCapacity`)
   */
  readonly connectionsThreshold?: number;

  /**
   * The replica lag (the most of any reader over 5 minutes) above which an alarm fires, from 1
   * millisecond to 1 hour. Only with readers. A value known only at deploy time must be given as
   * `Duration.millis(...)`: AuroraReplicaLagMaximum is in milliseconds.
   *
   * @default Duration.seconds(1): Aurora's readers usually lag by under 100 ms
   */
  readonly replicaLagThreshold?: Duration;

  /**
   * The ACU utilization of Serverless v2 instances (the most over 15 minutes), in percent of
   * `maxCapacity`, above which an alarm fires. Only with `serverless`.
   *
   * @default 90: the cluster is about to run out of room to scale
   */
  readonly acuUtilizationThreshold?: number;
}

/**
 * An Aurora PostgreSQL or Aurora MySQL cluster that keeps six copies of its data over three
 * Availability Zones, fails over to a reader in another zone, and carries the same hardening as
 * RelationalDatabase: isolated, encrypted, TLS only, credentials managed and rotated by RDS.
 *
 * Applies: a writer and `readers` spread over the Availability Zones with promotion tiers; reader
 * autoscaling on the readers' CPU or connections; provisioned memory-optimized Graviton instances
 * in PROD and Serverless v2 scaling to zero in DEV; the isolated subnets, `PubliclyAccessible`
 * false on every instance, a security group without ingress until `allowConnectionsFrom`; storage
 * encrypted with a rotating customer key; TLS forced by the cluster parameter group; a master
 * password RDS keeps in Secrets Manager under the same key and rotates; IAM database
 * authentication; an optional RDS Proxy requiring TLS and IAM; automated backups with a window
 * apart from maintenance, tags copied to snapshots, deletion protection and a final snapshot in
 * PROD, an optional AWS Backup plan; Aurora MySQL's audit and slow query logs and optional
 * Backtrack; Performance Insights, enhanced monitoring every 60 s, log exports to encrypted log
 * groups with a retention; alarms on CPU and freeable memory of the writer and the readers,
 * connections, replica lag and ACU utilization.
 *
 * @example
 * import { AuroraDatabase, HardenedFunction, MultiAzVpc } from 'cdk-best-practice-patterns';
 *
 * const network = new MultiAzVpc(this, 'Network');
 * const database = new AuroraDatabase(this, 'Database', { vpc: network.vpc, databaseName: 'orders' });
 * const api = new HardenedFunction(this, 'Api', {
 *   code: lambda.Code.fromAsset('lambda/api'),
 *   vpc: network.vpc,
 * });
 * database.allowConnectionsFrom(api);
 * database.grantConnect(api, 'api');
 */
export class AuroraDatabase extends Construct implements ec2.IConnectable {
  /**
   * The Aurora cluster.
   */
  public readonly cluster: rds.DatabaseCluster;

  /**
   * The writer instance.
   */
  public readonly writer: rds.IAuroraClusterInstance;

  /**
   * The readers the pattern creates, in order (not those reader autoscaling adds).
   */
  public readonly readers: rds.IAuroraClusterInstance[];

  /**
   * The master user's secret (`username`, `password`), which RDS keeps and rotates, encrypted with
   * the cluster's key. Its grants write the grantee's own IAM policy alone, so `grantRead` works
   * for a grantee in any stack of the app.
   */
  public readonly secret: secretsmanager.ISecret;

  /**
   * The RDS Proxy, when `proxy` is on.
   */
  public readonly proxy?: rds.DatabaseProxy;

  /**
   * The writer's endpoint: host name and port.
   */
  public readonly endpoint: rds.Endpoint;

  /**
   * The reader endpoint, which balances connections over the readers (the writer when there are none).
   */
  public readonly readerEndpoint: rds.Endpoint;

  /**
   * The security group of the cluster's instances.
   */
  public readonly securityGroup: ec2.SecurityGroup;

  /**
   * The port the cluster (and its proxy) listens on.
   */
  public readonly port: number;

  /**
   * The key that encrypts the storage, the snapshots, the secret and Performance Insights.
   */
  public readonly encryptionKey: kms.IKey;

  /**
   * Who the cluster lets in: `connections.allowDefaultPortFrom(client)` is what
   * `allowConnectionsFrom` does for the cluster alone.
   */
  public readonly connections: ec2.Connections;

  /**
   * The alarms of this pattern: CPU and freeable memory of the writer and the readers,
   * connections, replica lag, ACU utilization.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly proxySecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'AuroraDatabase', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const production = prelude.production;
    const engineKind = props.engine ?? DatabaseEngine.POSTGRES;
    const engineFacts = AURORA_ENGINES[engineKind];
    // Serverless v2 where asked for, or by default in DEV unless an instance class is given.
    const serverless = props.serverless !== undefined || (!production && props.instanceType === undefined);
    // Pausing in DEV, where the engine version can (a version from before it starts at 0.5 ACU).
    const pauses = pausesOn(engineKind, props.engineVersion ?? engineFacts?.defaultVersion);
    const minCapacity = props.serverless?.minCapacity ?? (production || !pauses ? 0.5 : 0);
    const maxCapacity = props.serverless?.maxCapacity ?? (production ? 16 : 4);
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE);
    const readerCount = props.readers ?? (production ? 1 : 0);
    const backupWindow = props.preferredBackupWindow ?? '03:00-04:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:05:00-sun:06:00';
    const isolatedSubnets = isolatedSubnetsOf(props.vpc);

    const { version, major, username } = validateAuroraDatabaseProps(this, prelude.validator, props, {
      engineKind, engineFacts, serverless, minCapacity, maxCapacity, instanceType, readerCount, backupWindow, maintenanceWindow, isolatedSubnets,
    });

    const removalPolicy = prelude.removalPolicy;
    const engine = engineKind === DatabaseEngine.POSTGRES
      ? rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.of(version, major) })
      : rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.of(version, major) });
    this.port = props.port ?? engineFacts.defaultPort;
    this.encryptionKey = props.encryptionKey
      ?? createPatternKey(this, 'Key', `Encrypts the storage, snapshots, secret and Performance Insights of ${this.node.path}`, removalPolicy);
    this.securityGroup = createDatabaseSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `Refuses connections without TLS to ${this.node.path}`,
      parameters: { ...engineFacts.tlsParameters, ...(engineKind === DatabaseEngine.MYSQL ? MYSQL_AUDIT_AND_SLOW_LOGS : {}) },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logKey = createLogEncryptionKey(this, 'LogKey', `Encrypts the exported logs of ${this.node.path}`, removalPolicy);
    const logRetention = exportedLogRetention(props.logRetention, production);
    const deletionProtection = props.deletionProtection ?? production;
    const backupRetention = automatedBackupRetention(props.backupRetention, props.backupPlan, production);
    const identifier = databaseIdentifier(this);
    // Free for 7 days; Aurora MySQL has none on db.t3 classes.
    const performanceInsights = serverless || engineKind !== DatabaseEngine.MYSQL || !/^t3\./.test(instanceType.toString());

    // Every instance is hardened alike. PubliclyAccessible is written out: in isolated subnets it
    // could not be reached anyway, but cdk-nag's RDSInstancePublicAccess reads only the property.
    const azs = isolatedSubnets.availabilityZones;
    const instanceOptions = (name: string, n: number) => ({
      instanceIdentifier: `${identifier}-${name.toLowerCase()}`,
      // The cluster's Performance Insights, said on each instance too (aws-cdk-lib warns otherwise).
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? this.encryptionKey : undefined,
      performanceInsightRetention: performanceInsights ? rds.PerformanceInsightRetention.DEFAULT : undefined,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      // The writer in the first Availability Zone, the readers round the others.
      availabilityZone: azs.length > 1 ? azs[n % azs.length] : undefined,
      promotionTier: n === 0 ? 0 : n === 1 ? 1 : 2,
    });
    const instance = (name: string, n: number) => serverless
      ? rds.ClusterInstance.serverlessV2(name, { ...instanceOptions(name, n), scaleWithWriter: n === 1 })
      : rds.ClusterInstance.provisioned(name, { ...instanceOptions(name, n), instanceType });
    const readerNames = Array.from({ length: readerCount }, (_, i) => `Reader${i + 1}`);

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier: identifier,
      writer: instance('Writer', 0),
      readers: readerNames.map((name, i) => instance(name, i + 1)),
      serverlessV2MinCapacity: serverless ? minCapacity : undefined,
      serverlessV2MaxCapacity: serverless ? maxCapacity : undefined,
      serverlessV2AutoPauseDuration: serverless && minCapacity === 0 ? props.serverless?.autoPauseAfter ?? Duration.minutes(5) : undefined,
      vpc: props.vpc,
      subnetGroup: createIsolatedSubnetGroup(this, props.vpc),
      securityGroups: [this.securityGroup],
      port: this.port,
      parameterGroup,
      defaultDatabaseName: props.databaseName,
      credentials: rds.Credentials.fromUsername(username, { encryptionKey: this.encryptionKey }),
      // RDS keeps the password in Secrets Manager and rotates it every 7 days: no rotation
      // function, no path to Secrets Manager from the isolated subnets.
      manageMasterUserPassword: true,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      backup: { retention: backupRetention, preferredWindow: backupWindow },
      preferredMaintenanceWindow: maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection,
      backtrackWindow: props.backtrackWindow,
      cloudwatchLogsExports: engineFacts.logExports,
      monitoringInterval: Duration.seconds(60),
      monitoringRole: createMonitoringRole(this),
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? this.encryptionKey : undefined,
      performanceInsightRetention: performanceInsights ? rds.PerformanceInsightRetention.DEFAULT : undefined,
      // A final snapshot in PROD: data outlives the stack.
      removalPolicy: production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    createExportedLogGroups(this, this.cluster.node.defaultChild!, {
      exports: engineFacts.logExports, key: logKey, retention: logRetention, removalPolicy, idPrefix: 'Cluster', groupPrefix: `/aws/rds/cluster/${identifier}`,
    });
    this.writer = this.cluster.node.findChild('Writer') as unknown as rds.IAuroraClusterInstance;
    this.readers = readerNames.map((name) => this.cluster.node.findChild(name) as unknown as rds.IAuroraClusterInstance);
    const instances = [this.writer, ...this.readers].map((i) => i.node.defaultChild as rds.CfnDBInstance);
    // Grants of the secret write only the grantee's policy, so a grantee in another stack is fine.
    this.secret = new MasterSecret(this, 'Secret', this.cluster.secret!.secretArn, this.encryptionKey);
    this.endpoint = this.cluster.clusterEndpoint;
    this.readerEndpoint = this.cluster.clusterReadEndpoint;
    acknowledgeAuroraFindings(this.cluster, instances, {
      deletionProtection,
      port3306: this.port === 3306,
      backupPlan: !!props.backupPlan,
      mysql: engineKind === DatabaseEngine.MYSQL,
      backtrack: props.backtrackWindow !== undefined,
    });
    selectForBackup(this, props.backupPlan, [this.cluster.clusterArn], 'to snapshot the cluster');
    if (props.readerAutoScaling) {
      this.addReaderAutoScaling(props.readerAutoScaling, readerCount);
    }
    if (props.proxy) {
      const { proxy, securityGroup } = createHardenedProxy(this, {
        vpc: props.vpc,
        target: rds.ProxyTarget.fromCluster(this.cluster),
        secret: proxySecret(this, this.encryptionKey, this.cluster.secret!, this.secret),
        identifier,
      });
      this.proxy = proxy;
      this.proxySecurityGroup = securityGroup;
    }

    useLiteralPorts(this, this.port);
    this.createAlarms(prelude, { engineKind, serverless, maxCapacity, instanceType, readers: readerCount > 0 || !!props.readerAutoScaling });
  }

  /**
   * Lets a client reach the cluster (its writer, its readers and its proxy) on its port, and
   * nothing else: security group to security group.
   */
  public allowConnectionsFrom(client: ec2.IConnectable, description?: string): void {
    allowDatabaseClient(this, this.proxySecurityGroup, client, this.port, description ?? 'A client of the database');
  }

  /**
   * Lets a principal connect as a database user through IAM database authentication, to the
   * cluster and, when there is one, to its proxy. Directly, the user must exist in the database
   * and be granted `rds_iam` (Aurora PostgreSQL) or use the AWSAuthenticationPlugin (Aurora MySQL).
   * Through the proxy, which holds only the master user's secret, only the master user can log in.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return grantConnectWithProxy(this.cluster, this.proxy, grantee, dbUser);
  }

  /**
   * Application Auto Scaling on the cluster's reader count. Written in CloudFormation's own terms:
   * aws-cdk-lib's ScalableTarget creates an IAM role Aurora never uses (Application Auto Scaling
   * acts through its service-linked role for RDS clusters).
   */
  private addReaderAutoScaling(scaling: AuroraReaderAutoScaling, readerCount: number): void {
    const target = new appscaling.CfnScalableTarget(this, 'ReaderScaling', {
      serviceNamespace: 'rds',
      scalableDimension: 'rds:cluster:ReadReplicaCount',
      resourceId: `cluster:${this.cluster.clusterIdentifier}`,
      minCapacity: scaling.minReaders ?? readerCount,
      maxCapacity: scaling.maxReaders,
    });
    // Registered once the instances exist, and deregistered before they go (as aws-cdk-lib's proxy
    // target group waits for them): Aurora scales the readers of an available cluster only.
    target.node.addDependency(this.writer, ...this.readers);
    const connections = scaling.targetConnections !== undefined;
    new appscaling.CfnScalingPolicy(this, 'ReaderScalingPolicy', {
      policyName: `${this.node.path.slice(-200)}/Readers`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.ref,
      targetTrackingScalingPolicyConfiguration: {
        predefinedMetricSpecification: {
          predefinedMetricType: connections ? appscaling.PredefinedMetric.RDS_READER_AVERAGE_DATABASE_CONNECTIONS
            : appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION,
        },
        targetValue: connections ? scaling.targetConnections! : scaling.targetCpuUtilization ?? 70,
        // A reader takes minutes to add: after one is added, wait 5 minutes before adding another,
        // and after one is removed, 15 before removing the next.
        scaleOutCooldown: 300,
        scaleInCooldown: 900,
      },
    });
  }

  /** A metric of the cluster, over its instances of one role ('WRITER', 'READER') or all of them. */
  private clusterMetric(metricName: string, role: string | undefined, options: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { DBClusterIdentifier: this.cluster.clusterIdentifier, ...(role ? { Role: role } : {}) },
      ...options,
    });
  }

  private createAlarms(prelude: PatternPrelude<AuroraDatabaseProps>, facts: {
    engineKind: DatabaseEngine; serverless: boolean; maxCapacity: number; instanceType: ec2.InstanceType; readers: boolean;
  }): void {
    const props = prelude.props;
    const fifteenMinutes = { period: Duration.minutes(15) };
    const fiveMinutes = { period: Duration.minutes(5) };
    const memoryBytes = facts.serverless ? facts.maxCapacity * 2 * 1024 ** 3 : instanceMemoryBytes(facts.instanceType);
    const roles: Array<[string, string]> = [['Writer', 'WRITER'], ...(facts.readers ? [['Reader', 'READER'] as [string, string]] : [])];
    const cpu = props.cpuAlarmThreshold ?? 80;
    const setMemory = props.freeableMemoryThreshold?.toBytes({ rounding: SizeRoundingBehavior.NONE });
    const freeMemory = setMemory ?? (memoryBytes ? Math.round(memoryBytes / 10) : 256 * 1024 ** 2);
    const memoryText = setMemory === undefined ? `${Math.round(freeMemory / 1024 ** 2)} MiB` : bytesText(setMemory);
    for (const [name, role] of roles) {
      const who = role === 'WRITER' ? `The writer of ${this.node.path}` : `A reader of ${this.node.path}`;
      prelude.alarm(`${name}CpuAlarm`, {
        // The readers' average, as the reader endpoint spreads connections over them and reader
        // autoscaling tracks it.
        metric: this.clusterMetric('CPUUtilization', role, { ...fifteenMinutes, statistic: cloudwatch.Stats.AVERAGE }),
        threshold: cpu,
        description: `${role === 'WRITER' ? `The writer of ${this.node.path}` : `The readers of ${this.node.path}`} averaged over `
          + `${Tokenization.stringifyNumber(cpu)}% CPU for 15 minutes`,
      });
      prelude.alarm(`${name}FreeableMemoryAlarm`, {
        metric: this.clusterMetric('FreeableMemory', role, { ...fifteenMinutes, statistic: cloudwatch.Stats.MINIMUM }),
        threshold: freeMemory,
        below: true,
        description: `${who} has less than ${memoryText} of memory left`,
      });
    }
    const maxConnections = auroraMaxConnections(facts.engineKind, memoryBytes);
    const setConnections = props.connectionsThreshold;
    const connections = setConnections ?? Math.max(1, Math.floor(maxConnections * 0.8));
    prelude.alarm('ConnectionsAlarm', {
      metric: this.clusterMetric('DatabaseConnections', 'WRITER', { ...fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: connections,
      description: setConnections === undefined
        ? `The writer of ${this.node.path} has more than ${connections} connections, 80% of the default maximum for its capacity`
        : `The writer of ${this.node.path} has more than ${Tokenization.stringifyNumber(setConnections)} connections`,
    });
    if (facts.readers) {
      const lag = props.replicaLagThreshold;
      prelude.alarm('ReplicaLagAlarm', {
        metric: this.clusterMetric('AuroraReplicaLagMaximum', undefined, { ...fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: lag?.toMilliseconds() ?? 1000,
        description: `A reader of ${this.node.path} is more than ${lag === undefined ? '1 second'
          : lag.isUnresolved() || lag.toMilliseconds() < 1000 ? `${Tokenization.stringifyNumber(lag.toMilliseconds())} milliseconds` : lag.toHumanString()} behind the writer`,
      });
    }
    if (facts.serverless) {
      const acu = props.acuUtilizationThreshold ?? 90;
      prelude.alarm('AcuUtilizationAlarm', {
        metric: this.clusterMetric('ACUUtilization', undefined, { ...fifteenMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: acu,
        description: `An instance of ${this.node.path} used over ${Tokenization.stringifyNumber(acu)}% of its maximum capacity: it is about to run out of room to scale`,
      });
    }
    prelude.dashboard([
      { title: 'CPU utilization (%)', metrics: roles.map(([, role]) => this.clusterMetric('CPUUtilization', role, fiveMinutes)) },
      { title: 'Connections', metrics: roles.map(([, role]) => this.clusterMetric('DatabaseConnections', role, fiveMinutes)) },
      facts.serverless
        ? { title: 'Capacity (ACU)', metrics: [this.clusterMetric('ServerlessDatabaseCapacity', undefined, fiveMinutes)] }
        : { title: 'Commit latency (ms)', metrics: [this.clusterMetric('CommitLatency', undefined, fiveMinutes)] },
    ]);
  }
}
