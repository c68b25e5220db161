/**
 * npm run check:package: the package as a user installs it, checked from the outside.
 *
 * 1. src/ type-checks against the peer range's floor (aws-cdk-lib-floor, a dev dependency alias),
 *    so a prop the floor lacks cannot hide behind the newer release we develop on.
 * 2. `npm pack` makes the tarball a user installs; its manifest must ask for nothing but its peers,
 *    and the floor of its aws-cdk-lib range must be the version checked here.
 * 3. For each aws-cdk-lib (the floor; `--aws-cdk-lib <dir>` adds any other, such as a newer release
 *    installed elsewhere), a separate app folder gets the unpacked tarball as
 *    `node_modules/cdk-best-practice-patterns`, that aws-cdk-lib, and its own copies of cdk-nag (so
 *    cdk-nag loads the app's aws-cdk-lib, as in a real install). In it:
 *    - the README's quick start, word for word (TypeScript, type-checked with `module: NodeNext`
 *      as CommonJS and as ESM, then run), synthesizes with no finding from the five packs of
 *      cdk-nag 3.x;
 *    - docs/cdk-nag.md's cdk-nag 2.x app does the same under 2.x;
 *    - test/package/every-pattern.mjs (an ES module importing every pattern by name) builds every
 *      pattern with no unacknowledged finding under both majors, while its known-bad stack is
 *      reported, which proves the packs saw the app.
 *    The development release needs no run of its own here: the jest suite and the examples' synth
 *    hold every pattern to both majors on it, through the package's name.
 *
 * Needs a compiled lib/. Everything lands in build/package/.
 *
 *   ts-node --transpile-only scripts/check-package.ts [--aws-cdk-lib <node_modules/aws-cdk-lib dir>]...
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'build', 'package');
const MODULES = path.join(ROOT, 'node_modules');
const TSC = path.join(MODULES, '.bin', 'tsc');
const PACKS = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

interface Flavor {
  /** A folder name: `floor`, or `aws-cdk-lib-<version>` for another release. */
  readonly name: string;
  /** The aws-cdk-lib package folder. */
  readonly awsCdkLib: string;
  readonly version: string;
}

interface Outcome {
  readonly name: string;
  readonly problems: string[];
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The ```ts block between `<!-- BEGIN marker -->` and `<!-- END marker -->` of a markdown file. */
function markedSnippet(file: string, marker: string): string {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const match = new RegExp(`<!-- BEGIN ${marker} -->\\n\`\`\`ts(?: nofixture)?\\n([\\s\\S]*?)\`\`\`\\n<!-- END ${marker} -->`).exec(text);
  if (!match) {
    throw new Error(`${file} has no \`\`\`ts block between <!-- BEGIN ${marker} --> and <!-- END ${marker} -->`);
  }
  return match[1];
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/** src/ against the floor's type declarations: the peer range's promise, at compile time. */
async function typeCheckSourceOnFloor(floor: string): Promise<Outcome> {
  const dir = path.join(OUT, 'src-on-floor');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    extends: '../../../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      rootDir: '../../../src',
      paths: { 'aws-cdk-lib': [floor], 'aws-cdk-lib/*': [`${floor}/*`] },
    },
    include: ['../../../src/**/*.ts'],
  }, null, 2));
  const tsc = await run(TSC, ['-p', dir], { cwd: ROOT });
  return { name: 'src/ type-checks against the floor', problems: tsc.status === 0 ? [] : [tsc.output] };
}

/** The tarball a user installs, unpacked once; its manifest checked against the floor. */
function packAndInspect(floorVersion: string): { unpacked: string; problems: string[] } {
  const packDir = path.join(OUT, 'tarball');
  fs.mkdirSync(packDir, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) {
    throw new Error(`npm pack failed:\n${pack.stdout}${pack.stderr}`);
  }
  const tarball = path.join(packDir, JSON.parse(pack.stdout)[0].filename);
  const unpacked = path.join(packDir, 'package');
  fs.rmSync(unpacked, { recursive: true, force: true });
  execOrThrow('tar', ['-xzf', tarball, '-C', packDir]);

  const manifest = readJson(path.join(unpacked, 'package.json'));
  const problems: string[] = [];
  // Nothing is installed here but the peers, so anything else the manifest asked for would be a
  // dependency this check never saw, and one every jsii language would carry.
  for (const field of ['dependencies', 'bundledDependencies', 'bundleDependencies', 'optionalDependencies']) {
    if (manifest[field] && Object.keys(manifest[field]).length > 0) {
      problems.push(`the package's ${field} should be empty (the library needs only its peers): ${JSON.stringify(manifest[field])}`);
    }
  }
  const range = manifest.peerDependencies?.['aws-cdk-lib'];
  if (range !== `^${floorVersion}`) {
    problems.push(`the package's aws-cdk-lib peer range is ${range}, but the floor checked here is ${floorVersion}: make them one (.projenrc.ts, CDK_FLOOR)`);
  }
  for (const required of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'README.md', 'LICENSE']) {
    if (!fs.existsSync(path.join(unpacked, required))) {
      problems.push(`the tarball has no ${required}`);
    }
  }
  return { unpacked, problems };
}

