import { CfnResource, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token, Tokenization } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeReplicaFindings, acknowledgeWeakenings } from './acknowledgements';
import { findSecretsManagerEndpoint, MasterPassword, secretsManagerUrl } from './master-password';
import { MAX_STORAGE_GIB, MIN_STORAGE_GIB, minMaxAllocatedStorage, validateRelationalDatabaseProps } from './validate';
import { selectForBackup } from '../../building-blocks/backup-selection';
import { DatabaseMaintenanceProps } from '../../building-blocks/sql-database/database-props';
import { DatabaseEngine, defaultMaxConnections, EngineFacts, ENGINES, MYSQL_SLOW_QUERY_LOG } from '../../building-blocks/sql-database/engines';
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
 * Properties of a RelationalDatabase.
 */
export interface RelationalDatabaseProps extends DatabaseMaintenanceProps {
  /**
   * The VPC, with isolated subnets (no route out) in at least 2 Availability Zones: the database,
   * its replicas and its proxy live there. `MultiAzVpc` has them.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The database engine.
   *
   * @default DatabaseEngine.POSTGRES
   */
  readonly engine?: DatabaseEngine;

  /**
   * The engine version: a major or full version for PostgreSQL, a full version for MySQL.
   *
   * For PostgreSQL a major version from 13 to 18 ('17', RDS picks the minor version) or a full one
   * ('17.4'); for MySQL a full 8.0 or 8.4 version ('8.4.8'). Minor versions are upgraded
   * automatically in the maintenance window either way.
   *
   * @default - '17' for PostgreSQL, '8.4.8' for MySQL: the latest major versions (RDS then
   * upgrades the minor version)
   */
  readonly engineVersion?: string;

  /**
   * The instance class, without the `db.` prefix that RDS adds: `ec2.InstanceType.of(...)` or
   * `new ec2.InstanceType('t4g.micro')`. Performance Insights is off on MySQL's micro and small
   * burstable classes, which do not support it. A class the pattern does not know RDS to offer for
   * PostgreSQL and MySQL is a synth warning, `cdk-best-practice-patterns:unknownInstanceClass`.
   *
   * @default - db.m7g.large (Graviton, general purpose) in PROD, db.t4g.micro (Graviton,
   * burstable) in DEV
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The name of a database to create: a letter, then letters, digits or underscores, at most 63
   * characters for PostgreSQL and 64 for MySQL, not a word the engine reserves (such as `select`).
   *
   * @default - none; PostgreSQL always has `postgres`
   */
  readonly databaseName?: string;

  /**
   * The master user's name: a letter, then letters, digits or underscores, at most 63 characters
   * for PostgreSQL and 32 for MySQL, not `rdsadmin`, not `admin` for PostgreSQL, and not a word the
   * engine reserves (such as `user`). Over 16 characters is a synth warning,
   * `cdk-best-practice-patterns:longMasterUsername`: RDS's API reference documents 1 to 16 for every
   * engine.
   *
   * @default - 'postgres' for PostgreSQL, 'admin' for MySQL
   */
  readonly masterUsername?: string;

  /**
   * Who keeps and rotates the master password.
   *
   * @default - MasterPassword.MANAGED_BY_RDS, or MasterPassword.ROTATED_SECRET with read replicas,
   * which RDS-managed passwords do not allow. Adding the first replica to a database created
   * without one therefore changes its secret (a new ARN): set this explicitly to plan for that.
   */
  readonly masterPassword?: MasterPassword;

  /**
   * How often a ROTATED_SECRET is rotated, from 1 to 1,000 days. An RDS-managed password rotates
   * every 7 days (change that in Secrets Manager). A token must be in days: `Duration.days(token)`.
   *
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;

  /**
   * The Secrets Manager interface endpoint the rotation function of a ROTATED_SECRET uses. The
   * function calls an endpoint created in this app by its own DNS name, which resolves with or
   * without private DNS; an imported one (`fromInterfaceVpcEndpointAttributes`), whose names the
   * pattern cannot read, by Secrets Manager's standard name, which resolves to the endpoint only
   * when the endpoint has private DNS enabled.
   *
   * @default - an endpoint of the VPC's that this app created (MultiAzVpc's `interfaceEndpoints`),
   * else a new one in the isolated subnets
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * The port the database listens on, from 1150 to 65535.
   *
   * @default - the engine's: 5432 for PostgreSQL, 3306 for MySQL
   */
  readonly port?: number;

