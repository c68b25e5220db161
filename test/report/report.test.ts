import * as fs from 'fs';
import * as path from 'path';
import { Annotations, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACK_REASON, fixtureApp, synthesize } from './fixture-app';
import { NagAcknowledgements, NagPack, NagPacks } from '../../src';
import { requireSameAwsCdkLib } from '../../src/core/nag-packs';
import { readAssembly, templatesOf } from '../../src/report/assembly';
import { main } from '../../src/report/cli';
import { csvLines, nagResults } from '../../src/report/findings';
import { markdown, report, StackReport } from '../../src/report/report';
import { newApp } from '../support/app';

// The report reads only the cloud assembly: these tests synthesize small apps of plain L2s (no
// pattern of the library) the way users split theirs, and read back what the report says.

/** The fixture with the five packs of cdk-nag 3.x, the queue's missing-DLQ finding acknowledged. */
function checkedFixture() {
  const fixture = fixtureApp();
  NagAcknowledgements.add(fixture.queue, 'AwsSolutions-SQS3', ACK_REASON);
  NagPacks.enable(fixture.app);
  return { ...fixture, outdir: synthesize(fixture.app) };
}

const byPath = (stacks: StackReport[], stackPath: string) => stacks.find((s) => s.stack.path === stackPath)!;

describe('the assembly', () => {
  const { outdir } = checkedFixture();
  const assembly = readAssembly(outdir);

  test('every stack, at the top and in a stage, named by its construct path, with its region when it has one', () => {
    expect(assembly.stacks.map((s) => [s.path, s.region])).toEqual([['Front', 'eu-west-1'], ['Data', undefined], ['Prod/Api', undefined]]);
  });

  test("a nested stack's template is read from the parent's assets, under the nested stack's path", () => {
    const data = assembly.stacks.find((s) => s.path === 'Data')!;
    expect(data.nestedStacks.map((n) => n.path)).toEqual(['Data/Tables']);
    expect(templatesOf(data).flatMap(({ template }) => Object.values(template.Resources ?? {}).map((r) => r.Type)))
      .toContain('AWS::DynamoDB::GlobalTable');
  });

  test('a directory without an assembly is an error that says to synthesize first, not an empty report', () => {
    expect(() => readAssembly(path.join(outdir, 'nothing-here'))).toThrow(/holds no cloud assembly .*run `cdk synth` first/);
  });
});