function execOrThrow(command: string, args: string[], cwd = ROOT): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

/**
 * An app folder as `npm install` would leave it: the tarball, the chosen aws-cdk-lib, constructs,
 * and cdk-nag (`cdk-nag` being the major under test, `cdk-nag-v2` the other) as copies, so that
 * they resolve the app's aws-cdk-lib: cdk-nag 2.x reports nothing about classes of another copy.
 */
function appFolder(dir: string, unpacked: string, awsCdkLib: string, cdkNag: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), version: '1.0.0', private: true }, null, 2));
  fs.cpSync(unpacked, path.join(modules, 'cdk-best-practice-patterns'), { recursive: true });
  fs.symlinkSync(awsCdkLib, path.join(modules, 'aws-cdk-lib'), 'dir');
  fs.symlinkSync(path.join(MODULES, 'constructs'), path.join(modules, 'constructs'), 'dir');
  fs.cpSync(path.join(MODULES, cdkNag), path.join(modules, 'cdk-nag'), { recursive: true });
  fs.cpSync(path.join(MODULES, cdkNag === 'cdk-nag' ? 'cdk-nag-v2' : 'cdk-nag'), path.join(modules, 'cdk-nag-v2'), { recursive: true });
  return dir;
}

/** Type-checks a user's TypeScript app as CommonJS (`.ts`) and as ESM (`.mts`) under NodeNext, then runs it as CommonJS. */
async function typeCheckAndRun(dir: string, name: string, source: string): Promise<AppRun> {
  fs.writeFileSync(path.join(dir, `${name}.ts`), source);
  fs.writeFileSync(path.join(dir, `${name}.mts`), source);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [],
    },
    files: [`${name}.ts`, `${name}.mts`],
  }, null, 2));
  const tsc = await run(TSC, ['-p', dir], { cwd: dir });
  const problems = tsc.status === 0 ? [] : [`${name} does not type-check under module NodeNext:\n${tsc.output}`];
  fs.writeFileSync(path.join(dir, `${name}.js`), ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText);
  const result = await runApp(dir, `${name}.js`);
  return { problems: [...problems, ...result.problems], outdir: result.outdir, output: result.output };
}

/** What running a user's app gave: problems, its cloud assembly and what it printed. */
interface AppRun {
  readonly problems: string[];
  readonly outdir: string;
  readonly output: string;
}

