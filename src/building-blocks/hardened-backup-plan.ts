import { Aws, Duration, Fn, Names, RemovalPolicy, ResourceEnvironment, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue, DeadLetterSource } from './dead-letter-queue';
import { alarmTopicFor } from '../core/alarms';
import { createPatternKey } from '../core/keys';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { acknowledgeNagFinding } from '../core/nag';
import { PatternPrelude } from '../core/pattern-prelude';
import { PatternProps } from '../core/pattern-props';
import { PropValidator } from '../core/prop-validator';

/**
 * How AWS Backup Vault Lock guards the vault's recovery points.
 *
 * See https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 */
export enum VaultLockMode {
  /** No Vault Lock: the vault access policy alone denies deleting recovery points. */
  NONE = 'NONE',
  /**
   * Governance mode: no one can delete a recovery point or shorten its retention, and backup and
   * copy jobs must keep recovery points within the lock's retention range; a principal allowed
   * `backup:DeleteBackupVaultLockConfiguration` (here only the backup administrators, through the
   * vault access policy) can still remove or change the lock.
   */
  GOVERNANCE = 'GOVERNANCE',
  /**
   * Compliance mode: like governance, but once its cooling-off period (`lockChangeableFor`) has
   * passed, no one, not the account root nor AWS, can remove or change the lock. Cannot be undone.
   */
  COMPLIANCE = 'COMPLIANCE',
}

/**
 * Properties of a HardenedBackupPlan.
 */
export interface HardenedBackupPlanProps extends PatternProps {
  /**
   * The IAM roles allowed to delete recovery points, change their lifecycle and remove the Vault
   * Lock, besides the account root user (the break-glass principal, which always is): each a role
   * ARN, `arn:<partition>:iam::<account>:role/<name>`, in the stack's account, without wildcards.
   * Everyone else, administrators included, is denied those actions by the vault access policy.
   *
   * @default - only the account root user
   */
  readonly backupAdminRoleArns?: string[];

  /**
   * How long the daily backups are kept, in whole days: from 1 to 35 days with `continuousBackup`
   * (the point-in-time window AWS Backup allows), from 1 to 36,500 days without.
   *
   * @default - Duration.days(35) in PROD, Duration.days(7) in DEV
   */
  readonly dailyRetention?: Duration;

  /**
   * Whether the daily rule backs up continuously (point-in-time restore) the resource types that
   * support it (RDS, Aurora, S3, SAP HANA on EC2); other types get a daily snapshot from the same
   * rule.
   *
   * @default true
   */
  readonly continuousBackup?: boolean;

  /**
   * How long after its scheduled time a backup job may take to start before AWS Backup cancels it
   * (state EXPIRED, which notifies the alarm topic): whole minutes, at least 1 hour.
   *
   * @default Duration.hours(8)
   */
  readonly startWindow?: Duration;

  /**
   * How long after its scheduled time a backup job may take to complete before AWS Backup cancels
   * it: whole minutes, longer than `startWindow`.
   *
   * @default Duration.days(7)
   */
  readonly completionWindow?: Duration;

  /**
   * How long a monthly backup (on the 1st, 05:00 UTC) is kept, in whole days from 1 to 36,500.
   *
   * @default - no monthly rule
   */
  readonly monthlyRetention?: Duration;

  /**
   * When a monthly backup moves to cold storage, in whole days: at least 90 days before
   * `monthlyRetention` ends (AWS Backup's cold storage minimum).
   *
   * @default - monthly backups stay in warm storage
   */
  readonly monthlyColdStorageAfter?: Duration;

  /**
   * How long a yearly backup (on January 1st, 05:00 UTC) is kept, in whole days from 1 to 36,500.
   *
   * @default - no yearly rule
   */
  readonly yearlyRetention?: Duration;

  /**
   * When a yearly backup moves to cold storage, in whole days: at least 90 days before
   * `yearlyRetention` ends.
   *
   * @default - yearly backups stay in warm storage
   */
  readonly yearlyColdStorageAfter?: Duration;

  /**
   * The Vault Lock mode. COMPLIANCE cannot be undone once `lockChangeableFor` has passed.
   *
   * @default - VaultLockMode.GOVERNANCE in PROD, VaultLockMode.NONE in DEV
   */
  readonly vaultLock?: VaultLockMode;

