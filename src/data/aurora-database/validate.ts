import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuroraDatabaseProps } from './aurora-database';
import { AURORA_INSTANCE_CLASSES } from './engines';
import {
  DatabaseEngine, EngineFacts, EngineSettings, validateEngineProps, warnOfUnknownVersion,
} from '../../building-blocks/sql-database/engines';
import { validateBackupRetention, validateIsolatedSubnets, validateKeyRegion } from '../../building-blocks/sql-database/hardening';
import { instanceMemoryBytes, validateInstanceType, warnOfUnknownInstanceClass } from '../../building-blocks/sql-database/instance-classes';
import { validateWindows } from '../../core/maintenance-windows';
import { humanSize, PropValidator } from '../../core/prop-validator';

/** Aurora's limits. */
const MAX_READERS = 15;
const MAX_ACU = 256;
const MAX_BACKTRACK_HOURS = 72;
const MAX_REPLICA_LAG_MILLIS = 3600 * 1000;
/** The engine versions from which Serverless v2 scales to 0 ACU, by major version. */
const AUTO_PAUSE_VERSIONS: Record<DatabaseEngine, Record<string, number[]>> = {
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
  [DatabaseEngine.POSTGRES]: { 13: [13, 15], 14: [14, 12], 15: [15, 7], 16: [16, 3], 17: [17, 4], 18: [18, 0] },
  [DatabaseEngine.MYSQL]: { '8.0': [3, 8], '8.4': [8, 4] },
};

/**
 * Whether Serverless v2 instances of the engine version can scale to 0 ACU and pause; true for a
 * version the pattern cannot read (validation refuses a malformed one).
 */
export function pausesOn(engineKind: DatabaseEngine, version: string | undefined): boolean {
  if (version === undefined || Token.isUnresolved(version)) {
    return true;
  }
  const parts = engineKind === DatabaseEngine.MYSQL
    ? /^(8\.[04])\.mysql_aurora\.(\d+)\.(\d+)/.exec(version)
    : /^((\d+))\.(\d+)/.exec(version);
  if (parts === null) {
    return true;
  }
  const [lowestMajor, lowestMinor] = AUTO_PAUSE_VERSIONS[engineKind]?.[parts[1]] ?? [Infinity, 0];
  const [major, minor] = [Number(parts[2]), Number(parts[3])];
  return major > lowestMajor || (major === lowestMajor && minor >= lowestMinor);
}

/** What the construct settles from the props and their defaults before validating them. */
export interface AuroraDatabaseSettings {
  readonly engineKind: DatabaseEngine;
  /** Undefined for an engine none of DatabaseEngine's, from untyped configuration. */
  readonly engineFacts: EngineFacts | undefined;
  readonly serverless: boolean;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly instanceType: ec2.InstanceType;
  readonly readerCount: number;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  readonly isolatedSubnets: ec2.SelectedSubnets;
}

/**
 * Checks every prop of an AuroraDatabase, rule after rule, and throws one error naming every
 * invalid one; then warns of what Aurora may refuse at deploy time but synth cannot know it will.
 *
 * @returns the engine's settings, once validation has passed
 */
