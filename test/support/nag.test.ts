import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { newApp } from './app';
import { knownBadStack } from './fixtures';
import { COMPLIANT, runNagPacks, runNagPacksOfBothMajors } from './nag';
import { acknowledgeNagFinding } from '../../src/core/nag';

// The compliance helper is what every pattern's zero-findings claim rests on, so it must be seen
// to catch a known-bad resource.
describe('runNagPacks', () => {
  test('reports known-bad resources in each of the five packs', () => {
    const app = newApp();
    knownBadStack(app);

    const outcome = runNagPacks(app);

    const findings = Object.fromEntries(outcome.map((o) => [o.pack, o.findings]));
    expect(findings.AwsSolutions).toEqual(expect.arrayContaining([
      'AwsSolutions-SQS2 at Bad/Queue/Resource',
      'AwsSolutions-SQS3 at Bad/Queue/Resource',
      'AwsSolutions-SQS4 at Bad/Queue/Resource',
    ]));
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      expect(findings[pack]).toContain(`${pack}-CloudWatchLogGroupRetentionPeriod at Bad/Logs`);
    }
    expect(findings.Serverless).toContain('Serverless-LambdaDLQ at Bad/Function');
    // Every pack failed on findings, none without them.
    expect(outcome.map((o) => o.pluginFailed)).toEqual([false, false, false, false, false]);
    expect(outcome).not.toEqual(COMPLIANT);
  });

  test('an acknowledgement removes exactly the acknowledged finding', () => {
    const app = newApp();
    const stack = new Stack(app, 'Acked');
    const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    acknowledgeNagFinding(queue, 'AwsSolutions-SQS2', 'This queue exists only to prove the acknowledgement mechanism in a test.');

    const aws = runNagPacks(app).find((o) => o.pack === 'AwsSolutions')!;

    expect(aws.findings).not.toContain('AwsSolutions-SQS2 at Acked/Queue/Resource');
    expect(aws.findings).toContain('AwsSolutions-SQS3 at Acked/Queue/Resource');
  });

  test('an empty app is compliant', () => {
    const app = newApp();
    new Stack(app, 'Empty');
    expect(runNagPacks(app)).toEqual(COMPLIANT);
  });
});

// The tests that check both majors on one app rest on this helper: in its one synth, each major
// must still see what it sees alone.
describe('runNagPacksOfBothMajors', () => {
  test('reports known-bad resources in each of the five packs of both majors, in one synth', () => {
    const app = newApp();
    knownBadStack(app);

    const { v3, v2 } = runNagPacksOfBothMajors(app);

    const findings = Object.fromEntries(v3.map((o) => [o.pack, o.findings]));
    expect(findings.AwsSolutions).toContain('AwsSolutions-SQS2 at Bad/Queue/Resource');
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      expect(findings[pack]).toContain(`${pack}-CloudWatchLogGroupRetentionPeriod at Bad/Logs`);
    }
    expect(findings.Serverless).toContain('Serverless-LambdaDLQ at Bad/Function');
    expect(v3.map((o) => o.pluginFailed)).toEqual([false, false, false, false, false]);
    expect(v2).toEqual(expect.arrayContaining([
      'AwsSolutions-SQS2 at Bad/Queue/Resource',
      'Serverless-LambdaDLQ at Bad/Function',
      'NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
      'HIPAA.Security-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
      'PCI.DSS.321-CloudWatchLogGroupRetentionPeriod at Bad/Logs',
    ]));
  });

  test('an acknowledgement removes its finding from both majors, and only it', () => {
    const app = newApp();
    const stack = new Stack(app, 'Acked');
    const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    acknowledgeNagFinding(queue, 'AwsSolutions-SQS2', 'This queue exists only to prove the acknowledgement mechanism in a test.');

    const { v3, v2 } = runNagPacksOfBothMajors(app);

    const aws = v3.find((o) => o.pack === 'AwsSolutions')!;
    expect(aws.findings).not.toContain('AwsSolutions-SQS2 at Acked/Queue/Resource');
    expect(aws.findings).toContain('AwsSolutions-SQS3 at Acked/Queue/Resource');
    expect(v2).not.toContain('AwsSolutions-SQS2 at Acked/Queue/Resource');
    expect(v2).toContain('AwsSolutions-SQS3 at Acked/Queue/Resource');
  });

  test('an empty app is compliant under both', () => {
    const app = newApp();
    new Stack(app, 'Empty');
    expect(runNagPacksOfBothMajors(app)).toEqual({ v3: COMPLIANT, v2: [] });
  });
});
