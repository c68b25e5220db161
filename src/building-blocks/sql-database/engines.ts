import { Annotations, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { PropValidator } from '../../core/prop-validator';

/**
 * The database engine of a RelationalDatabase.
 */
export enum DatabaseEngine {
  /** PostgreSQL, major version 17 unless `engineVersion` pins another. */
  POSTGRES = 'postgres',
  /** MySQL, version 8.4 unless `engineVersion` pins another. */
  MYSQL = 'mysql',
}

/** What the pattern knows of an engine: its defaults, its TLS and log settings, and its limits. */
export interface EngineFacts {
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
  /** The most connections the engine accepts at all: the largest max_connections it takes. */
  readonly connectionsLimit: number;
  /** The longest master user name and database name. */
  readonly maxUsernameLength: number;
  readonly maxDatabaseNameLength: number;
  /** The engine as RDS names it, in messages: the DatabaseEngine's value unless set ('aurora-postgresql'). */
  readonly label?: string;
  /** The engine's name for people: 'PostgreSQL' or 'MySQL' unless set ('Aurora PostgreSQL'). */
  readonly displayName?: string;
  /** The full versions the installed aws-cdk-lib names for the engine: RDS's unless set. */
  readonly knownVersions?: () => string[];
}

export const ENGINES: Record<DatabaseEngine, EngineFacts> = {
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
    // MAX_BACKENDS, the upper bound of the max_connections setting (src/include/postmaster/postmaster.h;
    // https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS).
    connectionsLimit: 262_143,
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
    // The maximum value of max_connections:
    // https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html#sysvar_max_connections
    connectionsLimit: 100_000,
    // MySQL's own limit for user names since 5.7.8; see LONG_MASTER_USERNAME_WARNING.
    maxUsernameLength: 32,
    maxDatabaseNameLength: 64,
  },
};
// The slow query log is what MySQL's `slowquery` export ships; without it the export stays empty.
export const MYSQL_SLOW_QUERY_LOG = { slow_query_log: '1', long_query_time: '2', log_output: 'FILE' };

/**
 * The engine's default max_connections for a class with `memoryBytes` of memory:
 * DBInstanceClassMemory (about 75% of the class's memory, after what RDS reserves) per
 * connection, at most 5,000 for PostgreSQL; 125 when the class's memory is unknown.
 */
export function defaultMaxConnections(facts: EngineFacts, memoryBytes: number | undefined): number {
  return memoryBytes ? Math.min(Math.floor(memoryBytes * 0.75 / facts.bytesPerConnection), facts.maxConnections ?? Infinity) : 125;
}

/** The props whose limits are the engine's. */
export interface EngineProps {
  readonly engineVersion?: string;
  readonly databaseName?: string;
  readonly masterUsername?: string;
}

