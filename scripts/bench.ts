/**
 * npm run bench: synth time, resource count and peak memory of every pattern against the same
 * architecture written with plain aws-cdk-lib L2s, each measured in fresh node processes; the
 * import cost of the package; and the wall time of the README's commands and the emulator suites.
 * Prints a table and writes docs/BENCHMARKS.md.
 *
 *   npm run bench                 # 9 runs per case after a warm-up, plus the commands
 *   npm run bench -- --runs 3 --no-commands
 *   npm run bench -- --runs 5 --only 'dynamodb table'   # some scenarios' rows, printed only
 *
 * With --only (repeatable), only the named scenarios run, without the import cost and the
 * commands, and docs/BENCHMARKS.md is left as it is: a partial run would otherwise replace the
 * whole report with a few rows.
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCENARIOS } from './bench-scenario';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 9;
const ONLY = args.flatMap((arg, i) => (arg === '--only' && args[i + 1] !== undefined ? [args[i + 1]] : []));
const WITH_COMMANDS = !args.includes('--no-commands') && ONLY.length === 0;
const MAX_RATIO = 1.5;
const MAX_IMPORT_OVERHEAD_MS = 50;
const MAX_TEST_SECONDS = 180;
const MAX_EXAMPLES_SYNTH_SECONDS = 60;

interface Sample { importMs: number; buildMs: number; synthMs: number; resources: number; maxRssMb: number }
interface Stats { median: number; min: number; max: number }

function run(argv: string[], validation: boolean): Sample {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench-scenario.ts'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false', TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`bench-scenario ${argv.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(line);
}

function measure(argv: string[], validation: boolean): Sample[] {
  run(argv, validation); // warm-up: file system caches, ts-node's cache
  return Array.from({ length: RUNS }, () => run(argv, validation));
}

/**
 * Both implementations of a scenario, their runs interleaved (plain, ours, plain, ours...), so that
 * a machine that slows down or speeds up during the measurement moves both alike instead of
 * skewing their ratio: measured one after the other, the same code's ratio varied by 0.3.
 */