  /**
   * Whether a synchronous standby in another Availability Zone takes over on failure.
   *
   * @default - true in PROD, false in DEV
   */
  readonly multiAz?: boolean;

  /**
   * How many asynchronous read replicas to create, from 0 to 15, spread over the other
   * Availability Zones, each hardened like the primary.
   *
   * @default 0
   */
  readonly readReplicas?: number;

  /**
   * The storage to allocate, in GiB, from 20 to 65,536 (gp3).
   *
   * @default 20
   */
  readonly allocatedStorage?: number;

  /**
   * How far storage autoscaling may grow the storage, in GiB: at least 10% above
   * `allocatedStorage` (RDS's minimum), at most 65,536. Only what is used is paid for.
   *
   * @default - 1,000 GiB; 65,536 when 1,000 is less than 10% above the allocated storage; no
   * autoscaling when 65,536 is
   */
  readonly maxAllocatedStorage?: number;

  /**
   * The customer-managed key that encrypts the storage, the snapshots, the master secret and
   * Performance Insights. Storage encryption is chosen at creation and cannot be changed later.
   * It may be in another stack. Its policy must let IAM policies grant its use (the default policy
   * of a `kms.Key` does): the grants of `secret` are written in the grantees' IAM policies.
   *
   * @default - a new rotating key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether to put an RDS Proxy in front of the database, to pool the connections of Lambda
   * functions: TLS and IAM authentication required, in the isolated subnets. It holds the master
   * user's secret, so clients log in through it as the master user with an IAM token.
   *
   * @default false
   */
  readonly proxy?: boolean;

  /**
   * An AWS Backup plan to add the database to, where the organisation audits its backups there: a
   * HardenedBackupPlan (a locked, encrypted vault, copies to another region, failed jobs notified),
   * whose backup role then backs the database up, or any aws-cdk-lib backup plan. The HIPAA and NIST
   * packs' RDSInBackupPlan check then passes without an acknowledgement.
   *
   * @default - none; automated backups only
   */
  readonly backupPlan?: backup.IBackupPlan;

  /**
   * The average CPU utilization, in percent over 15 minutes, above which an alarm fires.
   *
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;

  /**
   * The freeable memory (the minimum over 15 minutes) below which an alarm fires: above 0 and below
   * the class's memory when the pattern knows it (t, m and r families). A value known only at
   * deploy time must be given as `Size.bytes(...)`: the metric is in bytes.
   *
   * @default - 10% of the class's memory, so the alarm means the same on every class; 256 MiB for
   * a class whose memory the pattern does not know
   */
  readonly freeableMemoryThreshold?: Size;

  /**
   * The free storage space (the minimum over 15 minutes) below which an alarm fires: above 0 and
   * below `allocatedStorage`, since free space never exceeds the allocated storage. An amount, not
   * a share: the alarm's threshold is fixed at synth, while storage autoscaling grows the volume,
   * and how long the space lasts depends on the bytes left and the write rate. A value known only
   * at deploy time must be given as `Size.bytes(...)`: the metric is in bytes.
   *
   * @default - 5% of `allocatedStorage` (1 GiB when it is a token): storage autoscaling grows the
   * volume below 10% free, so the alarm means that it could not
   */
  readonly freeStorageSpaceThreshold?: Size;

  /**
   * The number of connections (the maximum over 5 minutes) above which an alarm fires: a whole
   * number from 1 to one below the engine's limit on `max_connections` (262,143 for PostgreSQL,
   * 100,000 for MySQL). Above the class's default `max_connections` (see the default) the alarm
   * fires only if `max_connections` was raised in the parameter group.
   *
   * @default - 80% of the engine's default `max_connections` for the class, which RDS derives from
   * the class's memory (540 for PostgreSQL on db.m7g.large): the alarm warns before clients are
   * refused
   */
  readonly connectionsThreshold?: number;

