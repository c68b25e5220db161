import { forMoto, motoResolvesReferences } from './moto-server';

// forMoto's rewrites on small templates: what each changes, and that it says so. The examples'
// deploys through `npm run deploy:local -- <example> --no-wait` exercise them against moto.

const alias = { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: '1', Name: 'live' } };
const fn = { Type: 'AWS::Lambda::Function', Properties: {} };

test('policies, state machines and rules holding an alias\'s ARN get its function\'s ARN, and are listed as redirected', () => {
  const original = {
    Resources: {
      Fn: fn,
      Alias: alias,
      Policy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [{ Ref: 'Alias' }] }] } },
      },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Join': ['', ['{"Resource":"', { Ref: 'Alias' }, '"}']] } } },
      Rule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)', Targets: [{ Arn: { Ref: 'Alias' }, Id: 'Target0' }] } },
    },
  };
  const { template, redirected } = forMoto(original);
  const functionArn = { 'Fn::GetAtt': ['Fn', 'Arn'] };
  expect(template.Resources.Policy.Properties.PolicyDocument.Statement[0].Resource).toEqual([functionArn]);
  expect(template.Resources.Machine.Properties.DefinitionString['Fn::Join'][1][1]).toEqual(functionArn);
  expect(template.Resources.Rule.Properties.Targets[0].Arn).toEqual(functionArn);
  expect(redirected).toEqual(['Machine', 'Policy', 'Rule']);
  // The synthesized template is left as it was.
  expect(original.Resources.Rule.Properties.Targets[0].Arn).toEqual({ Ref: 'Alias' });
});

test('an alias named anywhere else is still refused', () => {
  const original = { Resources: { Fn: fn, Alias: alias, Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { Ref: 'Alias' } } } } };
  expect(() => forMoto(original)).toThrow('Topic (AWS::SNS::Topic) references the alias Alias where the harness cannot redirect it for moto');
});

test('MasterUserSecret.SecretArn becomes the stand-in secret\'s ARN, and a parameter group is dropped; both said', () => {
  const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stand-in-AbCdEf';
  const read = { 'Fn::GetAtt': ['Db', 'MasterUserSecret.SecretArn'] };
  const original = {
    Resources: {
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { ManageMasterUserPassword: true, MasterUsername: 'postgres', DBParameterGroupName: { Ref: 'Params' } } },
      Params: { Type: 'AWS::RDS::DBParameterGroup', Properties: {} },
      Reader: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { DB_SECRET_ARN: read } } } },
    },
    Outputs: { SecretArn: { Value: read } },
  };
  const { template, changed } = forMoto(original, { masterUserSecretArns: { Db: secretArn } });
  expect(template.Resources.Reader.Properties.Environment.Variables.DB_SECRET_ARN).toBe(secretArn);
  expect(template.Outputs.SecretArn.Value).toBe(secretArn);
  expect(template.Resources.Db.Properties.DBParameterGroupName).toBeUndefined();
  expect(changed).toEqual([
    expect.stringMatching(/^Db\.MasterUserSecret\.SecretArn: read by Reader, output SecretArn; it is the ARN of a stand-in secret/),
    expect.stringMatching(/^Db: deployed without its DBParameterGroupName/),
  ]);
  expect(() => forMoto(original)).toThrow('The template reads Db.MasterUserSecret.SecretArn, which moto cannot resolve, and the harness has no stand-in secret for it');
});

