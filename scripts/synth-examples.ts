/**
 * Synthesizes every app under examples/ with the aws-cdk CLI, exactly as a user would, into
 * cdk.out/<example>/, and prints one line per stack: its resources, its unacknowledged cdk-nag
 * findings in each of the five packs, and where its template is. Exits non-zero on any finding,
 * on a pack that failed to run, or on an example that did not synthesize.
 *
 * Needs the compiled lib/ (the examples import the package by its name). No AWS account needed.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const OUT = path.join(ROOT, 'cdk.out');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
}

interface Synthesis {
  readonly ok: boolean;
  readonly output: string;
  readonly seconds: string;
}

function synthesize(example: string): Promise<Synthesis> {
  const outdir = path.join(OUT, example);
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(CDK, ['synth', '--quiet', '--no-notices', '--output', outdir], {
      cwd: path.join(EXAMPLES, example),
      env: {
        ...process.env,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: 'true',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const done = (ok: boolean, extra = '') => resolve({ ok, output: output + extra, seconds: ((Date.now() - started) / 1000).toFixed(1) });
    child.on('error', (error) => done(false, String(error)));
    child.on('close', (code) => done(code === 0));
  });
}

/**
 * Synthesizes the examples as many at a time as there are CPUs: each synth is one single-threaded
 * node process, so a 2-core machine halves the wall time.
 */
async function synthesizeAll(examples: string[]): Promise<Map<string, Synthesis>> {
  const results = new Map<string, Synthesis>();
  const queue = [...examples];
  const worker = async () => {
    for (let example = queue.shift(); example; example = queue.shift()) {
      results.set(example, await synthesize(example));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  return results;
}

function stackTemplates(outdir: string): Array<{ name: string; file: string }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => ({ name, file: path.join(outdir, artifact.properties.templateFile) }));
}

function pluginReports(outdir: string): PluginReport[] {
  const file = path.join(outdir, 'validation-report.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).pluginReports : [];
}

async function main(): Promise<number> {
  const examples = fs.readdirSync(EXAMPLES)
    .filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'cdk.json')))
    .sort();
  let problems = 0;
  console.log(`Synthesizing ${examples.length} example(s) into ${path.relative(ROOT, OUT)}/ (no AWS account needed)\n`);
  const started = Date.now();
  const syntheses = await synthesizeAll(examples);

  for (const example of examples) {
    const outdir = path.join(OUT, example);
    const { ok, output, seconds } = syntheses.get(example)!;
    if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
      console.log(`${example}: synthesis failed (${seconds} s)\n${output}`);
      problems++;
      continue;
    }

    const reports = pluginReports(outdir);
    for (const { name, file } of stackTemplates(outdir)) {
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      const resources = Object.keys(template.Resources ?? {}).length;
      const counts = PACKS.map((pack) => {
        const report = reports.find((r) => r.pluginName === pack);
        const findings = (report?.violations ?? [])
          .flatMap((v) => v.violatingConstructs)
          .filter((c) => c.constructPath === name || c.constructPath.startsWith(`${name}/`)).length;
        return { pack, findings, failed: report !== undefined && report.violations.length === 0 && report.conclusion !== 'success' };
      });
      const total = counts.reduce((sum, c) => sum + c.findings, 0);
      const failed = counts.filter((c) => c.failed).map((c) => c.pack);
      problems += total + failed.length;
      console.log(
        `${example}/${name}: ${resources} resources; unacknowledged cdk-nag findings: ` +
        counts.map((c) => `${c.pack} ${c.findings}`).join(', ') +
        (failed.length ? `; packs that failed to run: ${failed.join(', ')}` : '') +
        `\n  template: ${path.relative(ROOT, file)} (${seconds} s)`,
      );
    }
    if (!ok) {
      console.log(output);
      problems++;
    }
  }

  const total = ((Date.now() - started) / 1000).toFixed(1);
  console.log(problems === 0
    ? `\nAll examples synthesized with no unacknowledged finding, in ${total} s.`
    : `\n${problems} problem(s); see above.`);
  return problems === 0 ? 0 : 1;
}

void main().then((code) => (process.exitCode = code));