  /**
   * The lag (the maximum over 5 minutes) above which the alarm of each read replica fires: a whole
   * number of seconds from 1 second to 30 days (RDS terminates replication that has stopped for
   * more than 30 days). Only with `readReplicas`. A value known only at deploy time must be given
   * as `Duration.seconds(...)`: ReplicaLag is in seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly replicaLagThreshold?: Duration;
}

/**
 * A PostgreSQL or MySQL database on RDS that survives the loss of an Availability Zone, keeps its
 * backups, rotates its own credentials and lets in only the clients it is told about.
 *
 * Applies: Multi-AZ in PROD; read replicas in other AZs; the isolated subnets, never public, a
 * security group without ingress until `allowConnectionsFrom`; gp3 storage with autoscaling,
 * encrypted with a rotating customer key; TLS enforced by the parameter group; a master password
 * in Secrets Manager under the same key, rotated by RDS (or by a rotation function reaching
 * Secrets Manager through an interface endpoint); IAM database authentication; an optional RDS
 * Proxy requiring TLS and IAM; automated backups with a window apart from maintenance, tags
 * copied to snapshots, deletion protection and a final snapshot in PROD, an optional AWS Backup
 * plan; Performance Insights, enhanced monitoring every 60 s, log exports to encrypted log groups
 * with a retention; alarms on CPU, freeable memory, free storage, connections and replica lag.
 *
 * @example
 * import { HardenedFunction, MultiAzVpc, RelationalDatabase } from 'cdk-best-practice-patterns';
 *
 * const network = new MultiAzVpc(this, 'Network');
 * const database = new RelationalDatabase(this, 'Database', { vpc: network.vpc, databaseName: 'orders' });
 * const api = new HardenedFunction(this, 'Api', {
 *   code: lambda.Code.fromAsset('lambda/api'),
 *   vpc: network.vpc,
 * });
 * database.allowConnectionsFrom(api);
 * database.secret.grantRead(api);
 */
export class RelationalDatabase extends Construct implements ec2.IConnectable {
  /**
   * The primary database instance.
   */
  public readonly instance: rds.DatabaseInstance;

  /**
   * The read replicas, in the order of their Availability Zones.
   */
  public readonly readReplicas: rds.DatabaseInstanceReadReplica[] = [];

  /**
   * The master user's secret (`username`, `password`, and for a ROTATED_SECRET the connection
   * details), encrypted with the database's key. `grantRead` works for a grantee in any stack of
   * the app, and so does `ecs.Secret.fromSecretsManager`: it writes the grantee's own IAM policy
   * alone (the secret, and `kms:Decrypt` on the database's key through Secrets Manager only), never
   * the key's policy, so this `ISecret` carries no `encryptionKey` (the key is `encryptionKey`).
   */
  public readonly secret: secretsmanager.ISecret;

  /**
   * The RDS Proxy, when `proxy` is on.
   */
  public readonly proxy?: rds.DatabaseProxy;

  /**
   * The security group of the database and its replicas.
   */
  public readonly securityGroup: ec2.SecurityGroup;

  /**
   * The primary's endpoint: host name and port.
   */
  public readonly endpoint: rds.Endpoint;

  /**
   * The port the database (and its proxy) listens on.
   */
  public readonly port: number;

  /**
   * The key that encrypts the storage, the snapshots, the secret and Performance Insights.
   */
  public readonly encryptionKey: kms.IKey;

  /**
   * Who the database lets in: `connections.allowDefaultPortFrom(client)` is what
   * `allowConnectionsFrom` does for the database alone.
   */
  public readonly connections: ec2.Connections;