  /**
   * The shortest retention the lock lets a backup or copy job give a recovery point in the vault,
   * in whole days from 1 to 36,500, at most every rule's retention (a job below it fails).
   *
   * @default - the shortest retention of the plan's rules
   */
  readonly lockMinRetention?: Duration;

  /**
   * The longest retention the lock lets a job give a recovery point, in whole days up to 36,500, at
   * least `lockMinRetention` and every rule's retention.
   *
   * @default - no maximum
   */
  readonly lockMaxRetention?: Duration;

  /**
   * With `VaultLockMode.COMPLIANCE`, how long the lock can still be removed or changed after it is
   * set: the cooling-off period, in whole days, at least 3 (AWS Backup's 72 hours).
   *
   * @default Duration.days(3)
   */
  readonly lockChangeableFor?: Duration;

  /**
   * A vault in another region (and, for ransomware resilience, another account) every backup is
   * copied to. Import one with `backup.BackupVault.fromBackupVaultArn`. A vault of another account
   * must admit this account (`backup:CopyIntoBackupVault`) in its access policy.
   *
   * @default - no copy
   */
  readonly copyTo?: backup.IBackupVault;

  /**
   * How long the copies are kept, in whole days from 1 to 36,500.
   *
   * @default - the retention of the rule whose backup is copied
   */
  readonly copyRetention?: Duration;

  /**
   * When a copy moves to cold storage, in whole days: at least 90 days before the copy's retention
   * ends.
   *
   * @default - copies stay in warm storage
   */
  readonly copyColdStorageAfter?: Duration;
}

// AWS Backup's limits, from https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html
// and API_Lifecycle.html: a start window of at least 60 minutes (StartWindowMinutes, "must be at
// least 60 minutes to avoid errors"), windows of at most 100 years (52,560,000 minutes); a
// completion window counts from the scheduled time, start window included
// (API_StartBackupJob.html, CompleteWindowMinutes), so it must be longer than the start window; a
// retention (DeleteAfterDays) from 1 to 36,500 days; a recovery point in cold storage for at least
// 90 days ("MoveToColdStorageAfterDays ... DeleteAfterDays must be 90 days greater").
// Continuous backups are kept 1 to 35 days and never go to cold storage:
// https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html
// Vault Lock: MinRetentionDays and MaxRetentionDays up to 36,500, ChangeableForDays at least 3
// (the 72-hour cooling-off period):
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-backup-backupvault-lockconfigurationtype.html
const MIN_START_WINDOW_MINUTES = 60;
const MAX_WINDOW_MINUTES = 52_560_000;
const MAX_RETENTION_DAYS = 36_500;
const MAX_CONTINUOUS_DAYS = 35;
const MIN_COLD_STORAGE_DAYS = 90;
const MIN_CHANGEABLE_FOR_DAYS = 3;
// AWS Backup's own defaults, written out so the validator compares against them: 8 hours to start
// (long enough to wait out an RDS maintenance window, during which no backup starts) and 7 days to
// complete (a first full backup of a large resource can take more than a day).
const DEFAULT_START_WINDOW = Duration.hours(8);
const DEFAULT_COMPLETION_WINDOW = Duration.days(7);

// The states of a job that did not do its work: backup and copy jobs report `state`, restore jobs
// `status` (https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html; the values are
// those of API_BackupJob.html, API_CopyJob.html and API_RestoreJobsListMember.html). PARTIAL is a
// composite job some of whose resources were not backed up or copied.
const FAILED_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'];
const JOB_EVENTS = ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'];

// Schedules (UTC): daily at 05:00, as aws-cdk-lib's BackupPlanRule.daily; monthly on the 1st;
// yearly on January 1st.
const DAILY = events.Schedule.cron({ minute: '0', hour: '5' });
const MONTHLY = events.Schedule.cron({ minute: '0', hour: '5', day: '1' });
const YEARLY = events.Schedule.cron({ minute: '0', hour: '5', day: '1', month: '1' });

/** A rule of the plan as the validator and the lock see it. */
interface PlannedRule {
  readonly id: string;
  readonly prop: string;
  readonly schedule: events.Schedule;
  readonly retentionDays: number;
  readonly retention: Duration;
  readonly coldStorageAfter?: Duration;
  readonly continuous: boolean;
}

