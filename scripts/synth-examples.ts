/**
 * npm run synth: synthesizes every app under examples/ with the aws-cdk CLI, exactly as a user
 * would, in its default stage into cdk.out/<example>/, and with the context the CLI would give it
 * in its other stage into cdk.out/<example>-<stage>/, then runs the package's own report command over them, as a user
 * runs `npx cdk-best-practice-patterns report` after `cdk synth`: one line per stack, and
 * cdk.out/REPORT.md. Exits non-zero on an example that did not synthesize, and wherever the report
 * does (an unacknowledged finding, a pack that failed to run, an alarm with no action, a failing check).
 *
 * Needs the compiled lib/ (the examples import the package by its name, and the command is
 * lib/report/cli.js). No AWS account needed.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const OUT = path.join(ROOT, 'cdk.out');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
/** The package's command, compiled: `npx cdk-best-practice-patterns report` for users. */
const REPORT = path.join(ROOT, 'lib', 'report', 'cli.js');
const STAGES = ['dev', 'prod'];
/** The library's context key for the stage (`PatternDefaults.STAGE_CONTEXT_KEY`): each example's cdk.json sets it. */
const STAGE_CONTEXT_KEY = 'cdk-best-practice-patterns:stage';

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

function jobsOf(example: string): Job[] {
  const defaultStage: string = JSON.parse(fs.readFileSync(path.join(EXAMPLES, example, 'cdk.json'), 'utf8')).context?.[STAGE_CONTEXT_KEY];
  if (defaultStage === undefined) {
    // An app that holds its DEV and PROD stages itself, as `cdk.Stage`s named Dev and Prod (the
    // three-tier example), is synthesized once: both are in its assembly.
    return [{ example, stage: STAGES.join('+'), isDefault: true, outdir: path.join(OUT, example) }];
  }
  if (!STAGES.includes(defaultStage)) {
    throw new Error(`examples/${example}/cdk.json: context['${STAGE_CONTEXT_KEY}'] is ${defaultStage}; it must be one of ${STAGES.join(', ')}.`);
  }
  return [
    { example, stage: defaultStage, isDefault: true, outdir: path.join(OUT, example) },
    ...STAGES.filter((s) => s !== defaultStage).map((stage) => ({ example, stage, isDefault: false, outdir: path.join(OUT, `${example}-${stage}`) })),
  ];
}

/**
 * The context the aws-cdk CLI (2.1148) gives an app on `cdk synth` from a project folder: the
 * project's cdk.json and cdk.context.json, then what the CLI itself adds.
 */
function cliContext(example: string, stage: string): Record<string, unknown> {
  const dir = path.join(EXAMPLES, example);
  const readContext = (file: string) => (fs.existsSync(path.join(dir, file)) ? JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) : {});
  const cdkJson = readContext('cdk.json');
  return {
    ...cdkJson.context,
    ...readContext('cdk.context.json'),
    [STAGE_CONTEXT_KEY]: stage,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': cdkJson.versionReporting ?? true,
    'aws:cdk:bundling-stacks': ['**'],
  };
}

function synthesize(job: Job): Promise<Synthesis> {
  fs.rmSync(job.outdir, { recursive: true, force: true });
  const started = Date.now();
  // aws-cdk-lib's built-in template validation starts an engine that costs more CPU than the rest
  // of an example's synth (about 7 s). The jest suite (test/examples/examples.test.ts) runs it over
  // every example in its default stage, where users meet it, on its worker's engine, started once;
  // so it is off here, in both stages. cdk-nag 3.x's packs, being plugins of their own, still run.
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', CDK_VALIDATION: 'false' };
  // The default stage goes through the aws-cdk CLI, as a user runs it: cdk.json's app command, and
  // the CLI reading the assembly. The other stage needs only its assembly (for its findings and its
  // cost), so its app runs as the CLI would run it, without the CLI and npx around it: about 1 s
  // of CPU less for each example.
  const [command, args, extraEnv] = job.isDefault
    ? [CDK, ['synth', '--quiet', '--no-notices', '--output', job.outdir], {}]
    : [process.execPath, ['-r', 'ts-node/register/transpile-only', 'app.ts'], {
      // The CLI also gives the app its default region (us-east-1 without configuration), and the
      // default account only when AWS credentials resolve: none here, so the account is left unset,
      // as the CLI leaves it without credentials; with them, this stage is built without it.
      CDK_DEFAULT_REGION: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      CDK_OUTDIR: job.outdir,
      CDK_CONTEXT_JSON: JSON.stringify(cliContext(job.example, job.stage)),
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'),
    }];
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: path.join(EXAMPLES, job.example), env: { ...env, ...extraEnv } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const done = (ok: boolean, extra = '') => resolve({ ok, output: output + extra, seconds: (Date.now() - started) / 1000 });
    child.on('error', (error) => done(false, String(error)));
    child.on('close', (code) => done(code === 0));
  });
}

