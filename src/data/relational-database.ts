import { Annotations, CfnResource, Duration, Fn, Names, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { createPatternKey } from '../core/keys';
import { createLogEncryptionKey } from '../core/log-encryption';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding, acknowledgeNagRule, NagPackPrefix } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * The database engine of a RelationalDatabase.
 */
export enum DatabaseEngine {
  /** PostgreSQL, major version 17 unless `engineVersion` pins another. */
  POSTGRES = 'postgres',
  /** MySQL, version 8.4 unless `engineVersion` pins another. */
  MYSQL = 'mysql',
}

/**
 * Who keeps the master user's password, and how it is rotated.
 */
export enum MasterPassword {
  /**
   * RDS generates the password, keeps it in a Secrets Manager secret encrypted with the
   * database's key and rotates it every 7 days itself: no rotation function, no network path to
   * Secrets Manager. RDS cannot create read replicas of such a database.
   */
  MANAGED_BY_RDS = 'managed-by-rds',
  /**
   * A generated secret encrypted with the database's key, rotated on `rotationInterval` by
   * Secrets Manager's single-user rotation function, which runs in the isolated subnets and
   * reaches Secrets Manager through an interface endpoint.
   */
  ROTATED_SECRET = 'rotated-secret',
}

/**
 * Properties of a RelationalDatabase.
 */
export interface RelationalDatabaseProps extends PatternProps {
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
   * How long automated backups (point-in-time recovery) are kept, from 1 to 35 days. A token must
   * be in days: `Duration.days(token)`.
   *
   * @default - 14 days in PROD, 1 day in DEV
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window in UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the
   * maintenance window.
   *
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, not
   * overlapping the backup window.
   *
   * @default 'sun:05:00-sun:06:00'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * An AWS Backup plan to add the database to, where the organisation audits its backups there.
   *
   * @default - none; automated backups only
   */
  readonly backupPlan?: backup.IBackupPlan;

  /**
   * Whether the database can be deleted only after this is turned off.
   *
   * @default - true in PROD, false in DEV
   */
  readonly deletionProtection?: boolean;

  /**
   * How long the database's exported logs are kept.
   *
   * @default - one year in PROD, one month in DEV
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The average CPU utilization, in percent over 15 minutes, above which an alarm fires.
   *
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;
}

/** RDS's limits. */
const MIN_STORAGE_GIB = 20;
const MAX_STORAGE_GIB = 65_536;
const MAX_READ_REPLICAS = 15;
const MIN_WINDOW_MINUTES = 30;
/**
 * The smallest maximum storage RDS accepts for storage autoscaling: at least 10% above the
 * allocated storage, in whole GiB ("set the maximum storage threshold to at least 10% more than
 * the current allocated storage", 1,000 GiB allocated needing at least 1,100):
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
const minMaxAllocatedStorage = (allocated: number) => Math.ceil((allocated * 11) / 10);
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_A_DAY = 24 * 60;
const MINUTES_A_WEEK = 7 * MINUTES_A_DAY;

interface EngineFacts {
  readonly defaultVersion: string;
  readonly versionPattern: RegExp;
  readonly versionRange: string;
  readonly defaultUsername: string;
  readonly defaultPort: number;
  /** The parameters that refuse connections without TLS. */
  readonly tlsParameters: Record<string, string>;
  readonly logExports: string[];
  /** The bytes of DBInstanceClassMemory per connection of the engine's default max_connections. */
  readonly bytesPerConnection: number;
  /** The cap of the default max_connections. */
  readonly maxConnections?: number;
  /** The longest master user name and database name. */
  readonly maxUsernameLength: number;
  readonly maxDatabaseNameLength: number;
}