/**
 * AWS Backup for the data of an application: a plan whose recovery points land in a vault that no
 * one but the backup administrators may empty or shorten, locked in PROD, copied to another region
 * when asked, and watched: a failed, aborted or expired backup, copy or restore job notifies the
 * alarm topic. The vault is retained in every stage (AWS Backup deletes no vault that holds
 * recovery points).
 *
 * Applies: a vault under a GuardedKey (which encrypts the backups of the resource types AWS Backup
 * fully manages; an RDS snapshot keeps its database's key); an access policy that denies deleting recovery
 * points, changing their lifecycle and removing the lock to all but the backup administrators;
 * Vault Lock (governance) in PROD; daily backups kept 35 days in PROD, 7 in DEV, continuous
 * (point-in-time restore) where supported; optional monthly and yearly rules; copies to another
 * region or account; job failures to the alarm topic through EventBridge, with a dead-letter queue.
 *
 * @example
 * import * as backup from 'aws-cdk-lib/aws-backup';
 * import { HardenedBackupPlan } from 'cdk-best-practice-patterns';
 *
 * declare const table: dynamodb.ITable;
 * const backups = new HardenedBackupPlan(this, 'Backups', {
 *   monthlyRetention: Duration.days(365),
 *   copyTo: backup.BackupVault.fromBackupVaultArn(this, 'DrVault', 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr'),
 * });
 * backups.protect('Orders', [backup.BackupResource.fromDynamoDbTable(table)]);
 */
export class HardenedBackupPlan extends Construct implements backup.IBackupPlan {
  /**
   * The backup plan: its daily rule, and the monthly and yearly ones when asked for.
   */
  public readonly plan: backup.BackupPlan;

  /**
   * The vault every rule backs up to.
   */
  public readonly vault: backup.BackupVault;

  /**
   * The customer-managed key the vault encrypts recovery points with.
   */
  public readonly encryptionKey: kms.IKey;

  /**
   * The rule that sends failed, aborted and expired jobs to the alarm topic.
   */
  public readonly failureRule: events.Rule;

  /**
   * Where a job failure goes when the alarm topic cannot take it.
   */
  public readonly deadLetterQueue: sqs.IQueue;

  /**
   * How long the daily rule keeps its recovery points: `dailyRetention`, or its default by stage.
   */
  public readonly dailyRetention: Duration;

  /**
   * Whether the daily rule backs up continuously the resource types that support it (an RDS
   * database's automated backups are then AWS Backup's, kept `dailyRetention`).
   */
  public readonly continuousBackup: boolean;

