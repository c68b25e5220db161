import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ownChecks } from '../../src/report/checks';
import { Template } from '../../src/report/model';
import { newApp, TEST_ENV } from '../support/app';

// Every check is proven on templates aws-cdk-lib synthesizes, failing and passing, so a change of
// what the L2s write cannot go unnoticed.

interface SynthOptions {
  /** Write `aws:cdk:path` metadata, as the CDK CLI does by default. */
  readonly pathMetadata?: boolean;
  /** Deploy to TEST_ENV (us-east-1) rather than env-agnostic: a global table's replicas need a region. */
  readonly withEnv?: boolean;
}

function synthesized(build: (stack: Stack) => void, options: SynthOptions = {}): Template {
  const app = newApp({ treeMetadata: true });
  app.node.setContext(cxapi.PATH_METADATA_ENABLE_CONTEXT, options.pathMetadata ?? true);
  build(new Stack(app, 'Example', options.withEnv ? { env: TEST_ENV } : {}));
  return app.synth().getStackByName('Example').template;
}

const findingsOf = (template: Template, check: string) => ownChecks(template).filter((f) => f.check === `BestPracticePatterns-${check}`);

const metric = () => new cloudwatch.Metric({ namespace: 'Example', metricName: 'Errors', period: Duration.minutes(1) });
const alarmOn = (stack: Stack, id: string) => new cloudwatch.Alarm(stack, id, { metric: metric(), threshold: 1, evaluationPeriods: 1 });
const notifyTopic = (stack: Stack) => new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Topic'));

describe('BestPracticePatterns-AlarmWithoutAction', () => {
  test('an alarm with no action fails, named by its construct path', () => {
    const findings = findingsOf(synthesized((stack) => alarmOn(stack, 'Errors')), 'AlarmWithoutAction');

    expect(findings).toEqual([{
      check: 'BestPracticePatterns-AlarmWithoutAction',
      logicalId: expect.stringMatching(/^Errors/),
      resource: 'Example/Errors/Resource',
      message: expect.stringContaining('AlarmActions'),
      fails: true,
    }]);
  });

  test('a composite alarm is checked too: without an action it fails, with one it passes', () => {
    const template = synthesized((stack) => {
      const errors = alarmOn(stack, 'Errors');
      errors.addAlarmAction(notifyTopic(stack));
      const rule = cloudwatch.AlarmRule.fromAlarm(errors, cloudwatch.AlarmState.ALARM);
      new cloudwatch.CompositeAlarm(stack, 'Silent', { alarmRule: rule });
      new cloudwatch.CompositeAlarm(stack, 'Heard', { alarmRule: rule }).addAlarmAction(new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Other')));
    });

    expect(findingsOf(template, 'AlarmWithoutAction').map((f) => f.resource)).toEqual(['Example/Silent/Resource']);
  });

  test('alarms a composite alarm reads pass without actions of their own: the composite acts', () => {
    const template = synthesized((stack) => {
      const errors = alarmOn(stack, 'Errors');
      const latency = alarmOn(stack, 'Latency');
      alarmOn(stack, 'Unread');
      const rule = cloudwatch.AlarmRule.anyOf(
        cloudwatch.AlarmRule.fromAlarm(errors, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(latency, cloudwatch.AlarmState.ALARM),
      );
      new cloudwatch.CompositeAlarm(stack, 'Either', { alarmRule: rule }).addAlarmAction(notifyTopic(stack));
    });
    expect(JSON.stringify(template)).toContain('Fn::Join');

    expect(findingsOf(template, 'AlarmWithoutAction').map((f) => f.resource)).toEqual(['Example/Unread/Resource']);
  });

  test('a composite rule in an Fn::Sub, by ARN or by Ref, or naming an alarm by its literal name, counts too', () => {
    const template = synthesized((stack) => {
      const byArn = alarmOn(stack, 'ByArn');
      const byRef = alarmOn(stack, 'ByRef');
      new cloudwatch.Alarm(stack, 'ByName', { metric: metric(), threshold: 1, evaluationPeriods: 1, alarmName: 'checkout-errors' });
      const id = (alarm: cloudwatch.Alarm) => stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm);
      new cloudwatch.CfnCompositeAlarm(stack, 'Composite', {
        alarmRule: Fn.sub(`ALARM(\${${id(byArn)}.Arn}) OR ALARM(\${${id(byRef)}}) OR ALARM("checkout-errors")`),
        alarmActions: [new sns.Topic(stack, 'Topic').topicArn],
      });
    });

    expect(findingsOf(template, 'AlarmWithoutAction')).toEqual([]);
  });

  test('alarms a CodeDeploy deployment group rolls back on pass without actions; others still fail', () => {
    const template = synthesized((stack) => {
      const fn = new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
      });
      new codedeploy.LambdaDeploymentGroup(stack, 'Deploy', {
        alias: new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion }),
        alarms: [alarmOn(stack, 'Errors'), alarmOn(stack, 'Throttles')],
      });
      alarmOn(stack, 'Unwatched');
    });

    expect(findingsOf(template, 'AlarmWithoutAction').map((f) => f.resource)).toEqual(['Example/Unwatched/Resource']);
  });

  test('an alarm in a deployment group whose alarm configuration is disabled still fails', () => {
    const template = synthesized((stack) => {
      const alarm = alarmOn(stack, 'Errors');
      new codedeploy.CfnDeploymentGroup(stack, 'Group', {
        applicationName: 'app',
        serviceRoleArn: 'arn:aws:iam::123456789012:role/deploy',
        alarmConfiguration: { enabled: false, alarms: [{ name: alarm.alarmName }] },
      });
    });

    expect(findingsOf(template, 'AlarmWithoutAction').map((f) => f.resource)).toEqual(['Example/Errors/Resource']);
  });

  test('an alarm whose actions are switched off fails, though it names a topic', () => {
    const template = synthesized((stack) => {
      const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: metric(), threshold: 1, evaluationPeriods: 1, actionsEnabled: false });
      alarm.addAlarmAction(notifyTopic(stack));
    });

    expect(findingsOf(template, 'AlarmWithoutAction').map((f) => f.resource)).toEqual(['Example/Errors/Resource']);
  });

  test('an alarm that notifies a topic passes', () => {
    const template = synthesized((stack) => alarmOn(stack, 'Errors').addAlarmAction(notifyTopic(stack)));

    expect(findingsOf(template, 'AlarmWithoutAction')).toEqual([]);
  });

  test('without path metadata, the resource is named by its logical id', () => {
    const template = synthesized((stack) => alarmOn(stack, 'Errors'), { pathMetadata: false });
    const [finding] = findingsOf(template, 'AlarmWithoutAction');

    expect(finding.resource).toBe(finding.logicalId);
    expect(Object.keys(template.Resources!)).toContain(finding.logicalId);
  });
});

