import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DeploymentStage, HardenedFunction, HardenedFunctionProps, MultiAzVpc } from '../../src';
import { newApp, newStack, TEST_ENV } from '../support/app';
import { cloudFormationFindings } from '../support/cfn-validation';
import { clientAfterServer, referencedStacks } from '../support/cross-stack';
import { consumerFunction, errorLines, onlyAliasId, patternResourceCount, referencesOnlyAlias } from '../support/fixtures';
import { BothMajorsOutcome, COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from '../support/nag';
import { normalizedTemplate } from '../support/snapshot';
import { DeployTimeValues, deployTimeValues } from '../support/tokens';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({});');
type Extra = Partial<HardenedFunctionProps>;

/**
 * The function with default props is built once per file and shared: no test changes a stack
 * after building it.
 */
function build(extra?: Extra) {
  return extra === undefined ? (defaults ??= buildNew()) : buildNew(extra);
}
let defaults: ReturnType<typeof buildNew> | undefined;

function buildNew(extra: Extra = {}) {
  const stack = newStack({ withEnv: true });
  const fn = new HardenedFunction(stack, 'Worker', { code: CODE, ...extra });
  return { stack, fn, template: Template.fromStack(stack) };
}

function fullyConfigured(stack: Stack): HardenedFunctionProps {
  const alarmTopic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) });
  const rejected = new cloudwatch.Alarm(stack, 'BusinessErrors', {
    metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: 'Rejected' }),
    threshold: 10,
    evaluationPeriods: 1,
  });
  rejected.addAlarmAction(new actions.SnsAction(alarmTopic));
  return {
    stage: DeploymentStage.PROD,
    code: CODE,
    handler: 'app.main',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.X86_64,
    memorySize: 1024,
    timeout: Duration.minutes(2),
    reservedConcurrentExecutions: 5,
    environment: { TABLE: 'orders' },
    description: 'Processes orders',
    vpc: new MultiAzVpc(stack, 'Network').vpc,
    logRetention: logs.RetentionDays.TWO_YEARS,
    logEncryptionKey: logKey(stack),
    retryAttempts: 1,
    maxEventAge: Duration.hours(1),
    aliasName: 'prod',
    deploymentConfig: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
    deploymentAlarms: [rejected],
    preTrafficHook: new HardenedFunction(stack, 'PreTraffic', { code: CODE }),
    postTrafficHook: new HardenedFunction(stack, 'PostTraffic', { code: CODE }),
    alarmTopic,
  };
}

function logKey(stack: Stack): kms.Key {
  const key = new kms.Key(stack, 'OwnLogKey', { enableKeyRotation: true });
  key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  return key;
}

function alarmsIn(stack: Stack, n: number): cloudwatch.Alarm[] {
  return Array.from({ length: n }, (_, i) => new cloudwatch.Alarm(stack, `Extra${i}`, {
    metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: `Metric${i}` }), threshold: 1, evaluationPeriods: 1,
  }));
}

const functionId = (stack: Stack, fn: HardenedFunction) => stack.getLogicalId(fn.lambdaFunction.node.defaultChild as lambda.CfnFunction);
const deploymentGroup = (template: Template) => Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties;

/**
 * The fully configured pattern's findings under both majors of cdk-nag, from one app built and
 * synthesized once (both majors' packs in the one synth): a test of each major reads them.
 */
function fullyConfiguredNag(): BothMajorsOutcome {
  if (!fullNag) {
    const app = newApp();
    const stack = new Stack(app, 'Full', { env: TEST_ENV });
    new HardenedFunction(stack, 'Worker', fullyConfigured(stack));
    fullNag = runNagPacksOfBothMajors(app);
  }
  return fullNag;
}
let fullNag: BothMajorsOutcome | undefined;

