/**
 * npm run synth: synthesizes every app under examples/ with the aws-cdk CLI, exactly as a user
 * would, in its default stage into cdk.out/<example>/ and in its other stage into
 * cdk.out/<example>-<stage>/. Prints one line per stack (resources, unacknowledged cdk-nag
 * findings per pack, estimated fixed monthly cost) and writes cdk.out/REPORT.md with the
 * resources by type, the acknowledged findings with their reasons, and the cost estimate.
 * Exits non-zero on any unacknowledged finding, on a pack that failed to run, on an alarm with no
 * action, or on an example that did not synthesize.
 *
 * Needs the compiled lib/ (the examples import the package by its name). No AWS account needed.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PRICES } from './prices';
import { Acknowledgement, acknowledgements, CostLine, fixedMonthlyCost, resourceCountsByType, totalUsd, usd } from './stack-report';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const OUT = path.join(ROOT, 'cdk.out');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const STAGES = ['dev', 'prod'];
/** The library's context key for the stage (`PatternDefaults.STAGE_CONTEXT_KEY`): each example's cdk.json sets it. */
const STAGE_CONTEXT_KEY = 'cdk-best-practice-patterns:stage';

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
}

/** One `cdk synth` of one example in one stage. */
interface Job {
  readonly example: string;
  readonly stage: string;
  readonly isDefault: boolean;
  readonly outdir: string;
}

interface Synthesis {
  readonly ok: boolean;
  readonly output: string;
  readonly seconds: number;
}

interface StackResult {
  readonly job: Job;
  readonly stack: string;
  readonly templateFile: string;
  readonly resources: Array<[string, number]>;
  readonly findings: Record<string, number>;
  readonly failedPacks: string[];
  readonly acknowledged: Acknowledgement[];
  readonly cost: CostLine[];
  /** Alarms that notify nobody: each is a problem, since every alarm of the patterns must act. */
  readonly silentAlarms: string[];
}

function jobsOf(example: string): Job[] {
  const defaultStage: string = JSON.parse(fs.readFileSync(path.join(EXAMPLES, example, 'cdk.json'), 'utf8')).context?.[STAGE_CONTEXT_KEY];
  if (!STAGES.includes(defaultStage)) {
    throw new Error(`examples/${example}/cdk.json: context['${STAGE_CONTEXT_KEY}'] is ${defaultStage}; it must be one of ${STAGES.join(', ')}.`);
  }
  return [
    { example, stage: defaultStage, isDefault: true, outdir: path.join(OUT, example) },
    ...STAGES.filter((s) => s !== defaultStage).map((stage) => ({ example, stage, isDefault: false, outdir: path.join(OUT, `${example}-${stage}`) })),
  ];
}

