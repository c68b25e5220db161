import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseEngine, defaultMaxConnections, EngineFacts, staticInstances } from '../../building-blocks/sql-database/engines';

/** Only purely numeric versions, or Aurora MySQL's `8.0.mysql_aurora.3.10.3`. */
const wellFormed = (versions: string[]) => [...new Set(versions.filter((v) => typeof v === 'string' && /^\d+(\.\d+)*(\.mysql_aurora\.[\d.]+)?$/.test(v)))];

/**
 * What the pattern knows of the two Aurora engines: the same names and limits as RDS's engines
 * where they are the same, the cluster parameters that refuse connections without TLS, and the
 * logs each exports.
 */
export const AURORA_ENGINES: Record<DatabaseEngine, EngineFacts> = {
  [DatabaseEngine.POSTGRES]: {
    label: 'aurora-postgresql',
    displayName: 'Aurora PostgreSQL',
    // A full version: Aurora takes no major version alone. 17.7 supports Serverless v2's scaling
    // to 0 ACU (from 17.4).
    defaultVersion: '17.7',
    // 13 left standard support on 28 February 2026.
    versionPattern: /^(1[4-8])\.\d+$/,
    versionRange: "a full Aurora PostgreSQL version from 14 to 18, such as '17.7'",
    defaultUsername: 'postgres',
    defaultPort: 5432,
    tlsParameters: { 'rds.force_ssl': '1' },
    // The IAM authentication error log too: IAM authentication is always on
    // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.html).
    logExports: ['postgresql', 'iam-db-auth-error'],
    bytesPerConnection: 9_531_392,
    maxConnections: 5000,
    connectionsLimit: 262_143,
    // CreateDBCluster: "Must be 1 to 16 letters or numbers", for both Aurora engines.
    maxUsernameLength: 16,
    maxDatabaseNameLength: 63,
    knownVersions: () => wellFormed(staticInstances(rds.AuroraPostgresEngineVersion).map((v) => v.auroraPostgresFullVersion)),
  },
  [DatabaseEngine.MYSQL]: {
    label: 'aurora-mysql',
    displayName: 'Aurora MySQL',
    // Aurora MySQL 3.10 (MySQL 8.0 compatible), a long-term support release; 3.08 and later scale
    // Serverless v2 to 0 ACU.
    defaultVersion: '8.0.mysql_aurora.3.10.3',
    // Version 3 ('8.0.mysql_aurora.3.10.3') or 8.4 ('8.4.mysql_aurora.8.4.7'); the MySQL major
    // names the parameter group's family.
    versionPattern: /^(8\.0(?=\.mysql_aurora\.3\.\d{2}\.\d+$)|8\.4(?=\.mysql_aurora\.8\.4\.\d+$))/,
    versionRange: "a full Aurora MySQL 3 or 8.4 version, such as '8.0.mysql_aurora.3.10.3' or '8.4.mysql_aurora.8.4.7'",
    defaultUsername: 'admin',
    defaultPort: 3306,
    tlsParameters: { require_secure_transport: 'ON' },
    // The audit log is on (see MYSQL_AUDIT_AND_SLOW_LOGS), and IAM authentication, whose error log
    // is exported too; the general log is not.
    logExports: ['audit', 'error', 'slowquery', 'iam-db-auth-error'],
    // Unused: Aurora MySQL's default max_connections follows AWS's table (auroraMaxConnections).
    bytesPerConnection: 12_582_880,
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections
    connectionsLimit: 16_000,
    maxUsernameLength: 16,
    maxDatabaseNameLength: 64,
    knownVersions: () => wellFormed(staticInstances(rds.AuroraMysqlEngineVersion).map((v) => v.auroraMysqlFullVersion)),
  },
};

/**
 * The cluster parameters that fill Aurora MySQL's exported audit and slow query logs: without them
 * both exports stay empty. The audit log records connections and the statements that change users,
 * grants and schemas (not every query: that is the general log's volume).
 */
export const MYSQL_AUDIT_AND_SLOW_LOGS = {
  server_audit_logging: '1',
  server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL',
  slow_query_log: '1',
  long_query_time: '2',
  log_output: 'FILE',
};

/**
 * The DB instance classes Aurora offers for PostgreSQL and MySQL, by family: memory-optimized (r,
 * x2g) and the burstable classes meant for development (t3, t4g: medium and large).
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html
 */
export const AURORA_INSTANCE_CLASSES: Record<string, readonly string[]> = (() => {
  const graviton = 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge';
  const groups: Array<[string, string]> = [
    ['t3 t4g', 'medium large'],
    ['r5', `${graviton} 24xlarge`],
    ['r6g r7g x2g', graviton],
    ['r6i', `${graviton} 24xlarge 32xlarge`],
    ['r7i r8g', `${graviton} 24xlarge 48xlarge`],
  ];
  const classes: Record<string, readonly string[]> = {};
  for (const [families, sizes] of groups) {
    for (const family of families.split(' ')) {
      classes[family] = sizes.split(' ');
    }
  }
  return classes;
})();

/**
 * The default max_connections of an Aurora instance with `memoryBytes` of memory (for Serverless
 * v2, that of its maximum capacity, 2 GiB per ACU), as AWS's tables give it: Aurora PostgreSQL
 * takes DBInstanceClassMemory per 9,531,392 bytes, at most 5,000, as RDS for PostgreSQL does;
 * Aurora MySQL 1,000 for 16 GiB, 1,000 more each time the memory doubles, and 45 per doubling from
 * 1 GiB on the small classes (90 on db.t4g.medium).
 */
export function auroraMaxConnections(engineKind: DatabaseEngine, memoryBytes: number | undefined): number {
  if (!memoryBytes) {
    return engineKind === DatabaseEngine.MYSQL ? 90 : 125;
  }
  if (engineKind === DatabaseEngine.POSTGRES) {
    return defaultMaxConnections(AURORA_ENGINES[engineKind], memoryBytes);
  }
  const gib = memoryBytes / 1024 ** 3;
  return Math.max(Math.round(45 * Math.log2(gib)), 1000 * Math.ceil(Math.log2(gib / 8)), 1);
}