test('a Ref to an event bus becomes its Name; an archive gets its pattern as a string and a name of at most 48 characters', () => {
  const pattern = { source: ['com.example'] };
  const original = {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
      Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' }, EventPattern: pattern } },
      ArchiveWithAVeryLongLogicalIdThatGoesOnAndOn0123456789: {
        Type: 'AWS::Events::Archive',
        Properties: { SourceArn: { 'Fn::GetAtt': ['Bus', 'Arn'] }, EventPattern: pattern },
      },
    },
    Outputs: { BusName: { Value: { Ref: 'Bus' } } },
  };
  const { template, changed } = forMoto(original);
  expect(template.Resources.Rule.Properties.EventBusName).toEqual({ 'Fn::GetAtt': ['Bus', 'Name'] });
  expect(template.Outputs.BusName.Value).toEqual({ 'Fn::GetAtt': ['Bus', 'Name'] });
  const archive = template.Resources.ArchiveWithAVeryLongLogicalIdThatGoesOnAndOn0123456789.Properties;
  expect(JSON.parse(archive.EventPattern)).toEqual(pattern);
  expect(archive.ArchiveName).toBe('ArchiveWithAVeryLongLogicalIdThatGoesOnAndOn0123');
  expect(changed).toHaveLength(3);
});

test('moto itself says which references its CloudFormation resolves', () => {
  expect(motoResolvesReferences([
    ['AWS::S3::Bucket', undefined],
    ['AWS::CloudFront::Distribution', 'DomainName'],
    ['AWS::RDS::DBInstance', 'Endpoint.Address'],
    ['AWS::RDS::DBInstance', 'MasterUserSecret.SecretArn'],
  ])).toEqual([true, false, true, false]);
});

test('an output reading what moto does not have is removed and said; the others stay', () => {
  const original = {
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Site: { Type: 'AWS::CloudFront::Distribution', Properties: {} },
    },
    Outputs: {
      Url: { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Site', 'DomainName'] }]] } },
      BucketName: { Value: { Ref: 'Bucket' } },
    },
  };
  const { template, changed } = forMoto(original, { motoResolves: motoResolvesReferences });
  expect(Object.keys(template.Outputs)).toEqual(['BucketName']);
  expect(changed).toEqual([
    "output Url: removed, it reads Site.DomainName (AWS::CloudFront::Distribution), which moto's CloudFormation does not have",
  ]);
});

test("a dashboard's alarm ARNs and backup vault names, and an event rule's vault name and ARN, become literal, and each is said", () => {
  const body = {
    'Fn::Join': ['', [
      '{"alarms":["', { 'Fn::GetAtt': ['Alarm', 'Arn'] }, '"],"vault":"', { 'Fn::GetAtt': ['Vault', 'BackupVaultName'] },
      '","same":"', { Ref: 'Vault' }, '","other":"', { Ref: 'Queue' }, '"}',
    ]],
  };
  const original = {
    Resources: {
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      Vault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'StackBackupsVault1234' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: body } },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            detail: {
              $or: [
                { backupVaultName: [{ 'Fn::GetAtt': ['Vault', 'BackupVaultName'] }] },
                { sourceBackupVaultArn: [{ 'Fn::GetAtt': ['Vault', 'BackupVaultArn'] }] },
              ],
            },
          },
        },
      },
    },
  };
  const { template, changed } = forMoto(original);
  expect(template.Resources.Dashboard.Properties.DashboardBody['Fn::Join'][1]).toEqual([
    '{"alarms":["', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:Alarm', '"],"vault":"', 'StackBackupsVault1234',
    '","same":"', 'StackBackupsVault1234', '","other":"', { Ref: 'Queue' }, '"}',
  ]);
  expect(template.Resources.Rule.Properties.EventPattern.detail.$or).toEqual([
    { backupVaultName: ['StackBackupsVault1234'] },
    { sourceBackupVaultArn: [{ 'Fn::Join': ['', ['arn:aws:backup:us-east-1:123456789012:backup-vault:', 'StackBackupsVault1234']] }] },
  ]);
  expect(changed).toEqual([
    'Dashboard: the ARNs of its 1 alarms are literal (moto skips alarms)',
    'Dashboard: its 2 references to backup vaults are their names and ARNs as the template writes them (moto skips AWS Backup)',
    'Rule: its 2 references to backup vaults are their names and ARNs as the template writes them (moto skips AWS Backup)',
  ]);
});
