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
 *    - the README's quick start code, word for word (type-checked with `module: NodeNext` as
 *      CommonJS and as ESM, then run as CommonJS), synthesizes with no finding from the five packs
 *      of cdk-nag 3.x; docs/cdk-nag.md's cdk-nag 2.x app, the same under 2.x. Each runs with a
 *      known-bad stack added, which every pack must report: that proves the app registers all five;
 *    - test/package/every-pattern.mjs (an ES module importing every construct of the package by
 *      name, checked against the assembly's list) builds each with no unacknowledged finding under
 *      both majors, while its known-bad stack is reported;
 *    - no error annotation but the known-bad stack's, from anything: each would fail `cdk synth`;
 *    - the report command, as `npx cdk-best-practice-patterns report` runs it (the bin link npm
 *      makes in node_modules/.bin, started by its shebang) after the CLI's `cdk synth`, on an app of plain L2s with a nested stack, its packs turned on by `NagPacks.enable` under
 *      each cdk-nag major: exit 0 with a diagram and cost table, exit 1 once an unhardened queue
 *      is added.
 *    The development release needs no run of its own here: the jest suite (from src/) and the
 *    examples' synth (through the package's name) hold every pattern to both majors on it, and
 *    `--aws-cdk-lib` runs all of the above on any other release.
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
    // A file that cannot be executed (no executable bit, a broken link) fails the spawn itself.
    child.on('error', (error) => resolve({ status: 127, output: `${output}${command} could not be started: ${error.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/** src/ against the floor's type declarations (the peer range's promise, at compile time): its tsconfig. */
function sourceOnFloorConfig(floor: string): string {
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
  return path.join(dir, 'tsconfig.json');
}

/** What one tsconfig's program reported: each diagnostic with its file (absolute), if it has one. */
interface ProgramDiagnostics {
  readonly config: string;
  readonly diagnostics: Array<{ readonly file?: string; readonly text: string }>;
}

/**
 * Runs in a node process of its own (its source is handed to `node -e`, so it must not use
 * anything of this module): builds the program of each tsconfig in turn, as `tsc -p` would, and
 * prints what each reports (as `tsc` does with `noEmit`: the config's, the options', syntactic,
 * global, semantic and declaration diagnostics) as JSON. The programs share the declaration files
 * they have in common, each parsed and bound once, as tsserver's document registry shares them
 * between projects: aws-cdk-lib's 900,000 lines of declarations were most of the time of each
 * program. A parsed file is shared only with a program that would parse it the same way (the
 * same language version, module format and JSDoc parsing); the programs' own source files (src/,
 * the apps) never are.
 */
function typeCheckPrograms(typescript: string, configs: string[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsc: typeof ts = require(typescript);
  const declarations = new Map<string, ts.SourceFile | undefined>();
  const results = configs.map((config) => {
    const parsed = tsc.getParsedCommandLineOfConfigFile(config, undefined, {
      ...tsc.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(`${config}: ${tsc.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      },
    })!;
    const host = tsc.createCompilerHost(parsed.options);
    const parse = host.getSourceFile;
    host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
      if (!fileName.endsWith('.d.ts')) {
        return parse.call(host, fileName, languageVersionOrOptions, onError, shouldCreate);
      }
      const o = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
      const key = [fileName, o.languageVersion, o.impliedNodeFormat, o.jsDocParsingMode].join('|');
      if (!declarations.has(key)) {
        declarations.set(key, parse.call(host, fileName, languageVersionOrOptions, onError, shouldCreate));
      }
      return declarations.get(key);
    };
    const program = tsc.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host, configFileParsingDiagnostics: parsed.errors });
    const formatHost = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
    const diagnostics = tsc.getPreEmitDiagnostics(program)
      .map((d) => ({ file: d.file?.fileName, text: tsc.formatDiagnostic(d, formatHost).trimEnd() }));
    return { config, diagnostics };
  });
  process.stdout.write(JSON.stringify(results));
}

