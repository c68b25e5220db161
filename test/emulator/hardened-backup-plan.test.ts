import { CreateEventBusCommand, DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { deployStack, DeployedStack, motoClientConfig, physicalId } from './moto-server';
import { DeploymentStage, HardenedBackupPlan, PatternDefaults } from '../../src';
import { newApp, TEST_ENV } from '../support/app';

const eventBridge = new EventBridgeClient(motoClientConfig());
const sqsClient = new SQSClient(motoClientConfig());

// moto 5.2.1 has no AWS Backup at all: its CloudFormation skips the vault (with its access policy
// and lock), the plan with its rules and copies, and the selections. It skips alarms and queue and
// topic policies too (and enforces none).
const SKIPPED = [
  'AWS::Backup::BackupPlan',
  'AWS::Backup::BackupSelection',
  'AWS::Backup::BackupVault',
  'AWS::CloudWatch::Alarm',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
];

interface DeployedPlan {
  readonly ruleName: string;
  /** The vault's name, which the template sets (moto, without AWS Backup, has no vault). */
  readonly vaultName: string;
  readonly deadLetterQueueArn: string;
  readonly notificationRoleArn: string;
}

let deployed: DeployedStack;

/**
 * The name the plan's vault has in this deployment: its path's part from the template, then the
 * first block of the deployed stack's id (moto has no vault to ask).
 */
function deployedVaultName(stack: Stack, plan: HardenedBackupPlan): string {
  const name = stack.resolve((plan.vault.node.defaultChild as backup.CfnBackupVault).backupVaultName);
  const stackUuid = deployed.stackId.split('/')[2];
  return `${name['Fn::Join'][1][0]}-${stackUuid.split('-')[0]}`;
}
let alarmTopicArn: string;
const plans: Record<string, DeployedPlan> = {};

beforeAll(async () => {
  // Two plans in one stack, PROD (locked vault) and DEV, each protecting a table of its own: the
  // rules, queues, roles and keys of both must deploy side by side.
  const stack = new Stack(newApp({ stageAssets: true }), 'EmulatorHardenedBackupPlan', { env: TEST_ENV });
  const created: Record<string, HardenedBackupPlan> = {};
  for (const stage of [DeploymentStage.PROD, DeploymentStage.DEV]) {
    const plan = new HardenedBackupPlan(stack, `Backups${stage}`, { stage });
    const table = new dynamodb.Table(stack, `Orders${stage}`, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    plan.protect('Orders', [backup.BackupResource.fromDynamoDbTable(table)]);
    created[stage] = plan;
  }
  deployed = await deployStack(stack, 'EmulatorHardenedBackupPlan', SKIPPED);
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
  alarmTopicArn = physicalId(deployed, logicalId(PatternDefaults.alarmTopicOf(stack)));
  for (const [stage, plan] of Object.entries(created)) {
    const queueUrl = physicalId(deployed, logicalId(plan.deadLetterQueue));
    const { Attributes } = await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const notificationRole = plan.node.findChild('NotificationRole');
    plans[stage] = {
      // A rule on the default bus: its physical id is its name, or `bus|name`.
      ruleName: physicalId(deployed, logicalId(plan.failureRule)).split('|').pop()!,
      vaultName: deployedVaultName(stack, plan),
      deadLetterQueueArn: Attributes!.QueueArn!,
      notificationRoleArn: `arn:aws:iam::${TEST_ENV.account}:role/${physicalId(deployed, logicalId(notificationRole))}`,
    };
  }
});

test("the stack's dashboard and the rules deploy, their vault names and ARNs (and the dashboard's alarm ARNs) made literal by the harness", () => {
  const dashboards = deployed.resources.filter((r) => r.type === 'AWS::CloudWatch::Dashboard' && r.physicalId);
  expect(dashboards).toHaveLength(1);
  expect([...deployed.changedForMoto].sort()).toEqual([
    expect.stringMatching(/^BackupsdevFailedJobsRule[0-9A-F]{8}: its 2 references to backup vaults are their names and ARNs as the template writes them \(moto skips AWS Backup\)$/),
    expect.stringMatching(/^BackupsprodFailedJobsRule[0-9A-F]{8}: its 2 references to backup vaults are their names and ARNs as the template writes them \(moto skips AWS Backup\)$/),
    expect.stringMatching(/^PatternOperationsDashboard[0-9A-F]{8}: its 12 references to backup vaults are their names and ARNs as the template writes them \(moto skips AWS Backup\)$/),
    expect.stringMatching(/^PatternOperationsDashboard[0-9A-F]{8}: the ARNs of its \d+ alarms are literal \(moto skips alarms\)$/),
  ]);
});

test('everything but AWS Backup deploys: the vault, plan and selections are the only Backup types, all skipped', () => {
  // The exact list is asserted by deployStack; this names what is created besides, per plan: the
  // vault's key, the failed-jobs rule, its dead-letter queue and role, and the backup role.
  const created = deployed.resources.filter((r) => r.physicalId).map((r) => r.type);
  const count = (type: string) => created.filter((t) => t === type).length;
  expect(count('AWS::Events::Rule')).toBe(2);
  expect(count('AWS::SQS::Queue')).toBe(2);
  expect(count('AWS::DynamoDB::Table')).toBe(2);
  // Per plan, the notification role and the backup role AWS Backup would assume.
  expect(count('AWS::IAM::Role')).toBe(4);
  // Per plan, the vault's key; and the alarm topic's.
  expect(count('AWS::KMS::Key')).toBe(3);
  expect(deployed.resources.filter((r) => r.type.startsWith('AWS::Backup::')).every((r) => r.physicalId === '')).toBe(true);
});

test.each([DeploymentStage.PROD, DeploymentStage.DEV])('%s: the failed-jobs rule matches failed, aborted, expired and partial AWS Backup jobs', async (stage) => {
  const rule = await eventBridge.send(new DescribeRuleCommand({ Name: plans[stage].ruleName }));
  expect(rule.State).toBe('ENABLED');
  expect(JSON.parse(rule.EventPattern!)).toEqual({
    'source': ['aws.backup'],
    'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
    'detail': {
      $or: [
        { state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'], backupVaultName: [plans[stage].vaultName] },
        {
          state: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'],
          sourceBackupVaultArn: [`arn:aws:backup:${TEST_ENV.region}:${TEST_ENV.account}:backup-vault:${plans[stage].vaultName}`],
        },
        { status: ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'] },
      ],
    },
  });
});

test.each([DeploymentStage.PROD, DeploymentStage.DEV])("%s: the rule's only target is the alarm topic, through its role, with retries and the dead-letter queue", async (stage) => {
  const { Targets = [] } = await eventBridge.send(new ListTargetsByRuleCommand({ Rule: plans[stage].ruleName }));
  expect(Targets).toHaveLength(1);
  expect(Targets[0]).toMatchObject({
    Arn: alarmTopicArn,
    RoleArn: plans[stage].notificationRoleArn,
    RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
    DeadLetterConfig: { Arn: plans[stage].deadLetterQueueArn },
  });
});

// moto's EventBridge delivers to log groups, queues, buses and archives only: a matching event put
// on the default bus would reach the rule's SNS target and fail the PutEvents call (moto raises
// NotImplementedError for it), and moto does not implement TestEventPattern. So the deployed rule's
// own pattern, read back from moto, is given to a rule on a bus of the test's own with a queue
// target, and synthetic AWS Backup events are put there. This proves the pattern as moto matches
// it (the `$or` over `state` and `status` included), not delivery to the topic; and in AWS only
// AWS Backup can put an `aws.backup` event.
test('the deployed pattern, as moto matches it, takes failed backup, copy and restore jobs and leaves successful ones', async () => {
  const { EventPattern } = await eventBridge.send(new DescribeRuleCommand({ Name: plans[DeploymentStage.PROD].ruleName }));
  const busName = 'emulator-backup-pattern';
  await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
  const { QueueUrl } = await sqsClient.send(new CreateQueueCommand({ QueueName: 'emulator-backup-pattern' }));
  const { Attributes } = await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await eventBridge.send(new PutRuleCommand({ Name: 'deployed-pattern', EventBusName: busName, EventPattern }));
  await eventBridge.send(new PutTargetsCommand({ Rule: 'deployed-pattern', EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn }] }));

  // The shapes of https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html: backup
  // and copy jobs report `state`, restore jobs `status`.
  // Backup jobs name their vault, copy jobs the vault they copy from; restore jobs no vault.
  const vault = plans[DeploymentStage.PROD].vaultName;
  const vaultArn = `arn:aws:backup:${TEST_ENV.region}:${TEST_ENV.account}:backup-vault:${vault}`;
  const otherVaultArn = `arn:aws:backup:${TEST_ENV.region}:${TEST_ENV.account}:backup-vault:${plans[DeploymentStage.DEV].vaultName}`;
  const jobs = [
    { id: 'backup-failed', detailType: 'Backup Job State Change', detail: { state: 'FAILED', backupVaultName: vault } },
    { id: 'backup-expired', detailType: 'Backup Job State Change', detail: { state: 'EXPIRED', backupVaultName: vault } },
    { id: 'copy-partial', detailType: 'Copy Job State Change', detail: { state: 'PARTIAL', sourceBackupVaultArn: vaultArn } },
    { id: 'restore-aborted', detailType: 'Restore Job State Change', detail: { status: 'ABORTED' } },
    { id: 'backup-completed', detailType: 'Backup Job State Change', detail: { state: 'COMPLETED', backupVaultName: vault } },
    { id: 'backup-running', detailType: 'Backup Job State Change', detail: { state: 'RUNNING', backupVaultName: vault } },
    { id: 'restore-completed', detailType: 'Restore Job State Change', detail: { status: 'COMPLETED' } },
    // Another plan's jobs are that plan's to report.
    { id: 'other-vault-backup', detailType: 'Backup Job State Change', detail: { state: 'FAILED', backupVaultName: plans[DeploymentStage.DEV].vaultName } },
    { id: 'other-vault-copy', detailType: 'Copy Job State Change', detail: { state: 'FAILED', sourceBackupVaultArn: otherVaultArn } },
    // A failed-looking event of another type or source is not the rule's business.
    { id: 'vault-state', detailType: 'Backup Vault State Change', detail: { state: 'FAILED', backupVaultName: vault } },
    { id: 'other-source', detailType: 'Backup Job State Change', detail: { state: 'FAILED', backupVaultName: vault }, source: 'com.example.backup' },
  ];
  for (const job of jobs) {
    const { FailedEntryCount } = await eventBridge.send(new PutEventsCommand({
      Entries: [{ EventBusName: busName, Source: job.source ?? 'aws.backup', DetailType: job.detailType, Detail: JSON.stringify({ ...job.detail, jobId: job.id }) }],
    }));
    expect(FailedEntryCount).toBe(0);
  }
  const arrived: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) break;
    arrived.push(...Messages.map((m) => JSON.parse(m.Body!).detail.jobId));
  }
  expect(arrived.sort()).toEqual(['backup-expired', 'backup-failed', 'copy-partial', 'restore-aborted']);
});
