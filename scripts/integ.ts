/**
 * Runs the IntegTest scenarios of test/integ/.
 *
 *   integ.ts check  [name...]  synthesize each scenario and fail if it differs from its committed snapshot
 *   integ.ts update [name...]  rewrite the snapshots (a deliberate command: review the diff)
 *   integ.ts deploy [name...]  with AWS credentials: deploy each committed scenario, fail if any
 *                              assertion failed, then destroy it, pass or fail
 *
 * integ-runner would do this, but its newest release (2.197.10) reads cloud assemblies up to
 * schema 53 and aws-cdk-lib 2.276 writes schema 55, so it cannot load our scenarios at all. This
 * script keeps integ-runner's snapshot layout (`integ.<name>.ts.snapshot/`) and deploys with the
 * project's pinned aws-cdk CLI, which reads schema 55.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const INTEG_DIR = path.join(ROOT, 'test', 'integ');
const OUT_DIR = path.join(ROOT, 'build', 'integ');

/**
 * What a snapshot keeps: each stack's template (asset hashes included) and the test cases. The
 * asset and assembly manifests only repeat the templates' hashes.
 */
function isSnapshotFile(file: string): boolean {
  return file.endsWith('.template.json') || file === 'integ.json';
}

/**
 * integ-tests-alpha salts every assertion with the synth time so that CloudFormation reruns it on
 * each deployment; the salt is not part of what a scenario asserts.
 */
function normalized(file: string): string {
  return fs.readFileSync(file, 'utf8').replace(/"salt": "\d+"/g, '"salt": "SALT"');
}

interface Scenario {
  readonly name: string;
  readonly source: string;
  readonly snapshotDir: string;
  readonly outDir: string;
}

function scenarios(names: string[]): Scenario[] {
  const all = fs.readdirSync(INTEG_DIR)
    .filter((file) => /^integ\..+\.ts$/.test(file))
    .map((file) => ({
      name: file.slice('integ.'.length, -'.ts'.length),
      source: path.join(INTEG_DIR, file),
      snapshotDir: path.join(INTEG_DIR, `${file}.snapshot`),
      outDir: path.join(OUT_DIR, file.slice(0, -'.ts'.length)),
    }));
  const unknown = names.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(`No scenario named ${unknown.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`);
  }
  return names.length === 0 ? all : all.filter((s) => names.includes(s.name));
}

/** A child stopped by Ctrl-C (or SIGTERM), directly or through npx, which exits 128 + the signal. */
class Interrupted extends Error {}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (['SIGINT', 'SIGTERM'].includes(result.signal ?? '') || result.status === 130 || result.status === 143) {
    throw new Interrupted(`${command} ${args.join(' ')} was interrupted`);
  }
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

/**
 * Synthesizes the scenarios into build/integ/ in one Node process, which loads ts-node and
 * aws-cdk-lib once instead of once per scenario. Each scenario is an app, as integ-runner expects:
 * its App reads CDK_OUTDIR when constructed and synthesizes itself when the process exits.
 */
function synthAll(selected: Scenario[]): void {
  for (const scenario of selected) fs.rmSync(scenario.outDir, { recursive: true, force: true });
  const apps = JSON.stringify(selected.map((s) => [s.source, s.outDir]));
  const program = `for (const [source, outDir] of ${apps}) { process.env.CDK_OUTDIR = outDir; require(source); }`;
  run(process.execPath, ['-r', 'ts-node/register', '-e', program], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'),
      TS_NODE_TRANSPILE_ONLY: 'true',
      // The unit tests already validate every pattern's template; the snapshot compares the rest.
      CDK_VALIDATION: 'false',
    },
  });
}

function snapshotFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter(isSnapshotFile).sort() : [];
}

/** The differences between a fresh synth and the committed snapshot, as printable lines. */
function differences(scenario: Scenario): string[] {
  const fresh = snapshotFiles(scenario.outDir);
  const committed = snapshotFiles(scenario.snapshotDir);
  const problems: string[] = [];
  if (committed.length === 0) return [`${scenario.name}: no committed snapshot in ${path.relative(ROOT, scenario.snapshotDir)}`];
  for (const file of committed.filter((f) => !fresh.includes(f))) problems.push(`${scenario.name}: ${file} is no longer synthesized`);
  for (const file of fresh.filter((f) => !committed.includes(f))) problems.push(`${scenario.name}: ${file} is new`);
  for (const file of fresh.filter((f) => committed.includes(f))) {
    const a = path.join(scenario.snapshotDir, file);
    const b = path.join(scenario.outDir, file);
    if (normalized(a) !== normalized(b)) {
      const diff = spawnSync('diff', ['-u', '-I', '"salt": ', a, b], { encoding: 'utf8' }).stdout;
      problems.push(`${scenario.name}: ${file} changed\n${diff.split('\n').slice(0, 60).join('\n')}`);
    }
  }
  return problems;
}