  /**
   * The alarms of this pattern: CPU, freeable memory, free storage, connections, and the lag of
   * each replica.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly proxySecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RelationalDatabaseProps) {
    super(scope, id);
    const prelude = PatternPrelude.start(this, 'RelationalDatabase', props);
    props = prelude.props;
    this.alarms = prelude.alarms;
    const engineKind = props.engine ?? DatabaseEngine.POSTGRES;
    // Undefined for a value none of DatabaseEngine's, from untyped configuration: validation refuses it.
    const engineFacts: EngineFacts | undefined = ENGINES[engineKind];
    const production = prelude.production;
    const replicaCount = props.readReplicas ?? 0;
    const masterPassword = props.masterPassword ?? (replicaCount > 0 ? MasterPassword.ROTATED_SECRET : MasterPassword.MANAGED_BY_RDS);
    const allocatedStorage = props.allocatedStorage ?? MIN_STORAGE_GIB;
    // Autoscaling up to 1,000 GiB, or to the limit for larger volumes; none where even the limit is
    // not the 10% above the allocated storage that RDS requires.
    const autoscalingFloor = Token.isUnresolved(allocatedStorage) ? 0 : minMaxAllocatedStorage(allocatedStorage);
    const maxAllocatedStorage = props.maxAllocatedStorage
      ?? (autoscalingFloor <= 1000 ? 1000 : autoscalingFloor <= MAX_STORAGE_GIB ? MAX_STORAGE_GIB : undefined);
    const instanceType = props.instanceType ?? (production
      ? ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE)
      : ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO));
    const backupWindow = props.preferredBackupWindow ?? '03:00-04:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:05:00-sun:06:00';
    const isolatedSubnets = isolatedSubnetsOf(props.vpc);

    const { version, major, username } = validateRelationalDatabaseProps(this, prelude.validator, props, {
      engineKind,
      engineFacts,
      masterPassword,
      replicaCount,
      allocatedStorage,
      maxAllocatedStorage,
      autoscalingFloor,
      instanceType,
      backupWindow,
      maintenanceWindow,
      isolatedSubnets,
    });

    // Validation refuses an engine none of DatabaseEngine's.
    const facts = engineFacts!;
    const removalPolicy = prelude.removalPolicy;
    const engine = engineKind === DatabaseEngine.POSTGRES
      ? rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(version, major) })
      : rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of(version, major) });
    this.port = props.port ?? facts.defaultPort;
    this.encryptionKey = props.encryptionKey
      ?? createPatternKey(this, 'Key', `Encrypts the storage, snapshots, secret and Performance Insights of ${this.node.path}`, removalPolicy);

    this.securityGroup = createDatabaseSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    const subnetGroup = createIsolatedSubnetGroup(this, props.vpc);
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `Refuses connections without TLS to ${this.node.path}`,
      parameters: { ...facts.tlsParameters, ...(engineKind === DatabaseEngine.MYSQL ? MYSQL_SLOW_QUERY_LOG : {}) },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const monitoringRole = createMonitoringRole(this);
    const logKey = createLogEncryptionKey(this, 'LogKey', `Encrypts the exported logs of ${this.node.path}`, removalPolicy);
    const logRetention = exportedLogRetention(props.logRetention, production);
    const performanceInsights = engineKind !== DatabaseEngine.MYSQL || !/^t[234]g?\.(micro|small)$/.test(instanceType.toString());
    const multiAz = props.multiAz ?? production;
    const deletionProtection = props.deletionProtection ?? production;
    const backupRetention = automatedBackupRetention(props.backupRetention, props.backupPlan, production);

    // Shared by the primary and its replicas: the same hardening everywhere.
    const hardening = {
      instanceType,
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [this.securityGroup],
      parameterGroup,
      port: this.port,
      publiclyAccessible: false,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage,
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      deletionProtection,
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? this.encryptionKey : undefined,
      monitoringInterval: Duration.seconds(60),
      monitoringRole,
      cloudwatchLogsExports: facts.logExports,
      preferredMaintenanceWindow: maintenanceWindow,
      // A final snapshot in PROD: data outlives the stack.
      removalPolicy: production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    };
    const identifier = databaseIdentifier(this);
    const credentials = masterPassword === MasterPassword.MANAGED_BY_RDS
      ? rds.Credentials.fromUsername(username, { encryptionKey: this.encryptionKey })
      : rds.Credentials.fromGeneratedSecret(username, { encryptionKey: this.encryptionKey });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      ...hardening,
      engine,
      instanceIdentifier: identifier,
      // A replica inherits its source's encryption, key included.
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      databaseName: props.databaseName,
      credentials,
      manageMasterUserPassword: masterPassword === MasterPassword.MANAGED_BY_RDS ? true : undefined,
      multiAz,
      // A single-AZ primary in the first AZ, so the replicas (from the second on) are elsewhere.
      availabilityZone: !multiAz && isolatedSubnets.availabilityZones.length > 1 ? isolatedSubnets.availabilityZones[0] : undefined,
      allocatedStorage,
      backupRetention,
      preferredBackupWindow: backupWindow,
    });
    const exportedLogs = { exports: facts.logExports, key: logKey, retention: logRetention, removalPolicy };
    createExportedLogGroups(this, this.instance.node.defaultChild!, { ...exportedLogs, idPrefix: 'Instance', groupPrefix: `/aws/rds/instance/${identifier}` });
    // Grants of the secret write only the grantee's policy, so a grantee in another stack is fine.
    this.secret = new MasterSecret(this, 'Secret', this.instance.secret!.secretArn, this.encryptionKey);
    this.endpoint = this.instance.instanceEndpoint;
    acknowledgeWeakenings(this.instance, {
      multiAz,
      deletionProtection,
      defaultPort: this.port === facts.defaultPort,
      backupPlan: !!props.backupPlan,
      mysql: engineKind === DatabaseEngine.MYSQL,
    });

    const azs = isolatedSubnets.availabilityZones;
    for (let n = 1; n <= replicaCount; n++) {
      const replicaIdentifier = `${identifier.slice(0, 52)}-replica${n}`;
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${n}`, {
        ...hardening,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: replicaIdentifier,
        // Away from the first AZ, where a single-AZ primary lives (a Multi-AZ one has its standby
        // somewhere RDS picks); round the others.
        availabilityZone: azs.length > 1 ? azs[1 + ((n - 1) % (azs.length - 1))] : undefined,
        // MySQL replicas keep backups of their own; PostgreSQL's cannot have any.
        backupRetention: engineKind === DatabaseEngine.MYSQL ? backupRetention : undefined,
        preferredBackupWindow: engineKind === DatabaseEngine.MYSQL ? backupWindow : undefined,
      });
      createExportedLogGroups(this, replica.node.defaultChild!, { ...exportedLogs, idPrefix: `Replica${n}`, groupPrefix: `/aws/rds/instance/${replicaIdentifier}` });
      acknowledgeWeakenings(replica, {
        multiAz: false,
        deletionProtection,
        defaultPort: this.port === facts.defaultPort,
        backupPlan: !!props.backupPlan,
        mysql: engineKind === DatabaseEngine.MYSQL,
        replica: true,
      });
      acknowledgeReplicaFindings(replica, engineKind === DatabaseEngine.POSTGRES);
      this.readReplicas.push(replica);
    }

    if (masterPassword === MasterPassword.ROTATED_SECRET) {
      this.addRotation(props, isolatedSubnets);
    }
    selectForBackup(this, props.backupPlan, [this.instance.instanceArn], 'to snapshot the database');
    if (props.proxy) {
      const { proxy, securityGroup } = createHardenedProxy(this, {
        vpc: props.vpc,
        target: rds.ProxyTarget.fromInstance(this.instance),
        secret: proxySecret(this, this.encryptionKey, this.instance.secret!, this.secret),
        identifier,
      });
      this.proxy = proxy;
      this.proxySecurityGroup = securityGroup;
    }

    useLiteralPorts(this, this.port);
    this.createAlarms(prelude, instanceType, engineKind, allocatedStorage);
  }

  /**
   * Lets a client reach the database (and its replicas and proxy) on its port, and nothing else:
   * security group to security group.
   */
  public allowConnectionsFrom(client: ec2.IConnectable, description?: string): void {
    allowDatabaseClient(this, this.proxySecurityGroup, client, this.port, description ?? 'A client of the database');
  }

