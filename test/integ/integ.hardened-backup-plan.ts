import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStage, HardenedBackupPlan } from '../../src';
import { NEW_PROJECT_CONTEXT } from '../support/app';

// An on-demand backup of a small DynamoDB table must complete into the plan's vault, through the
// role the plan gives AWS Backup (its AWS-managed backup policy), with the vault's customer key;
// then the vault access policy must refuse deleting the recovery point to a principal whose own
// IAM policy allows it, and let a backup administrator delete it.
//
// A DynamoDB table rather than an S3 bucket: AWS Backup backs a table up on demand in minutes and
// bills it by the GB (nothing, near enough, for one item), while S3 backups need versioning and
// the AWSBackupServiceRolePolicyForS3Backup policy, which the plan's role does not have.
// DynamoDB must be opted in to AWS Backup in the region (Settings > Service opt-in; it is by
// default): https://docs.aws.amazon.com/aws-backup/latest/devguide/service-opt-in.html
//
// The vault access policy denies DeleteRecoveryPoint to everyone but the account root and the
// `backupAdminRoleArns`. The assertion provider is not one of them (its role lives in the
// assertion stack, deployed after this one, so this stack cannot name it). So the scenario's own
// backup administrator, a function of this stack whose role is passed as `backupAdminRoleArns`,
// deletes the recovery point as the last assertions, and the chain waits until the vault is empty.
// Destroy: the plan retains its vault in every stage, since a vault that holds a recovery point
// cannot be deleted (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteBackupVault.html);
// emptied here, it is left behind empty (it costs nothing; delete it with
// `aws backup delete-backup-vault`). Its name carries the stack's id, so the next run deploys
// beside it.
const app = new App({ context: NEW_PROJECT_CONTEXT });
const stack = new Stack(app, 'HardenedBackupPlanInteg');
const stage = DeploymentStage.DEV;

// Returns the error's name, or 'deleted': the assertions compare it. The Node.js runtime ships
// the AWS SDK for JavaScript v3, client-backup included.
const DELETE_RECOVERY_POINT = `
const { BackupClient, DeleteRecoveryPointCommand } = require('@aws-sdk/client-backup');
exports.handler = async ({ recoveryPointArn }) => {
  try {
    await new BackupClient({}).send(new DeleteRecoveryPointCommand({ BackupVaultName: process.env.VAULT_NAME, RecoveryPointArn: recoveryPointArn }));
    return 'deleted';
  } catch (error) {
    console.log(error);
    return error.name;
  }
};`;

/** A function that tries to delete a recovery point of the vault, with an IAM policy that allows it. */
function deleter(id: string, vault: backup.IBackupVault, role?: iam.IRole): lambda.Function {
  const fn = new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(DELETE_RECOVERY_POINT),
    timeout: Duration.seconds(30),
    environment: { VAULT_NAME: vault.backupVaultName },
    role,
  });
  // Allowed by its own policy on every recovery point, so only the vault access policy can refuse.
  // A table's recovery point is a DynamoDB backup unless the account enabled AWS Backup's advanced
  // DynamoDB features; dynamodb:DeleteBackup is granted too in case AWS Backup deletes it as the
  // caller (not verified: no account).
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['backup:DeleteRecoveryPoint', 'dynamodb:DeleteBackup'], resources: ['*'] }));
  return fn;
}

const table = new dynamodb.Table(stack, 'Orders', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
// The administrator's role is created first, so that the plan's vault policy can exempt it.
const adminRole = new iam.Role(stack, 'BackupAdminRole', {
  assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
});
const backups = new HardenedBackupPlan(stack, 'Backups', { stage, backupAdminRoleArns: [adminRole.roleArn] });
backups.protect('Orders', [backup.BackupResource.fromDynamoDbTable(table)]);
// The role AWS Backup assumes for the plan's selections, created by the first protect().
const backupRole = backups.backupRole!;

// The same function twice: as a principal the vault policy does not exempt, and as the admin.
const outsider = deleter('Outsider', backups.vault);
const admin = deleter('BackupAdmin', backups.vault, adminRole);

const integ = new IntegTest(app, 'HardenedBackupPlanTest', {
  testCases: [stack],
  diffAssets: true,
});

const putItem = integ.assertions.awsApiCall('DynamoDB', 'putItem', {
  TableName: table.tableName,
  Item: { id: { S: 'order-42' }, total: { N: '42' } },
});
const startBackup = integ.assertions.awsApiCall('Backup', 'startBackupJob', {
  BackupVaultName: backups.vault.backupVaultName,
  ResourceArn: table.tableArn,
  IamRoleArn: backupRole.roleArn,
  // Kept 1 day, in case the deletion below fails: AWS Backup then deletes it by itself.
  Lifecycle: { DeleteAfterDays: 1 },
});
// integ-tests-alpha grants each call's own action (backup:StartBackupJob, backup:DescribeBackupJob,
// backup:ListRecoveryPointsByBackupVault, dynamodb:PutItem, lambda:InvokeFunction); starting a job
// also passes the backup role to AWS Backup, which the caller must be allowed:
// https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartBackupJob.html (IamRoleArn)
startBackup.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [backupRole.roleArn] });
const recoveryPointArn = startBackup.getAttString('RecoveryPointArn');

const completed = integ.assertions
  .awsApiCall('Backup', 'describeBackupJob', { BackupJobId: startBackup.getAttString('BackupJobId') })
  .expect(ExpectedResult.objectLike({ State: 'COMPLETED', BackupVaultName: backups.vault.backupVaultName }))
  .waitForAssertions({ totalTimeout: Duration.minutes(60), interval: Duration.minutes(1) });

const deleteAs = (fn: lambda.IFunction) => integ.assertions.invokeFunction({
  functionName: fn.functionName,
  payload: JSON.stringify({ recoveryPointArn }),
});
// A principal of the account that the vault policy does not exempt is refused, whatever its IAM
// policy allows (an explicit Deny in a resource policy wins).
const refused = deleteAs(outsider).expect(ExpectedResult.objectLike({ Payload: JSON.stringify('AccessDeniedException') }));
const deleted = deleteAs(admin).expect(ExpectedResult.objectLike({ Payload: JSON.stringify('deleted') }));
// The deletion is asynchronous; the vault can be deleted with the stack once it is empty.
const emptied = integ.assertions
  .awsApiCall('Backup', 'listRecoveryPointsByBackupVault', { BackupVaultName: backups.vault.backupVaultName })
  .expect(ExpectedResult.objectLike({ RecoveryPoints: [] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.minutes(1) });

putItem.next(startBackup).next(completed).next(refused).next(deleted).next(emptied);