function update(scenario: Scenario): void {
  fs.rmSync(scenario.snapshotDir, { recursive: true, force: true });
  fs.mkdirSync(scenario.snapshotDir, { recursive: true });
  for (const file of snapshotFiles(scenario.outDir)) {
    fs.writeFileSync(path.join(scenario.snapshotDir, file), normalized(path.join(scenario.outDir, file)));
  }
}

function cdk(args: string[]): void {
  run('npx', ['cdk', ...args, '--no-notices', '--no-version-reporting'], {
    cwd: ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

/**
 * The assertions that failed, read from the deployed stacks' outputs. An assertion that waits
 * (`waitForAssertions`) fails the deployment on its own; one that does not only records
 * `{"status":"fail"}` in its `AssertionResults` output, which is what integ-runner reads too.
 */
function failedAssertions(scenario: Scenario, outputsFile: string): string[] {
  const stacks: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(outputsFile, 'utf8'));
  const results = Object.entries(stacks).flatMap(([stack, outputs]) => Object.entries(outputs)
    .filter(([key]) => key.startsWith('AssertionResults'))
    .map(([key, value]) => ({ name: `${stack}.${key}`, result: JSON.parse(value) as { status: string; message?: string } })));
  if (results.length === 0) return [`${scenario.name}: the deployment reported no assertion results at all`];
  return results
    .filter(({ result }) => result.status !== 'success')
    .map(({ name, result }) => `${scenario.name}: ${name} ${result.status}\n${result.message ?? ''}`);
}

function deploy(scenario: Scenario): { problems: string[]; interrupted: boolean } {
  const app = path.relative(ROOT, scenario.outDir);
  const outputsFile = path.join(scenario.outDir, 'outputs.json');
  const problems: string[] = [];
  let interrupted = false;
  try {
    // The assertion stack depends on the stack under test, so --all deploys it last.
    cdk(['deploy', '--app', app, '--all', '--require-approval', 'never', '--outputs-file', outputsFile]);
    problems.push(...failedAssertions(scenario, outputsFile));
  } catch (error) {
    interrupted = error instanceof Interrupted;
    problems.push(`${scenario.name}: deployment failed: ${(error as Error).message}`);
  }
  // Destroy whatever was created, pass or fail, and report a failed destroy beside the result.
  try {
    cdk(['destroy', '--app', app, '--all', '--force']);
  } catch (error) {
    interrupted ||= error instanceof Interrupted;
    problems.push(`${scenario.name}: destroy failed, delete its stacks by hand: ${(error as Error).message}`);
  }
  return { problems, interrupted };
}

/** Deploying spends money on what the snapshots show, so they must be the committed ones. */
function assertSnapshotsCommitted(): void {
  const status = spawnSync('git', ['status', '--porcelain', '--', path.relative(ROOT, INTEG_DIR)], { cwd: ROOT, encoding: 'utf8' });
  if (status.status !== 0 || status.stdout.trim() !== '') {
    throw new Error(`Commit test/integ before deploying; uncommitted changes:\n${status.stdout}${status.stderr}`);
  }
}

function main(): void {
  const [command, ...names] = process.argv.slice(2);
  if (!['check', 'update', 'deploy'].includes(command)) {
    throw new Error(`Usage: integ.ts check|update|deploy [scenario...]; got ${command ?? 'nothing'}`);
  }
  const selected = scenarios(names);
  if (command === 'deploy') assertSnapshotsCommitted();
  synthAll(selected);
  if (command === 'update') {
    for (const scenario of selected) {
      update(scenario);
      console.log(`${scenario.name}: snapshot written to ${path.relative(ROOT, scenario.snapshotDir)}`);
    }
    return;
  }
  const snapshotDifferences = selected.flatMap(differences);
  if (snapshotDifferences.length > 0) {
    console.error(snapshotDifferences.join('\n\n'));
    console.error('\nA scenario differs from its snapshot. If the change is intended, run `npx projen integ:update`, review the diff and commit it.');
    process.exit(1);
  }
  if (command === 'deploy') {
    // Without a listener, Ctrl-C would kill this script along with the CLI and skip the destroy.
    // With one, only the CLI stops (the listener itself runs only after the synchronous loop): the
    // script destroys that scenario and deploys no further one. A second Ctrl-C stops the destroy.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
    // Only what was reviewed is deployed: every scenario matched its committed snapshot above.
    const failures: string[] = [];
    for (const [index, scenario] of selected.entries()) {
      const { problems, interrupted } = deploy(scenario);
      failures.push(...problems);
      if (interrupted) {
        const skipped = selected.slice(index + 1).map((s) => s.name);
        if (skipped.length > 0) failures.push(`Interrupted; not deployed: ${skipped.join(', ')}`);
        break;
      }
    }
    if (failures.length > 0) {
      console.error(failures.join('\n\n'));
      process.exit(1);
    }
  }
  console.log(`${selected.length} IntegTest scenario(s) ${command === 'deploy' ? 'deployed, asserted and destroyed' : 'match their snapshots'}.`);
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