describe('cdk-nag 3.x results', () => {
  const { outdir } = checkedFixture();
  const result = report([outdir]);

  test('each finding is counted in the stack that holds it: nested stacks in their parent, stages in theirs', () => {
    const rules = (stackPath: string) => byPath(result.stacks, stackPath).nag.findings.map((f) => `${f.ruleId} ${f.constructPath}`);
    expect(rules('Front')).toContain('AwsSolutions-SQS4 Front/Jobs/Resource');
    expect(rules('Front')).not.toContain('AwsSolutions-SQS3 Front/Jobs/Resource');
    // The nested stack's queue: its findings are its parent's. (The TableV2 beside it is an
    // AWS::DynamoDB::GlobalTable, for which cdk-nag has no rule: no finding of it, in any pack.)
    expect(rules('Data')).toContain('AwsSolutions-SQS3 Data/Tables/Exports/Resource');
    expect(rules('Data').filter((r) => r.includes('/Notes/'))).toEqual([]);
    // NIST and HIPAA have a rule for an alarm without an action; AwsSolutions has none.
    expect(rules('Prod/Api')).toEqual(['NIST.800.53.R5-CloudWatchAlarmAction Prod/Api/Errors/Resource', 'HIPAA.Security-CloudWatchAlarmAction Prod/Api/Errors/Resource']);
  });

  test('the packs that ran are known even where they found nothing', () => {
    for (const stack of result.stacks) {
      expect(stack.nag.packs).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless']);
    }
  });

  test('an acknowledgement is reported with its reason', () => {
    expect(byPath(result.stacks, 'Front').nag.acknowledged).toContainEqual({ ruleId: 'AwsSolutions-SQS3', reason: ACK_REASON, constructPath: 'Front/Jobs' });
  });

  test("the report's own checks find what cdk-nag cannot: a global table without PITR, an alarm that notifies nobody", () => {
    expect(byPath(result.stacks, 'Data').checks.map((c) => c.check)).toEqual(expect.arrayContaining([
      'BestPracticePatterns-DynamoDBGlobalTablePITR',
      'BestPracticePatterns-DynamoDBGlobalTableDeletionProtection',
    ]));
    expect(byPath(result.stacks, 'Prod/Api').checks.map((c) => `${c.check} ${c.resource}`))
      .toContain('BestPracticePatterns-AlarmWithoutAction Prod/Api/Errors/Resource');
  });

  test('one line per stack, with findings per pack, acknowledged, alarms without an action and the cost', () => {
    expect(result.lines).toHaveLength(3);
    const front = result.lines.find((l) => l.includes(' Front:'))!;
    expect(front).toBe(`${outdir} Front: 1 resource; unacknowledged findings: AwsSolutions 1, Serverless 1, NIST.800.53.R5 0, HIPAA.Security 0, PCI.DSS.321 0; `
      + '1 acknowledged; 0 alarms without an action; 0 log groups without retention; est. fixed cost $0.00/month (us-east-1 prices)');
    expect(result.lines.find((l) => l.includes('Prod/Api'))).toMatch(/; 1 alarm without an action; .*est\. fixed cost \$0\.10\/month \(us-east-1 prices\)$/);
  });

  test('the Markdown has the summary, each stack with its diagram, findings, checks, resources, cost and acknowledgements', () => {
    const text = markdown(result, { date: '2026-12-06' });
    expect(text).toContain('| Front | eu-west-1 | 1 | 2 | 1 | 0 | $0.00* |');
    expect(text).toContain('## Data\n');
    expect(text).toContain('## Prod/Api\n');
    expect(text.match(/```mermaid\n/g)).toHaveLength(3);
    expect(text).toContain('| `AwsSolutions-SQS4` | `Front/Jobs/Resource` |');
    expect(text).toContain('`BestPracticePatterns-DynamoDBGlobalTablePITR`');
    expect(text).toContain('| AWS::SQS::Queue | 1 |');
    expect(text).toMatch(/Usage-priced, not counted: [^\n]*SQS/);
    expect(text).toContain(`| \`AwsSolutions-SQS3\` | ${ACK_REASON} | 1 |`);
  });

  test('--diagram-only: the diagrams and nothing else', () => {
    const text = markdown(result, { diagramOnly: true, date: '2026-12-06' });
    expect(text.match(/```mermaid\n/g)).toHaveLength(3);
    expect(text).not.toContain('Estimated fixed monthly cost');
    expect(text).not.toContain('AwsSolutions-SQS4');
  });
});

describe("the report's own checks can be acknowledged like a finding", () => {
  test('NagAcknowledgements.add on the table moves its finding to the acknowledged ones, with the reason', () => {
    const fixture = fixtureApp();
    NagAcknowledgements.add(fixture.table, 'BestPracticePatterns-DynamoDBGlobalTablePITR', ACK_REASON);
    NagPacks.enable(fixture.app);
    const result = report([synthesize(fixture.app)]);
    const data = byPath(result.stacks, 'Data');
    expect(data.checks.map((c) => c.check)).not.toContain('BestPracticePatterns-DynamoDBGlobalTablePITR');
    expect(data.acknowledgedChecks.map((a) => [a.ruleId, a.reason])).toEqual([['BestPracticePatterns-DynamoDBGlobalTablePITR', ACK_REASON]]);
    // Counted once: not among cdk-nag's acknowledged findings as well.
    expect(data.nag.acknowledged.map((a) => a.ruleId)).not.toContain('BestPracticePatterns-DynamoDBGlobalTablePITR');
    const text = markdown(result);
    expect(text).toMatch(/\| Data \| any \(env-agnostic\) \| \d+ \| \d+ \| 1 \|/);
    expect(text).toContain(`| \`BestPracticePatterns-DynamoDBGlobalTablePITR\` | ${ACK_REASON} | 1 |`);
  });
});

describe('an app without cdk-nag', () => {
  test('the report says no pack ran, rather than 0 findings', () => {
    const fixture = fixtureApp();
    const result = report([synthesize(fixture.app)]);
    expect(result.stacks.every((s) => s.nag.packs.length === 0)).toBe(true);
    expect(result.lines[0]).toContain('; no cdk-nag pack ran;');
    expect(markdown(result)).toContain('- cdk-nag: no pack ran on this stack. `NagPacks.enable(app)` turns on the five packs');
  });
});

describe('cdk-nag 2.x reports in CSV, its default', () => {
  test('quoted cells, doubled quotes and commas inside a reason', () => {
    const csv = 'Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n'
      + '"AwsSolutions-SQS3","Front/Jobs/Resource","Suppressed","A DLQ, ""by design""","Error","The SQS queue has no DLQ."\n'
      + '"AwsSolutions-SQS4","Front/Jobs/Resource","Non-Compliant","N/A","Error","No SSL."\n';
    expect(csvLines(csv)).toEqual([
      { ruleId: 'AwsSolutions-SQS3', resourceId: 'Front/Jobs/Resource', compliance: 'Suppressed', exceptionReason: 'A DLQ, "by design"', ruleLevel: 'Error', ruleInfo: 'The SQS queue has no DLQ.' },
      { ruleId: 'AwsSolutions-SQS4', resourceId: 'Front/Jobs/Resource', compliance: 'Non-Compliant', exceptionReason: 'N/A', ruleLevel: 'Error', ruleInfo: 'No SSL.' },
    ]);
  });

  test('a CSV report beside the templates is read for its stack', () => {
    const app = newApp({ treeMetadata: true });
    new sqs.Queue(new Stack(app, 'Front'), 'Jobs');
    const outdir = synthesize(app);
    fs.writeFileSync(path.join(outdir, 'AwsSolutions--Front-NagReport.csv'), 'Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n'
      + '"AwsSolutions-SQS4","Front/Jobs/Resource","Non-Compliant","N/A","Error","No SSL."\n');
    const [results] = nagResults(readAssembly(outdir)).byStack.values();
    expect(results.findings).toEqual([{ pack: 'AwsSolutions', ruleId: 'AwsSolutions-SQS4', constructPath: 'Front/Jobs/Resource', description: 'No SSL.' }]);
  });
});

describe('NagPacks.enable', () => {
  test('only the packs asked for run', () => {
    const app = newApp({ treeMetadata: true });
    new sqs.Queue(new Stack(app, 'Front'), 'Jobs');
    NagPacks.enable(app, { packs: [NagPack.AWS_SOLUTIONS] });
    const [stack] = report([synthesize(app)]).stacks;
    expect(stack.nag.packs).toEqual(['AwsSolutions']);
    expect(new Set(stack.nag.findings.map((f) => f.pack))).toEqual(new Set(['AwsSolutions']));
  });

  test('a pack name from untyped configuration that is not a pack is an error naming the packs', () => {
    expect(() => NagPacks.enable(newApp(), { packs: ['AwsSolution' as NagPack] }))
      .toThrow("NagPacks.enable(props.packs): unknown pack(s) 'AwsSolution'; the packs are AwsSolutions, Serverless, NIST.800.53.R5, HIPAA.Security, PCI.DSS.321.");
    expect(() => NagPacks.enable(newApp(), { packs: [] })).toThrow(/no pack given; the packs are/);
  });

  test('a stack is not a scope: packs apply to the app or a stage', () => {
    const app = newApp({ treeMetadata: true });
    expect(() => NagPacks.enable(new Stack(app, 'Front') as unknown as Stage)).toThrow(/scope must be the App or a Stage, and Front is not/);
  });

  test('a second call is refused (it would report every finding twice), and a pack listed twice runs once', () => {
    const app = newApp({ treeMetadata: true });
    new sqs.Queue(new Stack(app, 'Front'), 'Jobs');
    NagPacks.enable(app, { packs: [NagPack.AWS_SOLUTIONS, NagPack.AWS_SOLUTIONS] });
    expect(() => NagPacks.enable(app)).toThrow(/the packs are already on for this app .*: call it once/);
    const [stack] = report([synthesize(app)]).stacks;
    const rules = stack.nag.findings.map((f) => f.ruleId);
    expect(rules).toEqual([...new Set(rules)]);
  });

  test('cdk-nag with an aws-cdk-lib of its own is refused, naming both copies', () => {
    expect(() => requireSameAwsCdkLib('/app/node_modules/cdk-nag/node_modules/aws-cdk-lib/index.js', '/app/node_modules/aws-cdk-lib/index.js'))
      .toThrow('NagPacks.enable: cdk-nag loads aws-cdk-lib from /app/node_modules/cdk-nag/node_modules/aws-cdk-lib/index.js, and the app uses '
        + "/app/node_modules/aws-cdk-lib/index.js: cdk-nag would not recognize the app's resources.");
    expect(() => requireSameAwsCdkLib('/app/node_modules/aws-cdk-lib/index.js', '/app/node_modules/aws-cdk-lib/index.js')).not.toThrow();
  });

  test('a stage defined after the call fails the synth instead of going unchecked', () => {
    const app = newApp({ treeMetadata: true });
    NagPacks.enable(app);
    new Stack(new Stage(app, 'Late'), 'Api');
    expect(() => app.synth()).toThrow(/Stage Late was defined after NagPacks.enable\(app\), so the report cannot tell that cdk-nag checked it/);
  });
});

describe('what else fails a synth, or does not', () => {
  test('an error annotation that is no finding of a pack fails the report, as it fails `cdk synth`', () => {
    const app = newApp({ treeMetadata: true });
    Annotations.of(new sqs.Queue(new Stack(app, 'Front'), 'Jobs', { enforceSSL: true })).addError('The queue needs a name the team agreed on.');
    const result = report([synthesize(app)]);
    expect(result.stacks[0].nag.errors).toEqual([{ pack: 'error annotation', ruleId: 'error', constructPath: 'Front/Jobs', description: 'The queue needs a name the team agreed on.' }]);
    expect(result.problems).toBe(1);
    expect(result.lines[0]).toContain('; 1 error annotation;');
    expect(markdown(result)).toContain('| `error` | `Front/Jobs` | The queue needs a name the team agreed on. |');
  });

  /** An app with one queue, checked by a validation plugin of the user's that reports it. */
  function pluginApp(success: boolean, logicalId?: string) {
    const app = newApp({ treeMetadata: true });
    const stack = new Stack(app, 'Front');
    const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true });
    Validations.of(app).addPlugins({
      name: 'TeamRules',
      validate: (context) => ({
        success,
        violations: [{
          ruleName: 'TeamRules-QueueName',
          description: 'Queues are named by the team.',
          violatingResources: [{
            resourceLogicalId: logicalId ?? stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue),
            templatePath: context.templatePaths[0],
            locations: [],
          }],
        }],
      }),
    });
    return report([synthesize(app)]);
  }

  test("another plugin's violation fails the report when the plugin failed, under the plugin's name", () => {
    const result = pluginApp(false);
    expect(result.stacks[0].nag.findings.map((f) => `${f.pack} ${f.ruleId} ${f.constructPath}`)).toEqual(['TeamRules TeamRules-QueueName Front/Jobs/Resource']);
    expect(result.problems).toBe(1);
    expect(result.lines[0]).toContain(': 2 resources; no cdk-nag pack ran; unacknowledged findings: TeamRules 1;');
  });

  test('a plugin that succeeded with violations (warnings) reports them without failing', () => {
    const result = pluginApp(true);
    expect(result.stacks[0].nag.warnings.map((f) => f.ruleId)).toEqual(['TeamRules-QueueName']);
    expect(result.problems).toBe(0);
    expect(markdown(result)).toContain('### Warnings');
  });

  test('a violation no stack can be named for still fails the report, listed apart', () => {
    const result = pluginApp(false, 'NoSuchResource');
    expect(result.unattributed.map((f) => f.ruleId)).toEqual(['TeamRules-QueueName']);
    expect(result.problems).toBe(1);
    expect(result.lines.at(-1)).toMatch(/^1 failing violation with no construct path, so in no stack: TeamRules-QueueName \(TeamRules\)$/);
  });
});

