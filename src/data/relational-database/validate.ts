import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MasterPassword } from './master-password';
import type { RelationalDatabaseProps } from './relational-database';
import {
  DatabaseEngine, DOCUMENTED_USERNAME_LENGTH, EngineFacts, EngineSettings, validateEngineProps, warnOfLongMasterUsername, warnOfUnknownVersion,
} from '../../building-blocks/sql-database/engines';
import { validateBackupRetention, validateIsolatedSubnets, validateKeyRegion } from '../../building-blocks/sql-database/hardening';
import { instanceMemoryBytes, validateInstanceType, warnOfUnknownInstanceClass } from '../../building-blocks/sql-database/instance-classes';
import { validateWindows } from '../../core/maintenance-windows';
import { humanSize, PropValidator } from '../../core/prop-validator';

/** RDS's limits. */
export const MIN_STORAGE_GIB = 20;
export const MAX_STORAGE_GIB = 65_536;
const MAX_READ_REPLICAS = 15;
/**
 * The smallest maximum storage RDS accepts for storage autoscaling: at least 10% above the
 * allocated storage, in whole GiB ("set the maximum storage threshold to at least 10% more than
 * the current allocated storage", 1,000 GiB allocated needing at least 1,100):
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export const minMaxAllocatedStorage = (allocated: number) => Math.ceil((allocated * 11) / 10);

/** What the construct settles from the props and their defaults before validating them. */
export interface RelationalDatabaseSettings {
  readonly engineKind: DatabaseEngine;
  /** Undefined for an engine none of DatabaseEngine's, from untyped configuration. */
  readonly engineFacts: EngineFacts | undefined;
  readonly masterPassword: MasterPassword;
  readonly replicaCount: number;
  readonly allocatedStorage: number;
  readonly maxAllocatedStorage: number | undefined;
  /** The smallest maximum storage RDS accepts for the allocated storage. */
  readonly autoscalingFloor: number;
  readonly instanceType: ec2.InstanceType;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  /** The isolated subnets, one per Availability Zone; none when the VPC has no isolated subnets. */
  readonly isolatedSubnets: ec2.SelectedSubnets;
}

/**
 * Checks every prop of a RelationalDatabase, rule after rule, and throws one error naming every
 * invalid one; then warns of what RDS may refuse at deploy time but synth cannot know it will
 * (a class or engine version newer than the pattern's lists, a master user name over the documented
 * length).
 *
 * @returns the engine's settings, once validation has passed
 */
export function validateRelationalDatabaseProps(scope: Construct, validator: PropValidator, props: RelationalDatabaseProps,
  settings: RelationalDatabaseSettings): EngineSettings {
  const {
    engineKind, engineFacts, masterPassword, replicaCount, allocatedStorage, maxAllocatedStorage, autoscalingFloor, instanceType,
    backupWindow, maintenanceWindow, isolatedSubnets,
  } = settings;
  validateIsolatedSubnets(validator, isolatedSubnets);
  validator.oneOf('engine', props.engine, DatabaseEngine, 'DatabaseEngine');
  validator.knownAtSynth('engine', props.engine, "it decides the engine's version, parameters, port, log exports and reserved names");
  const engineSettings = engineFacts ? validateEngineProps(validator, props, engineKind, engineFacts) : undefined;
  if (engineSettings?.major && props.engineVersion !== undefined) {
    warnOfUnknownVersion(scope, engineKind, props.engineVersion, engineSettings.major);
  }
  const knownClass = validateInstanceType(validator, instanceType);
  validateKeyRegion(validator, props.encryptionKey, scope);
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
  validator.knownAtSynth('rotationInterval', props.rotationInterval, "aws-cdk-lib's rotation schedule reads its days at synth");
  validator.wholeDays('rotationInterval', props.rotationInterval, 1, 1000);
  validator.integerInRange('allocatedStorage', props.allocatedStorage, MIN_STORAGE_GIB, MAX_STORAGE_GIB);
  validator.integerInRange('maxAllocatedStorage', props.maxAllocatedStorage, MIN_STORAGE_GIB + 1, MAX_STORAGE_GIB);
  validator.check(maxAllocatedStorage === undefined || Token.isUnresolved(maxAllocatedStorage) || Token.isUnresolved(allocatedStorage)
    || maxAllocatedStorage >= autoscalingFloor,
  'maxAllocatedStorage', maxAllocatedStorage, autoscalingFloor <= MAX_STORAGE_GIB
    ? `at least ${autoscalingFloor} GiB, 10% above allocatedStorage (${allocatedStorage} GiB): RDS refuses a smaller maximum for storage autoscaling`
    : `unset: 10% above allocatedStorage (${allocatedStorage} GiB), RDS's minimum for storage autoscaling, is past its ${MAX_STORAGE_GIB} GiB limit`);
  validateBackupRetention(validator, props.backupRetention);
  validateWindows(validator, backupWindow, maintenanceWindow);
  validator.percentage('cpuAlarmThreshold', props.cpuAlarmThreshold, true);
  validateAlarmThresholds(validator, props, settings);
  validator.throwIfInvalid();
  if (engineFacts && !knownClass) {
    warnOfUnknownInstanceClass(scope, instanceType);
  }
  if (engineSettings && !Token.isUnresolved(engineSettings.username) && engineSettings.username.length > DOCUMENTED_USERNAME_LENGTH) {
    warnOfLongMasterUsername(scope, engineKind, engineSettings.username);
  }
  // An engine none of DatabaseEngine's failed validation above: only a known one gets here.
  return engineSettings!;
}

