import { Duration, Lazy, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlbAutoScalingGroup, HardenedFunction, HttpApiLambda, MultiAzVpc, RestApiLambda, SnsFanOut } from '../../src';
import { createPatternAlarm, routeAlarm } from '../../src/core/alarms';
import { DeploymentStage, isProduction } from '../../src/core/deployment-stage';
import { acknowledgeNagFinding, nagResourceText } from '../../src/core/nag';
import { PropValidator } from '../../src/core/prop-validator';
import { newApp } from '../support/app';
import { KEY_GRANT_GUARD } from '../support/fixtures';

describe('DeploymentStage', () => {
  test('an absent stage is production', () => {
    expect(isProduction(undefined)).toBe(true);
    expect(isProduction(DeploymentStage.PROD)).toBe(true);
    expect(isProduction(DeploymentStage.DEV)).toBe(false);
  });

  test('an unknown stage is an error, never DEV', () => {
    expect(() => isProduction('production' as DeploymentStage)).toThrow('The stage is "production"; it must be one of: dev, prod.');
  });
});

describe('PropValidator', () => {
  test('percentage and wholeDays: one rule each for what the patterns wrote by hand', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.percentage('rate', 0);
    validator.percentage('rate', 100);
    validator.percentage('token', Lazy.number({ produce: () => 500 }), true);
    validator.percentage('over', 100.5);
    validator.percentage('zero', 0, true);
    validator.wholeDays('days', Duration.days(30), 1, 1000);
    validator.wholeDays('fraction', Duration.hours(36), 1);
    validator.wholeDays('long', Duration.days(1001), 1, 1000);
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 4 invalid props:\n" +
      '  - over is 100.5; it must be a percentage from 0 to 100.\n' +
      '  - zero is 0; it must be a percentage above 0 and at most 100.\n' +
      "  - fraction is '36 hours'; it must be a whole number of days, at least 1.\n" +
      "  - long is '1001 days'; it must be a whole number of days from 1 to 1000.",
    );
  });

  test('wholeMinutes: whole minutes within a range, said in the largest whole unit; a deploy-time duration is not checked', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.wholeMinutes('ok', Duration.hours(8), 60, 1440);
    validator.wholeMinutes('token', Duration.minutes(Lazy.number({ produce: () => 5 })), 60, 1440);
    validator.wholeMinutes('short', Duration.minutes(30), 60, 1440);
    validator.wholeMinutes('fraction', Duration.seconds(90), 1, 1440);
    validator.wholeMinutes('long', Duration.days(2), 61, 1440);
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 3 invalid props:\n" +
      "  - short is '30 minutes'; it must be a whole number of minutes from 1 hour to 1 day.\n" +
      "  - fraction is '90 seconds'; it must be a whole number of minutes from 1 minute to 1 day.\n" +
      "  - long is '2 days'; it must be a whole number of minutes from 61 minutes to 1 day.",
    );
  });

  test('secondsInRange says durations in the largest whole unit, and wants a deploy-time duration in seconds', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.secondsInRange('ok', Duration.minutes(2), 60, 3600);
    validator.secondsInRange('token', Duration.seconds(Lazy.number({ produce: () => 5 })), 60, 3600);
    validator.secondsInRange('long', Duration.hours(25), 60, Duration.days(1).toSeconds());
    validator.secondsInRange('fraction', Duration.millis(1500), 0, 90);
    validator.secondsInRange('minutes', Duration.minutes(Lazy.number({ produce: () => 5 })), 60, 3600);
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 3 invalid props:\n" +
      '  - long is 25 hours; it must be a whole number of seconds from 1 minute to 1 day.\n' +
      '  - fraction is 1.5 seconds; it must be a whole number of seconds from 0 seconds to 90 seconds.\n' +
      "  - minutes is 'a token in minutes'; it must be given as Duration.seconds(...) when only known at deploy time: "
      + 'the template holds seconds, and CloudFormation cannot convert minutes.',
    );
  });

  test('bytesBelow and millisBelow: an alarm threshold above 0 and below a capacity, said in whole units; a token in the metric\'s unit', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.bytesBelow('ok', Size.mebibytes(512), { bytes: 1024 ** 3, what: 'the memory' });
    validator.bytesBelow('unbounded', Size.tebibytes(5));
    validator.bytesBelow('token', Size.bytes(Lazy.number({ produce: () => 0 })), { bytes: 1, what: 'x' });
    validator.millisBelow('ok', Duration.millis(2500), { millis: 3000, what: 'the timeout' });
    validator.millisBelow('token', Duration.millis(Lazy.number({ produce: () => 0 })));
    expect(() => validator.throwIfInvalid()).not.toThrow();
    validator.bytesBelow('memory', Size.gibibytes(1), { bytes: 1024 ** 3, what: 'the 1 GiB of memory' });
    validator.bytesBelow('zero', Size.bytes(0));
    validator.bytesBelow('odd', Size.bytes(1500), { bytes: 1000, what: '1000 bytes' });
    validator.bytesBelow('mebibytes', Size.mebibytes(Lazy.number({ produce: () => 5 })));
    validator.millisBelow('duration', Duration.seconds(3), { millis: 3000, what: 'the timeout (3 seconds)' });
    validator.millisBelow('zero', Duration.millis(0));
    validator.millisBelow('seconds', Duration.seconds(Lazy.number({ produce: () => 5 })));
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 7 invalid props:\n" +
      '  - memory is 1 GiB; it must be above 0 and below the 1 GiB of memory.\n' +
      '  - zero is 0 bytes; it must be above 0.\n' +
      '  - odd is 1500 bytes; it must be above 0 and below 1000 bytes.\n' +
      "  - mebibytes is 'a token in mebibytes'; it must be given as Size.bytes(...) when only known at deploy time: "
      + 'the alarm compares bytes, and CloudFormation cannot convert mebibytes.\n' +
      '  - duration is 3 seconds; it must be above 0 and below the timeout (3 seconds).\n' +
      '  - zero is 0 seconds; it must be above 0.\n' +
      "  - seconds is 'a token in seconds'; it must be given as Duration.millis(...) when only known at deploy time: "
      + 'the alarm compares milliseconds, and CloudFormation cannot convert seconds.',
    );
  });

  test('exactlyOne names the alternatives and which of them were given', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.exactlyOne({ a: 1, b: undefined });
    expect(() => validator.throwIfInvalid()).not.toThrow();
    validator.exactlyOne({ a: undefined, b: undefined }, 'the source');
    validator.exactlyOne({ a: 1, b: 2, c: 3 });
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 2 invalid props:\n" +
      '  - exactly one of a and b must be given (the source); none was given.\n' +
      '  - exactly one of a, b and c must be given; a, b and c were all given.',
    );
  });

  test('oneOf: a value from untyped configuration that is none of the enum\'s values, string or numeric; tokens pass', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.oneOf('stage', 'prod', DeploymentStage, 'DeploymentStage');
    validator.oneOf('retention', logs.RetentionDays.ONE_WEEK, logs.RetentionDays, 'logs.RetentionDays');
    validator.oneOf('stage', Lazy.string({ produce: () => 'anything' }), DeploymentStage, 'DeploymentStage');
    validator.oneOf('stage', undefined, DeploymentStage, 'DeploymentStage');
    expect(() => validator.throwIfInvalid()).not.toThrow();
    validator.oneOf('stage', 'production', DeploymentStage, 'DeploymentStage');
    // A numeric enum's names are keys of its object too: 'ONE_WEEK' is no value.
    validator.oneOf('retention', 'ONE_WEEK', logs.RetentionDays, 'logs.RetentionDays');
    expect(() => validator.throwIfInvalid()).toThrow(/- stage is 'production'; it must be one of DeploymentStage's values: 'dev', 'prod'\.\n {2}- retention is 'ONE_WEEK'; it must be one of logs\.RetentionDays's values: 1, 3, 5, 7, /);
  });

  test('collects every error into one message naming prop, value and range', () => {
    const validator = new PropValidator("Thing 'A'");
    validator.integerInRange('size', 0, 1, 10);
    validator.integerInRange('count', 2.5, 1, 10);
    validator.check(false, 'name', 'x', 'at least 2 characters');
    expect(() => validator.throwIfInvalid()).toThrow(
      "Thing 'A' has 3 invalid props:\n" +
      '  - size is 0; it must be a whole number from 1 to 10.\n' +
      '  - count is 2.5; it must be a whole number from 1 to 10.\n' +
      "  - name is 'x'; it must be at least 2 characters.",
    );
  });

  test('checks limits with only a lower bound', () => {
    const validator = new PropValidator('Thing');
    validator.integerAtLeast('quota', 0, 1);
    validator.integerAtLeast('quota', 1, 1);
    validator.integerAtLeast('quota', Lazy.number({ produce: () => 0 }), 1);
    expect(() => validator.throwIfInvalid()).toThrow(/^Thing has 1 invalid prop:\n {2}- quota is 0; it must be a whole number of at least 1\.$/);
  });

  test('passes valid values and skips unresolved tokens', () => {
    const validator = new PropValidator('Thing');
    validator.integerInRange('size', 1, 1, 10);
    validator.integerInRange('size', 10, 1, 10);
    validator.integerInRange('size', undefined, 1, 10);
    validator.integerInRange('size', Lazy.number({ produce: () => 99 }), 1, 10);
    expect(() => validator.throwIfInvalid()).not.toThrow();
  });
});