describe('HardenedFunction', () => {
  describe('snapshots', () => {
    test('defaults, env-agnostic', () => {
      const stack = newStack();
      new HardenedFunction(stack, 'Worker', { code: CODE });
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: VPC, own log key, linear deploys with hooks and an extra alarm', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'Worker', fullyConfigured(stack));
      expect(normalizedTemplate(stack)).toMatchSnapshot();
    });

    test('fully configured: cdk-nag 2.x reports nothing unacknowledged', () => {
      expect(fullyConfiguredNag().v2).toEqual([]);
    });
  });

  describe('function', () => {
    test('runs on ARM64 and the newest Node.js runtime, traced, logging JSON, with explicit memory and timeout', () => {
      build().template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        MemorySize: 256,
        Timeout: 10,
        Handler: 'index.handler',
      });
    });

    test('takes the runtime, architecture, handler and limits it is given', () => {
      build({ runtime: lambda.Runtime.PYTHON_3_13, architecture: lambda.Architecture.X86_64, handler: 'app.main', memorySize: 2048, timeout: Duration.minutes(15), reservedConcurrentExecutions: 3 })
        .template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'python3.13', Architectures: ['x86_64'], Handler: 'app.main', MemorySize: 2048, Timeout: 900, ReservedConcurrentExecutions: 3,
        });
    });

    test('runs in the private subnets of a given VPC, with its security group exposed', () => {
      const stack = newStack({ withEnv: true });
      const vpc = new MultiAzVpc(stack, 'Network').vpc;
      const fn = new HardenedFunction(stack, 'Worker', { code: CODE, vpc });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: {
          SubnetIds: vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })),
          SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(fn.securityGroup!.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
        },
      });
      expect(fn.isBoundToVpc).toBe(true);
      expect(fn.connections.securityGroups).toEqual([fn.securityGroup]);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ec2:CreateNetworkInterface']), Resource: '*' })]) },
      });
    });

    test('has no security group outside a VPC', () => {
      const { fn } = build();
      expect(fn.securityGroup).toBeUndefined();
      expect(fn.isBoundToVpc).toBe(false);
    });
  });

  describe('logs', () => {
    test('go to an encrypted log group kept a year in PROD and a month in DEV', () => {
      build().template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
      build({ stage: DeploymentStage.DEV }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('one rotating key per stack serves every function, usable by CloudWatch Logs only for log groups', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'One', { code: CODE, stage: DeploymentStage.DEV });
      new HardenedFunction(stack, 'Two', { code: CODE, stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(1);
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({
          EnableKeyRotation: true,
          KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } })]) },
        }),
      });
    });

    test('the shared key is retained as soon as one PROD function uses it', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'Sandbox', { code: CODE, stage: DeploymentStage.DEV });
      new HardenedFunction(stack, 'Live', { code: CODE, stage: DeploymentStage.PROD });
      Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });

    test('a given key is used instead', () => {
      const stack = newStack({ withEnv: true });
      const key = logKey(stack);
      new HardenedFunction(stack, 'Worker', { code: CODE, logEncryptionKey: key });
      const template = Template.fromStack(stack);
      expect(patternResourceCount(template, 'AWS::KMS::Key')).toBe(1);
      template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
    });
  });

  describe('role', () => {
    test('may write exactly its logs and traces and send to its DLQ, in a managed policy, and has no inline policy', () => {
      const { template } = build();
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('WorkerLogs'), 'Arn'] } },
            { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('WorkerDeadLetterQueue'), 'Arn'] } },
          ],
        },
      });
      // Nothing granted yet, so the role's grants policy does not exist.
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.allResourcesProperties('AWS::IAM::Role', { Policies: Match.absent() });
    });

    test('grants made on it afterwards land in its managed policy too, never inline', () => {
      const stack = newStack({ withEnv: true });
      const fn = new HardenedFunction(stack, 'Worker', { code: CODE });
      const bucket = new s3.Bucket(stack, 'Data');
      bucket.grantRead(fn);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:123456789012:parameter/x'] }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      const grants = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
        .map((p) => JSON.stringify(p.Properties.PolicyDocument))
        .filter((doc) => doc.includes('s3:GetObject*'));
      expect(grants).toHaveLength(1);
      expect(grants[0]).toContain('ssm:GetParameter');
    });
  });

  describe('asynchronous invocations', () => {
    test('retry twice within 6 hours on the alias, then go to the dead-letter queue', () => {
      const { template, stack, fn } = build();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId(stack, fn) },
        Qualifier: Match.objectLike({ 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: onlyAliasId(template) }] }] }),
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [stack.getLogicalId(fn.deadLetterQueue.node.defaultChild as sqs.CfnQueue), 'Arn'] } },
      });
    });

    test('the dead-letter queue keeps events 14 days, encrypted, over TLS only, retained in PROD and destroyed in DEV', () => {
      const { template } = build();
      template.hasResource('AWS::SQS::Queue', {
        DeletionPolicy: 'Retain',
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      build({ stage: DeploymentStage.DEV }).template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });

    test('takes bounded retries and age', () => {
      build({ retryAttempts: 0, maxEventAge: Duration.minutes(1) }).template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    test('configureAsyncInvoke explains that the props configure it', () => {
      const { fn } = buildNew();
      expect(() => fn.configureAsyncInvoke({ retryAttempts: 1 })).toThrow(/configures its asynchronous invocations itself: set retryAttempts and maxEventAge/);
    });
  });

  describe('safe deploys', () => {
    test('publishes a version and points the alias `live` at it', () => {
      const { template, stack, fn } = build();
      template.resourceCountIs('AWS::Lambda::Version', 1);
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: functionId(stack, fn) },
        FunctionVersion: { 'Fn::GetAtt': [stack.resolve((fn.version.node.defaultChild as lambda.CfnVersion).logicalId), 'Version'] },
      });
    });

    test('every change publishes a new version', () => {
      const versionOf = (memorySize: number) => Object.keys(buildNew({ memorySize }).template.findResources('AWS::Lambda::Version'))[0];
      expect(versionOf(512)).not.toEqual(versionOf(1024));
    });

    test('CodeDeploy shifts the alias: a 10% canary for 5 minutes in PROD, all at once in DEV, or as configured', () => {
      const { template } = build();
      expect(deploymentGroup(template).DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      template.hasResource('AWS::Lambda::Alias', {
        UpdatePolicy: { CodeDeployLambdaAliasUpdate: { ApplicationName: Match.anyValue(), DeploymentGroupName: Match.anyValue() } },
      });
      expect(deploymentGroup(build({ stage: DeploymentStage.DEV }).template).DeploymentConfigName).toBe('CodeDeployDefault.LambdaAllAtOnce');
      const linear = build({ deploymentConfig: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE });
      expect(deploymentGroup(linear.template).DeploymentConfigName).toBe('CodeDeployDefault.LambdaLinear10PercentEvery1Minute');
    });

    test('rolls back by itself on the alias\'s errors and duration alarms, and on any extra alarm', () => {
      const { template, stack, fn } = build();
      const group = deploymentGroup(template);
      expect(group.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] });
      const alarmIds = group.AlarmConfiguration.Alarms.map((a: any) => a.Name.Ref);
      const byMetric = (name: string) => stack.getLogicalId(fn.alarms.find((a) => (a as cloudwatch.Alarm).metric instanceof cloudwatch.Metric
        && ((a as cloudwatch.Alarm).metric as cloudwatch.Metric).metricName === name)!.node.defaultChild as cloudwatch.CfnAlarm);
      expect(alarmIds).toEqual([byMetric('Errors'), byMetric('Duration')]);

      const other = newStack({ withEnv: true });
      const extra = alarmsIn(other, 1);
      new HardenedFunction(other, 'Worker', { code: CODE, deploymentAlarms: extra });
      expect(deploymentGroup(Template.fromStack(other)).AlarmConfiguration.Alarms).toEqual([
        // The same path in another stack: the same logical ids.
        ...alarmIds.map((id: string) => ({ Name: { Ref: id } })),
        { Name: { Ref: other.getLogicalId(extra[0].node.defaultChild as cloudwatch.CfnAlarm) } },
      ]);
    });

    test('runs the traffic hooks, and CodeDeploy may invoke them through a managed policy', () => {
      const stack = newStack({ withEnv: true });
      const pre = consumerFunction(stack, 'Pre');
      const post = consumerFunction(stack, 'Post');
      new HardenedFunction(stack, 'Worker', { code: CODE, preTrafficHook: pre, postTrafficHook: post });
      const template = Template.fromStack(stack);
      template.hasResource('AWS::Lambda::Alias', {
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: Match.objectLike({
            BeforeAllowTrafficHook: { Ref: stack.getLogicalId(pre.node.defaultChild as lambda.CfnFunction) },
            AfterAllowTrafficHook: { Ref: stack.getLogicalId(post.node.defaultChild as lambda.CfnFunction) },
          }),
        },
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
        Roles: [{ Ref: Match.stringLikeRegexp('WorkerDeploymentRole') }],
      });
    });
  });

  describe('as a lambda.IFunction, it stands for its alias', () => {
    test('its ARN and name are the alias\'s, and its metrics are the alias\'s', () => {
      const { stack, fn } = build();
      expect(stack.resolve(fn.functionArn)).toEqual({ Ref: stack.getLogicalId(fn.alias.node.defaultChild as lambda.CfnAlias) });
      expect(stack.resolve(fn.functionName)).toEqual(stack.resolve(fn.alias.functionName));
      expect(stack.resolve(fn.metricErrors().dimensions)).toEqual({ FunctionName: { Ref: functionId(stack, fn) }, Resource: { 'Fn::Join': ['', [{ Ref: functionId(stack, fn) }, ':live']] } });
      expect(fn.latestVersion).toBe(fn.lambdaFunction.latestVersion);
    });

    test('grantInvoke and addPermission act on the alias', () => {
      const stack = newStack({ withEnv: true });
      const fn = new HardenedFunction(stack, 'Worker', { code: CODE });
      const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
      fn.grantInvoke(caller);
      fn.grantInvoke(new iam.ServicePrincipal('events.amazonaws.com'));
      const template = Template.fromStack(stack);
      const aliasId = onlyAliasId(template);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: { Ref: aliasId } })] },
      });
      const permission = Object.values(template.findResources('AWS::Lambda::Permission'))[0].Properties;
      expect(referencesOnlyAlias(permission.FunctionName, aliasId, functionId(stack, fn))).toBe(true);
    });

    test('an event source added to it maps to the alias', () => {
      const stack = newStack({ withEnv: true });
      const fn = new HardenedFunction(stack, 'Worker', { code: CODE });
      fn.addEventSource(new sources.SqsEventSource(new sqs.Queue(stack, 'Jobs')));
      const template = Template.fromStack(stack);
      const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0].Properties;
      expect(referencesOnlyAlias(mapping.FunctionName, onlyAliasId(template), functionId(stack, fn))).toBe(true);
      template.resourceCountIs('AWS::IAM::Policy', 0);
    });
  });

  describe('alarms', () => {
    test('errors, throttles and p99 duration near the timeout, on the alias, and the dead-letter queue not empty', () => {
      const { template, fn } = build({ timeout: Duration.seconds(30) });
      expect(fn.alarms).toHaveLength(4);
      const onAlias = { Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Resource' })]) };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 0, ...onAlias });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Namespace: 'AWS/Lambda', Threshold: 0, ...onAlias });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 24000, ...onAlias });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    test('durationP99Threshold sets the duration alarm, named in its description, and it still rolls deployments back', () => {
      const { template } = build({ timeout: Duration.seconds(30), durationP99Threshold: Duration.seconds(5) });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Threshold: 5000,
        AlarmDescription: 'The function TestStack/Worker takes longer than 5 seconds for 1% of its invocations',
      });
      expect(deploymentGroup(template).AlarmConfiguration.Alarms).toHaveLength(2);
      // The default: 80% of the timeout, 8 seconds at the default 10.
      build().template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Duration', Threshold: 8000 });
    });

    test('errorsThreshold tolerates that many errors per 5 minutes, and says so; the default is any error', () => {
      const { template } = build({ errorsThreshold: 5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: 'The function TestStack/Worker failed more than 5 times in 5 minutes',
      });
      build().template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors', Threshold: 0, AlarmDescription: 'The function TestStack/Worker failed',
      });
    });

    test('notify the alarm topic in alarm and back to OK', () => {
      const stack = newStack({ withEnv: true });
      const topic = new sns.Topic(stack, 'Alarms');
      new HardenedFunction(stack, 'Worker', { code: CODE, alarmTopic: topic });
      const ref = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
      Template.fromStack(stack).allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [ref], OKActions: [ref] });
    });
  });

  describe('validation', () => {
    const alarms = (n: number) => alarmsIn(newStack(), n);
    const invalid: Array<[string, Extra, RegExp]> = [
      ['neither code nor an entry file', { code: undefined }, /exactly one of code and entry must be given; none was given/],
      ['both code and an entry file', { entry: 'handler.ts' }, /exactly one of code and entry must be given; code and entry were both given/],
      ['memory under 128 MB', { memorySize: 127 }, /memorySize is 127; it must be a whole number from 128 to 10240/],
      ['memory over 10240 MB', { memorySize: 10241 }, /memorySize is 10241; it must be a whole number from 128 to 10240/],
      ['a timeout under a second', { timeout: Duration.millis(500) }, /timeout is 0.5 seconds; it must be a whole number of seconds from 1 second to 15 minutes/],
      ['a timeout over 15 minutes', { timeout: Duration.seconds(901) }, /timeout is 901 seconds; it must be a whole number of seconds from 1 second to 15 minutes/],
      ['negative reserved concurrency', { reservedConcurrentExecutions: -1 }, /reservedConcurrentExecutions is -1; it must be a whole number of at least 0\./],
      ['3 retries', { retryAttempts: 3 }, /retryAttempts is 3; it must be a whole number from 0 to 2/],
      ['an event age under a minute', { maxEventAge: Duration.seconds(59) }, /maxEventAge is 59 seconds; it must be a whole number of seconds from 1 minute to 6 hours/],
      ['an event age over 6 hours', { maxEventAge: Duration.seconds(21601) }, /maxEventAge is 21601 seconds; it must be a whole number of seconds from 1 minute to 6 hours/],
      ['an alias name of digits only', { aliasName: '42' }, /aliasName is '42'; it must be 1 to 128 letters, digits, hyphens and underscores, not only digits/],
      ['an alias name with a space', { aliasName: 'my alias' }, /aliasName is 'my alias'; it must be 1 to 128/],
      ['a description over 256 characters', { description: 'x'.repeat(257) }, /^ {2}- description is '257 characters'; it must be at most 256 characters \(Lambda\)\.$/m],
      ['9 extra deployment alarms', { deploymentAlarms: alarms(9) }, /deploymentAlarms is '9 alarms'; it must be at most 8: a deployment group watches at most 10 alarms/],
      ['an environment key Lambda reserves', { environment: { AWS_REGION: 'eu-west-1' } },
        /^ {2}- environment key is 'AWS_REGION'; it must be a key Lambda does not reserve; it reserves _HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR\.$/m],
      ['an environment key starting with a digit', { environment: { '1BAD': 'x' } },
        /^ {2}- environment key is '1BAD'; it must be letters, numbers and underscores, starting with a letter, at least 2 characters \(Lambda's key pattern\)\.$/m],
      ['an environment key of one character', { environment: { A: 'x' } }, /^ {2}- environment key is 'A'; it must be letters, numbers and underscores/m],
      ['environment variables over 4 KB as JSON', { environment: { BIG: 'x'.repeat(4087) } },
        /^ {2}- environment is '4,097 bytes \(keys and values, as JSON\)'; it must be at most 4,096 bytes \(Lambda's limit on all environment variables of a function\)\.$/m],
      ['a p99 duration threshold at the timeout', { durationP99Threshold: Duration.seconds(10) },
        /^ {2}- durationP99Threshold is 10 seconds; it must be above 0 and below the timeout \(10 seconds\): Lambda stops an invocation at its timeout, so a p99 duration at or above it is never reached and the alarm could never fire\.$/m],
      ['a p99 duration threshold above a given timeout', { timeout: Duration.seconds(30), durationP99Threshold: Duration.minutes(1) },
        /^ {2}- durationP99Threshold is 1 minute; it must be above 0 and below the timeout \(30 seconds\)/m],
      ['a p99 duration threshold of 0', { durationP99Threshold: Duration.millis(0) }, /^ {2}- durationP99Threshold is 0 seconds; it must be above 0 and below the timeout \(10 seconds\)/m],
      ['a negative errors threshold', { errorsThreshold: -1 }, /^ {2}- errorsThreshold is -1; it must be a whole number of at least 0\.$/m],
      ['a fractional errors threshold', { errorsThreshold: 0.5 }, /^ {2}- errorsThreshold is 0\.5; it must be a whole number of at least 0\.$/m],
      ['a retention CloudWatch Logs does not offer, as untyped configuration gives it', { logRetention: 13 as logs.RetentionDays },
        /^ {2}- logRetention is 13; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999\.$/m],
    ];

    test.each(invalid)('rejects %s', (_name, extra, message) => {
      expect(() => buildNew(extra)).toThrow(message);
    });

    test('reports every invalid prop at once', () => {
      expect(() => buildNew({ memorySize: 1, retryAttempts: 5 })).toThrow(/has 2 invalid props:\n {2}- memorySize is 1.*\n {2}- retryAttempts is 5/);
    });

    test('counts the environment variables aws-cdk-lib adds towards the 4 KB', () => {
      // On an SDK v2 runtime, a bundled entry gets AWS_NODEJS_CONNECTION_REUSE_ENABLED=1: 42 bytes more as JSON,
      // past the limit of variables that alone take 4,055 bytes.
      const entry = path.join(__dirname, '..', 'support', 'echo-handler.ts');
      const environment = { BIG: 'x'.repeat(4045) };
      expect(() => new HardenedFunction(newStack({ withEnv: true }), 'Worker', { entry, environment, runtime: lambda.Runtime.NODEJS_16_X }))
        .toThrow(/^HardenedFunction 'TestStack\/Worker' has 1 invalid prop:\n {2}- environment is '4,097 bytes \(keys and values, as JSON, with AWS_NODEJS_CONNECTION_REUSE_ENABLED, which aws-cdk-lib or the pattern adds\)'; it must be at most 4,096 bytes/);
    });

    test('accepts environment variables whose values are tokens, however long the rest, and still checks their keys', () => {
      const stack = newStack({ withEnv: true });
      const table = new CfnParameter(stack, 'Table').valueAsString;
      expect(() => new HardenedFunction(stack, 'Worker', { code: CODE, environment: { TABLE: table, BIG: 'x'.repeat(5000) } })).not.toThrow();
      expect(() => new HardenedFunction(stack, 'Other', { code: CODE, environment: { AWS_REGION: table } })).toThrow(/environment key is 'AWS_REGION'/);
    });

    test('accepts the limits themselves', () => {
      expect(() => buildNew({
        memorySize: 128, timeout: Duration.seconds(1), retryAttempts: 0, maxEventAge: Duration.seconds(60), reservedConcurrentExecutions: 0,
      })).not.toThrow();
      const stack = newStack({ withEnv: true });
      expect(() => new HardenedFunction(stack, 'Worker', {
        code: CODE, memorySize: 10240, timeout: Duration.seconds(900), retryAttempts: 2, maxEventAge: Duration.hours(6), aliasName: 'a'.repeat(128), deploymentAlarms: alarmsIn(stack, 8),
      })).not.toThrow();
      // {"BIG":"x…","A1":""}: 4,096 bytes
      expect(() => new HardenedFunction(stack, 'Full', { code: CODE, environment: { BIG: 'x'.repeat(4078), A1: '' } })).not.toThrow();
      expect(() => Template.fromStack(stack)).not.toThrow();
    });
  });

  describe('escape hatch: functionOptions and bundling', () => {
    test('settings the pattern has no prop for reach the function, under its guarantees', () => {
      const stack = newStack({ withEnv: true });
      const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:us-east-1:123456789012:layer:sharp:3');
      new HardenedFunction(stack, 'Worker', { code: CODE, functionOptions: { layers: [layer], ephemeralStorageSize: Size.mebibytes(2048) } });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:sharp:3'],
        EphemeralStorage: { Size: 2048 },
        // What the pattern decides is still there.
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        Architectures: ['arm64'],
      });
    });

    const refused: Array<[string, lambda.FunctionOptions, string]> = [
      ['its role', { role: iam.Role.fromRoleArn(newStack(), 'R', 'arn:aws:iam::123456789012:role/r') },
        "  - functionOptions.role is 'set'; it must be left unset: the pattern creates the role, with managed policies only; grant the function what it needs (table.grantReadData(fn))."],
      ['tracing', { tracing: lambda.Tracing.DISABLED }, "  - functionOptions.tracing is 'set'; it must be left unset: the pattern turns active tracing on."],
      ['a dead-letter queue', { deadLetterQueueEnabled: false }, "  - functionOptions.deadLetterQueueEnabled is 'set'; it must be left unset: the pattern creates the function's dead-letter queue."],
      ['event sources, which would bypass the alias', { events: [] },
        "  - functionOptions.events is 'set'; it must be left unset: add event sources to the HardenedFunction (fn.addEventSource), so that they invoke its alias."],
      ['a setting with a prop of its own', { memorySize: 1024 }, "  - functionOptions.memorySize is 'set'; it must be left unset: use the memorySize prop."],
      ['6 layers', { layers: Array.from({ length: 6 }, (_, i) => lambda.LayerVersion.fromLayerVersionArn(newStack(), `L${i}`, `arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1`)) },
        "  - functionOptions.layers is '6 layers'; it must be at most 5 (Lambda's limit per function)."],
      ['ephemeral storage under 512 MiB', { ephemeralStorageSize: Size.mebibytes(256) },
        "  - functionOptions.ephemeralStorageSize is '256 MiB'; it must be a whole number of MiB from 512 to 10,240 (Lambda)."],
      ['ephemeral storage over 10 GiB', { ephemeralStorageSize: Size.mebibytes(10241) },
        "  - functionOptions.ephemeralStorageSize is '10241 MiB'; it must be a whole number of MiB from 512 to 10,240 (Lambda)."],
      ['a fixed function name', { functionName: 'resize' },
        "  - functionOptions.functionName is 'set'; it must be left unset: CloudFormation names the function, so that it can be replaced and the pattern used in several stacks."],
      ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } },
        "  - functionOptions.vpcSubnets is 'set'; it must be left unset without the vpc prop."],
    ];
    test.each(refused)('refuses %s, saying what to use instead', (_name, functionOptions, line) => {
      expect(errorLines(() => buildNew({ functionOptions }))).toContain(line);
    });

    test('subnets of the VPC the user chose are the ones the function runs in', () => {
      const stack = newStack({ withEnv: true });
      const network = new MultiAzVpc(stack, 'Network');
      new HardenedFunction(stack, 'Worker', { code: CODE, vpc: network.vpc, functionOptions: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } } });
      const isolated = network.vpc.isolatedSubnets.map((subnet) => ({ Ref: stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) }));
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: isolated }) });
    });

    test('accepts ephemeral storage known only at deploy time', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'Worker', { code: CODE, functionOptions: { ephemeralStorageSize: Size.mebibytes(deployTimeValues(stack).number) } });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { EphemeralStorage: { Size: { Ref: 'DeployTimeNumber' } } });
    });

    test('bundling options reach esbuild, over the pattern\'s minify and source maps; without an entry they are refused', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'Worker', {
        entry: path.join(__dirname, '..', 'support', 'echo-handler.ts'),
        bundling: { banner: '/* bundled with the options of a test */' },
      });
      const assembly = (stack.node.root as App).synth();
      const bundles = fs.readdirSync(assembly.directory)
        .map((dir) => path.join(assembly.directory, dir, 'index.js'))
        .filter((file) => fs.existsSync(file));
      expect(bundles).toHaveLength(1);
      expect(fs.readFileSync(bundles[0], 'utf8')).toMatch(/^\/\* bundled with the options of a test \*\//);
      expect(fs.existsSync(`${bundles[0]}.map`)).toBe(true);
      expect(errorLines(() => buildNew({ bundling: { minify: false } }))).toContain(
        "  - bundling is 'set'; it must be left unset without entry (only an entry file is bundled).");
    });
  });

  describe('values known only at deploy time', () => {
    // Every prop the constructor validates, as a CfnParameter would give it. `code`/`entry` and
    // `deploymentAlarms` are constructs, which have no token form.
    it.each<[string, (t: DeployTimeValues) => Extra, string, unknown]>([
      ['memorySize', (t) => ({ memorySize: t.number }), 'AWS::Lambda::Function', { MemorySize: { Ref: 'DeployTimeNumber' } }],
      ['timeout', (t) => ({ timeout: t.duration }), 'AWS::Lambda::Function', { Timeout: { Ref: 'DeployTimeNumber' } }],
      ['reservedConcurrentExecutions', (t) => ({ reservedConcurrentExecutions: t.number }), 'AWS::Lambda::Function', { ReservedConcurrentExecutions: { Ref: 'DeployTimeNumber' } }],
      ['retryAttempts', (t) => ({ retryAttempts: t.number }), 'AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: { Ref: 'DeployTimeNumber' } }],
      ['maxEventAge', (t) => ({ maxEventAge: t.duration }), 'AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: { Ref: 'DeployTimeNumber' } }],
      ['aliasName', (t) => ({ aliasName: t.text }), 'AWS::Lambda::Alias', { Name: { Ref: 'DeployTimeText' } }],
      ['logRetention', (t) => ({ logRetention: t.number as logs.RetentionDays }), 'AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'DeployTimeNumber' } }],
      ['description', (t) => ({ description: t.text }), 'AWS::Lambda::Function', { Description: { Ref: 'DeployTimeText' } }],
      ['environment (a value)', (t) => ({ environment: { TABLE: t.text } }), 'AWS::Lambda::Function', { Environment: { Variables: { TABLE: { Ref: 'DeployTimeText' } } } }],
      // The descriptions name the parameter's value, not a token's encoding.
      ['durationP99Threshold, in milliseconds', (t) => ({ durationP99Threshold: Duration.millis(t.number) }), 'AWS::CloudWatch::Alarm',
        { MetricName: 'Duration', Threshold: { Ref: 'DeployTimeNumber' }, AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] } }],
      ['errorsThreshold', (t) => ({ errorsThreshold: t.number }), 'AWS::CloudWatch::Alarm',
        { MetricName: 'Errors', Threshold: { Ref: 'DeployTimeNumber' }, AlarmDescription: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'DeployTimeNumber' }])] } }],
    ])('accepts a token for %s', (_prop, extra, type, properties) => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      new HardenedFunction(stack, 'Worker', { code: CODE, ...extra(t) });
      Template.fromStack(stack).hasResourceProperties(type, properties);
    });

    test('a p99 duration threshold gives a function whose timeout is a token a duration alarm, which it otherwise lacks', () => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      const fn = new HardenedFunction(stack, 'Worker', { code: CODE, timeout: t.duration });
      const withThreshold = new HardenedFunction(stack, 'Watched', { code: CODE, timeout: t.duration, durationP99Threshold: Duration.seconds(5) });
      expect(fn.alarms.map((a) => a.node.id)).not.toContain('DurationAlarm');
      expect(withThreshold.alarms.map((a) => a.node.id)).toContain('DurationAlarm');
    });

    test('refuses a p99 duration threshold from a token in another unit than milliseconds, saying why', () => {
      const stack = newStack({ withEnv: true });
      const t = deployTimeValues(stack);
      expect(() => new HardenedFunction(stack, 'Worker', { code: CODE, durationP99Threshold: t.duration })).toThrow(
        "durationP99Threshold is 'a token in seconds'; it must be given as Duration.millis(...) when only known at deploy time: "
        + 'the alarm compares milliseconds, and CloudFormation cannot convert seconds.');
    });
  });

  describe('concurrency', () => {
    // The snapshots hold the reason's text; this says what it must tell a user.
    test('without a reservation, the packs\' LambdaConcurrency rule is acknowledged, pointing queue consumers at maxConcurrency', () => {
      const { fn } = build();
      const suppressions = (fn.lambdaFunction.node.defaultChild as CfnResource).getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      const concurrency = suppressions.filter((rule: { id: string }) => rule.id.endsWith('-LambdaConcurrency'));
      expect(concurrency.map((rule: { id: string }) => rule.id).sort()).toEqual(['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency']);
      for (const rule of concurrency) {
        expect(rule.reason).toMatch(/cap a queue consumer with the queue's maxConcurrency instead/);
      }
    });

    test('with a reservation, nothing about concurrency is acknowledged', () => {
      const { fn } = buildNew({ reservedConcurrentExecutions: 2 });
      const suppressions = (fn.lambdaFunction.node.defaultChild as CfnResource).getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      expect(suppressions.filter((rule: { id: string }) => rule.id.endsWith('-LambdaConcurrency'))).toEqual([]);
    });
  });

  describe('compliance', () => {
    test('defaults: no unacknowledged finding in any of the five cdk-nag packs', () => {
      const app = newApp();
      new HardenedFunction(new Stack(app, 'Defaults'), 'Worker', { code: CODE });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('DEV: no unacknowledged finding', () => {
      const app = newApp();
      new HardenedFunction(new Stack(app, 'Dev'), 'Worker', { code: CODE, stage: DeploymentStage.DEV });
      expect(runNagPacks(app)).toEqual(COMPLIANT);
    });

    test('fully configured, in a VPC with hooks: no unacknowledged finding', () => {
      expect(fullyConfiguredNag().v3).toEqual(COMPLIANT);
    });
  });

  describe('composition', () => {
    test('two functions in one stack synthesize, each with its own alias and deployment group', () => {
      const stack = newStack({ withEnv: true });
      new HardenedFunction(stack, 'One', { code: CODE });
      new HardenedFunction(stack, 'Two', { code: CODE, stage: DeploymentStage.DEV });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Alias', 2);
      template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 2);
    });
  });

  describe('template validity', () => {
    test("aws-cdk-lib's CloudFormation validation reports nothing under new-project flags", () => {
      const app = newApp();
      const stack = new Stack(app, 'Validated', { env: TEST_ENV });
      new HardenedFunction(stack, 'Worker', fullyConfigured(stack));
      expect(cloudFormationFindings(app)).toEqual([]);
    });
  });

  describe('across stacks', () => {
    // The network, a security group and a log key in a Data stack; the function in an App stack. Built once.
    let data: Template;
    let svc: Template;
    beforeAll(() => {
      const { dataStack, appStack } = clientAfterServer();
      const network = new MultiAzVpc(dataStack, 'Network');
      const securityGroup = new ec2.SecurityGroup(dataStack, 'Group', { vpc: network.vpc });
      const key = new kms.Key(dataStack, 'Key', { enableKeyRotation: true });
      new HardenedFunction(appStack, 'Fn', { code: CODE, vpc: network.vpc, logEncryptionKey: key, functionOptions: { securityGroups: [securityGroup] } });
      new HardenedFunction(appStack, 'OwnGroup', { code: CODE, vpc: network.vpc });
      data = Template.fromStack(dataStack);
      svc = Template.fromStack(appStack);
    });

    test("the functions run in Data's subnets, one with Data's security group and one with its own", () => {
      svc.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: { SecurityGroupIds: [{ 'Fn::GetStackOutput': Match.anyValue() }], SubnetIds: Match.arrayWith([{ 'Fn::GetStackOutput': Match.anyValue() }]) },
      });
      svc.resourceCountIs('AWS::EC2::SecurityGroup', 1);
      data.resourceCountIs('AWS::EC2::SecurityGroup', 1);
      svc.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetStackOutput': Match.anyValue() } });
    });

    test('the Data stack references nothing of the App stack', () => {
      expect(referencedStacks(data)).toEqual([]);
    });
  });
});