/**
 * The longest replica lag the alarm may wait for: RDS terminates replication that has stopped for
 * more than 30 consecutive days, so a replica is never further behind ("terminated" in
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html).
 */
const MAX_REPLICA_LAG_SECONDS = 30 * 24 * 3600;

/**
 * Checks the alarm thresholds against what the metric can reach: a free-memory or free-storage
 * threshold at or above the capacity would fire from the first period, a connections threshold at
 * or above the engine's limit never.
 */
function validateAlarmThresholds(validator: PropValidator, props: RelationalDatabaseProps, settings: RelationalDatabaseSettings): void {
  const { engineKind, engineFacts, replicaCount, allocatedStorage, maxAllocatedStorage, instanceType } = settings;
  const memory = instanceMemoryBytes(instanceType);
  validator.bytesBelow('freeableMemoryThreshold', props.freeableMemoryThreshold, memory === undefined ? undefined : {
    bytes: memory,
    what: `the ${humanSize(memory)} of memory of db.${instanceType} (an instance never has more memory free than it has)`,
  });
  const gib = 1024 ** 3;
  validator.bytesBelow('freeStorageSpaceThreshold', props.freeStorageSpaceThreshold, !Token.isUnresolved(allocatedStorage)
    ? { bytes: allocatedStorage * gib, what: `allocatedStorage (${allocatedStorage} GiB): free space never exceeds the allocated storage, so the alarm would always fire` }
    : maxAllocatedStorage !== undefined && !Token.isUnresolved(maxAllocatedStorage)
      ? { bytes: maxAllocatedStorage * gib, what: `maxAllocatedStorage (${maxAllocatedStorage} GiB): free space never exceeds the storage` }
      : { bytes: MAX_STORAGE_GIB * gib, what: `${MAX_STORAGE_GIB} GiB, the most storage RDS allocates: free space never exceeds the storage` });
  const connections = props.connectionsThreshold;
  if (engineFacts && connections !== undefined && !Token.isUnresolved(connections)) {
    const limit = engineFacts.connectionsLimit;
    validator.check(Number.isInteger(connections) && connections >= 1 && connections < limit, 'connectionsThreshold', connections,
      `a whole number from 1 to ${limit - 1}: the alarm fires above it, and ${engineKind} accepts at most ${limit} connections (its largest max_connections)`);
  }
  validator.check(props.replicaLagThreshold === undefined || replicaCount > 0 || Token.isUnresolved(replicaCount), 'replicaLagThreshold',
    props.replicaLagThreshold?.isUnresolved() ? 'a token' : props.replicaLagThreshold?.toHumanString(),
    'unset without read replicas (readReplicas is 0): it is the threshold of each replica\'s lag alarm');
  validator.secondsInRange('replicaLagThreshold', props.replicaLagThreshold, 1, MAX_REPLICA_LAG_SECONDS);
}