describe('acknowledgeNagFinding', () => {
  test('rejects an id that is not a rule id, and a reason that explains nothing', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => acknowledgeNagFinding(stack, 'SQS2', 'The queue is encrypted by its producer already.')).toThrow(/not a cdk-nag rule id/);
    expect(() => acknowledgeNagFinding(stack, 'AwsSolutions-SQS2', 'ok')).toThrow(/needs a reason/);
  });

  test('accepts a finding id with its detail', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => acknowledgeNagFinding(stack, 'AwsSolutions-IAM5[Action::s3:*]', 'A reason that a reviewer can check here.')).not.toThrow();
  });
});

// Acknowledging a granular IAM5 finding needs its id exactly as cdk-nag writes it.
describe('nagResourceText', () => {
  test('renders references, attributes, joins and substitutions as cdk-nag names them in a finding id', () => {
    const stack = new Stack(newApp(), 'S');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    expect(nagResourceText(stack, bucket.arnForObjects('*'))).toBe(`<${bucketId}.Arn>/*`);
    expect(nagResourceText(stack, `arn:${stack.partition}:s3:::${stack.resolve('plain')}-${stack.account}/*`)).toBe('arn:<AWS::Partition>:s3:::plain-<AWS::AccountId>/*');
    expect(nagResourceText(stack, Lazy.string({ produce: () => ({ 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' }) as any }))).toBe('cdk-assets-<AWS::AccountId>-<AWS::Region>');
    expect(nagResourceText(stack, 'arn:aws:s3:::literal/*')).toBe('arn:aws:s3:::literal/*');
  });
});

describe('routeAlarm', () => {
  test('sends alarm and OK notifications to the topic', () => {
    const stack = new Stack(newApp(), 'S');
    const topic = new sns.Topic(stack, 'Topic');
    const alarm = new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }).createAlarm(stack, 'Alarm', { threshold: 1, evaluationPeriods: 1 });
    routeAlarm(alarm, topic);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
      OKActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }],
    });
  });
});