  /**
   * The alarms of the plan: the failure notifications' dead-letter queue not empty, and failed
   * backup jobs (a backstop: EventBridge delivers AWS Backup's events on a best-effort basis).
   */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * The identifier of the backup plan (the plan's own): a HardenedBackupPlan is a backup plan, so
   * it goes wherever aws-cdk-lib takes one, such as a data pattern's `backupPlan`.
   */
  public get backupPlanId(): string {
    return this.plan.backupPlanId;
  }

  /**
   * A reference to the backup plan (the plan's own).
   */
  public get backupPlanRef(): backup.BackupPlanReference {
    return this.plan.backupPlanRef;
  }

  /**
   * The stack the plan is defined in.
   */
  public get stack(): Stack {
    return Stack.of(this);
  }

  /**
   * The account and region the plan is defined in.
   */
  public get env(): ResourceEnvironment {
    return this.plan.env;
  }

  private readonly prelude: PatternPrelude<HardenedBackupPlanProps>;
  private selectionRole?: iam.Role;

  constructor(scope: Construct, id: string, props: HardenedBackupPlanProps = {}) {
    super(scope, id);
    this.prelude = PatternPrelude.start(this, 'HardenedBackupPlan', props);
    props = this.prelude.props;
    this.alarms = this.prelude.alarms;
    const production = this.prelude.production;
    const v = this.prelude.validator;

    v.knownAtSynth('continuousBackup', props.continuousBackup, 'it decides whether the daily rule backs up continuously');
    v.knownAtSynth('vaultLock', props.vaultLock, 'it decides whether the vault is locked');
    v.oneOf('vaultLock', props.vaultLock, VaultLockMode, 'VaultLockMode');
    const continuous = props.continuousBackup ?? true;
    const lockMode = props.vaultLock ?? (production ? VaultLockMode.GOVERNANCE : VaultLockMode.NONE);
    // A compliance lock can never be removed once its cooling-off period has passed: not on a stage
    // meant to be torn down.
    v.check(production || props.vaultLock !== VaultLockMode.COMPLIANCE, 'vaultLock', props.vaultLock,
      'GOVERNANCE or NONE in DEV: a compliance lock can never be removed once its cooling-off period has passed, which a stage meant to be destroyed cannot have');
    const rules = this.plannedRules(v, props, continuous, production);
    this.dailyRetention = rules[0].retention;
    this.continuousBackup = continuous;
    this.validateWindows(v, props.startWindow, props.completionWindow);
    this.validateLock(v, props, lockMode, rules);
    this.validateAdmins(v, props.backupAdminRoleArns ?? []);
    this.validateCopy(v, props, rules);
    v.throwIfInvalid();

    const stack = Stack.of(this);
    this.encryptionKey = createPatternKey(this, 'Key', `Encrypts the recovery points of ${this.node.path}`, this.prelude.removalPolicy);
    const knownDays = rules.filter((r) => !r.retention.isUnresolved()).map((r) => r.retentionDays);
    const minRetention = props.lockMinRetention ?? Duration.days(knownDays.length > 0 ? Math.min(...knownDays) : 1);
    this.vault = new backup.BackupVault(this, 'Vault', {
      // The vault outlives its stack (below), and a vault's name is unique in its account and region:
      // a name from the construct path alone would make the stack's next deployment after a
      // `cdk destroy` fail ("already exists") while the old vault waits for its recovery points to
      // expire. The first block of the stack's id, which CloudFormation draws anew for each stack
      // it creates and keeps through updates, tells the two apart. 41 + 1 + 8 characters: AWS
      // Backup's limit is 50.
      backupVaultName: Fn.join('-', [
        Names.uniqueResourceName(this, { maxLength: 41 }),
        Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID)))),
      ]),
      encryptionKey: this.encryptionKey,
      // Retained in every stage: AWS Backup refuses to delete a vault that holds recovery points
      // (https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html), so a DEV
      // `cdk destroy` would end in DELETE_FAILED. Left behind, the vault costs nothing; its recovery
      // points expire with their retention, and then it can be deleted.
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: lockMode === VaultLockMode.NONE ? undefined : {
        minRetention,
        maxRetention: props.lockMaxRetention,
        // Compliance mode is a lock with a lock date; governance mode one without.
        changeableFor: lockMode === VaultLockMode.COMPLIANCE ? props.lockChangeableFor ?? Duration.days(MIN_CHANGEABLE_FOR_DAYS) : undefined,
      },
    });
    // A Deny in the vault's own policy binds every principal of the account, administrators
    // included, whatever their IAM policies allow. The root user stays exempt as the break-glass
    // principal (and so that a mistaken list of roles can never lock the account out of its own
    // vault); AWS Backup's own lifecycle deletions are not API calls and are not affected.
    // CloudFormation's calls (creating the vault, putting this policy and the lock) are not denied,
    // so deploys keep working; removing the lock is, unless the deployer is a backup administrator.
    const exempt = [stack.formatArn({ service: 'iam', region: '', resource: 'root' }), ...props.backupAdminRoleArns ?? []];
    this.vault.addToAccessPolicy(new iam.PolicyStatement({
      sid: 'DenyRecoveryPointDeletionExceptBackupAdmins',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      // Disassociating takes a continuous recovery point (an RDS database's, by default) out of the
      // vault's control, its retention and lock included.
      actions: [
        'backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle', 'backup:DeleteBackupVaultLockConfiguration',
        'backup:DisassociateRecoveryPoint', 'backup:DisassociateRecoveryPointFromParent',
      ],
      resources: ['*'],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': exempt } },
    }));

    this.plan = new backup.BackupPlan(this, 'Plan', { backupVault: this.vault });
    for (const rule of rules) {
      const copyRetention = props.copyRetention ?? rule.retention;
      this.plan.addRule(new backup.BackupPlanRule({
        ruleName: rule.id,
        scheduleExpression: rule.schedule,
        startWindow: props.startWindow ?? DEFAULT_START_WINDOW,
        completionWindow: props.completionWindow ?? DEFAULT_COMPLETION_WINDOW,
        deleteAfter: rule.retention,
        moveToColdStorageAfter: rule.coldStorageAfter,
        enableContinuousBackup: rule.continuous || undefined,
        copyActions: props.copyTo ? [{
          destinationBackupVault: props.copyTo,
          deleteAfter: copyRetention,
          moveToColdStorageAfter: props.copyColdStorageAfter,
        }] : undefined,
      }));
    }

    const { rule, deadLetterQueue } = this.notifyFailures(props.alarmTopic);
    this.failureRule = rule;
    this.deadLetterQueue = deadLetterQueue.queue;
    this.alarms.push(deadLetterQueue.alarm);
    const jobs = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/Backup',
      metricName,
      dimensionsMap: { BackupVaultName: this.vault.backupVaultName },
      period: Duration.hours(1),
      statistic: cloudwatch.Stats.SUM,
    });
    this.prelude.alarm('BackupJobsFailedAlarm', {
      metric: jobs('NumberOfBackupJobsFailed'),
      threshold: 1,
      orEqual: true,
      description: `A backup job of ${this.node.path} failed in the last hour: see AWS Backup's jobs for which resource and why`,
    });
    this.prelude.dashboard([
      { title: 'Backup jobs', metrics: [jobs('NumberOfBackupJobsCompleted'), jobs('NumberOfBackupJobsFailed'), jobs('NumberOfBackupJobsExpired')] },
      { title: 'Copy and restore jobs', metrics: [jobs('NumberOfCopyJobsCompleted'), jobs('NumberOfCopyJobsFailed'), jobs('NumberOfRestoreJobsFailed')] },
    ]);
  }

  /**
   * The role AWS Backup assumes for every selection of this plan, once the first selection created
   * it (`protect`, or a data pattern given this plan); undefined before. It holds the AWS-managed
   * service-role policies for backups and restores; to back up S3 buckets, add AWS's
   * `AWSBackupServiceRolePolicyForS3Backup` and `AWSBackupServiceRolePolicyForS3Restore` to it
   * (they read every bucket, so they are not attached unasked).
   */
  public get backupRole(): iam.IRole | undefined {
    return this.selectionRole;
  }

  /**
   * Applies the removal policy to the backup plan (the vault and its key follow the stage, as the
   * props say; a vault with recovery points is never deleted by CloudFormation).
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.plan.applyRemovalPolicy(policy);
  }

  /**
   * Backs up the given resources with this plan, under the plan: for resources of your own. The
   * selections of one plan share one role, which AWS Backup assumes to back up and restore.
   *
   * The selection lives in the plan's stack, so resources of another stack work when the plan's
   * stack deploys after theirs. When their stack deploys after the plan's (it uses the plan, or
   * anything else of the plan's stack), use `protectFor` with one of those resources as the owner:
   * the selection then lives in their stack.
   *
   * @param id the selection's id, unique among this plan's selections
   * @param resources what to back up: `backup.BackupResource.fromRdsDatabaseInstance(db)`, `fromDynamoDbTable(table)`, ...
   */
  public protect(id: string, resources: backup.BackupResource[]): backup.BackupSelection {
    return this.select(this, id, resources);
  }

  /**
   * Backs up a pattern's own resources with this plan: the selection is created under `owner`
   * (so it moves, and goes, with the pattern) with the id `BackupSelection`. The data patterns call
   * this when given a HardenedBackupPlan; their `*InBackupPlan` findings then pass.
   *
   * @param owner the construct whose resources these are, which gets the selection as a child
   * @param resources the resources to back up
   */
  public protectFor(owner: Construct, resources: backup.BackupResource[]): backup.BackupSelection {
    return this.select(owner, 'BackupSelection', resources);
  }

  private select(scope: Construct, id: string, resources: backup.BackupResource[]): backup.BackupSelection {
    const v = new PropValidator(`HardenedBackupPlan '${this.node.path}' selection '${id}'`);
    v.check(Array.isArray(resources) && resources.length > 0, 'resources', Array.isArray(resources) ? resources.length : resources,
      'at least one resource to back up: a selection of nothing protects nothing');
    v.throwIfInvalid();
    return new backup.BackupSelection(scope, id, {
      backupPlan: this.plan,
      resources,
      role: this.createdBackupRole(),
      disableDefaultBackupPolicy: true,
    });
  }

  /**
   * The role AWS Backup assumes for every selection of this plan: the AWS-managed service-role
   * policies for backups and restores, which AWS keeps current as it supports new resource types.
   */
  private createdBackupRole(): iam.IRole {
    if (!this.selectionRole) {
      this.selectionRole = new iam.Role(this, 'BackupRole', {
        assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
        description: `Lets AWS Backup back up and restore the resources of ${this.node.path}`,
        managedPolicies: [
          iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
          iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
        ],
      });
      for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
        acknowledgeNagFinding(this.selectionRole, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
          'AWS maintains this service-role policy for AWS Backup, which needs it to back up and restore every supported resource type.');
      }
    }
    return this.selectionRole;
  }

  /**
   * An EventBridge rule on AWS Backup's job events that publishes each failed, aborted, expired or
   * partial job to the alarm topic, through a role that may publish to that topic only (and use
   * its key), with retries and a dead-letter queue. EventBridge rather than the vault's SNS
   * notifications: it carries copy jobs' state changes, which the notification API does not, and
   * it needs no SNS topic policy for backup.amazonaws.com.
   */
  private notifyFailures(alarmTopic: sns.ITopic | undefined): { rule: events.Rule; deadLetterQueue: DeadLetterQueue } {
    const topic = alarmTopicFor(this, alarmTopic);
    const rule = new events.Rule(this, 'FailedJobsRule', {
      description: `Failed, aborted, expired and partial AWS Backup jobs, for ${this.node.path}`.slice(0, 512),
      eventPattern: {
        source: ['aws.backup'],
        detailType: JOB_EVENTS,
        // Backup and copy jobs report `state`, restore jobs `status`. Backup jobs name their vault
        // (`backupVaultName`), copy jobs the vault they copy from (`sourceBackupVaultArn`), so two
        // plans of one account and region do not both report a job; a restore job's event names no
        // vault, so every plan reports a failed restore.
        detail: {
          $or: [
            { state: FAILED_STATES, backupVaultName: [this.vault.backupVaultName] },
            { state: FAILED_STATES, sourceBackupVaultArn: [this.vault.backupVaultArn] },
            { status: FAILED_STATES },
          ],
        },
      },
    });
    const deadLetterQueue = new DeadLetterQueue(this, 'FailedJobsDeadLetterQueue', {
      source: DeadLetterSource.EVENT_RULE,
      stage: this.prelude.props.stage,
      alarmTopic: this.prelude.props.alarmTopic,
      alarmDescription: `A failed AWS Backup job of ${this.node.path} could not be published to the alarm topic and waits in the dead-letter queue`,
    });
    const role = new ManagedPolicyRole(this, 'NotificationRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets the failed-jobs rule of ${this.node.path} publish to the alarm topic`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    if (topic.masterKey) {
      // SNS encrypts what the role publishes with the topic's key, on the role's behalf.
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [topic.masterKey.keyArn] }));
    }
    rule.addTarget({
      bind: () => {
        targets.addToDeadLetterQueueResourcePolicy(rule, deadLetterQueue.queue);
        return {
          ...targets.bindBaseTargetConfig({ deadLetterQueue: deadLetterQueue.queue, retryAttempts: 10, maxEventAge: Duration.hours(2) }),
          arn: topic.topicArn,
          role,
          targetResource: topic,
        };
      },
    });
    return { rule, deadLetterQueue };
  }

  /** The rules, each validated: its retention, and its cold storage at least 90 days before deletion. */
  private plannedRules(v: PropValidator, props: HardenedBackupPlanProps, continuous: boolean, production: boolean): PlannedRule[] {
    const rules: PlannedRule[] = [];
    const daily = props.dailyRetention ?? Duration.days(production ? 35 : 7);
    v.wholeDays('dailyRetention', props.dailyRetention, 1, continuous ? MAX_CONTINUOUS_DAYS : MAX_RETENTION_DAYS);
    rules.push({ id: 'Daily', prop: 'dailyRetention', schedule: DAILY, retention: daily, retentionDays: days(daily), continuous });
    for (const [id, prop, coldProp, schedule, retention, cold] of [
      ['Monthly', 'monthlyRetention', 'monthlyColdStorageAfter', MONTHLY, props.monthlyRetention, props.monthlyColdStorageAfter],
      ['Yearly', 'yearlyRetention', 'yearlyColdStorageAfter', YEARLY, props.yearlyRetention, props.yearlyColdStorageAfter],
    ] as const) {
      v.wholeDays(prop, retention, 1, MAX_RETENTION_DAYS);
      v.wholeDays(coldProp, cold, 1);
      v.check(cold === undefined || retention !== undefined, coldProp, human(cold), `left unset unless ${prop} is set: without it there is no ${id.toLowerCase()} rule`);
      if (retention !== undefined) {
        this.validateColdStorage(v, coldProp, cold, prop, retention);
        rules.push({ id, prop, schedule, retention, retentionDays: days(retention), coldStorageAfter: cold, continuous: false });
      }
    }
    return rules;
  }

  /** Cold storage at least 90 days before deletion, where both are known. */
  private validateColdStorage(v: PropValidator, coldProp: string, cold: Duration | undefined, retentionProp: string, retention: Duration): void {
    if (cold === undefined || cold.isUnresolved() || retention.isUnresolved()) {
      return;
    }
    const latest = days(retention) - MIN_COLD_STORAGE_DAYS;
    v.check(days(cold) <= latest, coldProp, human(cold), latest >= 1
      ? `at least ${MIN_COLD_STORAGE_DAYS} days before ${retentionProp} (${human(retention)}) ends, at most ${latest} days: `
        + `AWS Backup keeps a recovery point in cold storage for at least ${MIN_COLD_STORAGE_DAYS} days`
      : `left unset: ${retentionProp} (${human(retention)}) leaves no room for cold storage, where AWS Backup keeps a recovery point `
        + `for at least ${MIN_COLD_STORAGE_DAYS} days (a retention of at least ${MIN_COLD_STORAGE_DAYS + 1} days does)`);
  }

  /** Start window at least an hour; completion window longer than the start window; both whole minutes. */
  private validateWindows(v: PropValidator, start: Duration | undefined, completion: Duration | undefined): void {
    v.wholeMinutes('startWindow', start, MIN_START_WINDOW_MINUTES, MAX_WINDOW_MINUTES);
    v.wholeMinutes('completionWindow', completion, MIN_START_WINDOW_MINUTES + 1, MAX_WINDOW_MINUTES);
    const effectiveStart = start ?? DEFAULT_START_WINDOW;
    const startMinutes = effectiveStart.isUnresolved() ? undefined : effectiveStart.toMinutes({ integral: false });
    if (completion !== undefined && !completion.isUnresolved() && startMinutes !== undefined) {
      v.check(completion.toMinutes({ integral: false }) > startMinutes, 'completionWindow', human(completion),
        `longer than startWindow (${human(effectiveStart)}): the completion window counts from the scheduled time, `
        + 'so a job that starts at the end of its start window would be cancelled before it could run');
    }
  }

  /** The lock's props: only with a lock, its range holding every rule's retention, its cooling-off in compliance mode only. */
  private validateLock(v: PropValidator, props: HardenedBackupPlanProps, mode: VaultLockMode, rules: PlannedRule[]): void {
    const locked = mode !== VaultLockMode.NONE;
    for (const [prop, value] of [['lockMinRetention', props.lockMinRetention], ['lockMaxRetention', props.lockMaxRetention]] as const) {
      v.check(locked || value === undefined, prop, human(value), 'left unset when vaultLock is NONE (in DEV by default): there is no lock to configure');
      v.wholeDays(prop, value, 1, MAX_RETENTION_DAYS);
    }
    v.check(mode === VaultLockMode.COMPLIANCE || props.lockChangeableFor === undefined, 'lockChangeableFor', human(props.lockChangeableFor),
      'left unset unless vaultLock is COMPLIANCE: a governance lock has no lock date');
    v.wholeDays('lockChangeableFor', props.lockChangeableFor, MIN_CHANGEABLE_FOR_DAYS);
    const known = rules.filter((r) => !r.retention.isUnresolved());
    const min = props.lockMinRetention;
    if (locked && min !== undefined && !min.isUnresolved()) {
      for (const rule of known.filter((r) => r.retentionDays < days(min))) {
        v.check(false, 'lockMinRetention', human(min),
          `at most ${rule.prop} (${human(rule.retention)}): the lock fails every backup job kept less than its minimum`);
      }
    }
    const max = props.lockMaxRetention;
    if (locked && max !== undefined && !max.isUnresolved()) {
      const longer = known.filter((r) => r.retentionDays > days(max));
      for (const rule of longer) {
        v.check(false, 'lockMaxRetention', human(max),
          `at least ${rule.prop} (${human(rule.retention)}): the lock fails every backup job kept longer than its maximum`);
      }
      // AWS Backup takes a maximum above the minimum only (aws-cdk-lib refuses an equal one, naming
      // no prop); the minimum defaults to the shortest rule's retention.
      const knownDays = known.map((r) => r.retentionDays);
      const effectiveMin = min !== undefined ? (min.isUnresolved() ? undefined : days(min)) : (knownDays.length ? Math.min(...knownDays) : undefined);
      if (longer.length === 0 && effectiveMin !== undefined) {
        v.check(days(max) > effectiveMin, 'lockMaxRetention', human(max),
          `longer than the lock's minimum retention (${effectiveMin} days${min === undefined ? ', the shortest rule\'s retention' : ', lockMinRetention'})`);
      }
    }
  }

  /** Role ARNs of this account, without wildcards: a wildcard would exempt roles created later. */
  private validateAdmins(v: PropValidator, arns: string[]): void {
    const stack = Stack.of(this);
    for (const arn of arns) {
      if (Token.isUnresolved(arn)) {
        continue;
      }
      const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/.exec(arn);
      v.check(match !== null, 'backupAdminRoleArns', arn,
        'a list of IAM role ARNs, arn:<partition>:iam::<account>:role/<name> (such as arn:aws:iam::123456789012:role/BackupAdmin), without wildcards: '
        + 'the vault access policy exempts exactly these principals, and a wildcard would exempt roles created later');
      if (match && !Token.isUnresolved(stack.account)) {
        v.check(match[2] === stack.account, 'backupAdminRoleArns', arn,
          `a role of this stack's account, ${stack.account} (not ${match[2]}): only principals of the vault's account can act on its recovery points`);
      }
    }
  }

  /** A copy goes to another region; its retention and cold storage are a lifecycle of their own. */
  private validateCopy(v: PropValidator, props: HardenedBackupPlanProps, rules: PlannedRule[]): void {
    const copy = props.copyTo;
    for (const prop of ['copyRetention', 'copyColdStorageAfter'] as const) {
      v.check(copy !== undefined || props[prop] === undefined, prop, human(props[prop]), 'left unset unless copyTo is set');
    }
    v.wholeDays('copyRetention', props.copyRetention, 1, MAX_RETENTION_DAYS);
    v.wholeDays('copyColdStorageAfter', props.copyColdStorageAfter, 1);
    if (copy !== undefined && props.copyColdStorageAfter !== undefined) {
      if (props.copyRetention !== undefined) {
        this.validateColdStorage(v, 'copyColdStorageAfter', props.copyColdStorageAfter, 'copyRetention', props.copyRetention);
      } else {
        for (const rule of rules) {
          this.validateColdStorage(v, 'copyColdStorageAfter', props.copyColdStorageAfter, `${rule.prop}, the copies' retention,`, rule.retention);
        }
      }
    }
    if (copy === undefined) {
      return;
    }
    const arn = copy.backupVaultArn;
    if (!Token.isUnresolved(arn)) {
      // arn:<partition>:backup:<region>:<account>:backup-vault:<name>, a name of 2 to 50 letters,
      // digits, '-' and '_' (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html).
      v.check(/^arn:aws[a-z-]*:backup:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:backup-vault:[\w-]{2,50}$/.test(arn), 'copyTo', arn,
        "a backup vault's ARN, arn:<partition>:backup:<region>:<account>:backup-vault:<name> (such as arn:aws:backup:us-west-2:123456789012:backup-vault:dr)");
    }
    // An imported vault's environment comes from its ARN; a vault of this app, from its stack.
    const region = copy.env.region;
    const here = Stack.of(this).region;
    v.check(Token.isUnresolved(region) || Token.isUnresolved(here) || region !== here, 'copyTo', Token.isUnresolved(arn) ? copy.node.path : arn,
      `a vault in another region than this stack's (${here}): a copy in the same region does not survive the loss of the region`);
  }
}

/** A duration in days (fractional for a duration that is not whole days; NaN for a token). */
function days(duration: Duration): number {
  return duration.isUnresolved() ? NaN : duration.toHours({ integral: false }) / 24;
}

/** A duration in words, or undefined. */
function human(duration: Duration | undefined): string | undefined {
  return duration === undefined ? undefined : duration.isUnresolved() ? 'a token' : duration.toHumanString();
}