/**
 * Type-checks src/ against the floor, and each docs app under `module: NodeNext` (see
 * `appsConfig`), in one process (see `typeCheckPrograms`). A diagnostic goes to the check whose
 * files it names; one that names no app's file (an options error) goes to every app of its program.
 */
async function typeCheckAll(floor: string, docs: Array<{ parent: string; apps: Array<{ app: TypeScriptApp; name: string }> }>): Promise<Outcome[]> {
  const sourceName = 'src/ type-checks against the floor';
  const configs = [sourceOnFloorConfig(floor), ...docs.map((d) => appsConfig(d.parent, d.apps.map((a) => a.app)))];
  const child = await run(process.execPath, [
    '-e', `(${typeCheckPrograms.toString()})(...JSON.parse(process.argv[1]))`, JSON.stringify([require.resolve('typescript'), configs]),
  ], { cwd: ROOT });
  let results: ProgramDiagnostics[] | undefined;
  try {
    results = child.status === 0 ? JSON.parse(child.output) : undefined;
  } catch {
    results = undefined;
  }
  if (!results || results.length !== configs.length) {
    const problem = `the type-check exited ${child.status}:\n${child.output.slice(-4000)}`;
    return [{ name: sourceName, problems: [problem] }, ...docs.flatMap((d) => d.apps.map(({ name }) => ({ name, problems: [problem] })))];
  }
  const [source, ...apps] = results;
  const outcomes: Outcome[] = [{ name: sourceName, problems: source.diagnostics.length ? [source.diagnostics.map((d) => d.text).join('\n')] : [] }];
  docs.forEach((d, i) => {
    const inFolder = (app: TypeScriptApp, file?: string) => file !== undefined && file.startsWith(`${app.dir}${path.sep}`);
    for (const { app, name } of d.apps) {
      const own = apps[i].diagnostics.filter((diagnostic) => inFolder(app, diagnostic.file)
        || !d.apps.some((other) => inFolder(other.app, diagnostic.file)));
      outcomes.push({
        name,
        problems: own.length ? [`${app.label} does not type-check under module NodeNext:\n${own.map((o) => o.text).join('\n')}`] : [],
      });
    }
  });
  return outcomes;
}