describe('the cost estimate in the report', () => {
  test('a resource type the price table does not know is named, so that the total is not read as complete', () => {
    const app = newApp({ treeMetadata: true });
    new CfnResource(new Stack(app, 'Warehouse'), 'Cluster', {
      type: 'AWS::Redshift::Cluster',
      properties: { ClusterType: 'single-node', NodeType: 'ra3.xlplus', DBName: 'dev', MasterUsername: 'admin', ManageMasterPassword: true },
    });
    const result = report([synthesize(app)]);
    expect(result.stacks[0].notEstimated).toEqual(['AWS::Redshift::Cluster']);
    expect(result.lines[0]).toMatch(/est\. fixed cost \$0\.00\/month \(us-east-1 prices\), not counting 1 resource type it has no price for$/);
    expect(markdown(result)).toContain('they are not known to be free or usage-priced): AWS::Redshift::Cluster.');
  });
});

describe('cdk-nag 2.x reports that tell more than findings', () => {
  /** An app of one queue, with a 2.x JSON report written beside it. */
  function withV2Report(lines: object[]) {
    const app = newApp({ treeMetadata: true });
    new sqs.Queue(new Stack(app, 'Front'), 'Jobs');
    const outdir = synthesize(app);
    fs.writeFileSync(path.join(outdir, 'AwsSolutions--Front-NagReport.json'), JSON.stringify({ lines }));
    return report([outdir]);
  }
  const line = (ruleId: string, resourceId: string, compliance: string) =>
    ({ ruleId, resourceId, compliance, exceptionReason: 'N/A', ruleLevel: 'Error', ruleInfo: 'Info.' });

  test('a rule that threw (UNKNOWN) is a pack that failed to run: a problem, counted once', () => {
    const result = withV2Report([line('AwsSolutions-SQS2', 'Front/Jobs/Resource', 'UNKNOWN'), line('AwsSolutions-SQS3', 'Front/Jobs/Resource', 'UNKNOWN')]);
    expect(result.stacks[0].nag.failedPacks).toEqual(['AwsSolutions']);
    expect(result.problems).toBe(1);
  });

  test("a warning-level rule's finding is a warning, as 2.x's annotation is: it fails neither the synth nor the report", () => {
    const result = withV2Report([{ ...line('AwsSolutions-SQS4', 'Front/Jobs/Resource', 'Non-Compliant'), ruleLevel: 'Warning' }]);
    expect(result.stacks[0].nag.warnings.map((f) => f.ruleId)).toEqual(['AwsSolutions-SQS4']);
    expect(result.stacks[0].nag.findings).toEqual([]);
    expect(result.problems).toBe(0);
  });

  test('lines of a construct the stack no longer has (a report left from an earlier synth) are ignored', () => {
    const result = withV2Report([line('AwsSolutions-SQS3', 'Front/Removed/Resource', 'Non-Compliant'), line('AwsSolutions-SQS4', 'Front/Jobs/Resource', 'Non-Compliant')]);
    expect(result.stacks[0].nag.findings.map((f) => f.constructPath)).toEqual(['Front/Jobs/Resource']);
  });

  test('a CSV reason may hold a line break, and a short row is skipped rather than failing', () => {
    const csv = 'Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n'
      + '"AwsSolutions-SQS3","Front/Jobs/Resource","Suppressed","First line,\nsecond line","Error","No DLQ."\n'
      + '"AwsSolutions-SQS4","Front/Jobs/Resource"\n';
    expect(csvLines(csv)).toEqual([
      { ruleId: 'AwsSolutions-SQS3', resourceId: 'Front/Jobs/Resource', compliance: 'Suppressed', exceptionReason: 'First line,\nsecond line', ruleLevel: 'Error', ruleInfo: 'No DLQ.' },
    ]);
  });
});