describe('BestPracticePatterns-LogGroupRetention', () => {
  test('a log group kept forever is reported, without failing the report', () => {
    const template = synthesized((stack) => new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE }));

    expect(findingsOf(template, 'LogGroupRetention')).toEqual([expect.objectContaining({
      resource: 'Example/Logs/Resource', message: expect.stringContaining('RetentionInDays'), fails: false,
    })]);
  });

  test('a log group with a retention passes', () => {
    const template = synthesized((stack) => new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }));

    expect(findingsOf(template, 'LogGroupRetention')).toEqual([]);
  });
});

describe('global tables (TableV2)', () => {
  const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };
  const table = (props: Partial<dynamodb.TablePropsV2> = {}) => synthesized((stack) => new dynamodb.TableV2(stack, 'Table', { partitionKey, ...props }));
  const protectedTable = (stack: Stack) => new dynamodb.TableV2(stack, 'Table', {
    partitionKey,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'Key')),
  });

  test('TableV2 synthesizes a global table, which cdk-nag does not read', () => {
    expect(Object.values(table().Resources!).map((r) => r.Type)).toContain('AWS::DynamoDB::GlobalTable');
  });

  test('a table without point-in-time recovery fails', () => {
    expect(findingsOf(table(), 'DynamoDBGlobalTablePITR')).toEqual([expect.objectContaining({
      resource: 'Example/Table/Resource', message: expect.stringContaining('PointInTimeRecoveryEnabled'), fails: true,
    })]);
  });

  test('a table without deletion protection fails', () => {
    expect(findingsOf(table(), 'DynamoDBGlobalTableDeletionProtection')).toEqual([expect.objectContaining({
      resource: 'Example/Table/Resource', message: expect.stringContaining('DeletionProtectionEnabled'), fails: true,
    })]);
  });

  test("a table on DynamoDB's own keys is reported, without failing (its data is encrypted either way): the AWS owned key, and the AWS managed one", () => {
    expect(findingsOf(table(), 'DynamoDBGlobalTableCMK')).toEqual([expect.objectContaining({ fails: false, message: expect.stringMatching(/AWS owned key/) })]);
    expect(findingsOf(table({ encryption: dynamodb.TableEncryptionV2.awsManagedKey() }), 'DynamoDBGlobalTableCMK')[0].message).toMatch(/AWS managed key/);
  });

  test('of a table with replicas, only the replica that lacks a protection is named', () => {
    const template = synthesized((stack) => new dynamodb.TableV2(stack, 'Table', {
      partitionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      replicas: [{ region: 'eu-west-1', pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false } }],
    }), { withEnv: true });
    const [finding] = findingsOf(template, 'DynamoDBGlobalTablePITR');

    expect(finding.message).toMatch(/replicas in eu-west-1, point-in-time recovery is off/);
    expect(finding.message).not.toContain('us-east-1');
  });

  test('a table with every protection passes all three checks', () => {
    const findings = ownChecks(synthesized(protectedTable, { withEnv: true })).filter((f) => f.check.includes('GlobalTable'));

    expect(findings).toEqual([]);
  });
});

describe('BestPracticePatterns-ElastiCacheServerlessCMK', () => {
  test("a serverless cache on ElastiCache's default key fails", () => {
    const template = synthesized((stack) => new elasticache.CfnServerlessCache(stack, 'Cache', { engine: 'valkey', serverlessCacheName: 'example' }));

    expect(findingsOf(template, 'ElastiCacheServerlessCMK')).toEqual([expect.objectContaining({
      resource: 'Example/Cache', message: expect.stringContaining('KmsKeyId'), fails: true,
    })]);
  });

  test('a serverless cache with a customer managed key passes', () => {
    const template = synthesized((stack) => new elasticache.CfnServerlessCache(stack, 'Cache', {
      engine: 'valkey', serverlessCacheName: 'example', kmsKeyId: new kms.Key(stack, 'Key').keyId,
    }));

    expect(findingsOf(template, 'ElastiCacheServerlessCMK')).toEqual([]);
  });
});