/** The tarball a user installs, unpacked once; its manifest checked against the floor. */
function packAndInspect(floorVersion: string): { unpacked: string; constructs: string[]; problems: string[] } {
  const packDir = path.join(OUT, 'tarball');
  fs.mkdirSync(packDir, { recursive: true });
  const tarball = path.join(packDir, JSON.parse(execOrThrow('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir]))[0].filename);
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
  const constructs = fs.existsSync(path.join(unpacked, '.jsii')) ? constructClasses(path.join(unpacked, '.jsii')) : [];
  if (constructs.length === 0) {
    problems.push('the tarball\'s assembly lists no construct class, so no pattern could be checked');
  }
  // jsii-docgen (check:api-docs) reads every .jsii below the checkout and keeps one per name and
  // version, so a copy left here from an earlier run would stand in for the fresh one. An app needs
  // none at run time: the copies here carry no assembly.
  fs.rmSync(path.join(unpacked, '.jsii'), { force: true });
  return { unpacked, constructs, problems };
}

/** Runs a command in the checkout and returns what it printed, or throws with its output. */
function execOrThrow(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
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
  const noAssembly = { recursive: true, filter: (source: string) => path.basename(source) !== '.jsii' };
  fs.cpSync(path.join(MODULES, cdkNag), path.join(modules, 'cdk-nag'), noAssembly);
  fs.cpSync(path.join(MODULES, cdkNag === 'cdk-nag' ? 'cdk-nag-v2' : 'cdk-nag'), path.join(modules, 'cdk-nag-v2'), noAssembly);
  return dir;
}

/** A user's TypeScript app, written to its app folder to be type-checked and run. */
interface TypeScriptApp {
  /** Its app folder, where it resolves its modules. */
  readonly dir: string;
  /** What a failure names. */
  readonly label: string;
}

/**
 * Writes a user's TypeScript app into its folder as CommonJS (`app.ts`) and as ESM (`app.mts`) for
 * the type-check, and `runSource` (the app, perhaps with more added) as CommonJS `app.js` to run.
 */
function writeTypeScriptApp(dir: string, source: string, runSource: string): void {
  fs.writeFileSync(path.join(dir, 'app.ts'), source);
  fs.writeFileSync(path.join(dir, 'app.mts'), source);
  fs.writeFileSync(path.join(dir, 'app.js'), ts.transpileModule(runSource, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText);
}

/**
 * The tsconfig that type-checks the `app.ts` and `app.mts` of each app under `module: NodeNext`, in
 * one program: each file resolves its modules from its own folder's node_modules, as in a program
 * of its own, while the declarations the apps share (aws-cdk-lib, by its real path) are read once.
 */
function appsConfig(parent: string, apps: TypeScriptApp[]): string {
  const folderOf = (app: TypeScriptApp) => path.relative(parent, app.dir).split(path.sep).join('/');
  const tsconfig = path.join(parent, 'tsconfig.apps.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [],
    },
    files: apps.flatMap((app) => [`${folderOf(app)}/app.ts`, `${folderOf(app)}/app.mts`]),
  }, null, 2));
  return tsconfig;
}

/** What running a user's app gave: problems, and its cloud assembly. */
interface AppRun {
  readonly problems: string[];
  readonly outdir: string;
}

/** Runs an app file with node, as the CDK CLI does (CDK_OUTDIR set, the app synthesizes on exit). */
async function runApp(dir: string, file: string, expectFailure = false): Promise<AppRun> {
  const outdir = path.join(dir, `cdk.out-${path.basename(file).replace(/\.\w+$/, '')}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  // V8 flag, not an app option: WebAssembly stays in its baseline compiler. aws-cdk-lib's template
  // validation is a 9 MB WebAssembly engine, and V8's optimizing recompiles of its hot functions
  // (on background threads) cost more CPU than they save in a run this short: about 1 to 2 s of
  // CPU per app. What the app does and reports is the same.
  const app = await run(process.execPath, ['--liftoff-only', file], {
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
  return { problems, outdir };
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

/**
 * cdk-nag 2.x findings (error and warning annotations of the packs), the suppressions it applied,
 * and every other error annotation (from aws-cdk-lib or the library): each fails `cdk synth`.
 */
function annotations(outdir: string): { findings: string[]; errors: string[]; suppressed: number } {
  const manifest = readJson(path.join(outdir, 'manifest.json'));
  const findings: string[] = [];
  const errors: string[] = [];
  let suppressed = 0;
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    // Newer releases write a stack's metadata to a file of its own, older ones into the manifest.
    const metadata = artifact.additionalMetadataFile ? readJson(path.join(outdir, artifact.additionalMetadataFile)) : artifact.metadata;
    for (const [constructPath, entries] of Object.entries<any[]>(metadata ?? {})) {
      for (const entry of entries) {
        const data = String(entry.data);
        const where = constructPath.replace(/^\//, '');
        if ((entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') && [...PACKS, 'CdkNagValidationFailure'].some((p) => data.startsWith(p))) {
          findings.push(`${data.slice(0, data.indexOf(':'))} at ${where}`);
        } else if (entry.type === 'aws:cdk:error') {
          errors.push(`${data} at ${where}`);
        } else if (entry.type === 'aws:cdk:info' && data.startsWith('CdkNagSuppression')) {
          suppressed++;
        }
      }
    }
  }
  return { findings, errors, suppressed };
}

/**
 * Known bad, reported by each pack of both majors (an unencrypted queue, a log group kept forever,
 * a function without a dead-letter queue), added to each app before it runs (as TypeScript or an
 * ES module: the text is both), so that "no finding" proves the packs it registers ran: each must
 * report this stack, and nothing else.
 */
const KNOWN_BAD_IMPORTS = [
  "import { Stack as KnownBadStack } from 'aws-cdk-lib';",
  "import * as knownBadLambda from 'aws-cdk-lib/aws-lambda';",
  "import * as knownBadLogs from 'aws-cdk-lib/aws-logs';",
  "import * as knownBadSqs from 'aws-cdk-lib/aws-sqs';",
  '',
].join('\n');
const KNOWN_BAD_STACK = `
const knownBad = new KnownBadStack(app, 'KnownBad');
new knownBadSqs.Queue(knownBad, 'Queue', { encryption: knownBadSqs.QueueEncryption.UNENCRYPTED });
new knownBadLogs.CfnLogGroup(knownBad, 'Logs');
new knownBadLambda.CfnFunction(knownBad, 'Function', {
  code: { zipFile: 'exports.handler = async () => {};' },
  role: 'arn:aws:iam::123456789012:role/example',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
});
`;

/**
 * What an app with the known-bad stack must show: for each cdk-nag major it runs, every pack
 * reported the known-bad stack and nothing outside it; no other error annotation anywhere.
 */
function verdict(outdir: string, majors: Array<'3.x' | '2.x'>): string[] {
  const problems: string[] = [];
  const outsideKnownBad = (items: string[]) => items.filter((f) => !f.includes(' at KnownBad/'));
  const v2 = annotations(outdir);
  for (const major of majors) {
    const findings = major === '3.x' ? nagV3Findings(outdir) ?? [] : v2.findings;
    for (const pack of PACKS) {
      if (!findings.some((f) => f.startsWith(`${pack}-`) && f.includes(' at KnownBad/'))) {
        problems.push(`cdk-nag ${major}'s ${pack} pack reported nothing in the known-bad stack: it did not run, or saw nothing of this app`);
      }
    }
    if (outsideKnownBad(findings).length) {
      problems.push(`unacknowledged cdk-nag ${major} findings:\n  ${outsideKnownBad(findings).join('\n  ')}`);
    }
  }
  if (outsideKnownBad(v2.errors).length) {
    problems.push(`error annotations, each of which fails \`cdk synth\`:\n  ${outsideKnownBad(v2.errors).join('\n  ')}`);
  }
  // 2.x shows what it suppressed as info annotations (with `logIgnores`) or in its CSV reports.
  const csvSuppressed = () => fs.readdirSync(outdir).filter((f) => f.endsWith('-NagReport.csv'))
    .some((f) => fs.readFileSync(path.join(outdir, f), 'utf8').includes('"Suppressed"'));
  if (majors.includes('2.x') && v2.suppressed === 0 && !csvSuppressed()) {
    problems.push('cdk-nag 2.x applied no acknowledgement of the patterns: it read none of their metadata');
  }
  return problems;
}