  /**
   * Lets a principal connect as a database user through IAM database authentication, to the
   * database and, when there is one, to its proxy. Directly, the user must exist in the database
   * and be granted `rds_iam` (PostgreSQL) or use the AWSAuthenticationPlugin (MySQL). Through the
   * proxy, which requires IAM authentication and holds only the master user's secret, only the
   * master user can log in.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return grantConnectWithProxy(this.instance, this.proxy, grantee, dbUser);
  }

  private addRotation(props: RelationalDatabaseProps, isolatedSubnets: ec2.SelectedSubnets): void {
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: `The secret rotation function of ${this.node.path}: Secrets Manager and the database only`,
      allowAllOutbound: false,
    });
    const endpoint = props.secretsManagerEndpoint ?? findSecretsManagerEndpoint(props.vpc) ?? new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      // The rotation function calls the endpoint by its own name, so private DNS (one per VPC
      // and service) stays free for an endpoint of the user's.
      privateDnsEnabled: false,
      open: false,
    });
    // Isolated subnets have no route to Secrets Manager: without this path rotation times out
    // (aws-cdk #17265).
    rotationSecurityGroup.connections.allowTo(endpoint, ec2.Port.tcp(443), 'The rotation function calls Secrets Manager');
    // aws-cdk-lib lets the rotation function's group reach the database (both rules).
    const rotation = this.instance.addRotationSingleUser({
      automaticallyAfter: props.rotationInterval ?? Duration.days(30),
      vpcSubnets: { subnets: isolatedSubnets.subnets },
      securityGroup: rotationSecurityGroup,
      endpoint,
    });
    // aws-cdk-lib gives the function `https://<endpoint id>.secretsmanager.<region>.amazonaws.com`,
    // a name AWS does not document for interface endpoints; the endpoint's own names are
    // `vpce-<id>-<suffix>.secretsmanager.<region>.vpce.amazonaws.com`
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html).
    (rotation.node.defaultChild as CfnResource).addPropertyOverride('Parameters.endpoint', secretsManagerUrl(this, endpoint));
  }

  private createAlarms(prelude: PatternPrelude<RelationalDatabaseProps>, instanceType: ec2.InstanceType, engineKind: DatabaseEngine,
    allocatedStorage: number): void {
    const memoryBytes = instanceMemoryBytes(instanceType);
    const gib = 1024 ** 3;
    const fifteenMinutes = { period: Duration.minutes(15) };
    const props = prelude.props;
    const cpu = props.cpuAlarmThreshold ?? 80;
    prelude.alarm('CpuAlarm', {
      metric: this.instance.metricCPUUtilization(fifteenMinutes),
      threshold: cpu,
      // A number token in a template literal would print its encoding, not the parameter's value.
      description: `The CPU of ${this.node.path} averaged over ${Tokenization.stringifyNumber(cpu)}% for 15 minutes`,
    });
    // 10% of the class's memory where it is known, else 256 MiB.
    const setMemory = props.freeableMemoryThreshold?.toBytes({ rounding: SizeRoundingBehavior.NONE });
    const freeMemory = setMemory ?? (memoryBytes ? Math.round(memoryBytes / 10) : 256 * 1024 ** 2);
    prelude.alarm('FreeableMemoryAlarm', {
      metric: this.instance.metricFreeableMemory({ ...fifteenMinutes, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: freeMemory,
      below: true,
      description: `${this.node.path} has less than ${setMemory === undefined ? `${Math.round(freeMemory / 1024 ** 2)} MiB` : bytesText(setMemory)} of memory left`,
    });
    // Storage autoscaling adds space below 10% free; an alarm at 5% means it could not. An
    // allocation from a token is unknown until deploy time: 5% of the smallest RDS allows then.
    const knownStorage = !Token.isUnresolved(allocatedStorage);
    const setStorage = props.freeStorageSpaceThreshold?.toBytes({ rounding: SizeRoundingBehavior.NONE });
    prelude.alarm('FreeStorageSpaceAlarm', {
      metric: this.instance.metricFreeStorageSpace({ ...fifteenMinutes, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: setStorage ?? Math.round((knownStorage ? allocatedStorage : MIN_STORAGE_GIB) * gib * 0.05),
      below: true,
      description: setStorage !== undefined
        ? `${this.node.path} has less than ${bytesText(setStorage)} of storage left, and autoscaling has not grown it`
        : knownStorage
          ? `${this.node.path} has less than 5% of its allocated storage left, and autoscaling has not grown it`
          : `${this.node.path} has less than 1 GiB of storage left, and autoscaling has not grown it`,
    });
    // 80% of the engine's default max_connections for the class: DBInstanceClassMemory (about 75%
    // of the class's memory, after what RDS reserves) per connection, at most 5,000 for PostgreSQL.
    const maxConnections = defaultMaxConnections(ENGINES[engineKind], memoryBytes);
    const setConnections = props.connectionsThreshold;
    const connections = setConnections ?? Math.max(1, Math.floor(maxConnections * 0.8));
    prelude.alarm('ConnectionsAlarm', {
      metric: this.instance.metricDatabaseConnections({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: connections,
      // A number token in a template literal would print its encoding, not the parameter's value.
      description: setConnections === undefined
        ? `${this.node.path} has more than ${connections} connections, 80% of the default maximum for its class`
        : `${this.node.path} has more than ${Tokenization.stringifyNumber(setConnections)} connections`,
    });
    const lag = props.replicaLagThreshold;
    const lagText = lag === undefined ? '60 seconds'
      : lag.isUnresolved() ? `${Tokenization.stringifyNumber(lag.toSeconds())} seconds` : lag.toHumanString();
    this.readReplicas.forEach((replica, index) => prelude.alarm(`Replica${index + 1}LagAlarm`, {
      metric: replica.metric('ReplicaLag', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: lag?.toSeconds() ?? 60,
      description: `The read replica ${replica.node.path} is more than ${lagText} behind its primary`,
    }));
    const fiveMinutes = { period: Duration.minutes(5) };
    prelude.dashboard([
      { title: 'CPU utilization (%)', metrics: [this.instance.metricCPUUtilization(fiveMinutes), ...this.readReplicas.map((r) => r.metricCPUUtilization(fiveMinutes))] },
      { title: 'Connections', metrics: [this.instance.metricDatabaseConnections(fiveMinutes)] },
      { title: 'Read and write latency (s)', metrics: [this.instance.metric('ReadLatency', fiveMinutes), this.instance.metric('WriteLatency', fiveMinutes)] },
    ]);
  }
}