const ENGINES: Record<DatabaseEngine, EngineFacts> = {
  [DatabaseEngine.POSTGRES]: {
    defaultVersion: '17',
    versionPattern: /^(1[3-8])(\.\d+)?$/,
    versionRange: "a PostgreSQL version from 13 to 18, such as '17' or '17.4'",
    defaultUsername: 'postgres',
    defaultPort: 5432,
    tlsParameters: { 'rds.force_ssl': '1' },
    logExports: ['postgresql', 'upgrade'],
    bytesPerConnection: 9_531_392,
    maxConnections: 5000,
    maxUsernameLength: 63,
    maxDatabaseNameLength: 63,
  },
  [DatabaseEngine.MYSQL]: {
    // A full version: CloudFormation's schema lists MySQL's full versions only. RDS upgrades the
    // minor version in the maintenance window.
    defaultVersion: '8.4.8',
    versionPattern: /^(8\.[04])\.\d+$/,
    versionRange: "a full MySQL 8.0 or 8.4 version, such as '8.4.8'",
    defaultUsername: 'admin',
    defaultPort: 3306,
    tlsParameters: { require_secure_transport: 'ON' },
    logExports: ['error', 'slowquery'],
    bytesPerConnection: 12_582_880,
    // MySQL's own limit for user names since 5.7.8; see LONG_MASTER_USERNAME_WARNING.
    maxUsernameLength: 32,
    maxDatabaseNameLength: 64,
  },
};
// The slow query log is what MySQL's `slowquery` export ships; without it the export stays empty.
const MYSQL_SLOW_QUERY_LOG = { slow_query_log: '1', long_query_time: '2', log_output: 'FILE' };

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
   * details), encrypted with the database's key.
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
    const prelude = PatternPrelude.start(this, props);
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
    // An empty selection rather than aws-cdk-lib's error, so the message can name the fix.
    const isolatedSubnets = props.vpc.isolatedSubnets.length > 0
      ? props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true })
      : { subnets: [], availabilityZones: [] as string[], subnetIds: [] } as unknown as ec2.SelectedSubnets;

    const validator = prelude.validator;
    const isolatedAzs = isolatedSubnets.availabilityZones;
    validator.check(isolatedSubnets.subnets.length === 0 || isolatedAzs.length >= 2 || Token.isUnresolved(isolatedAzs[0]),
      'vpc', `isolated subnets in ${isolatedSubnets.availabilityZones.length} Availability Zone(s)`, 'a VPC with isolated subnets in at least 2 Availability Zones (RDS subnet groups and proxies need 2)');
    validator.check(isolatedSubnets.subnets.length > 0, 'vpc', 'a VPC without isolated subnets',
      'a VPC with isolated subnets (no route out), such as MultiAzVpc with its default `isolatedSubnets: true`');
    validator.oneOf('engine', props.engine, DatabaseEngine, 'DatabaseEngine');
    validator.knownAtSynth('engine', props.engine, "it decides the engine's version, parameters, port, log exports and reserved names");
    const engineSettings = engineFacts ? validateEngineProps(validator, props, engineKind, engineFacts) : undefined;
    if (engineSettings?.major && props.engineVersion !== undefined) {
      warnOfUnknownVersion(this, engineKind, props.engineVersion, engineSettings.major);
    }
    const knownClass = validateInstanceType(validator, instanceType);
    validateKeyRegion(validator, props.encryptionKey, this);
    validator.oneOf('masterPassword', props.masterPassword, MasterPassword, 'MasterPassword');
    validator.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
    validator.integerInRange('port', props.port, 1150, 65535);
    validator.integerInRange('readReplicas', props.readReplicas, 0, MAX_READ_REPLICAS);
    validator.knownAtSynth('readReplicas', props.readReplicas, 'it decides how many replicas the pattern creates');
    validator.check(!(masterPassword === MasterPassword.MANAGED_BY_RDS && replicaCount > 0), 'masterPassword', masterPassword,
      'ROTATED_SECRET with read replicas: RDS cannot create a read replica of a database whose master password it manages');
    validator.check(props.rotationInterval === undefined || masterPassword === MasterPassword.ROTATED_SECRET, 'rotationInterval',
      props.rotationInterval?.toHumanString(), 'unset with an RDS-managed password, which RDS rotates every 7 days (change it in Secrets Manager)');
    validator.check(props.secretsManagerEndpoint === undefined || masterPassword === MasterPassword.ROTATED_SECRET, 'secretsManagerEndpoint',
      'an endpoint', 'unset with an RDS-managed password, whose rotation needs no network path');
    // aws-cdk-lib's rotation schedule converts the interval at synth and throws for any token.
    // (A Duration is no token itself: wrapped in one, it tells knownAtSynth that its amount is.)
    validator.knownAtSynth('rotationInterval', props.rotationInterval?.isUnresolved() ? Token.asString(props.rotationInterval) : undefined,
      "aws-cdk-lib's rotation schedule reads its days at synth");
    if (props.rotationInterval && !props.rotationInterval.isUnresolved()) {
      const days = props.rotationInterval.toHours({ integral: false }) / 24;
      validator.check(Number.isInteger(days) && days >= 1 && days <= 1000, 'rotationInterval', props.rotationInterval.toHumanString(), 'a whole number of days from 1 to 1000');
    }
    validator.integerInRange('allocatedStorage', props.allocatedStorage, MIN_STORAGE_GIB, MAX_STORAGE_GIB);
    validator.integerInRange('maxAllocatedStorage', props.maxAllocatedStorage, MIN_STORAGE_GIB + 1, MAX_STORAGE_GIB);
    validator.check(maxAllocatedStorage === undefined || Token.isUnresolved(maxAllocatedStorage) || Token.isUnresolved(allocatedStorage)
      || maxAllocatedStorage >= autoscalingFloor,
    'maxAllocatedStorage', maxAllocatedStorage, autoscalingFloor <= MAX_STORAGE_GIB
      ? `at least ${autoscalingFloor} GiB, 10% above allocatedStorage (${allocatedStorage} GiB): RDS refuses a smaller maximum for storage autoscaling`
      : `unset: 10% above allocatedStorage (${allocatedStorage} GiB), RDS's minimum for storage autoscaling, is past its ${MAX_STORAGE_GIB} GiB limit`);
    if (props.backupRetention && !props.backupRetention.isUnresolved()) {
      const days = props.backupRetention.toHours({ integral: false }) / 24;
      validator.check(Number.isInteger(days) && days >= 1 && days <= 35, 'backupRetention', props.backupRetention.toHumanString(),
        'a whole number of days from 1 to 35 (0 would turn automated backups off)');
    } else if (props.backupRetention) {
      // aws-cdk-lib converts a token only in the unit RDS takes, days; in any other it throws
      // an error that names no prop.
      validator.check(props.backupRetention.unitLabel() === 'days', 'backupRetention', `a token in ${props.backupRetention.unitLabel()}`,
        'in days when it is a token (Duration.days(token)): RDS takes the retention in days');
    }
    validateWindows(validator, backupWindow, maintenanceWindow);
    const cpu = props.cpuAlarmThreshold;
    validator.check(cpu === undefined || Token.isUnresolved(cpu) || (cpu > 0 && cpu <= 100),
      'cpuAlarmThreshold', props.cpuAlarmThreshold, 'a percentage above 0 and at most 100');
    validator.throwIfInvalid();
    if (engineFacts && !knownClass) {
      warnOfUnknownInstanceClass(this, instanceType);
    }
    if (engineSettings && !Token.isUnresolved(engineSettings.username) && engineSettings.username.length > DOCUMENTED_USERNAME_LENGTH) {
      warnOfLongMasterUsername(this, engineKind, engineSettings.username);
    }

    const facts = engineFacts!;
    const { version, major, username } = engineSettings!;
    const removalPolicy = prelude.removalPolicy;
    const engine = engineKind === DatabaseEngine.POSTGRES
      ? rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(version, major) })
      : rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of(version, major) });
    this.port = props.port ?? facts.defaultPort;
    this.encryptionKey = props.encryptionKey
      ?? createPatternKey(this, 'Key', `Encrypts the storage, snapshots, secret and Performance Insights of ${this.node.path}`, removalPolicy);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `The database ${this.node.path}: no ingress until a client is allowed in`,
      // A database answers; it never starts a connection.
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: `The isolated subnets of ${this.node.path}`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `Refuses connections without TLS to ${this.node.path}`,
      parameters: { ...facts.tlsParameters, ...(engineKind === DatabaseEngine.MYSQL ? MYSQL_SLOW_QUERY_LOG : {}) },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: `Enhanced monitoring of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    acknowledgeNagFinding(monitoringRole, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'AWS maintains this service-role policy for enhanced monitoring: it writes only to the RDSOSMetrics log group.');
    const logKey = createLogEncryptionKey(this, 'LogKey', `Encrypts the exported logs of ${this.node.path}`, removalPolicy);
    const logRetention = props.logRetention ?? (production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH);
    const performanceInsights = engineKind !== DatabaseEngine.MYSQL || !/^t[234]g?\.(micro|small)$/.test(instanceType.toString());
    const multiAz = props.multiAz ?? production;
    const deletionProtection = props.deletionProtection ?? production;
    const backupRetention = props.backupRetention ?? Duration.days(production ? 14 : 1);

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
    const identifier = instanceIdentifier(this);
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
    this.createLogGroups(this.instance, 'Instance', identifier, facts.logExports, logKey, logRetention, removalPolicy);
    this.secret = this.instance.secret!;
    this.endpoint = this.instance.instanceEndpoint;
    this.acknowledgeWeakenings(this.instance, {
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
      this.createLogGroups(replica, `Replica${n}`, replicaIdentifier, facts.logExports, logKey, logRetention, removalPolicy);
      this.acknowledgeWeakenings(replica, {
        multiAz: false,
        deletionProtection,
        defaultPort: this.port === facts.defaultPort,
        backupPlan: !!props.backupPlan,
        mysql: engineKind === DatabaseEngine.MYSQL,
        replica: true,
      });
      acknowledgeNagRule(replica, [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321], 'RDSMultiAZSupport',
        "A read replica scales reads; the primary's synchronous standby takes over on failure, and replicas sit in other Availability Zones.");
      acknowledgeNagFinding(replica, 'AwsSolutions-RDS3',
        "A read replica scales reads; the primary's synchronous standby takes over on failure, and replicas sit in other Availability Zones.");
      const inherited = "A read replica inherits its source's storage encryption and key; CloudFormation refuses StorageEncrypted beside "
        + 'SourceDBInstanceIdentifier (cfn-lint F3020), which this rule does not know.';
      acknowledgeNagFinding(replica, 'AwsSolutions-RDS2', inherited);
      acknowledgeNagRule(replica, [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321], 'RDSStorageEncrypted', inherited);
      if (engineKind === DatabaseEngine.POSTGRES) {
        acknowledgeNagRule(replica, [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321], 'RDSInstanceBackupEnabled',
          "RDS for PostgreSQL read replicas cannot have automated backups; the primary's backups hold the same data.");
        acknowledgeNagFinding(replica, 'AwsSolutions-RDS13',
          "RDS for PostgreSQL read replicas cannot have automated backups; the primary's backups hold the same data.");
      }
      this.readReplicas.push(replica);
    }

    if (masterPassword === MasterPassword.ROTATED_SECRET) {
      this.addRotation(props, isolatedSubnets);
    }
    if (props.backupPlan) {
      const selection = new backup.BackupSelection(this, 'BackupSelection', {
        backupPlan: props.backupPlan,
        resources: [backup.BackupResource.fromRdsDatabaseInstance(this.instance)],
      });
      acknowledgeNagFinding(selection, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        'AWS maintains this service-role policy for AWS Backup, which needs it to snapshot the database.');
    }
    if (props.proxy) {
      this.proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
        vpc: props.vpc,
        description: `The RDS Proxy of ${this.node.path}: the same clients as the database`,
        allowAllOutbound: false,
      });
      const proxyRole = new ManagedPolicyRole(this, 'ProxyRole', {
        assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
        description: `The RDS Proxy of ${this.node.path}, which reads the master secret`,
      });
      this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
        proxyTarget: rds.ProxyTarget.fromInstance(this.instance),
        secrets: [this.secret],
        vpc: props.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [this.proxySecurityGroup],
        role: proxyRole,
        requireTLS: true,
        iamAuth: true,
        // Proxy names are unique per account and region; aws-cdk-lib would name every proxy
        // 'Proxy' without the databaseProxyUniqueResourceName flag.
        dbProxyName: `${identifier}-proxy`,
      });
    }

    this.useLiteralPorts();
    this.createAlarms(prelude, instanceType, engineKind, allocatedStorage);
  }

  /**
   * Lets a client reach the database (and its replicas and proxy) on its port, and nothing else:
   * security group to security group.
   */
  public allowConnectionsFrom(client: ec2.IConnectable, description?: string): void {
    const why = description ?? 'A client of the database';
    this.connections.allowDefaultPortFrom(client, why);
    this.proxySecurityGroup?.connections.allowFrom(client, ec2.Port.tcp(this.port), why);
  }

  /**
   * Lets a principal connect as a database user through IAM database authentication, to the
   * database and, when there is one, to its proxy. Directly, the user must exist in the database
   * and be granted `rds_iam` (PostgreSQL) or use the AWSAuthenticationPlugin (MySQL). Through the
   * proxy, which requires IAM authentication and holds only the master user's secret, only the
   * master user can log in.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    const grant = this.instance.grantConnect(grantee, dbUser);
    return this.proxy ? grant.combine(this.proxy.grantConnect(grantee, dbUser)) : grant;
  }

  /**
   * aws-cdk-lib's rules for the rotation function and the proxy name the port by the endpoint's
   * Port attribute. The port is known, and written out it is what a reader of the template (and
   * cdk-nag's port rules, which cannot read the attribute) need.
   */
  private useLiteralPorts(): void {
    for (const rule of this.node.findAll()) {
      if ((rule instanceof ec2.CfnSecurityGroupIngress || rule instanceof ec2.CfnSecurityGroupEgress) && Token.isUnresolved(rule.fromPort)) {
        rule.fromPort = this.port;
        rule.toPort = this.port;
      }
    }
  }

  /**
   * RDS exports each log to `/aws/rds/instance/<identifier>/<log>` and creates the group itself
   * when it is missing, unencrypted and kept forever. Created first, the groups get a key and a
   * retention, which is why the pattern names its instances.
   */
  private createLogGroups(instance: rds.DatabaseInstanceBase, idPrefix: string, identifier: string, exports: string[], key: kms.IKey,
    retention: logs.RetentionDays, removalPolicy: RemovalPolicy): void {
    for (const log of exports) {
      const group = new logs.LogGroup(this, `${idPrefix}${log.charAt(0).toUpperCase()}${log.slice(1)}Logs`, {
        logGroupName: `/aws/rds/instance/${identifier}/${log}`,
        retention,
        encryptionKey: key,
        removalPolicy,
      });
      instance.node.defaultChild!.node.addDependency(group);
    }
  }

  private acknowledgeWeakenings(instance: rds.DatabaseInstanceBase, facts: WeakenedFacts): void {
    const compliancePacks = [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321];
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
      acknowledgeNagRule(instance, compliancePacks, 'RDSMultiAZSupport', reason);
    }
    if (!facts.deletionProtection) {
      const reason = 'Deletion protection is off (the DEV default, or `deletionProtection: false`), so `cdk destroy` removes the database.';
      acknowledgeNagFinding(instance, 'AwsSolutions-RDS10', reason);
      acknowledgeNagRule(instance, compliancePacks, 'RDSInstanceDeletionProtectionEnabled', reason);
    }
    if (facts.mysql) {
      const reason = "MySQL's general log records every statement (costly, and it logs the data in them), and its audit log needs the "
        + 'MariaDB audit plugin option group; the error and slow query logs are exported.';
      for (const log of ['general', 'audit']) {
        for (const pack of [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5, NagPackPrefix.PCI_DSS_321]) {
          acknowledgeNagFinding(instance, `${pack}-RDSLoggingEnabled[LogExport::${log}]`, reason);
        }
      }
    }
    if (!facts.backupPlan || facts.replica) {
      acknowledgeNagRule(instance, [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.NIST_800_53_R5], 'RDSInBackupPlan',
        facts.replica
          ? 'A read replica copies the primary, which is the one backed up.'
          : 'Automated backups with point-in-time recovery are on; pass `backupPlan` where the organisation audits backups in AWS Backup.');
    }
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
    const cpu = prelude.props.cpuAlarmThreshold ?? 80;
    prelude.alarm('CpuAlarm', {
      metric: this.instance.metricCPUUtilization(fifteenMinutes),
      threshold: cpu,
      // A number token in a template literal would print its encoding, not the parameter's value.
      description: `The CPU of ${this.node.path} averaged over ${Tokenization.stringifyNumber(cpu)}% for 15 minutes`,
    });
    // 10% of the class's memory where it is known, else 256 MiB.
    const freeMemory = memoryBytes ? Math.round(memoryBytes / 10) : 256 * 1024 ** 2;
    prelude.alarm('FreeableMemoryAlarm', {
      metric: this.instance.metricFreeableMemory({ ...fifteenMinutes, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: freeMemory,
      below: true,
      description: `${this.node.path} has less than ${Math.round(freeMemory / 1024 ** 2)} MiB of memory left`,
    });
    // Storage autoscaling adds space below 10% free; an alarm at 5% means it could not. An
    // allocation from a token is unknown until deploy time: 5% of the smallest RDS allows then.
    const knownStorage = !Token.isUnresolved(allocatedStorage);
    prelude.alarm('FreeStorageSpaceAlarm', {
      metric: this.instance.metricFreeStorageSpace({ ...fifteenMinutes, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: Math.round((knownStorage ? allocatedStorage : MIN_STORAGE_GIB) * gib * 0.05),
      below: true,
      description: knownStorage
        ? `${this.node.path} has less than 5% of its allocated storage left, and autoscaling has not grown it`
        : `${this.node.path} has less than 1 GiB of storage left, and autoscaling has not grown it`,
    });
    // 80% of the engine's default max_connections for the class: DBInstanceClassMemory (about 75%
    // of the class's memory, after what RDS reserves) per connection, at most 5,000 for PostgreSQL.
    const facts = ENGINES[engineKind];
    const maxConnections = memoryBytes ? Math.min(Math.floor(memoryBytes * 0.75 / facts.bytesPerConnection), facts.maxConnections ?? Infinity) : 125;
    const connections = Math.max(1, Math.floor(maxConnections * 0.8));
    prelude.alarm('ConnectionsAlarm', {
      metric: this.instance.metricDatabaseConnections({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: connections,
      description: `${this.node.path} has more than ${connections} connections, 80% of the default maximum for its class`,
    });
    this.readReplicas.forEach((replica, index) => prelude.alarm(`Replica${index + 1}LagAlarm`, {
      metric: replica.metric('ReplicaLag', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 60,
      description: `The read replica ${replica.node.path} is more than 60 seconds behind its primary`,
    }));
    const fiveMinutes = { period: Duration.minutes(5) };
    prelude.dashboard([
      { title: 'CPU utilization (%)', metrics: [this.instance.metricCPUUtilization(fiveMinutes), ...this.readReplicas.map((r) => r.metricCPUUtilization(fiveMinutes))] },
      { title: 'Connections', metrics: [this.instance.metricDatabaseConnections(fiveMinutes)] },
      { title: 'Read and write latency (s)', metrics: [this.instance.metric('ReadLatency', fiveMinutes), this.instance.metric('WriteLatency', fiveMinutes)] },
    ]);
  }
}

/** What the acknowledgements of one instance depend on. */
interface WeakenedFacts {
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly defaultPort: boolean;
  readonly backupPlan: boolean;
  readonly mysql: boolean;
  readonly replica?: boolean;
}

/**
 * A stable identifier from the construct path, lower case as RDS keeps it: letters, digits and
 * single hyphens, starting with a letter, at most 63 characters (replicas add to it).
 */
function instanceIdentifier(scope: Construct): string {
  const raw = Names.uniqueResourceName(scope, { maxLength: 52, separator: '-' }).toLowerCase();
  const cleaned = raw.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
  return cleaned || `db-${Names.uniqueId(scope).slice(-8).toLowerCase()}`;
}

/** What validation settles about the engine's props. */
interface EngineSettings {
  /** The engine version, given or the engine's default. */
  readonly version: string;
  /** Its major version; empty when the version is invalid. */
  readonly major: string;
  /** The master user's name, given or the engine's default. */
  readonly username: string;
}

/**
 * Names RDS refuses as a master user ("can't be a reserved word for the chosen database engine"):
 * `rdsadmin`, RDS's own administrator on every engine, and `admin` on PostgreSQL, which RDS refuses
 * with "MasterUsername admin cannot be used as it is a reserved word used by the engine"
 * (https://github.com/aws/aws-cdk/issues/10579; cfn-lint checks both, verified against
 * deployments: https://github.com/aws-cloudformation/cfn-lint/pull/4425).
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
const RDS_RESERVED_USERNAMES: Record<DatabaseEngine, string[]> = {
  [DatabaseEngine.POSTGRES]: ['rdsadmin', 'admin'],
  [DatabaseEngine.MYSQL]: ['rdsadmin'],
};

/**
 * The words each engine reserves, which RDS refuses as a database name ("can't be a word reserved
 * by the specified database engine") and as a master user name, per CreateDBInstance's DBName and
 * MasterUsername: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 *
 * PostgreSQL: the keywords its parser reserves outright (RESERVED_KEYWORD in
 * src/include/parser/kwlist.h; "reserved" in https://www.postgresql.org/docs/current/sql-keywords-appendix.html).
 * MySQL: the words INFORMATION_SCHEMA.KEYWORDS marks reserved in an 8.0 release
 * (mysql-test/r/information_schema_keywords.result; "(R)" in
 * https://dev.mysql.com/doc/refman/8.0/en/keywords.html), less ARRAY (nonreserved since 8.0.19)
 * and MEMBER (left out: whether it is still reserved was not confirmed). Words reserved only in
 * later releases are not listed; RDS refuses those at create time.
 */
const ENGINE_RESERVED_WORDS: Record<DatabaseEngine, ReadonlySet<string>> = {
  [DatabaseEngine.POSTGRES]: new Set((
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create '
    + 'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc '
    + 'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral '
    + 'leading limit localtime localtimestamp not null offset on only or order placing primary references returning '
    + 'select session_user some symmetric table then to trailing true union unique user using variadic when where '
    + 'window with').split(' ')),
  [DatabaseEngine.MYSQL]: new Set((
    'accessible add all alter analyze and as asc asensitive before between bigint binary blob both by call cascade '
    + 'case change char character check collate column condition constraint continue convert create cross cube '
    + 'cume_dist current_date current_time current_timestamp current_user cursor database databases day_hour '
    + 'day_microsecond day_minute day_second dec decimal declare default delayed delete dense_rank desc describe '
    + 'deterministic distinct distinctrow div double drop dual each else elseif empty enclosed escaped except exists '
    + 'exit explain false fetch first_value float float4 float8 for force foreign from fulltext function generated get '
    + 'grant group grouping groups having high_priority hour_microsecond hour_minute hour_second if ignore in index '
    + 'infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer interval into io_after_gtids '
    + 'io_before_gtids is iterate join json_table key keys kill lag last_value lateral lead leading leave left like '
    + 'limit linear lines load localtime localtimestamp lock long longblob longtext loop low_priority master_bind '
    + 'master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext middleint minute_microsecond '
    + 'minute_second mod modifies natural no_write_to_binlog not nth_value ntile null numeric of on optimize '
    + 'optimizer_costs option optionally or order out outer outfile over partition percent_rank precision primary '
    + 'procedure purge range rank read read_write reads real recursive references regexp release rename repeat '
    + 'replace require resignal restrict return revoke right rlike row row_number rows schema schemas '
    + 'second_microsecond select sensitive separator set show signal smallint spatial specific sql sql_big_result '
    + 'sql_calc_found_rows sql_small_result sqlexception sqlstate sqlwarning ssl starting stored straight_join system '
    + 'table terminated then tinyblob tinyint tinytext to trailing trigger true undo union unique unlock unsigned '
    + 'update usage use using utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying virtual '
    + 'when where while window with write xor year_month zerofill').split(' ')),
};

/** The id of the warning for a well-formed engine version that aws-cdk-lib does not know. */
const UNKNOWN_ENGINE_VERSION_WARNING = 'cdk-best-practice-patterns:unknownEngineVersion';

/**
 * The full versions aws-cdk-lib names for an engine, read from the installed release: the static
 * members of `rds.PostgresEngineVersion` (VER_17_4, ...) or `rds.MysqlEngineVersion` (VER_8_4_8, ...)
 * that are instances of the class. Only purely numeric versions (not `11.22-rds.20240418`).
 */
function knownEngineVersions(engineKind: DatabaseEngine): string[] {
  const versions = engineKind === DatabaseEngine.POSTGRES
    ? staticInstances(rds.PostgresEngineVersion).map((v) => v.postgresFullVersion)
    : staticInstances(rds.MysqlEngineVersion).map((v) => v.mysqlFullVersion);
  return [...new Set(versions.filter((v) => typeof v === 'string' && /^\d+(\.\d+)*$/.test(v)))];
}

/** The static properties of a class that are instances of it. */
function staticInstances<T>(versionClass: { readonly prototype: T }): T[] {
  return Object.getOwnPropertyNames(versionClass)
    .map((name) => Object.getOwnPropertyDescriptor(versionClass, name)?.value)
    .filter((member): member is T => typeof member === 'object' && member !== null
      && Object.prototype.isPrototypeOf.call(versionClass.prototype, member));
}

/** The installed aws-cdk-lib's version, for messages. */
function awsCdkLibVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return `aws-cdk-lib ${require('aws-cdk-lib/package.json').version}`;
  } catch {
    return 'this aws-cdk-lib';
  }
}

/** Compares dotted version numbers part by part, newest first. */
function newestFirst(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (y[i] ?? -1) - (x[i] ?? -1);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

/**
 * Warns when a well-formed `engineVersion` (validation refused a malformed one) is not a version
 * the installed aws-cdk-lib names, naming the newest versions of the same major it does know.
 *
 * A warning, not an error: aws-cdk-lib's list is the only one we can read at synth without an AWS
 * call, and its releases lag RDS by weeks, so a version RDS released last week is well-formed, real
 * and unknown to it. Refusing it would block the user until aws-cdk-lib caught up (or force an
 * upgrade they may not be able to make yet), for a mistake RDS itself reports at deploy time. So a
 * typo ('16.99') is flagged at synth and, in CI with `--strict` or the report, fails the build,
 * while a genuinely new version is acknowledged with `Annotations.of(db).acknowledgeWarning(id)`.
 */
function warnOfUnknownVersion(scope: Construct, engineKind: DatabaseEngine, version: string, major: string): void {
  const known = knownEngineVersions(engineKind);
  if (known.includes(version)) {
    return;
  }
  const engineName = engineKind === DatabaseEngine.POSTGRES ? 'PostgreSQL' : 'MySQL';
  const sameMajor = known.filter((v) => v === major || v.startsWith(`${major}.`)).sort(newestFirst).slice(0, 5);
  const examples = sameMajor.length > 0 ? `its newest ${engineName} ${major} versions are ${sameMajor.join(', ')}` : `it knows no ${engineName} ${major} version`;
  Annotations.of(scope).addWarningV2(UNKNOWN_ENGINE_VERSION_WARNING,
    `engineVersion is '${version}', which ${awsCdkLibVersion()} does not know as a ${engineName} version RDS offers (${examples}). `
    + 'If RDS does not offer it, CloudFormation fails at deploy time, minutes into creating the instance. '
    + 'If it is newer than this aws-cdk-lib, upgrade aws-cdk-lib or acknowledge this warning.');
}

/**
 * Checks the props whose limits are the engine's: the engine version, the database name and the
 * master user's name. Only a known engine has limits to check them against. Names from tokens are
 * only known at deploy time and are not checked.
 */
function validateEngineProps(validator: PropValidator, props: RelationalDatabaseProps, engineKind: DatabaseEngine,
  facts: EngineFacts): EngineSettings {
  const version = props.engineVersion ?? facts.defaultVersion;
  // The major version names the parameter group's family, so it is needed at synth.
  validator.knownAtSynth('engineVersion', props.engineVersion, "it decides the major version, which names the parameter group's family");
  const versionMatch = Token.isUnresolved(version) ? null : facts.versionPattern.exec(version);
  validator.check(versionMatch !== null || Token.isUnresolved(version), 'engineVersion', version, facts.versionRange);
  const name = (max: number) => new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${max - 1}}$`);
  const reservedWords = ENGINE_RESERVED_WORDS[engineKind];
  const databaseName = props.databaseName;
  if (databaseName !== undefined && !Token.isUnresolved(databaseName)) {
    validator.check(name(facts.maxDatabaseNameLength).test(databaseName), 'databaseName', databaseName,
      `a letter, then letters, digits or underscores, at most ${facts.maxDatabaseNameLength} characters for ${engineKind}`);
    validator.check(!reservedWords.has(databaseName.toLowerCase()), 'databaseName', databaseName,
      `a name that is not a word ${engineKind} reserves, which RDS refuses as a database name`);
  }
  const username = props.masterUsername ?? facts.defaultUsername;
  if (!Token.isUnresolved(username)) {
    const rdsReserved = RDS_RESERVED_USERNAMES[engineKind];
    validator.check(name(facts.maxUsernameLength).test(username), 'masterUsername', username,
      `a letter, then letters, digits or underscores, at most ${facts.maxUsernameLength} characters for ${engineKind}`);
    validator.check(!rdsReserved.includes(username.toLowerCase()), 'masterUsername', username,
      `a name other than ${rdsReserved.join(' and ')}, which RDS reserves on ${engineKind}`);
    validator.check(!reservedWords.has(username.toLowerCase()), 'masterUsername', username,
      `a name that is not a word ${engineKind} reserves, which RDS refuses as a master user name`);
  }
  return { version, major: versionMatch?.[1] ?? '', username };
}