/** A check to run in one of the two workers: at most one process at a time. */
type Job = () => Promise<Outcome[]>;

/**
 * The quick start (3.x) and the cdk-nag 2.x app of the docs, in their own app folders: a job that
 * runs each app, and the apps to type-check (see `typeCheckAll`). An app's type errors and its
 * run's problems come out under its name.
 */
function docsAppJobs(flavor: Flavor, unpacked: string): { runs: Job[]; parent: string; apps: Array<{ app: TypeScriptApp; name: string }> } {
  const docs = [
    {
      file: 'README.md',
      marker: 'quick-start',
      nag: 'cdk-nag',
      name: `README quick start on aws-cdk-lib ${flavor.version} (CommonJS; its types under NodeNext as CJS and ESM), cdk-nag 3.x`,
    },
    { file: 'docs/cdk-nag.md', marker: 'nag-v2-app', nag: 'cdk-nag-v2', name: `docs/cdk-nag.md's 2.x app on aws-cdk-lib ${flavor.version}, cdk-nag 2.x` },
  ] as const;
  const runs: Job[] = [];
  const written: Array<{ app: TypeScriptApp; name: string }> = [];
  for (const { file, marker, nag, name } of docs) {
    const major = nag === 'cdk-nag' ? '3.x' : '2.x';
    try {
      const dir = appFolder(path.join(OUT, flavor.name, marker), unpacked, flavor.awsCdkLib, nag);
      const source = markedSnippet(file, marker);
      if (!/^const app = new App\(\);$/m.test(source)) {
        runs.push(async () => [{ name, problems: [`${file}'s ${marker} block has no \`const app = new App();\` to add the known-bad stack to`] }]);
        continue;
      }
      // Type-checked as written; run with the known-bad stack, which 3.x fails the synth on.
      writeTypeScriptApp(dir, source, `${KNOWN_BAD_IMPORTS}${source}${KNOWN_BAD_STACK}`);
      written.push({ app: { dir, label: `${file}'s ${marker} block` }, name });
      runs.push(async () => {
        const result = await runApp(dir, 'app.js', major === '3.x');
        return [{ name, problems: result.problems.length ? result.problems : verdict(result.outdir, [major]) }];
      });
    } catch (error) {
      runs.push(async () => [{ name, problems: [(error as Error).message] }]);
    }
  }
  return { runs, parent: path.join(OUT, flavor.name), apps: written };
}

