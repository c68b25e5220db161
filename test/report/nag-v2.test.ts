import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACK_REASON, fixtureApp, synthesize } from './fixture-app';
import { NagAcknowledgements, NagPack, NagPacks } from '../../src';
import { report } from '../../src/report/report';
import { newApp } from '../support/app';

// An app that installed cdk-nag 2.x: `require('cdk-nag')` in the library gets the 2.x release the
// tests carry under the alias cdk-nag-v2, loaded against the project's own aws-cdk-lib.
jest.mock('cdk-nag', () => jest.requireActual('cdk-nag-v2'));

describe('NagPacks.enable with cdk-nag 2.x', () => {
  const fixture = fixtureApp();
  NagAcknowledgements.add(fixture.queue, 'AwsSolutions-SQS3', ACK_REASON);
  NagPacks.enable(fixture.app);
  const result = report([synthesize(fixture.app)]);
  const stack = (stackPath: string) => result.stacks.find((s) => s.stack.path === stackPath)!;

  test("2.x's Aspects reach into the stage too: its stack is checked by the five packs", () => {
    expect(stack('Prod/Api').nag.packs).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless']);
    // The alarm without an action is what NIST and HIPAA say about it too (CloudWatchAlarmAction).
    expect(stack('Prod/Api').nag.findings.map((f) => f.ruleId)).toContain('NIST.800.53.R5-CloudWatchAlarmAction');
  });

  test("findings come from 2.x's JSON reports, for nested stacks in their parent", () => {
    expect(stack('Front').nag.findings.map((f) => `${f.ruleId} ${f.constructPath}`)).toContain('AwsSolutions-SQS4 Front/Jobs/Resource');
    expect(stack('Front').nag.findings.map((f) => f.ruleId)).not.toContain('AwsSolutions-SQS3');
    expect(stack('Data').nag.findings.map((f) => `${f.ruleId} ${f.constructPath}`)).toContain('AwsSolutions-SQS3 Data/Tables/Exports/Resource');
  });

  test("2.x's error annotations are its findings, not counted again", () => {
    expect(result.stacks.flatMap((s) => s.nag.errors)).toEqual([]);
  });

  test('a suppressed finding is reported as acknowledged, with its reason', () => {
    expect(stack('Front').nag.acknowledged).toContainEqual({ ruleId: 'AwsSolutions-SQS3', reason: ACK_REASON, constructPath: 'Front/Jobs/Resource' });
  });

  test('only the packs asked for run', () => {
    const app = newApp({ treeMetadata: true });
    new sqs.Queue(new Stack(app, 'Front'), 'Jobs');
    NagPacks.enable(app, { packs: [NagPack.SERVERLESS] });
    const [only] = report([synthesize(app)]).stacks;
    expect(only.nag.packs).toEqual(['Serverless']);
  });
});