/** Runs an app file with node, as the CDK CLI does (CDK_OUTDIR set, the app synthesizes on exit). */
async function runApp(dir: string, file: string, expectFailure = false): Promise<AppRun> {
  const outdir = path.join(dir, `cdk.out-${path.basename(file).replace(/\.\w+$/, '')}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = await run(process.execPath, [file], {
    cwd: dir,
    env: { CDK_OUTDIR: outdir, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
  });
  const problems: string[] = [];
  if ((app.status === 0) === expectFailure) {
    problems.push(`${file} exited with ${app.status}${expectFailure ? ', though its known-bad stack must fail the packs' : ''}:\n${app.output.slice(-4000)}`);
  }
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) {
    problems.push(`${file} wrote no cloud assembly in ${path.relative(ROOT, outdir)}:\n${app.output.slice(-4000)}`);
  }
  return { problems, outdir, output: app.output };
}

/** cdk-nag 3.x findings, from the synth pipeline's validation report, as `rule at path`. */
function nagV3Findings(outdir: string): string[] | undefined {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return undefined;
  }
  return readJson(file).pluginReports.flatMap((report: any) => report.violations.flatMap((v: any) =>
    v.violatingConstructs.map((c: any) => `${v.ruleName} at ${c.constructPath}`)));
}

/** cdk-nag 2.x findings (error and warning annotations of the packs) and suppressions, from the assembly's manifest. */
function nagV2Findings(outdir: string): { findings: string[]; suppressed: number } {
  const manifest = readJson(path.join(outdir, 'manifest.json'));
  const findings: string[] = [];
  let suppressed = 0;
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    // Newer releases write a stack's metadata to a file of its own, older ones into the manifest.
    const metadata = artifact.additionalMetadataFile ? readJson(path.join(outdir, artifact.additionalMetadataFile)) : artifact.metadata;
    for (const [constructPath, entries] of Object.entries<any[]>(metadata ?? {})) {
      for (const entry of entries) {
        const data = String(entry.data);
        if ((entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') && [...PACKS, 'CdkNagValidationFailure'].some((p) => data.startsWith(p))) {
          findings.push(`${data.slice(0, data.indexOf(':'))} at ${constructPath.replace(/^\//, '')}`);
        } else if (entry.type === 'aws:cdk:info' && data.startsWith('CdkNagSuppression')) {
          suppressed++;
        }
      }
    }
  }
  return { findings, suppressed };
}

/** The quick start (3.x) and the cdk-nag 2.x app of the docs, in their own app folders. */
async function checkDocsApps(flavor: Flavor, unpacked: string): Promise<Outcome[]> {
  const quickStart = async (): Promise<Outcome> => {
    const dir = appFolder(path.join(OUT, flavor.name, 'quick-start'), unpacked, flavor.awsCdkLib, 'cdk-nag');
    const result = await typeCheckAndRun(dir, 'app', markedSnippet('README.md', 'quick-start'));
    const findings = nagV3Findings(result.outdir);
    const problems = [...result.problems];
    if (findings === undefined) {
      problems.push('the quick start wrote no validation report: the cdk-nag 3.x packs did not run');
    } else if (findings.length) {
      problems.push(`the quick start has unacknowledged cdk-nag 3.x findings:\n  ${findings.join('\n  ')}`);
    }
    return { name: `README quick start on aws-cdk-lib ${flavor.version} (CommonJS; its types under NodeNext as CJS and ESM), cdk-nag 3.x`, problems };
  };
  const nagV2App = async (): Promise<Outcome> => {
    const dir = appFolder(path.join(OUT, flavor.name, 'nag-v2-app'), unpacked, flavor.awsCdkLib, 'cdk-nag-v2');
    const result = await typeCheckAndRun(dir, 'app', markedSnippet('docs/cdk-nag.md', 'nag-v2-app'));
    const { findings } = nagV2Findings(result.outdir);
    const problems = [...result.problems];
    if (findings.length) {
      problems.push(`docs/cdk-nag.md's app has unacknowledged cdk-nag 2.x findings:\n  ${findings.join('\n  ')}`);
    }
    // No finding proves nothing unless the packs ran and read the patterns' acknowledgements: each
    // pack's CSV report must exist, and AwsSolutions' must list some findings as suppressed.
    const reports = fs.existsSync(result.outdir) ? fs.readdirSync(result.outdir).filter((f) => f.endsWith('-NagReport.csv')) : [];
    for (const pack of PACKS) {
      if (!reports.some((f) => f.startsWith(`${pack}-`))) {
        problems.push(`cdk-nag 2.x's ${pack} pack wrote no report: it did not run`);
      }
    }
    const aws = reports.find((f) => f.startsWith('AwsSolutions-'));
    if (aws && !fs.readFileSync(path.join(result.outdir, aws), 'utf8').includes('"Suppressed"')) {
      problems.push(`cdk-nag 2.x suppressed nothing in ${aws}: it read none of the patterns' acknowledgements`);
    }
    return { name: `docs/cdk-nag.md's 2.x app on aws-cdk-lib ${flavor.version}, cdk-nag 2.x`, problems };
  };
  return Promise.all([quickStart(), nagV2App()]);
}