/** The classes of an assembly that take `(scope, id, ...)`: the constructs a user builds. */
function constructClasses(dotJsii: string): string[] {
  const assembly = readJson(dotJsii);
  return Object.values<any>(assembly.types)
    .filter((t) => t.kind === 'class' && !t.abstract && t.initializer?.parameters?.[0]?.name === 'scope' && t.initializer?.parameters?.[1]?.name === 'id')
    .map((t) => t.name)
    .sort();
}

/** Every pattern, from an ES module, under both majors at once; the known-bad stack must be reported by both. */
async function checkEveryPattern(flavor: Flavor, unpacked: string, constructs: string[]): Promise<Outcome> {
  const dir = appFolder(path.join(OUT, flavor.name, 'every-pattern'), unpacked, flavor.awsCdkLib, 'cdk-nag');
  const app = fs.readFileSync(path.join(ROOT, 'test', 'package', 'every-pattern.mjs'), 'utf8');
  fs.writeFileSync(path.join(dir, 'app.mjs'), `${KNOWN_BAD_IMPORTS}${app}${KNOWN_BAD_STACK}`);
  const result = await runApp(dir, 'app.mjs', true);
  const name = `every pattern on aws-cdk-lib ${flavor.version} (ESM), cdk-nag 3.x and 2.x`;
  if (result.problems.length) {
    return { name, problems: result.problems };
  }
  const problems: string[] = [];
  // The app names each stack after the construct it builds: the assembly's stacks must cover every
  // construct of the package, each with resources.
  const stacks = Object.entries<any>(readJson(path.join(result.outdir, 'manifest.json')).artifacts ?? {})
    .filter(([stack, artifact]) => artifact.type === 'aws:cloudformation:stack' && stack !== 'KnownBad');
  const missing = constructs.filter((c) => !stacks.some(([stack]) => stack === c));
  if (missing.length) {
    problems.push(`test/package/every-pattern.mjs builds no stack of ${missing.join(', ')}: add each construct of the package`);
  }
  for (const [stack, artifact] of stacks) {
    if (Object.keys(readJson(path.join(result.outdir, artifact.properties.templateFile)).Resources ?? {}).length === 0) {
      problems.push(`stack ${stack} holds no resource`);
    }
  }
  problems.push(...verdict(result.outdir, ['3.x', '2.x']));
  return { name: `${name}: ${stacks.length} stacks`, problems };
}

/**
 * A user's app of plain aws-cdk-lib L2s (none of the patterns): a data stack whose hardened table
 * sits in a nested stack, and a stack with a dashboard, the five packs turned on by `NagPacks.enable`.
 */