/**
 * aws-cdk-lib writes the DB instance class as `db.` and the instance type, so a type that already
 * starts with `db.` becomes `db.db.…`, a class RDS does not have; and every RDS class is a family
 * and a size (`m7g.large`). Those are errors. Whether RDS offers a well-formed class is looked up in
 * RDS_INSTANCE_CLASSES by the caller, after validation, and is a warning only.
 *
 * @returns whether the class is one RDS_INSTANCE_CLASSES knows (true for a token: nothing to say)
 */
function validateInstanceType(validator: PropValidator, instanceType: ec2.InstanceType): boolean {
  const instanceClass = instanceType.toString();
  if (Token.isUnresolved(instanceClass)) {
    return true;
  }
  if (instanceClass.startsWith('db.')) {
    validator.check(false, 'instanceType', instanceClass,
      `the class without the db. prefix, which RDS adds (this renders as 'db.${instanceClass}'): `
      + `new ec2.InstanceType('${instanceClass.slice(3)}'), or ec2.InstanceType.of(...)`);
    return true;
  }
  const parts = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(instanceClass);
  validator.check(parts !== null, 'instanceType', instanceClass, "an instance family and size, such as 'm7g.large' or 't4g.micro'");
  return parts === null || (RDS_INSTANCE_CLASSES[parts[1]]?.includes(parts[2]) ?? false);
}