describe("a stage's assembly", () => {
  test("is refused with where the results are, not reported as clean: the packs' results are in the app's top assembly", () => {
    const { outdir } = checkedFixture();
    expect(() => report([path.join(outdir, 'assembly-Prod')])).toThrow(/holds stacks checked by cdk-nag 3\.x, but not the packs' results, .*pass that directory \(cdk\.out\), not a stage's/);
  });
});

describe('the command', () => {
  const { outdir } = checkedFixture();
  const run = (...args: string[]) => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const code = main(args);
      return { code, out: log.mock.calls.join('\n'), err: error.mock.calls.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };

  test('exits 1 on findings and writes REPORT.md in the assembly; --no-fail reports and exits 0', () => {
    const failing = run('report', outdir);
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/problem\(s\) in 3 stack\(s\)/);
    expect(fs.readFileSync(path.join(outdir, 'REPORT.md'), 'utf8')).toMatch(/^# Synthesis report/);
    expect(run('report', outdir, '--no-fail').code).toBe(0);
  });

  test('exits 0 on an app with nothing to fix', () => {
    const app = newApp({ treeMetadata: true });
    new Stack(app, 'Empty');
    NagPacks.enable(app);
    const clean = synthesize(app);
    const output = path.join(clean, 'elsewhere', 'report.md');
    expect(run('report', clean, '--output', output)).toMatchObject({ code: 0, out: expect.stringContaining('No problem found in 1 stack(s)') });
    expect(fs.existsSync(output)).toBe(true);
  });

  test('--diagram-only writes the diagrams (to ARCHITECTURE.md, leaving REPORT.md alone) and never fails', () => {
    expect(run('report', outdir, '--diagram-only').code).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'ARCHITECTURE.md'), 'utf8')).toMatch(/^# Architecture\n/);
  });

  test('an alarm without an action alone exits 1', () => {
    const app = newApp({ treeMetadata: true });
    new cloudwatch.Alarm(new Stack(app, 'Watch'), 'Errors', {
      metric: new cloudwatch.Metric({ namespace: 'Fixture', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    expect(run('report', synthesize(app))).toMatchObject({ code: 1, out: expect.stringContaining('; 1 alarm without an action;') });
  });

  test('--output takes a path relative to the working directory, --output=<file> too, and a directory gets REPORT.md', () => {
    const relative = path.relative(process.cwd(), path.join(outdir, 'relative', 'r.md'));
    expect(run('report', outdir, '--no-fail', '--output', relative).code).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'relative', 'r.md'))).toBe(true);
    expect(run('report', outdir, '--no-fail', `--output=${path.join(outdir, 'equals.md')}`).code).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'equals.md'))).toBe(true);
    fs.mkdirSync(path.join(outdir, 'dir'), { recursive: true });
    expect(run('report', outdir, '--no-fail', '-o', path.join(outdir, 'dir')).code).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'dir', 'REPORT.md'))).toBe(true);
  });

  test('an app with no stack exits 2: nothing was checked', () => {
    const app = newApp({ treeMetadata: true });
    expect(run('report', synthesize(app))).toMatchObject({ code: 2, err: expect.stringContaining('holds no stack to report on') });
  });

  test('wrong usage and a missing assembly exit 2 with a message', () => {
    expect(run('reprot')).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'reprot'") });
    expect(run('report', '--colour')).toMatchObject({ code: 2, err: expect.stringContaining("unknown option '--colour'") });
    expect(run('report', path.join(outdir, 'missing'))).toMatchObject({ code: 2, err: expect.stringContaining('holds no cloud assembly') });
    expect(run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('Usage: cdk-best-practice-patterns report') });
  });
});