const PLAIN_APP = `const { App, NestedStack, Stack } = require('aws-cdk-lib');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const kms = require('aws-cdk-lib/aws-kms');
const sqs = require('aws-cdk-lib/aws-sqs');
const { NagPacks } = require('cdk-best-practice-patterns');

const app = new App();
const data = new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
const tables = new NestedStack(data, 'Tables');
const key = new kms.Key(tables, 'Key', { enableKeyRotation: true });
new dynamodb.TableV2(tables, 'Notes', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
  encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
});
const operations = new Stack(app, 'Operations');
new cloudwatch.Dashboard(operations, 'Overview');
if (process.env.ADD_UNHARDENED_QUEUE) {
  new sqs.Queue(data, 'Unhardened');
}
NagPacks.enable(app);
`;

/**
 * The report command as users run it, from the tarball: `cdk synth` with the CLI, then
 * `npx cdk-best-practice-patterns report` (its bin link, which npx runs) on a plain-L2 app with a nested stack. It must report
 * every stack with a diagram and a cost table and exit 0; with an unhardened queue added, exit 1
 * and name the queue's findings, and exit 0 with --no-fail. Under each cdk-nag major, as installed
 * in the app: `NagPacks.enable` picks it.
 */
async function checkReportOnPlainApp(flavor: Flavor, unpacked: string, nag: 'cdk-nag' | 'cdk-nag-v2'): Promise<Outcome> {
  const major = nag === 'cdk-nag' ? '3.x' : '2.x';
  const dir = appFolder(path.join(OUT, flavor.name, `report-${major}`), unpacked, flavor.awsCdkLib, nag);
  const name = `npx cdk-best-practice-patterns report on a plain-L2 app with a nested stack, aws-cdk-lib ${flavor.version}, cdk-nag ${major}`;
  fs.writeFileSync(path.join(dir, 'app.js'), PLAIN_APP);
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ 'app': 'node app.js', 'cli-telemetry': false, 'notices': false }));
  // What npm does for a package's bin on install: a link in node_modules/.bin, and the file made executable.
  const bin = path.join(dir, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  const command = readJson(path.join(unpacked, 'package.json')).bin?.['cdk-best-practice-patterns'];
  if (!command) {
    return { name, problems: ["the package's manifest has no bin named cdk-best-practice-patterns"] };
  }
  fs.symlinkSync(path.join('..', 'cdk-best-practice-patterns', command), path.join(bin, 'cdk-best-practice-patterns'));
  fs.chmodSync(path.join(dir, 'node_modules', 'cdk-best-practice-patterns', command), 0o755);
  const env = { CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' };
  // aws-cdk-lib's template validation is off in these synths (it would start its engine, about
  // 3.5 s of CPU, in each of four): they check the report command, over an app of plain L2s whose
  // templates nothing here asserts. The packs, plugins of their own, still run.
  const synth = (extra: NodeJS.ProcessEnv = {}) => run(path.join(MODULES, '.bin', 'cdk'), ['synth', '--quiet', '--no-notices'], {
    cwd: dir,
    env: { ...env, CDK_VALIDATION: 'false', ...extra },
  });
  // `npx cdk-best-practice-patterns` runs node_modules/.bin/cdk-best-practice-patterns, so this runs
  // that link itself, as npx would: the system follows it and starts the file by its shebang, which
  // fails without the link, the executable bit or the `#!/usr/bin/env node` line. It spares three
  // starts of npm's own CLI (about 0.4 s of CPU each) per cdk-nag major.
  const report = (...args: string[]) => run(path.join(bin, 'cdk-best-practice-patterns'), ['report', ...args], { cwd: dir, env });
  const problems: string[] = [];

  const clean = await synth();
  if (clean.status !== 0) {
    return { name, problems: [`cdk synth of the plain app failed:\n${clean.output.slice(-4000)}`] };
  }
  const cleanReport = await report();
  const reportFile = path.join(dir, 'cdk.out', 'REPORT.md');
  const text = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '';
  if (cleanReport.status !== 0) problems.push(`the report on the plain app exited ${cleanReport.status}, not 0:\n${cleanReport.output.slice(-4000)}`);
  for (const stack of ['Data', 'Operations']) {
    if (!new RegExp(`^cdk.out ${stack}: \\d+ resources; unacknowledged findings: AwsSolutions 0, Serverless 0, NIST.800.53.R5 0, HIPAA.Security 0, PCI.DSS.321 0;`, 'm').test(cleanReport.output)) {
      problems.push(`the report printed no clean line for stack ${stack}:\n${cleanReport.output}`);
    }
  }
  const expected: Array<[string, RegExp]> = [
    ['a diagram per stack', /(```mermaid\n[\s\S]*?){2}/],
    ["the nested stack's table in its stack's diagram", /subgraph Data_Tables\["Tables: nested stack"\]\n(?: {4}.*\n)*? {4}Data_Tables_Notes\[\("DynamoDB table Notes"\)\]/],
    ['a cost table', /### Estimated fixed monthly cost\n\nAn estimate, at eu-west-1 prices|### Estimated fixed monthly cost\n\nAn estimate, at us-east-1 prices \(the table has none for eu-west-1\)/],
    ["the dashboard's cost", /\| CloudWatch dashboard[^\n]*\| 1 \|/],
  ];
  for (const [what, pattern] of expected) {
    if (!pattern.test(text)) problems.push(`cdk.out/REPORT.md has no ${what}`);
  }

  await synth({ ADD_UNHARDENED_QUEUE: 'true' });
  const failing = await report();
  if (failing.status !== 1 || !/AwsSolutions-SQS3/.test(fs.readFileSync(reportFile, 'utf8'))) {
    problems.push(`with an unhardened queue, the report exited ${failing.status} (must be 1) or named no AwsSolutions-SQS3 finding:\n${failing.output.slice(-4000)}`);
  }
  const reportOnly = await report('--no-fail');
  if (reportOnly.status !== 0) problems.push(`report --no-fail exited ${reportOnly.status}, not 0`);
  return { name, problems };
}

function flavorOf(awsCdkLib: string, name?: string): Flavor {
  const dir = fs.realpathSync(awsCdkLib);
  const version: string = readJson(path.join(dir, 'package.json')).version;
  return { name: name ?? `aws-cdk-lib-${version}`, awsCdkLib: dir, version };
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

  const floor = flavorOf(path.join(MODULES, 'aws-cdk-lib-floor'), 'floor');
  const flavors = [floor, ...extra.map((dir) => flavorOf(dir))];
  const started = Date.now();
  const { unpacked, constructs, problems: packProblems } = packAndInspect(floor.version);
  const outcomes: Outcome[] = [{ name: 'the tarball\'s manifest and contents', problems: packProblems }];
  // Two at a time: each job runs one single-threaded process at a time, and CI has two cores. The
  // longest come first, so that the last to finish are short and neither core idles for long.
  const docs = flavors.map((f) => docsAppJobs(f, unpacked));
  const jobs: Job[] = [
    ...flavors.map((f) => async () => [await checkEveryPattern(f, unpacked, constructs)]),
    () => typeCheckAll(floor.awsCdkLib, docs.filter((d) => d.apps.length)),
    ...docs.flatMap((d) => d.runs),
    ...flavors.flatMap((f) => (['cdk-nag', 'cdk-nag-v2'] as const).map((nag) => async () => [await checkReportOnPlainApp(f, unpacked, nag)])),
  ];
  const results: Outcome[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]().catch((error: Error) => [{ name: 'a check that could not run', problems: [error.message] }]);
    }
  };
  await Promise.all([worker(), worker()]);
  // In the order of the jobs; a docs app's type-check and its run give one outcome, under its name.
  for (const outcome of results.flat()) {
    const same = outcomes.find((o) => o.name === outcome.name);
    if (same) {
      same.problems.push(...outcome.problems);
    } else {
      outcomes.push({ name: outcome.name, problems: [...outcome.problems] });
    }
  }

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
