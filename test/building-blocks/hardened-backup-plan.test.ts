import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DeploymentStage, HardenedBackupPlan, HardenedBackupPlanProps, VaultLockMode } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { referencedStacks } from '../support/cross-stack';
import { errorLines } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { deployTimeValues } from '../support/tokens';

const DR_VAULT_ARN = 'arn:aws:backup:us-west-2:210987654321:backup-vault:dr';
const ADMIN_ROLE = 'arn:aws:iam::123456789012:role/BackupAdmin';

function build(props: HardenedBackupPlanProps = {}) {
  const stack = newStack({ withEnv: true });
  const plan = new HardenedBackupPlan(stack, 'Backups', props);
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  plan.protect('Table', [backup.BackupResource.fromDynamoDbTable(table)]);
  return { stack, plan, template: Template.fromStack(stack) };
}

function withDrVault(stack: Stack) {
  return backup.BackupVault.fromBackupVaultArn(stack, 'DrVault', DR_VAULT_ARN);
}

/** The one error line a construct call throws about `prop`. */
function errorAbout(prop: string, fn: () => unknown): string {
  const lines = errorLines(fn).filter((line) => line.startsWith(`  - ${prop} is `));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('HardenedBackupPlan', () => {
  describe('snapshots', () => {
    test('with default props', () => {
      const stack = newStack();
      new HardenedBackupPlan(stack, 'Backups');
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('in PROD with a cross-region copy, a compliance lock and monthly and yearly rules', () => {
      const stack = newStack({ withEnv: true });
      new HardenedBackupPlan(stack, 'Backups', {
        stage: DeploymentStage.PROD,
        backupAdminRoleArns: [ADMIN_ROLE],
        vaultLock: VaultLockMode.COMPLIANCE,
        lockChangeableFor: Duration.days(7),
        lockMaxRetention: Duration.days(3650),
        monthlyRetention: Duration.days(365),
        monthlyColdStorageAfter: Duration.days(30),
        yearlyRetention: Duration.days(3650),
        copyTo: withDrVault(stack),
        copyRetention: Duration.days(90),
      });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });
  });

  describe('vault', () => {
    test('is encrypted with a rotating customer key that guards its grants', () => {
      const { stack, plan, template } = build();
      template.hasResourceProperties('AWS::Backup::BackupVault', {
        EncryptionKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(plan.encryptionKey.node.defaultChild as any), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny' })]) },
      });
    });

    test('denies deleting, disassociating or shortening recovery points and removing the lock to all but the root user and the backup admins', () => {
      build({ backupAdminRoleArns: [ADMIN_ROLE] }).template.hasResourceProperties('AWS::Backup::BackupVault', {
        AccessPolicy: {
          Statement: [{
            Sid: 'DenyRecoveryPointDeletionExceptBackupAdmins',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [
              'backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle', 'backup:DeleteBackupVaultLockConfiguration',
              'backup:DisassociateRecoveryPoint', 'backup:DisassociateRecoveryPointFromParent',
            ],
            Resource: '*',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:root', ADMIN_ROLE] } },
          }],
        },
      });
    });

    test('is locked in governance mode in PROD, not locked in DEV, and in compliance mode when asked', () => {
      build().template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 35, ChangeableForDays: Match.absent() } });
      build({ stage: DeploymentStage.DEV }).template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: Match.absent() });
      build({ vaultLock: VaultLockMode.COMPLIANCE }).template.hasResourceProperties('AWS::Backup::BackupVault', {
        LockConfiguration: { MinRetentionDays: 35, ChangeableForDays: 3 },
      });
    });

    test("is named after its path and the stack's id, so the stack can be deployed again while a destroyed one's vault remains", () => {
      const { template } = build();
      const [name] = Object.values(template.findResources('AWS::Backup::BackupVault')).map((v) => v.Properties.BackupVaultName);
      expect(name).toEqual({
        'Fn::Join': ['-', [
          expect.stringMatching(/^TestStackBackups[0-9A-F]{8}$/),
          { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] },
        ]],
      });
      // At most 41 characters from the path, a hyphen and the 8 of the stack id: AWS Backup allows 50.
      const deep = newStack({ withEnv: true });
      const plan = new HardenedBackupPlan(new Construct(new Construct(deep, 'AVeryLongConstructIdForAnApplicationTier'), 'AndItsDataStoresInside'), 'Backups');
      const prefix = Stack.of(plan).resolve((plan.vault.node.defaultChild as backup.CfnBackupVault).backupVaultName)['Fn::Join'][1][0];
      expect(prefix.length).toBeLessThanOrEqual(41);
      expect(prefix).toMatch(/^[A-Za-z0-9]+$/);
    });

    test('is retained in every stage (AWS Backup deletes no vault holding recovery points); its key follows the stage', () => {
      const prod = build().template;
      prod.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { Description: Match.stringLikeRegexp('recovery points') } });
      const dev = build({ stage: DeploymentStage.DEV }).template;
      dev.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { Description: Match.stringLikeRegexp('recovery points') } });
    });
  });

  describe('rules', () => {
    test('back up daily, continuously where supported, kept 35 days in PROD and 7 in DEV', () => {
      const rule = (days: number) => ({
        BackupPlan: {
          BackupPlanRule: [Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 5 * * ? *)',
            EnableContinuousBackup: true,
            StartWindowMinutes: 480,
            CompletionWindowMinutes: 10080,
            Lifecycle: { DeleteAfterDays: days },
          })],
        },
      });
      build().template.hasResourceProperties('AWS::Backup::BackupPlan', rule(35));
      build({ stage: DeploymentStage.DEV }).template.hasResourceProperties('AWS::Backup::BackupPlan', rule(7));
    });

    test('add monthly and yearly rules, with cold storage, and copy every backup to the other vault with its own retention', () => {
      const stack = newStack({ withEnv: true });
      new HardenedBackupPlan(stack, 'Backups', {
        monthlyRetention: Duration.days(365),
        monthlyColdStorageAfter: Duration.days(30),
        yearlyRetention: Duration.days(3650),
        copyTo: withDrVault(stack),
        copyRetention: Duration.days(120),
        continuousBackup: false,
      });
      const copy = [{ DestinationBackupVaultArn: DR_VAULT_ARN, Lifecycle: { DeleteAfterDays: 120 } }];
      Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: {
          BackupPlanRule: [
            Match.objectLike({ RuleName: 'Daily', EnableContinuousBackup: Match.absent(), CopyActions: copy }),
            Match.objectLike({ RuleName: 'Monthly', ScheduleExpression: 'cron(0 5 1 * ? *)', Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 }, CopyActions: copy }),
            Match.objectLike({ RuleName: 'Yearly', ScheduleExpression: 'cron(0 5 1 1 ? *)', Lifecycle: { DeleteAfterDays: 3650 }, CopyActions: copy }),
          ],
        },
      });
    });

    test('protect selects the given resources through one backup role for every selection', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: { Resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'Arn'] }], SelectionName: Match.anyValue() },
      });
      template.resourceCountIs('AWS::IAM::Role', 2); // the backup role and the notification role
    });

    test('protectFor creates the selection under its owner', () => {
      const stack = newStack({ withEnv: true });
      const plan = new HardenedBackupPlan(stack, 'Backups');
      const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      const selection = plan.protectFor(table, [backup.BackupResource.fromDynamoDbTable(table)]);
      expect(selection.node.path).toBe('TestStack/Table/BackupSelection');
    });
  });

  describe('failure notifications', () => {
    test('an EventBridge rule sends failed, aborted, expired and partial jobs to the alarm topic, through a role, with a dead-letter queue', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.backup'],
          'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
          'detail': {
            $or: [
              { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'], backupVaultName: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsVault'), 'BackupVaultName'] }] },
              { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'], sourceBackupVaultArn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsVault'), 'BackupVaultArn'] }] },
              { status: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] },
            ],
          },
        },
        Targets: [{
          Arn: { Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsNotificationRole'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsFailedJobsDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
          Id: Match.anyValue(),
        }],
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') } },
            { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PatternOperationsAlarmTopicKey'), 'Arn'] } },
          ],
        },
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' })]) },
      });
    });

    test('alarms on the dead-letter queue and on failed backup jobs of the vault', () => {
      const { plan, template } = build();
      expect(plan.alarms).toHaveLength(2);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Backup',
        MetricName: 'NumberOfBackupJobsFailed',
        Dimensions: [{ Name: 'BackupVaultName', Value: Match.anyValue() }],
        Threshold: 1,
      });
    });
  });

  describe('validation', () => {
    test.each([
      ['dailyRetention', { dailyRetention: Duration.days(36) }, "dailyRetention is '36 days'; it must be a whole number of days from 1 to 35."],
      ['dailyRetention', { dailyRetention: Duration.days(36501), continuousBackup: false }, "dailyRetention is '36501 days'; it must be a whole number of days from 1 to 36500."],
      ['monthlyRetention', { monthlyRetention: Duration.hours(36) }, "monthlyRetention is '36 hours'; it must be a whole number of days from 1 to 36500."],
      ['monthlyColdStorageAfter', { monthlyRetention: Duration.days(100), monthlyColdStorageAfter: Duration.days(30) },
        "monthlyColdStorageAfter is '30 days'; it must be at least 90 days before monthlyRetention (100 days) ends, at most 10 days: AWS Backup keeps a recovery point in cold storage for at least 90 days."],
      ['monthlyColdStorageAfter', { monthlyRetention: Duration.days(60), monthlyColdStorageAfter: Duration.days(10) },
        "monthlyColdStorageAfter is '10 days'; it must be left unset: monthlyRetention (60 days) leaves no room for cold storage, where AWS Backup keeps a recovery point for at least 90 days (a retention of at least 91 days does)."],
      ['yearlyColdStorageAfter', { yearlyColdStorageAfter: Duration.days(30) }, "yearlyColdStorageAfter is '30 days'; it must be left unset unless yearlyRetention is set: without it there is no yearly rule."],
      ['startWindow', { startWindow: Duration.minutes(30) }, "startWindow is '30 minutes'; it must be a whole number of minutes from 1 hour to 36500 days."],
      ['completionWindow', { startWindow: Duration.hours(8), completionWindow: Duration.hours(8) },
        "completionWindow is '8 hours'; it must be longer than startWindow (8 hours): the completion window counts from the scheduled time, so a job that starts at the end of its start window would be cancelled before it could run."],
      ['lockMinRetention', { lockMinRetention: Duration.days(40) }, "lockMinRetention is '40 days'; it must be at most dailyRetention (35 days): the lock fails every backup job kept less than its minimum."],
      ['lockMaxRetention', { lockMaxRetention: Duration.days(30) }, "lockMaxRetention is '30 days'; it must be at least dailyRetention (35 days): the lock fails every backup job kept longer than its maximum."],
      ['lockMaxRetention', { lockMaxRetention: Duration.days(35) },
        "lockMaxRetention is '35 days'; it must be longer than the lock's minimum retention (35 days, the shortest rule's retention)."],
      ['lockMaxRetention', { lockMinRetention: Duration.days(10), lockMaxRetention: Duration.days(10), dailyRetention: Duration.days(10) },
        "lockMaxRetention is '10 days'; it must be longer than the lock's minimum retention (10 days, lockMinRetention)."],
      ['lockMinRetention', { stage: DeploymentStage.DEV, lockMinRetention: Duration.days(1) },
        "lockMinRetention is '1 day'; it must be left unset when vaultLock is NONE (in DEV by default): there is no lock to configure."],
      ['lockChangeableFor', { vaultLock: VaultLockMode.COMPLIANCE, lockChangeableFor: Duration.days(2) }, "lockChangeableFor is '2 days'; it must be a whole number of days, at least 3."],
      ['lockChangeableFor', { lockChangeableFor: Duration.days(3) }, "lockChangeableFor is '3 days'; it must be left unset unless vaultLock is COMPLIANCE: a governance lock has no lock date."],
      ['vaultLock', { vaultLock: 'LOCKED' as VaultLockMode }, "vaultLock is 'LOCKED'; it must be one of VaultLockMode's values: 'NONE', 'GOVERNANCE', 'COMPLIANCE'."],
      ['backupAdminRoleArns', { backupAdminRoleArns: ['arn:aws:iam::123456789012:role/*'] }, "backupAdminRoleArns is 'arn:aws:iam::123456789012:role/*'; it must be a list of IAM role ARNs"],
      ['backupAdminRoleArns', { backupAdminRoleArns: ['arn:aws:iam::210987654321:role/BackupAdmin'] },
        "backupAdminRoleArns is 'arn:aws:iam::210987654321:role/BackupAdmin'; it must be a role of this stack's account, 123456789012 (not 210987654321)"],
      ['copyRetention', { copyRetention: Duration.days(90) }, "copyRetention is '90 days'; it must be left unset unless copyTo is set."],
      ['copyColdStorageAfter', { copyColdStorageAfter: Duration.days(30) }, "copyColdStorageAfter is '30 days'; it must be left unset unless copyTo is set."],
      ['yearlyRetention', { yearlyRetention: Duration.days(36501) }, "yearlyRetention is '36501 days'; it must be a whole number of days from 1 to 36500."],
      ['startWindow', { startWindow: Duration.days(36501) }, "startWindow is '36501 days'; it must be a whole number of minutes from 1 hour to 36500 days."],
      ['completionWindow', { completionWindow: Duration.days(36501) }, "completionWindow is '36501 days'; it must be a whole number of minutes from 61 minutes to 36500 days."],
      ['backupAdminRoleArns', { backupAdminRoleArns: ['arn:aws:iam::123456789012:user/alice'] }, "backupAdminRoleArns is 'arn:aws:iam::123456789012:user/alice'; it must be a list of IAM role ARNs"],
      ['backupAdminRoleArns', { backupAdminRoleArns: ['arn:aws:iam::123456789012:root'] }, "backupAdminRoleArns is 'arn:aws:iam::123456789012:root'; it must be a list of IAM role ARNs"],
      ['vaultLock', { stage: DeploymentStage.DEV, vaultLock: VaultLockMode.COMPLIANCE },
        "vaultLock is 'COMPLIANCE'; it must be GOVERNANCE or NONE in DEV: a compliance lock can never be removed once its cooling-off period has passed"],
    ] as Array<[string, HardenedBackupPlanProps, string]>)('%s: %j is refused, naming the prop, the value and what is allowed', (prop, props, message) => {
      expect(errorAbout(prop, () => build(props))).toContain(message);
    });

    test('a copy to a vault in the stack\'s own region is refused', () => {
      const stack = newStack({ withEnv: true });
      const sameRegion = backup.BackupVault.fromBackupVaultArn(stack, 'Local', 'arn:aws:backup:us-east-1:123456789012:backup-vault:local');
      expect(errorAbout('copyTo', () => new HardenedBackupPlan(stack, 'Backups', { copyTo: sameRegion }))).toBe(
        "  - copyTo is 'arn:aws:backup:us-east-1:123456789012:backup-vault:local'; it must be a vault in another region than this stack's (us-east-1): "
        + 'a copy in the same region does not survive the loss of the region.');
    });

    test('a copy whose cold storage leaves less than 90 days is refused', () => {
      const stack = newStack({ withEnv: true });
      expect(errorAbout('copyColdStorageAfter', () => new HardenedBackupPlan(stack, 'Backups', {
        copyTo: withDrVault(stack), copyRetention: Duration.days(120), copyColdStorageAfter: Duration.days(60),
      }))).toContain("copyColdStorageAfter is '60 days'; it must be at least 90 days before copyRetention (120 days) ends, at most 30 days");
    });

    test("a copy's cold storage is held against each rule's retention when the copies keep it", () => {
      const stack = newStack({ withEnv: true });
      expect(errorAbout('copyColdStorageAfter', () => new HardenedBackupPlan(stack, 'Backups', {
        copyTo: withDrVault(stack), continuousBackup: false, dailyRetention: Duration.days(100), copyColdStorageAfter: Duration.days(30),
      }))).toContain("copyColdStorageAfter is '30 days'; it must be at least 90 days before dailyRetention, the copies' retention, (100 days) ends, at most 10 days");
    });

    test("a copy target that is not a backup vault's ARN is refused", () => {
      const stack = newStack({ withEnv: true });
      const notAVault = backup.BackupVault.fromBackupVaultArn(stack, 'NotAVault', 'arn:aws:glacier:us-west-2:123456789012:vaults:dr');
      expect(errorAbout('copyTo', () => new HardenedBackupPlan(stack, 'Backups', { copyTo: notAVault })))
        .toContain("copyTo is 'arn:aws:glacier:us-west-2:123456789012:vaults:dr'; it must be a backup vault's ARN, arn:<partition>:backup:<region>:<account>:backup-vault:<name>");
    });

    test('every error is reported at once', () => {
      expect(errorLines(() => build({ dailyRetention: Duration.days(40), startWindow: Duration.minutes(10) }))).toHaveLength(3);
    });

    test('values known only at deploy time are accepted', () => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new HardenedBackupPlan(stack, 'Backups', {
        dailyRetention: Duration.days(t.number),
        monthlyRetention: Duration.days(t.number),
        lockMinRetention: Duration.days(t.number),
        backupAdminRoleArns: [t.text],
        startWindow: Duration.minutes(t.number),
      });
      Template.fromStack(stack).resourceCountIs('AWS::Backup::BackupPlan', 1);
    });

    test('a vault lock or continuous backup known only at deploy time is refused, saying why', () => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      expect(() => new HardenedBackupPlan(stack, 'Backups', { vaultLock: t.text as VaultLockMode })).toThrow(
        'vaultLock is a token, only known at deploy time; it must be a value known at synth: it decides whether the vault is locked.');
      expect(() => new HardenedBackupPlan(stack, 'Other', { continuousBackup: t.text as unknown as boolean })).toThrow(
        'continuousBackup is a token, only known at deploy time; it must be a value known at synth: it decides whether the daily rule backs up continuously.');
    });

    test('a selection of nothing is refused', () => {
      const stack = newStack({ withEnv: true });
      const plan = new HardenedBackupPlan(stack, 'Backups');
      expect(() => plan.protect('Nothing', [])).toThrow(/resources is 0; it must be at least one resource to back up/);
    });
  });

  describe('compliance', () => {
    function protectedTableApp() {
      const app = newApp();
      const stack = new Stack(app, 'Backed', { env: TEST_ENV });
      const plan = new HardenedBackupPlan(stack, 'Backups');
      const table = new dynamodb.TableV2(stack, 'Table', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      });
      plan.protect('Table', [backup.BackupResource.fromDynamoDbTable(table)]);
      return app;
    }

    test('five cdk-nag 3.x packs: no unacknowledged finding on the plan', () => {
      const app = newApp();
      new HardenedBackupPlan(new Stack(app, 'Alone', { env: TEST_ENV }), 'Backups', { copyTo: undefined });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    // The protected table's app, built and synthesized once with both majors' packs: the test of each reads it.
    let protectedNag: BothMajorsOutcome | undefined;
    const protectedTableNag = () => (protectedNag ??= runNagPacksOfBothMajors(protectedTableApp(), { onlyUnder: 'Backed/Backups' }));

    test('five cdk-nag 3.x packs: no unacknowledged finding with a selection', () => {
      expect(protectedTableNag().v3).toEqual(COMPLIANT);
    });

    test('five cdk-nag 2.x packs: no finding on the plan and its selection', () => {
      expect(protectedTableNag().v2.filter((f) => f.includes(' at Backed/Backups') || f.includes(' at Backed/PatternOperations'))).toEqual([]);
    });
  });

  describe('composition', () => {
    test('two plans in one stack synthesize, each with its vault, key and rule', () => {
      const stack = newStack({ withEnv: true });
      new HardenedBackupPlan(stack, 'One');
      new HardenedBackupPlan(stack, 'Two', { stage: DeploymentStage.DEV, copyTo: withDrVault(stack) });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Backup::BackupVault', 2);
      template.resourceCountIs('AWS::Backup::BackupPlan', 2);
      template.resourceCountIs('AWS::Events::Rule', 2);
      // Each rule reports the backup and copy jobs of its own vault only, so no job is reported twice.
      const vaultsNamed = Object.values(template.findResources('AWS::Events::Rule')).map((rule) =>
        JSON.stringify(rule.Properties.EventPattern.detail.$or[0].backupVaultName));
      expect(new Set(vaultsNamed).size).toBe(2);
      for (const vault of Object.keys(template.findResources('AWS::Backup::BackupVault'))) {
        expect(vaultsNamed.filter((v) => v.includes(vault))).toHaveLength(1);
      }
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new HardenedBackupPlan(stack, 'Backups', { copyTo: withDrVault(stack), monthlyRetention: Duration.days(365) });
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });
});

describe('HardenedBackupPlan across stacks', () => {
  // The plan in a Data stack; tables in an App stack that deploys after it, one of them protected
  // through protectFor (the selection in the table's stack), as the data patterns do. Built once.
  let data: Template;
  let svc: Template;
  beforeAll(() => {
    const app = newApp();
    const dataStack = new Stack(app, 'Data', { env: TEST_ENV });
    const appStack = new Stack(app, 'App', { env: TEST_ENV });
    appStack.addStackDependency(dataStack);
    const plan = new HardenedBackupPlan(dataStack, 'Backups');
    const table = new dynamodb.TableV2(appStack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    plan.protectFor(table, [backup.BackupResource.fromDynamoDbTable(table)]);
    data = Template.fromStack(dataStack);
    svc = Template.fromStack(appStack);
  });

  test("the selection is in the table's stack, with the plan's role", () => {
    data.resourceCountIs('AWS::Backup::BackupSelection', 0);
    svc.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupPlanId: { 'Fn::GetStackOutput': Match.anyValue() },
      BackupSelection: { IamRoleArn: { 'Fn::GetStackOutput': Match.anyValue() } },
    });
  });

  test('the Data stack references nothing of the App stack', () => {
    expect(referencedStacks(data)).toEqual([]);
  });
});