/**
 * The DB instance classes RDS offers for PostgreSQL and MySQL (the same for both), by family: the
 * union over all Regions of cfn-lint 1.51.0's `dbinstanceclass_enum.json` for the engines
 * `postgres` and `mysql`, which cfn-lint builds from the AWS Price List API, less the
 * first-generation families m1, m2, m3, r3 and t1, still priced but no class for a new database
 * (they are warned of too). A class missing here is a warning, not an error: RDS adds families
 * more often than this list is updated, a class can be offered in some Regions only, and whether
 * RDS offers it for the engine version and Region is not checked.
 */
const RDS_INSTANCE_CLASSES: Record<string, readonly string[]> = (() => {
  const graviton = 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge';
  const intel5 = `${graviton} 24xlarge`;
  const groups: Array<[string, string]> = [
    ['t2 t3 t4g', 'micro small medium large xlarge 2xlarge'],
    ['m4', 'large xlarge 2xlarge 4xlarge 10xlarge 16xlarge'],
    ['r4', 'large xlarge 2xlarge 4xlarge 8xlarge 16xlarge'],
    ['m5 m5d r5 r5b r5d', intel5],
    ['m6g m6gd r6g r6gd m7g r7g x2g', graviton],
    ['m6i m6id m6idn m6in r6i r6id r6idn r6in', `${intel5} 32xlarge`],
    ['m7i r7i m8g m8gd r8g r8gd', `${intel5} 48xlarge`],
    ['x2idn', '16xlarge 24xlarge 32xlarge'],
    ['x2iedn', 'xlarge 2xlarge 4xlarge 8xlarge 16xlarge 24xlarge 32xlarge'],
  ];
  const classes: Record<string, readonly string[]> = {};
  for (const [families, sizes] of groups) {
    for (const family of families.split(' ')) {
      classes[family] = sizes.split(' ');
    }
  }
  return classes;
})();

