import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as copyA from '../../src';
import { newApp } from '../support/app';

type Library = typeof copyA;

const SRC = path.join(__dirname, '..', '..', 'src');

/** Every module outside the library that src/ names, by import or by require: aws-cdk-lib, constructs, cdk-nag... */
function dependenciesOfSrc(): string[] {
  const specifiers = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(file);
      } else if (entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(file, 'utf8');
        for (const match of source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^.'][^']*)';|\brequire\('([^.'][^']*)'\)/gm)) {
          specifiers.add(match[1] ?? match[2]);
        }
      }
    }
  };
  visit(SRC);
  return [...specifiers].filter((s) => !builtinModules.includes(s) && !s.startsWith('node:') && s !== 'cdk-best-practice-patterns');
}

/**
 * A second copy of the library, as when an app and a construct library it uses each bring their own
 * in one node_modules: a second instance of every module of src/, hence of any state they keep, over
 * the same aws-cdk-lib and constructs (peer dependencies, so one copy each).
 */
function secondCopy(): Library {
  const shared = dependenciesOfSrc().map((specifier) => [specifier, jest.requireActual(specifier)] as const);
  let copy: Library | undefined;
  jest.isolateModules(() => {
    for (const [specifier, module] of shared) {
      jest.doMock(specifier, () => module);
    }
    copy = jest.requireActual('../../src');
  });
  for (const [specifier] of shared) {
    jest.dontMock(specifier);
  }
  return copy!;
}

const copyB = secondCopy();

/** Whether a template keeps anything on deletion: the mark of PROD. */
function retainsAnything(stack: Stack): boolean {
  return Object.values(Template.fromStack(stack).toJSON().Resources).some((r: any) => r.DeletionPolicy === 'Retain');
}

describe('two copies of the library in one app', () => {
  test('are two copies over one aws-cdk-lib: each has its own classes, hence its own module state', () => {
    expect(copyB.PatternDefaults).not.toBe(copyA.PatternDefaults);
    expect(copyB.QueueWithDeadLetterQueue).not.toBe(copyA.QueueWithDeadLetterQueue);
    const fromB = new copyB.QueueWithDeadLetterQueue(new Stack(newApp(), 'S'), 'Jobs');
    expect(fromB).not.toBeInstanceOf(copyA.QueueWithDeadLetterQueue);
    expect(fromB).toBeInstanceOf(Construct);
    expect(fromB.queue).toBeInstanceOf(sqs.Queue);
  });

  test.each([
    ['copy A', 'copy B', copyA, copyB],
    ['copy B', 'copy A', copyB, copyA],
  ])('PatternDefaults.set through %s reaches the patterns of %s: stage and alarm topic', (_setter, _reader, setter, reader) => {
    const app = newApp();
    const topic = sns.Topic.fromTopicArn(new Stack(app, 'Shared'), 'Topic', 'arn:aws:sns:us-east-1:123456789012:app-alarms');
    setter.PatternDefaults.set(app, { stage: setter.DeploymentStage.DEV, alarmTopic: topic });
    const stack = new Stack(app, 'S');
    new reader.QueueWithDeadLetterQueue(stack, 'Jobs');

    expect(reader.PatternDefaults.stageOf(stack)).toBe('dev');
    expect(reader.PatternDefaults.alarmTopicOf(stack)).toBe(topic);
    expect(retainsAnything(stack)).toBe(false);
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:us-east-1:123456789012:app-alarms'] });
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('a stack nearer than the app wins whichever copy set each', () => {
    const app = newApp();
    copyA.PatternDefaults.set(app, { stage: copyA.DeploymentStage.DEV });
    const prod = new Stack(app, 'Prod');
    copyB.PatternDefaults.set(prod, { stage: copyB.DeploymentStage.PROD });
    new copyA.QueueWithDeadLetterQueue(prod, 'Jobs');
    expect(retainsAnything(prod)).toBe(true);
  });

  test.each([
    ['copy A', 'copy B', copyA, copyB],
    ['copy B', 'copy A', copyB, copyA],
  ])('PatternDefaults.set through %s after a pattern of %s was created below is still refused', (_setter, _creator, setter, creator) => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    new creator.QueueWithDeadLetterQueue(stack, 'Jobs');
    expect(() => setter.PatternDefaults.set(app, { stage: setter.DeploymentStage.DEV })).toThrow(
      "PatternDefaults.set(the app) comes after the pattern 'S/Jobs' was created below it, which therefore never sees these defaults; " +
      'call PatternDefaults.set before creating the patterns.');
  });

  test("the patterns of both copies share their stack's alarm topic and dashboard", () => {
    const app = newApp();
    copyB.PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
    const stack = new Stack(app, 'S');
    new copyA.QueueWithDeadLetterQueue(stack, 'FromA');
    new copyB.QueueWithDeadLetterQueue(stack, 'FromB');

    expect(copyB.PatternDefaults.alarmTopicOf(stack)).toBe(copyA.PatternDefaults.alarmTopicOf(stack));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^PatternOperationsAlarmTopic') }] });
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(JSON.stringify(dashboards[0].Properties.DashboardBody).match(/### [A-Za-z]+ `[^`]+`/g))
      .toEqual(['### QueueWithDeadLetterQueue `S/FromA`', '### QueueWithDeadLetterQueue `S/FromB`']);
  });

  test("an API of one copy knows the other copy's HardenedFunction for what it is, and adds no second set of function alarms", () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
    const fn = new copyB.HardenedFunction(stack, 'Handler', { code });
    expect(fn instanceof copyA.HardenedFunction).toBe(false);
    expect(copyA.HardenedFunction.isHardenedFunction(fn)).toBe(true);
    const api = new copyA.RestApiLambda(stack, 'Api', { handlerFunction: fn });
    expect(api.alarms.map((alarm) => alarm.node.id).filter((id) => id.startsWith('Function'))).toEqual([]);
  });

  test('an alarm e-mail is checked against the patterns of both copies: one on its own topic is a warning, not an error', () => {
    const app = newApp();
    copyA.PatternDefaults.set(app, { alarmEmail: 'ops@example.com' });
    const stack = new Stack(app, 'S');
    new copyB.QueueWithDeadLetterQueue(stack, 'Own', { alarmTopic: sns.Topic.fromTopicArn(stack, 'OwnTopic', 'arn:aws:sns:us-east-1:123456789012:own') });
    new copyA.QueueWithDeadLetterQueue(stack, 'OnStackTopic');

    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('alarmEmailMissesPattern')).map((w) => w.id)).toEqual(['/S/Own']);
  });

  test("a dashboard turned off through one copy is off for the other copy's patterns", () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    copyA.PatternDefaults.set(stack, { dashboard: false });
    new copyB.QueueWithDeadLetterQueue(stack, 'Jobs');
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});