/** What validation settles about the engine's props. */
export interface EngineSettings {
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
export const RDS_RESERVED_USERNAMES: Record<DatabaseEngine, string[]> = {
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
export const ENGINE_RESERVED_WORDS: Record<DatabaseEngine, ReadonlySet<string>> = {
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
export const UNKNOWN_ENGINE_VERSION_WARNING = 'cdk-best-practice-patterns:unknownEngineVersion';

/**
 * The full versions aws-cdk-lib names for an engine, read from the installed release: the static
 * members of `rds.PostgresEngineVersion` (VER_17_4, ...) or `rds.MysqlEngineVersion` (VER_8_4_8, ...)
 * that are instances of the class. Only purely numeric versions (not `11.22-rds.20240418`).
 */
export function knownEngineVersions(engineKind: DatabaseEngine): string[] {
  const versions = engineKind === DatabaseEngine.POSTGRES
    ? staticInstances(rds.PostgresEngineVersion).map((v) => v.postgresFullVersion)
    : staticInstances(rds.MysqlEngineVersion).map((v) => v.mysqlFullVersion);
  return [...new Set(versions.filter((v) => typeof v === 'string' && /^\d+(\.\d+)*$/.test(v)))];
}

/** The static properties of a class that are instances of it. */
export function staticInstances<T>(versionClass: { readonly prototype: T }): T[] {
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
export function newestFirst(a: string, b: string): number {
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
export function warnOfUnknownVersion(scope: Construct, engineKind: DatabaseEngine, version: string, major: string,
  facts: EngineFacts = ENGINES[engineKind]): void {
  const known = facts.knownVersions?.() ?? knownEngineVersions(engineKind);
  if (known.includes(version)) {
    return;
  }
  const engineName = facts.displayName ?? (engineKind === DatabaseEngine.POSTGRES ? 'PostgreSQL' : 'MySQL');
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
export function validateEngineProps(validator: PropValidator, props: EngineProps, engineKind: DatabaseEngine,
  facts: EngineFacts): EngineSettings {
  const version = props.engineVersion ?? facts.defaultVersion;
  // The major version names the parameter group's family, so it is needed at synth.
  validator.knownAtSynth('engineVersion', props.engineVersion, "it decides the major version, which names the parameter group's family");
  const versionMatch = Token.isUnresolved(version) ? null : facts.versionPattern.exec(version);
  validator.check(versionMatch !== null || Token.isUnresolved(version), 'engineVersion', version, facts.versionRange);
  const name = (max: number) => new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${max - 1}}$`);
  const reservedWords = ENGINE_RESERVED_WORDS[engineKind];
  const label = facts.label ?? engineKind;
  const databaseName = props.databaseName;
  if (databaseName !== undefined && !Token.isUnresolved(databaseName)) {
    validator.check(name(facts.maxDatabaseNameLength).test(databaseName), 'databaseName', databaseName,
      `a letter, then letters, digits or underscores, at most ${facts.maxDatabaseNameLength} characters for ${label}`);
    validator.check(!reservedWords.has(databaseName.toLowerCase()), 'databaseName', databaseName,
      `a name that is not a word ${label} reserves, which RDS refuses as a database name`);
  }
  const username = props.masterUsername ?? facts.defaultUsername;
  if (!Token.isUnresolved(username)) {
    const rdsReserved = RDS_RESERVED_USERNAMES[engineKind];
    validator.check(name(facts.maxUsernameLength).test(username), 'masterUsername', username,
      `a letter, then letters, digits or underscores, at most ${facts.maxUsernameLength} characters for ${label}`);
    validator.check(!rdsReserved.includes(username.toLowerCase()), 'masterUsername', username,
      `a name other than ${rdsReserved.join(' and ')}, which RDS reserves on ${label}`);
    validator.check(!reservedWords.has(username.toLowerCase()), 'masterUsername', username,
      `a name that is not a word ${label} reserves, which RDS refuses as a master user name`);
  }
  return { version, major: versionMatch?.[1] ?? '', username };
}

/**
 * The longest master user name RDS's API reference documents, for every engine: "Must be 1 to 16
 * letters, numbers, or underscores" (CreateDBInstance, MasterUsername:
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). Longer
 * names up to the engine's own limit (63 for PostgreSQL, 32 for MySQL) have been accepted by RDS
 * when probed (floci-io/floci#3730), and were refused in 2023 (crossplane-contrib/provider-aws#1701),
 * so they are a warning, not an error.
 */
export const DOCUMENTED_USERNAME_LENGTH = 16;
/** The id of the warning for a master user name over the documented 16 characters. */
export const LONG_MASTER_USERNAME_WARNING = 'cdk-best-practice-patterns:longMasterUsername';

export function warnOfLongMasterUsername(scope: Construct, engineKind: DatabaseEngine, username: string,
  facts: EngineFacts = ENGINES[engineKind]): void {
  Annotations.of(scope).addWarningV2(LONG_MASTER_USERNAME_WARNING,
    `masterUsername is '${username}', ${username.length} characters: RDS's API reference documents 1 to ${DOCUMENTED_USERNAME_LENGTH} `
    + `for every engine, though ${facts.label ?? engineKind} itself allows up to ${facts.maxUsernameLength}. If RDS refuses it, `
    + 'CloudFormation fails when it creates the instance. Use a shorter name, or acknowledge this warning once a deployment has taken it.');
}