export function validateAuroraDatabaseProps(scope: Construct, validator: PropValidator, props: AuroraDatabaseProps,
  settings: AuroraDatabaseSettings): EngineSettings {
  const { engineKind, engineFacts, serverless, readerCount, instanceType, backupWindow, maintenanceWindow, isolatedSubnets } = settings;
  validateIsolatedSubnets(validator, isolatedSubnets);
  validator.oneOf('engine', props.engine, DatabaseEngine, 'DatabaseEngine');
  validator.knownAtSynth('engine', props.engine, "it decides the engine's version, parameters, port, log exports and reserved names");
  const engineSettings = engineFacts ? validateEngineProps(validator, props, engineKind, engineFacts) : undefined;
  if (engineFacts && engineSettings?.major && props.engineVersion !== undefined) {
    warnOfUnknownVersion(scope, engineKind, props.engineVersion, engineSettings.major, engineFacts);
  }
  validator.check(props.instanceType === undefined || props.serverless === undefined, 'instanceType', props.instanceType?.toString(),
    'unset with serverless: the instances are either provisioned (instanceType) or Serverless v2 (serverless)');
  const knownClass = serverless || validateInstanceType(validator, instanceType, AURORA_INSTANCE_CLASSES);
  validateServerless(validator, props, settings, engineSettings);
  validateKeyRegion(validator, props.encryptionKey, scope);
  validator.oneOf('logRetention', props.logRetention, logs.RetentionDays, 'logs.RetentionDays');
  validator.integerInRange('port', props.port, 1150, 65535);
  validator.integerInRange('readers', props.readers, 0, MAX_READERS);
  validator.knownAtSynth('readers', props.readers, 'it decides how many readers the pattern creates');
  validateReaderAutoScaling(validator, props, readerCount, serverless);
  validateBackupRetention(validator, props.backupRetention);
  validateWindows(validator, backupWindow, maintenanceWindow);
  if (props.backtrackWindow !== undefined) {
    validator.check(engineKind === DatabaseEngine.MYSQL, 'backtrackWindow', props.backtrackWindow.toHumanString(),
      'unset with Aurora PostgreSQL: Backtrack is an Aurora MySQL feature');
    validator.check(!serverless, 'backtrackWindow', props.backtrackWindow.toHumanString(),
      'unset with Serverless v2: Aurora offers Backtrack on provisioned instances only');
    validator.secondsInRange('backtrackWindow', props.backtrackWindow, 1, MAX_BACKTRACK_HOURS * 3600);
  }
  validator.percentage('cpuAlarmThreshold', props.cpuAlarmThreshold, true);
  validator.percentage('acuUtilizationThreshold', props.acuUtilizationThreshold, true);
  validator.check(props.acuUtilizationThreshold === undefined || serverless, 'acuUtilizationThreshold', props.acuUtilizationThreshold,
    'unset with provisioned instances: it is the threshold of the Serverless v2 ACU utilization alarm');
  validateAlarmThresholds(validator, props, settings);
  validator.throwIfInvalid();
  if (engineFacts && !knownClass) {
    warnOfUnknownInstanceClass(scope, instanceType, AURORA_INSTANCE_CLASSES, 'Aurora');
  }
  // An engine none of DatabaseEngine's failed validation above: only a known one gets here.
  return engineSettings!;
}

/** Whether `value` is a multiple of 0.5 from `min` to MAX_ACU. */
const acuStep = (value: number, min: number) => value >= min && value <= MAX_ACU && Number.isInteger(value * 2);

/**
 * Serverless v2's capacity: 0 (pausing) or 0.5 to 256 ACU in halves, a maximum from 1, the least
 * at most the most; pausing only where the engine version has it, and its delay only with it.
 */
function validateServerless(validator: PropValidator, props: AuroraDatabaseProps, settings: AuroraDatabaseSettings,
  engineSettings: EngineSettings | undefined): void {
  const capacity = props.serverless;
  const { minCapacity, maxCapacity } = settings;
  if (settings.serverless && minCapacity === 0 && engineSettings?.major && !pausesOn(settings.engineKind, engineSettings.version)) {
    validator.check(false, 'serverless.minCapacity', 0, `at least 0.5 with ${settings.engineFacts?.displayName} ${engineSettings.version}: scaling to 0 ACU needs `
      + (settings.engineKind === DatabaseEngine.MYSQL ? 'Aurora MySQL 3.08 or later' : 'Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3, 17.4 or later'));
  }
  if (capacity === undefined) {
    return;
  }
  const known = !Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity);
  validator.knownAtSynth('serverless.minCapacity', capacity.minCapacity, 'it decides whether the instances pause, which the engine version must allow');
  validator.check(Token.isUnresolved(minCapacity) || minCapacity === 0 || acuStep(minCapacity, 0.5), 'serverless.minCapacity', minCapacity,
    `0 (pause when idle) or 0.5 to ${MAX_ACU} ACU in steps of 0.5`);
  validator.check(Token.isUnresolved(maxCapacity) || acuStep(maxCapacity, 1), 'serverless.maxCapacity', maxCapacity,
    `1 to ${MAX_ACU} ACU in steps of 0.5`);
  validator.check(!known || minCapacity <= maxCapacity, 'serverless.maxCapacity', maxCapacity,
    `at least serverless.minCapacity (${minCapacity} ACU)`);
  validator.check(capacity.autoPauseAfter === undefined || minCapacity === 0, 'serverless.autoPauseAfter', capacity.autoPauseAfter?.toHumanString(),
    'unset unless serverless.minCapacity is 0: only an instance that scales to 0 ACU pauses');
  validator.secondsInRange('serverless.autoPauseAfter', capacity.autoPauseAfter, 300, 86_400);
}