describe('createPatternAlarm', () => {
  test('fires on the first period past the threshold and treats missing data as fine', () => {
    const stack = new Stack(newApp(), 'S');
    const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M' });
    createPatternAlarm(stack, 'Above', { metric, threshold: 0, description: 'Something failed.' }, undefined);
    createPatternAlarm(stack, 'AtLeast', { metric, threshold: 1, orEqual: true, description: 'Something waits.' }, undefined);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmDescription: 'Something failed.',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  test("cuts a description longer than CloudWatch's 1,024 characters short, as a deep construct path can make it", () => {
    const stack = new Stack(newApp(), 'S');
    const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M' });
    createPatternAlarm(stack, 'Long', { metric, threshold: 0, description: `The queue ${'Deep/'.repeat(300)}Queue has dead letters` }, undefined);
    createPatternAlarm(stack, 'Limit', { metric, threshold: 0, description: 'x'.repeat(1024) }, undefined);
    const descriptions = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmDescription);
    expect(descriptions.map((d: string) => d.length)).toEqual([1024, 1024]);
    expect(descriptions[0]).toMatch(/^The queue Deep\/Deep\/.*…$/);
    expect(descriptions[1]).toEqual('x'.repeat(1024));
  });
});

describe('keys the library creates', () => {
  test('every one, in every pattern, rotates and lets no one create a grant unless it is for an AWS resource or by an AWS service', () => {
    const stack = new Stack(newApp(), 'Keys', { env: { account: '123456789012', region: 'us-east-1' } });
    const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
    // PROD: the VPC's flow-log key, the API's log key (its WAF logs use it), the ALB's WAF log key,
    // the topic key, the stack's HardenedFunction log key and the stack's alarm topic key.
    const vpc = new MultiAzVpc(stack, 'Network').vpc;
    new AlbAutoScalingGroup(stack, 'Web', { vpc, allowInsecureHttp: true });
    new RestApiLambda(stack, 'Rest', { code });
    new HttpApiLambda(stack, 'Http', { code });
    new SnsFanOut(stack, 'Events', { subscribers: [{ name: 'billing' }] });
    new HardenedFunction(stack, 'Worker', { code });
    const keys = Object.entries(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(7);
    expect(keys.map(([id]) => id)).toContainEqual(expect.stringMatching(/^PatternOperationsAlarmTopicKey/));
    for (const [id, key] of keys) {
      expect([id, key.Properties.EnableKeyRotation]).toEqual([id, true]);
      expect([id, key.Properties.KeyPolicy.Statement]).toEqual([id, expect.arrayContaining([KEY_GRANT_GUARD])]);
    }
  });
});