/**
 * Removes the assembly of a stage this script no longer synthesizes (`cdk.out/three-tier-prod/`,
 * from before the three-tier example held both stages): cfn-lint (scripts/check-templates.ts) and
 * the diagrams read every assembly under cdk.out/, so a stale one would be linted, about 3 s of
 * CPU for that one, and checked as if it were current. Only `<example>-<stage>` folders of this
 * script's own naming go; anything else in cdk.out/ is left alone.
 */
function removeStaleAssemblies(examples: string[], jobs: Job[]): void {
  const current = new Set(jobs.map((job) => job.outdir));
  for (const example of examples) {
    for (const stage of STAGES) {
      const outdir = path.join(OUT, `${example}-${stage}`);
      if (!current.has(outdir) && fs.existsSync(outdir)) {
        console.log(`Removing ${path.relative(ROOT, outdir)}/: this script no longer synthesizes it`);
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  }
}

/**
 * Runs the synths as many at a time as there are CPUs: each is one single-threaded node process.
 */
async function synthesizeAll(jobs: Job[]): Promise<Map<Job, Synthesis>> {
  const results = new Map<Job, Synthesis>();
  // The longest first, PROD (more resources) before DEV, so the two CPUs finish together.
  const queue = [...jobs].sort((a, b) => Number(b.stage === 'prod') - Number(a.stage === 'prod'));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      results.set(job, await synthesize(job));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const examples = fs.readdirSync(EXAMPLES).filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'cdk.json'))).sort();
  const jobs = examples.flatMap(jobsOf);
  removeStaleAssemblies(examples, jobs);
  console.log(`Synthesizing ${examples.length} examples in ${STAGES.join(' and ')} into ${path.relative(ROOT, OUT)}/ (no AWS account needed)\n`);
  const started = Date.now();
  const syntheses = await synthesizeAll(jobs);
  console.log(`Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);

  // A pack's finding fails `cdk synth` after the assembly is written, as it does for users: the
  // report says what it was. Any other failure leaves no assembly to report on.
  let failed = 0;
  for (const job of jobs) {
    const { output, seconds } = syntheses.get(job)!;
    if (!fs.existsSync(path.join(job.outdir, 'manifest.json'))) {
      console.log(`${job.example} (${job.stage}): synthesis failed (${seconds.toFixed(1)} s)\n${output}`);
      failed++;
    }
  }
  if (failed > 0) {
    return 1;
  }

  // The report users get: the package's own command, over every example's assembly.
  const report = spawnSync(process.execPath, [REPORT, 'report', ...jobs.map((j) => path.relative(ROOT, j.outdir)), '--output', path.relative(ROOT, path.join(OUT, 'REPORT.md'))], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // A synth that failed for something else than what the report reads (an error annotation of
  // aws-cdk-lib's, say) must not pass as clean.
  const unexplained = report.status === 0 ? jobs.filter((job) => !syntheses.get(job)!.ok) : [];
  for (const job of unexplained) {
    console.log(`${job.example} (${job.stage}): cdk synth failed, and the report found nothing to say why:\n${syntheses.get(job)!.output}`);
  }
  return unexplained.length > 0 ? 1 : (report.status ?? 1);
}

void main().then((code) => (process.exitCode = code));