/** The id of the warning for an instance class RDS_INSTANCE_CLASSES does not know. */
const UNKNOWN_INSTANCE_CLASS_WARNING = 'cdk-best-practice-patterns:unknownInstanceClass';

/**
 * Warns that `instanceType` is a class the pattern does not know RDS to offer for PostgreSQL and
 * MySQL, naming the sizes of its family or the families it knows.
 */
function warnOfUnknownInstanceClass(scope: Construct, instanceType: ec2.InstanceType): void {
  const [family] = instanceType.toString().split('.');
  const known = RDS_INSTANCE_CLASSES[family];
  const hint = known
    ? `RDS offers db.${family} in the sizes ${known.join(', ')}`
    : `the families it knows RDS to offer are ${Object.keys(RDS_INSTANCE_CLASSES).join(', ')}`;
  Annotations.of(scope).addWarningV2(UNKNOWN_INSTANCE_CLASS_WARNING,
    `instanceType is '${instanceType}', which the pattern does not know as a DB instance class RDS offers for PostgreSQL and MySQL (${hint}). `
    + 'If RDS does not offer it, CloudFormation fails at deploy time. If RDS has added it, acknowledge this warning.');
}

/**
 * The longest master user name RDS's API reference documents, for every engine: "Must be 1 to 16
 * letters, numbers, or underscores" (CreateDBInstance, MasterUsername:
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). Longer
 * names up to the engine's own limit (63 for PostgreSQL, 32 for MySQL) have been accepted by RDS
 * when probed (floci-io/floci#3730), and were refused in 2023 (crossplane-contrib/provider-aws#1701),
 * so they are a warning, not an error.
 */