function synthesize(job: Job): Promise<Synthesis> {
  fs.rmSync(job.outdir, { recursive: true, force: true });
  const started = Date.now();
  // The default stage comes from the example's cdk.json, as it does for a user; the other is asked for.
  const stageArgs = job.isDefault ? [] : ['-c', `${STAGE_CONTEXT_KEY}=${job.stage}`];
  // aws-cdk-lib's built-in template validation takes half of each synth, so it runs on the default
  // stage only, where users meet it; the other stage is there for its findings and its cost.
  const validation = job.isDefault ? {} : { CDK_VALIDATION: 'false' };
  return new Promise((resolve) => {
    const child = spawn(CDK, ['synth', '--quiet', '--no-notices', ...stageArgs, '--output', job.outdir], {
      cwd: path.join(EXAMPLES, job.example),
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', ...validation },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const done = (ok: boolean, extra = '') => resolve({ ok, output: output + extra, seconds: (Date.now() - started) / 1000 });
    child.on('error', (error) => done(false, String(error)));
    child.on('close', (code) => done(code === 0));
  });
}

/**
 * Runs the synths as many at a time as there are CPUs: each is one single-threaded node process.
 */
async function synthesizeAll(jobs: Job[]): Promise<Map<Job, Synthesis>> {
  const results = new Map<Job, Synthesis>();
  // The longest first (with validation), so the two CPUs finish together.
  const queue = [...jobs].sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      results.set(job, await synthesize(job));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  return results;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

function stackResults(job: Job): StackResult[] {
  const manifest = readJson(path.join(job.outdir, 'manifest.json'));
  const reportFile = path.join(job.outdir, 'validation-report.json');
  // The validation report lists only the packs that did not succeed.
  const reports: PluginReport[] = fs.existsSync(reportFile) ? readJson(reportFile).pluginReports : [];
  return Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([stack, artifact]) => {
      const templateFile = path.join(job.outdir, artifact.properties.templateFile);
      const template = readJson(templateFile);
      const metadataFile = path.join(job.outdir, `${stack}.metadata.json`);
      const findings: Record<string, number> = {};
      const failedPacks: string[] = [];
      for (const pack of PACKS) {
        const report = reports.find((r) => r.pluginName === pack);
        findings[pack] = (report?.violations ?? [])
          .flatMap((v) => v.violatingConstructs)
          .filter((c) => c.constructPath === stack || c.constructPath.startsWith(`${stack}/`)).length;
        if (report && report.conclusion !== 'success' && report.violations.length === 0) {
          failedPacks.push(pack);
        }
      }
      return {
        job,
        stack,
        templateFile,
        resources: resourceCountsByType(template),
        findings,
        failedPacks,
        acknowledged: fs.existsSync(metadataFile) ? acknowledgements(readJson(metadataFile)) : [],
        cost: fixedMonthlyCost(template),
        silentAlarms: Object.entries<any>(template.Resources ?? {})
          .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && !(r.Properties?.AlarmActions?.length > 0))
          .map(([id]) => id),
      };
    });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const resourceTotal = (r: StackResult) => sum(r.resources.map(([, n]) => n));
const findingTotal = (r: StackResult) => sum(Object.values(r.findings));

function markdownReport(results: StackResult[], seconds: number): string {
  const lines = [
    '# Synthesis report',
    '',
    `Written by \`npm run synth\` on ${new Date().toISOString().slice(0, 10)} in ${seconds.toFixed(0)} s. Every example is synthesized in both stages `
      + 'with the aws-cdk CLI and checked by five cdk-nag packs (AwsSolutions, Serverless, NIST.800.53.R5, HIPAA.Security, PCI.DSS.321). '
      + "aws-cdk-lib's built-in template validation runs on each example's default stage, as it does for a user's `cdk synth`.",
    '',
    `Costs are **estimates** of the fixed monthly cost of the resources that cost money while idle, at on-demand list prices in ${PRICES.region} `
      + `as of ${PRICES.asOf} (${PRICES.hoursPerMonth} hours a month, the table is in \`scripts/prices.ts\`). Usage-priced services `
      + '(Lambda, SQS, SNS, API Gateway, CloudWatch Logs, S3, data transfer, load balancer LCUs, WAF requests) are not included.',
    '',
    '## Summary',
    '',
    '| example | stack | stage | resources | unacknowledged findings | acknowledged findings | est. fixed cost / month |',
    '|---|---|---|--:|--:|--:|--:|',
    ...results.map((r) => `| ${r.job.example} | ${r.stack} | ${r.job.stage}${r.job.isDefault ? ' (default)' : ''} | ${resourceTotal(r)} `
      + `| ${findingTotal(r)} | ${r.acknowledged.length} | ${usd(totalUsd(r.cost))} |`),
    '',
  ];

  const examples = [...new Set(results.map((r) => r.job.example))];
  for (const example of examples) {
    const ofExample = results.filter((r) => r.job.example === example);
    for (const stack of [...new Set(ofExample.map((r) => r.stack))]) {
      const byStage = STAGES.map((stage) => ofExample.find((r) => r.stack === stack && r.job.stage === stage));
      lines.push(`## ${example}: ${stack}`, '');
      for (const r of byStage) {
        if (r) {
          lines.push(`- ${r.job.stage}: \`${path.relative(ROOT, r.templateFile)}\`, ${resourceTotal(r)} resources; unacknowledged findings: `
            + `${PACKS.map((p) => `${p} ${r.findings[p]}`).join(', ')}${r.failedPacks.length ? `; packs that failed to run: ${r.failedPacks.join(', ')}` : ''}`);
        }
      }

      lines.push('', '### Resources by type', '', `| type | ${STAGES.join(' | ')} |`, `|---|${STAGES.map(() => '--:').join('|')}|`);
      const types = [...new Set(byStage.flatMap((r) => r?.resources.map(([t]) => t) ?? []))].sort();
      for (const type of types) {
        lines.push(`| ${type} | ${byStage.map((r) => r?.resources.find(([t]) => t === type)?.[1] ?? 0).join(' | ')} |`);
      }

      lines.push('', '### Estimated fixed monthly cost', '', `| item | ${STAGES.join(' | ')} |`, `|---|${STAGES.map(() => '--:').join('|')}|`);
      const items = [...new Set(byStage.flatMap((r) => r?.cost.map((c) => c.item) ?? []))];
      for (const item of items) {
        lines.push(`| ${item} | ${byStage.map((r) => {
          const line = r?.cost.find((c) => c.item === item);
          return line ? `${line.quantity} = ${usd(line.monthlyUsd)}` : '-';
        }).join(' | ')} |`);
      }
      lines.push(`| **total** | ${byStage.map((r) => (r ? `**${usd(totalUsd(r.cost))}**` : '-')).join(' | ')} |`);

      // The same acknowledgement usually covers several constructs (one per alarm, say): group them.
      lines.push('', '### Acknowledged findings, and why', '', 'Deliberately accepted: each is recorded next to the code that causes it.', '');
      lines.push('| rule | reason | stages | constructs |', '|---|---|---|--:|');
      const groups = new Map<string, { ruleId: string; reason: string; stages: Set<string>; paths: Set<string> }>();
      for (const r of byStage) {
        for (const a of r?.acknowledged ?? []) {
          const key = `${a.ruleId}\n${a.reason}`;
          const group = groups.get(key) ?? { ruleId: a.ruleId, reason: a.reason, stages: new Set(), paths: new Set() };
          group.stages.add(r!.job.stage);
          group.paths.add(a.constructPath);
          groups.set(key, group);
        }
      }
      for (const g of [...groups.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId))) {
        lines.push(`| \`${g.ruleId}\` | ${g.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${[...g.stages].join(', ')} | ${g.paths.size} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const examples = fs.readdirSync(EXAMPLES).filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'cdk.json'))).sort();
  const jobs = examples.flatMap(jobsOf);
  console.log(`Synthesizing ${examples.length} examples in ${STAGES.join(' and ')} into ${path.relative(ROOT, OUT)}/ (no AWS account needed)\n`);
  const started = Date.now();
  const syntheses = await synthesizeAll(jobs);
  const seconds = (Date.now() - started) / 1000;

  let problems = 0;
  const results: StackResult[] = [];
  for (const job of jobs) {
    const { ok, output, seconds: jobSeconds } = syntheses.get(job)!;
    const name = `${job.example} (${job.stage})`;
    if (!fs.existsSync(path.join(job.outdir, 'manifest.json'))) {
      console.log(`${name}: synthesis failed (${jobSeconds.toFixed(1)} s)\n${output}`);
      problems++;
      continue;
    }
    for (const r of stackResults(job)) {
      results.push(r);
      problems += findingTotal(r) + r.failedPacks.length + r.silentAlarms.length;
      console.log(
        `${name} ${r.stack}: ${resourceTotal(r)} resources; unacknowledged cdk-nag findings: `
        + PACKS.map((p) => `${p} ${r.findings[p]}`).join(', ')
        + (r.failedPacks.length ? `; packs that failed to run: ${r.failedPacks.join(', ')}` : '')
        + `; ${r.acknowledged.length} acknowledged`
        + (r.silentAlarms.length ? `; alarms without an action: ${r.silentAlarms.join(', ')}` : '')
        + `; est. fixed cost ${usd(totalUsd(r.cost))}/month`
        + `\n  template: ${path.relative(ROOT, r.templateFile)} (${jobSeconds.toFixed(1)} s)`,
      );
    }
    if (!ok) {
      console.log(output);
      problems++;
    }
  }

  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'REPORT.md'), markdownReport(results, seconds));
  console.log(`\n${results.length} stacks, ${sum(results.map(resourceTotal))} resources, ${sum(results.map(findingTotal))} unacknowledged and `
    + `${sum(results.map((r) => r.acknowledged.length))} acknowledged findings, in ${seconds.toFixed(1)} s. `
    + `Costs are estimates at ${PRICES.region} list prices of ${PRICES.asOf}; details in ${path.relative(ROOT, path.join(OUT, 'REPORT.md'))}.`);
  console.log(problems === 0 ? 'All examples synthesized with no unacknowledged finding, and every alarm acts.' : `${problems} problem(s); see above.`);
  return problems === 0 ? 0 : 1;
}

void main().then((code) => (process.exitCode = code));