/** Reader autoscaling: at most 15 readers in all, at least as many as the pattern creates, one target. */
function validateReaderAutoScaling(validator: PropValidator, props: AuroraDatabaseProps, readerCount: number, serverless: boolean): void {
  const scaling = props.readerAutoScaling;
  if (scaling === undefined) {
    return;
  }
  // "Aurora Auto Scaling isn't supported" for Serverless v2, which suggests readers created in
  // advance and left scaled down instead:
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html
  validator.check(!serverless, 'readerAutoScaling', 'set', 'unset with Serverless v2, where Aurora Auto Scaling is not supported: '
    + 'create its readers with `readers`, and they scale down when idle');
  // The readers' average CPU and connections, which the policy tracks, have no data without one.
  validator.check(readerCount >= 1 || Token.isUnresolved(readerCount), 'readers', readerCount,
    'at least 1 with readerAutoScaling: the policy tracks the readers\' average load, which has no data without a reader');
  validator.integerInRange('readerAutoScaling.maxReaders', scaling.maxReaders, 1, MAX_READERS);
  validator.check(Token.isUnresolved(scaling.maxReaders) || Token.isUnresolved(readerCount) || scaling.maxReaders >= readerCount,
    'readerAutoScaling.maxReaders', scaling.maxReaders, `at least readers (${readerCount}): Aurora never removes the readers the pattern creates`);
  validator.integerInRange('readerAutoScaling.minReaders', scaling.minReaders, 0, MAX_READERS);
  validator.check(scaling.minReaders === undefined || Token.isUnresolved(scaling.minReaders) || Token.isUnresolved(scaling.maxReaders)
    || scaling.minReaders <= scaling.maxReaders, 'readerAutoScaling.minReaders', scaling.minReaders, `at most readerAutoScaling.maxReaders (${scaling.maxReaders})`);
  validator.check(scaling.targetCpuUtilization === undefined || scaling.targetConnections === undefined, 'readerAutoScaling.targetConnections',
    scaling.targetConnections, 'unset with targetCpuUtilization: the readers scale on one target');
  if (scaling.targetCpuUtilization !== undefined && !Token.isUnresolved(scaling.targetCpuUtilization)) {
    validator.check(scaling.targetCpuUtilization >= 10 && scaling.targetCpuUtilization <= 90, 'readerAutoScaling.targetCpuUtilization',
      scaling.targetCpuUtilization, 'a percentage from 10 to 90: lower adds readers that do nothing, higher leaves none to absorb a spike');
  }
  validator.integerInRange('readerAutoScaling.targetConnections', scaling.targetConnections, 1, 16_000);
}

/** The alarm thresholds against what the metric can reach. */
function validateAlarmThresholds(validator: PropValidator, props: AuroraDatabaseProps, settings: AuroraDatabaseSettings): void {
  const { engineKind, engineFacts, serverless, maxCapacity, instanceType, readerCount } = settings;
  const memory = serverless
    ? (Token.isUnresolved(maxCapacity) ? undefined : maxCapacity * 2 * 1024 ** 3)
    : instanceMemoryBytes(instanceType);
  validator.bytesBelow('freeableMemoryThreshold', props.freeableMemoryThreshold, memory === undefined ? undefined : {
    bytes: memory,
    what: serverless
      ? `the ${humanSize(memory)} of memory of ${maxCapacity} ACU, the most the instances scale to`
      : `the ${humanSize(memory)} of memory of db.${instanceType} (an instance never has more memory free than it has)`,
  });
  const connections = props.connectionsThreshold;
  if (engineFacts && connections !== undefined && !Token.isUnresolved(connections)) {
    const limit = engineFacts.connectionsLimit;
    validator.check(Number.isInteger(connections) && connections >= 1 && connections < limit, 'connectionsThreshold', connections,
      `a whole number from 1 to ${limit - 1}: the alarm fires above it, and ${engineFacts.displayName ?? engineKind} accepts at most ${limit} connections`);
  }
  const readers = readerCount > 0 || Token.isUnresolved(readerCount) || props.readerAutoScaling !== undefined;
  validator.check(props.replicaLagThreshold === undefined || readers, 'replicaLagThreshold',
    props.replicaLagThreshold?.isUnresolved() ? 'a token' : props.replicaLagThreshold?.toHumanString(),
    'unset without readers (readers is 0 and no readerAutoScaling): it is the threshold of the replica lag alarm');
  // A token must be in milliseconds, the metric's unit; a known value from 1 ms to an hour.
  validator.millisBelow('replicaLagThreshold', props.replicaLagThreshold);
  const lagMillis = props.replicaLagThreshold?.isUnresolved() === false ? props.replicaLagThreshold.toMilliseconds({ integral: false }) : undefined;
  validator.check(lagMillis === undefined || (Number.isInteger(lagMillis) && lagMillis >= 1 && lagMillis <= MAX_REPLICA_LAG_MILLIS), 'replicaLagThreshold',
    props.replicaLagThreshold?.toHumanString(), 'a whole number of milliseconds from 1 millisecond to 1 hour');
}