function measurePair(scenario: string, validation: boolean): { plain: Sample[]; ours: Sample[] } {
  run([scenario, 'plain'], validation);
  run([scenario, 'ours'], validation);
  const pair = { plain: [] as Sample[], ours: [] as Sample[] };
  for (let i = 0; i < RUNS; i++) {
    pair.plain.push(run([scenario, 'plain'], validation));
    pair.ours.push(run([scenario, 'ours'], validation));
  }
  return pair;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

const fmt = (s: Stats) => `${Math.round(s.median)} (${Math.round(s.min)}-${Math.round(s.max)})`;

function wallSeconds(command: string): number {
  const start = Date.now();
  execSync(command, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  return (Date.now() - start) / 1000;
}

function main(): number {
  const rows: string[] = [];
  const misses: string[] = [];
  fs.rmSync(path.join(ROOT, 'build', 'bench'), { recursive: true, force: true });

  const unknown = ONLY.filter((name) => !SCENARIOS.includes(name));
  if (unknown.length > 0) {
    throw new Error(`No scenario named ${unknown.join(', ')}; there are: ${SCENARIOS.join(', ')}`);
  }
  const scenarios = ONLY.length > 0 ? SCENARIOS.filter((name) => ONLY.includes(name)) : SCENARIOS;
  for (const scenario of scenarios) {
    const off = measurePair(scenario, false);
    const on = measurePair(scenario, true);
    const results: Record<string, { off: Sample[]; on: Sample[] }> = {
      plain: { off: off.plain, on: on.plain },
      ours: { off: off.ours, on: on.ours },
    };
    const total = (samples: Sample[]) => stats(samples.map((s) => s.buildMs + s.synthMs));
    // The median of each pair's ratio (ours over the plain run just before it), not the ratio of
    // the medians: a pair ran within a second, so a slower spell of the host moves both of its
    // runs alike and cancels out of its ratio.
    const ratio = stats(off.ours.map((o, i) => (o.buildMs + o.synthMs) / (off.plain[i].buildMs + off.plain[i].synthMs))).median;
    if (ratio > MAX_RATIO) {
      misses.push(`${scenario}: ${ratio.toFixed(2)}x the plain floor (target ${MAX_RATIO}x)`);
    }
    for (const impl of ['plain', 'ours']) {
      const r = results[impl];
      rows.push(`| ${scenario} | ${impl} | ${r.off[0].resources} | ${fmt(stats(r.off.map((s) => s.buildMs)))} | ${fmt(stats(r.off.map((s) => s.synthMs)))} `
        + `| ${fmt(total(r.off))} | ${fmt(total(r.on))} | ${Math.round(stats(r.off.map((s) => s.maxRssMb)).median)} `
        + `| ${impl === 'ours' ? `${ratio.toFixed(2)}x` : ''} |`);
    }
    console.log(`measured ${scenario}`);
  }

  const header = [
    '| scenario | impl | resources | build | synth | build + synth, validation off | build + synth, validation on | peak RSS MB | ours/plain |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  if (ONLY.length > 0) {
    console.log(['', `${RUNS} runs per case after a warm-up; docs/BENCHMARKS.md not written (--only).`, '', ...header, ...rows, '',
      ...(misses.length ? misses.map((m) => `- ${m}`) : ['No target missed.'])].join('\n'));
    return 0;
  }

  const cdkImport = stats(measure(['import', 'aws-cdk-lib'], false).map((s) => s.importMs));
  const packageImport = stats(measure(['import', 'package'], false).map((s) => s.importMs));
  const importOverhead = packageImport.median - cdkImport.median;
  if (importOverhead > MAX_IMPORT_OVERHEAD_MS) {
    misses.push(`importing the package costs ${Math.round(importOverhead)} ms above aws-cdk-lib (target ${MAX_IMPORT_OVERHEAD_MS} ms)`);
  }

  const commands: string[] = [];
  if (WITH_COMMANDS) {
    const testSeconds = wallSeconds('npm test');
    const synthSeconds = wallSeconds('npm run synth');
    // The examples' synth alone, without the compile `npm run synth` starts with.
    const examplesSeconds = wallSeconds('npx projen synth:examples');
    // CI runs it after `npm test`; it has no target of its own, but its cost belongs in the picture.
    const emulatorSeconds = wallSeconds('npm run test:emulator');
    commands.push(
      `| \`npm test\` | ${testSeconds.toFixed(0)} s | under ${MAX_TEST_SECONDS} s |`,
      `| \`npm run synth\` (compile, then every example in both stages) | ${synthSeconds.toFixed(0)} s | |`,
      `| the examples' synth alone (\`npx projen synth:examples\`) | ${examplesSeconds.toFixed(0)} s | under ${MAX_EXAMPLES_SYNTH_SECONDS} s |`,
      `| \`npm run test:emulator\` (compile, then deploy to moto and assert) | ${emulatorSeconds.toFixed(0)} s | |`,
    );
    if (testSeconds > MAX_TEST_SECONDS) {
      misses.push(`npm test takes ${testSeconds.toFixed(0)} s (target ${MAX_TEST_SECONDS} s)`);
    }
    if (examplesSeconds > MAX_EXAMPLES_SYNTH_SECONDS) {
      misses.push(`synthesizing the examples takes ${examplesSeconds.toFixed(0)} s (target ${MAX_EXAMPLES_SYNTH_SECONDS} s)`);
    }
  }

  const cdkVersion = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
  const report = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, `
      + `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, aws-cdk-lib ${cdkVersion}.`,
    `Each case runs in a fresh node process, ${RUNS} times after a warm-up, plain and ours interleaved; figures are median (min-max), in milliseconds;`,
    'the ratio is the median of the ratios of each ours run to the plain run just before it.',
    'Stacks are env-agnostic (but the static website\'s and the DNS routing\'s, in us-east-1, where PROD requires them), under the feature flags a new `cdk init` project gets.',
    '"plain" is the same architecture written with',
    'aws-cdk-lib L2 constructs and no hardening: the floor. The ratio compares build + synth with the built-in template validation off.',
    '',
    ...header,
    ...rows,
    '',
    '## Import cost',
    '',
    '| import | ms |',
    '|---|--:|',
    `| \`aws-cdk-lib\` | ${fmt(cdkImport)} |`,
    `| \`aws-cdk-lib\` + \`cdk-best-practice-patterns\` | ${fmt(packageImport)} |`,
    `| the package's own cost | ${Math.round(importOverhead)} (target under ${MAX_IMPORT_OVERHEAD_MS}) |`,
    '',
    ...(commands.length ? ['## The README commands', '', '| command | wall time | target |', '|---|--:|---|', ...commands, ''] : []),
    '## Targets missed',
    '',
    ...(misses.length ? misses.map((m) => `- ${m}`) : ['None.']),
    '',
  ].join('\n');
  fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'docs', 'BENCHMARKS.md'), report);
  console.log(`\n${report}`);
  return 0;
}

process.exitCode = main();