const DOCUMENTED_USERNAME_LENGTH = 16;
/** The id of the warning for a master user name over the documented 16 characters. */
const LONG_MASTER_USERNAME_WARNING = 'cdk-best-practice-patterns:longMasterUsername';

function warnOfLongMasterUsername(scope: Construct, engineKind: DatabaseEngine, username: string): void {
  Annotations.of(scope).addWarningV2(LONG_MASTER_USERNAME_WARNING,
    `masterUsername is '${username}', ${username.length} characters: RDS's API reference documents 1 to ${DOCUMENTED_USERNAME_LENGTH} `
    + `for every engine, though ${engineKind} itself allows up to ${ENGINES[engineKind].maxUsernameLength}. If RDS refuses it, `
    + 'CloudFormation fails when it creates the instance. Use a shorter name, or acknowledge this warning once a deployment has taken it.');
}

/**
 * Records an error when the storage key is known to be in another Region than the database: "KMS
 * keys are specific to the Amazon Web Services Region that they are created in, and you can't use
 * KMS keys from one Amazon Web Services Region in another" (KmsKeyId of
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html).
 * The key's Region comes from a literal ARN, or from the stack of a key the app creates.
 */
function validateKeyRegion(validator: PropValidator, key: kms.IKey | undefined, scope: Construct): void {
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

/**
 * The Secrets Manager URL the rotation function calls, by the endpoint's own DNS name. Each of an
 * endpoint's DnsEntries (`<hosted zone id>:<name>`) names it and resolves to it: the Regional name
 * first, then one per Availability Zone, then the private DNS name where that is on. An imported
 * endpoint has no DnsEntries to read: Secrets Manager's standard name, which resolves to the
 * endpoint when its private DNS is on.
 */
function secretsManagerUrl(scope: Construct, endpoint: ec2.IInterfaceVpcEndpoint): string {
  const stack = Stack.of(scope);
  const standard = `https://secretsmanager.${stack.region}.${stack.urlSuffix}`;
  if (!(endpoint instanceof ec2.InterfaceVpcEndpoint)) {
    return standard;
  }
  // An endpoint of another stack with private DNS on (MultiAzVpc's are) answers to the standard
  // name: reading its DnsEntries would make a list a cross-stack reference, which a new project's
  // weak references render as Fn::Split over Fn::GetStackOutput (cfn-lint E1022).
  const privateDns = (endpoint.node.defaultChild as ec2.CfnVPCEndpoint).privateDnsEnabled;
  if (Stack.of(endpoint) !== stack && privateDns === true) {
    return standard;
  }
  return `https://${Fn.select(1, Fn.split(':', Fn.select(0, endpoint.vpcEndpointDnsEntries)))}`;
}

/** The Secrets Manager interface endpoint this app created in the VPC, if any. */
function findSecretsManagerEndpoint(vpc: ec2.IVpc): ec2.InterfaceVpcEndpoint | undefined {
  const region = Stack.of(vpc).region;
  const serviceName = ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER.name;
  return vpc.node.findAll().find((c): c is ec2.InterfaceVpcEndpoint => {
    if (!(c instanceof ec2.InterfaceVpcEndpoint)) {
      return false;
    }
    const name = Stack.of(c).resolve((c.node.defaultChild as ec2.CfnVPCEndpoint).serviceName);
    return JSON.stringify(name) === JSON.stringify(Stack.of(c).resolve(serviceName)) || name === `com.amazonaws.${region}.secretsmanager`;
  });
}

/** The memory of the instance classes whose size says it, in bytes; undefined for the others. */
function instanceMemoryBytes(instanceType: ec2.InstanceType): number | undefined {
  const [family, size] = instanceType.toString().split('.');
  const burstable: Record<string, number> = { 'nano': 0.5, 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };
  const multiplier = size === 'large' ? 1 : size === 'xlarge' ? 2 : /^\d+xlarge$/.test(size) ? 2 * parseInt(size, 10) : undefined;
  let gib: number | undefined;
  if (/^t\d/.test(family)) {
    gib = burstable[size];
  } else if (/^m\d/.test(family) && multiplier) {
    gib = 8 * multiplier;
  } else if (/^r\d/.test(family) && multiplier) {
    gib = 16 * multiplier;
  }
  return gib === undefined ? undefined : gib * 1024 ** 3;
}

/** The minutes of the week a window covers, as [start, end) pairs, split at the week's end. */
function weeklyIntervals(start: number, length: number): Array<[number, number]> {
  const end = start + length;
  return end <= MINUTES_A_WEEK ? [[start, end]] : [[start, MINUTES_A_WEEK], [0, end - MINUTES_A_WEEK]];
}

function validateWindows(validator: PropValidator, backupWindow: string, maintenanceWindow: string): void {
  const clock = (h: string, m: string) => (Number(h) < 24 && Number(m) < 60 ? Number(h) * 60 + Number(m) : NaN);
  const daily = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(backupWindow);
  const weekly = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/i.exec(maintenanceWindow);
  let backupSpans: Array<[number, number]> | undefined;
  let maintenanceSpans: Array<[number, number]> | undefined;
  if (!Token.isUnresolved(backupWindow)) {
    const from = daily ? clock(daily[1], daily[2]) : NaN;
    const to = daily ? clock(daily[3], daily[4]) : NaN;
    const length = (to - from + MINUTES_A_DAY) % MINUTES_A_DAY;
    const ok = !Number.isNaN(length) && length >= MIN_WINDOW_MINUTES;
    validator.check(ok, 'preferredBackupWindow', backupWindow, 'a daily UTC window hh24:mi-hh24:mi of at least 30 minutes, such as 03:00-04:00');
    if (ok) {
      backupSpans = DAYS.flatMap((_, day) => weeklyIntervals(day * MINUTES_A_DAY + from, length));
    }
  }
  if (!Token.isUnresolved(maintenanceWindow)) {
    const startDay = weekly ? DAYS.indexOf(weekly[1].toLowerCase()) : -1;
    const endDay = weekly ? DAYS.indexOf(weekly[4].toLowerCase()) : -1;
    const from = startDay * MINUTES_A_DAY + (weekly ? clock(weekly[2], weekly[3]) : NaN);
    const to = endDay * MINUTES_A_DAY + (weekly ? clock(weekly[5], weekly[6]) : NaN);
    const length = (to - from + MINUTES_A_WEEK) % MINUTES_A_WEEK;
    const ok = startDay >= 0 && endDay >= 0 && !Number.isNaN(length) && length >= MIN_WINDOW_MINUTES;
    validator.check(ok, 'preferredMaintenanceWindow', maintenanceWindow,
      'a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of at least 30 minutes, such as sun:05:00-sun:06:00');
    if (ok) {
      maintenanceSpans = weeklyIntervals(from, length);
    }
  }
  if (backupSpans && maintenanceSpans) {
    const overlap = backupSpans.some(([a, b]) => maintenanceSpans!.some(([c, d]) => a < d && c < b));
    validator.check(!overlap, 'preferredMaintenanceWindow', maintenanceWindow, `a window that does not overlap the backup window (${backupWindow})`);
  }
}