/** Every pattern, from an ES module, under both majors at once; the known-bad stack must be reported by both. */
async function checkEveryPattern(flavor: Flavor, unpacked: string): Promise<Outcome> {
  const dir = appFolder(path.join(OUT, flavor.name, 'every-pattern'), unpacked, flavor.awsCdkLib, 'cdk-nag');
  fs.copyFileSync(path.join(ROOT, 'test', 'package', 'every-pattern.mjs'), path.join(dir, 'app.mjs'));
  const result = await runApp(dir, 'app.mjs', true);
  const problems = [...result.problems];
  const name = `every pattern on aws-cdk-lib ${flavor.version} (ESM), cdk-nag 3.x and 2.x`;
  if (problems.length) {
    return { name, problems };
  }
  const expected: string[] = JSON.parse(result.output.split('\n').find((line) => line.startsWith('{"stacks"'))!).stacks;
  const manifest = readJson(path.join(result.outdir, 'manifest.json'));
  for (const stack of expected) {
    const artifact = manifest.artifacts?.[stack];
    const template = artifact && readJson(path.join(result.outdir, artifact.properties.templateFile));
    if (!template || Object.keys(template.Resources ?? {}).length === 0) {
      problems.push(`stack ${stack} was not synthesized, or holds no resource`);
    }
  }
  const outsideKnownBad = (findings: string[]) => findings.filter((f) => !f.includes(' at KnownBad/'));
  const v3 = nagV3Findings(result.outdir) ?? [];
  const v2 = nagV2Findings(result.outdir);
  for (const [major, findings] of [['3.x', v3], ['2.x', v2.findings]] as const) {
    for (const pack of PACKS) {
      if (!findings.some((f) => f.startsWith(`${pack}-`) && f.includes(' at KnownBad/'))) {
        problems.push(`cdk-nag ${major}'s ${pack} pack reported nothing in the known-bad stack: it saw nothing of this app`);
      }
    }
    if (outsideKnownBad(findings).length) {
      problems.push(`unacknowledged cdk-nag ${major} findings:\n  ${outsideKnownBad(findings).join('\n  ')}`);
    }
  }
  if (v2.suppressed === 0) {
    problems.push('cdk-nag 2.x applied no acknowledgement of the patterns: it read none of their metadata');
  }
  return { name: `${name}: ${expected.length - 1} stacks`, problems };
}

function flavorOf(name: string, awsCdkLib: string): Flavor {
  const dir = fs.realpathSync(awsCdkLib);
  return { name, awsCdkLib: dir, version: readJson(path.join(dir, 'package.json')).version };
}

async function main(): Promise<number> {
  const extra: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--aws-cdk-lib' && args[i + 1]) {
      extra.push(path.resolve(args[++i]));
    } else {
      console.error(`unknown argument '${args[i]}': the only option is --aws-cdk-lib <dir of an aws-cdk-lib package>`);
      return 2;
    }
  }
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    console.error('lib/ is missing: compile first (npx projen compile)');
    return 1;
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });

  const floor = flavorOf('floor', path.join(MODULES, 'aws-cdk-lib-floor'));
  const flavors = [floor, ...extra.map((dir) => flavorOf(`aws-cdk-lib-${readJson(path.join(dir, 'package.json')).version}`, dir))];
  const started = Date.now();
  const { unpacked, problems: packProblems } = packAndInspect(floor.version);
  const outcomes: Outcome[] = [{ name: 'the tarball\'s manifest and contents', problems: packProblems }];
  // Two at a time: each is one single-threaded process, and CI has two cores.
  const jobs: Array<() => Promise<Outcome | Outcome[]>> = [
    () => typeCheckSourceOnFloor(floor.awsCdkLib),
    ...flavors.map((f) => () => checkEveryPattern(f, unpacked)),
    ...flavors.map((f) => () => checkDocsApps(f, unpacked)),
  ];
  const results: Outcome[] = [];
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      results.push(...[await job().catch((error: Error): Outcome => ({ name: 'a check that could not run', problems: [error.message] }))].flat());
    }
  };
  await Promise.all([worker(), worker()]);
  outcomes.push(...results);

  for (const outcome of outcomes) {
    console.log(`${outcome.problems.length ? 'FAIL' : 'ok  '} ${outcome.name}`);
    for (const problem of outcome.problems) {
      console.log(`     ${problem.split('\n').join('\n     ')}`);
    }
  }
  const failed = outcomes.filter((o) => o.problems.length).length;
  console.log(`${outcomes.length - failed}/${outcomes.length} package checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

main().then((code) => (process.exitCode = code), (error) => {
  console.error(error);
  process.exitCode = 1;
});
