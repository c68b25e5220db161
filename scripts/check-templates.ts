/**
 * Runs cfn-lint (https://github.com/aws-cloudformation/cfn-lint) over synthesized CloudFormation
 * templates and fails on any error or warning that is not acknowledged below with its reason.
 *
 *   check-templates.ts [--jobs N] [dir...]
 *
 * Each dir holds cloud assemblies, one per subdirectory; by default build/integ (from integ:check)
 * and cdk.out (from synth:examples).
 *
 * cfn-lint checks what aws-cdk-lib's synth does not: resource and property schemas, intrinsic
 * functions (an Fn::Split over a cross-stack Fn::GetStackOutput, E1022), IAM action names, engine
 * versions and instance classes. It needs Python: `pip install "cfn-lint==1.51.0"`. When it is
 * missing, this fails and says so; it never skips.
 *
 * cfn-lint is single-threaded, so the templates are split by size across N processes, by default
 * one per core. Each process loads cfn-lint (about 1 s) and the schemas and rules of every resource
 * type its templates hold, so more processes cost more CPU: build/integ took 13 s of CPU in one and
 * 19 s in two. `npm test` runs this once, with --jobs 1, over build/integ and cdk.out together,
 * beside other checks that keep the cores busy.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const DEFAULT_DIRS = ['build/integ', 'cdk.out'];
const INSTALL_HINT = 'Install it with `pip install "cfn-lint==1.51.0"` (Python 3.9 or later), then rerun.';

/**
 * aws-cdk-lib makes each Lambda function and state machine depend on its role (and its default
 * policy) and each ECS service on its listener, though a GetAtt or Ref already orders them: a
 * redundant DependsOn, harmless, in code of aws-cdk-lib's that no pattern controls.
 */
const IGNORED_RULES = ['W3005'];

interface Finding {
  readonly Filename: string | null;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Start: { readonly LineNumber: number; readonly ColumnNumber: number }; readonly Path: Array<string | number> | null };
  readonly Rule: { readonly Id: string };
}

/** The value at a finding's path in its template. */
function valueAt(finding: Finding): unknown {
  if (!finding.Filename || !finding.Location.Path) return undefined;
  let value: any = JSON.parse(fs.readFileSync(path.resolve(ROOT, finding.Filename), 'utf8'));
  for (const key of finding.Location.Path) value = value?.[key];
  return value;
}

interface Acknowledgement {
  readonly rule: string;
  readonly reason: string;
  readonly applies: (finding: Finding) => boolean;
}

/**
 * IAM actions that integ-tests-alpha derives from the name of an assertion's SDK call: they exist
 * under another name, and the assertion's role is granted that one too, so they grant nothing and
 * deny nothing.
 */
const DERIVED_ASSERTION_ACTIONS: Record<string, string> = {
  // invokeFunction also grants lambda:InvokeFunction, and the function's policy lets the role in
  // (aws-cdk #27865, #28424).
  'lambda:Invoke': 'lambda:InvokeFunction',
  // The REST API IntegTest grants apigateway:GET, the action API Gateway's GetMethod needs.
  'apigateway:GetMethod': 'apigateway:GET',
};

const ACKNOWLEDGED: Acknowledgement[] = [
  {
    rule: 'W3037',
    reason: `integ-tests-alpha derives an IAM action from the SDK call's name (${Object.entries(DERIVED_ASSERTION_ACTIONS)
      .map(([derived, real]) => `${derived}, granted as ${real}`).join('; ')}); it grants nothing`,
    applies: (finding) => {
      // Only in an IntegTest's assertion stack, on integ-tests-alpha's provider role.
      if (!/DeployAssert[0-9A-F]{8}\.template\.json$/.test(finding.Filename ?? '')) return false;
      if (!String(finding.Location.Path?.[1] ?? '').startsWith('SingletonFunction')) return false;
      const actions = [valueAt(finding)].flat();
      return actions.length > 0 && actions.every((action) => typeof action === 'string' && action in DERIVED_ASSERTION_ACTIONS);
    },
  },
  {
    rule: 'W3691',
    reason: "a PostgreSQL major version alone ('17', RelationalDatabase's default) makes RDS pick a recent minor version "
      + '(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.DBVersions.html); '
      + "cfn-lint's list of deprecated versions has every bare major version, as DescribeDBEngineVersions lists none "
      + '(its E3691 accepts them since aws-cloudformation/cfn-lint #3849)',
    applies: (finding) => {
      const properties = valueAt(finding) as { Engine?: unknown; EngineVersion?: unknown } | undefined;
      return properties?.Engine === 'postgres' && typeof properties.EngineVersion === 'string' && /^\d+$/.test(properties.EngineVersion);
    },
  },
];

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/**
 * The version of the cfn-lint on PATH, which must be 1.x. `cfn-lint --version` loads all of
 * cfn-lint (about 1 s of CPU), so it runs beside the lint processes rather than before them; main
 * checks it before it reads their reports.
 */
function cfnLintVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('cfn-lint', ['--version']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (error) => fail(`cfn-lint is not on PATH (${error.message}). ${INSTALL_HINT}`));
    child.on('close', (code) => {
      if (code !== 0) fail(`cfn-lint is not on PATH (${stderr.trim()}). ${INSTALL_HINT}`);
      const version = /(\d+)\.\d+\.\d+/.exec(stdout);
      // Rule ids, levels and the JSON format below are those of cfn-lint 1.x.
      if (!version || version[1] !== '1') fail(`Found ${stdout.trim()}, but cfn-lint 1.x is needed. ${INSTALL_HINT}`);
      resolve(version![0]);
    });
  });
}

/** The templates of a cloud assembly, and of each `cdk.Stage`'s nested assembly (`assembly-<Stage>/`) in it. */
function assemblyTemplates(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) {
      return assemblyTemplates(path.join(directory, entry.name));
    }
    return entry.isFile() && entry.name.endsWith('.template.json') ? [path.relative(ROOT, path.join(directory, entry.name))] : [];
  });
}

/** Every template of every cloud assembly under the dirs; a dir without any fails. */
function templates(dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    const absolute = path.resolve(ROOT, dir);
    const found = fs.existsSync(absolute)
      ? fs.readdirSync(absolute, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) => assemblyTemplates(path.join(absolute, entry.name)))
      : [];
    if (found.length === 0) {
      fail(`No templates in ${dir}/*/: synthesize them first (\`npx projen integ:check\` for build/integ, \`npx projen synth:examples\` for cdk.out).`);
    }
    return found.sort();
  });
}

/** The files in `count` groups of about equal total size: the largest first, each to the lightest group. */
function balanced(files: string[], count: number): string[][] {
  const groups = Array.from({ length: Math.min(count, files.length) }, () => ({ size: 0, files: [] as string[] }));
  const sized = files.map((file) => ({ file, size: fs.statSync(path.resolve(ROOT, file)).size })).sort((a, b) => b.size - a.size);
  for (const { file, size } of sized) {
    const lightest = groups.reduce((a, b) => (b.size < a.size ? b : a));
    lightest.size += size;
    lightest.files.push(file);
  }
  return groups.map((g) => g.files);
}

function lint(files: string[]): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('cfn-lint', ['--format', 'json', '--ignore-checks', ...IGNORED_RULES, '--', ...files], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as Finding[]);
      } catch {
        reject(new Error(`cfn-lint exited with ${code} without a JSON report:\n${stderr}${stdout}`));
      }
    });
  });
}

function location(finding: Finding): string {
  return `${finding.Filename ?? '(cfn-lint)'}:${finding.Location.Start.LineNumber}:${finding.Location.Start.ColumnNumber}`;
}

function parseArgs(args: string[]): { jobs: number; dirs: string[] } {
  const at = args.indexOf('--jobs');
  if (at === -1) return { jobs: os.cpus().length, dirs: args };
  const jobs = Number(args[at + 1]);
  if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be a whole number from 1; got ${args[at + 1] ?? 'nothing'}`);
  return { jobs, dirs: [...args.slice(0, at), ...args.slice(at + 2)] };
}

async function main(): Promise<void> {
  const { jobs, dirs } = parseArgs(process.argv.slice(2));
  const files = templates(dirs.length > 0 ? dirs : DEFAULT_DIRS);
  const versionCheck = cfnLintVersion();
  const reports = balanced(files, jobs).map(lint);
  // Read below, after the version: meanwhile a failed lint must not count as an unhandled rejection.
  for (const report of reports) report.catch(() => undefined);
  // The version first: a cfn-lint other than 1.x fails with what to install, not with its report.
  const version = await versionCheck;
  const findings = (await Promise.all(reports)).flat();

  const acknowledged = new Map<Acknowledgement, number>();
  const problems: Finding[] = [];
  for (const finding of findings) {
    if (finding.Level === 'Informational') {
      console.log(`${location(finding)}: ${finding.Rule.Id} (informational) ${finding.Message}`);
      continue;
    }
    const acknowledgement = ACKNOWLEDGED.find((a) => a.rule === finding.Rule.Id && a.applies(finding));
    if (acknowledgement) acknowledged.set(acknowledgement, (acknowledged.get(acknowledgement) ?? 0) + 1);
    else problems.push(finding);
  }

  for (const [acknowledgement, count] of acknowledged) {
    console.log(`Acknowledged ${acknowledgement.rule} ×${count}: ${acknowledgement.reason}.`);
  }
  for (const finding of problems) {
    // W3037 lists every action of the service: the start is what matters.
    const message = finding.Message.length > 400 ? `${finding.Message.slice(0, 400)}...` : finding.Message;
    console.error(`${location(finding)}: ${finding.Level} ${finding.Rule.Id} ${message}`);
  }
  const summary = `cfn-lint ${version} over ${files.length} templates`;
  if (problems.length > 0) {
    fail(`\n${summary}: ${problems.length} finding(s) above (rules at https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md). `
      + 'Fix the template, or, where the finding is wrong, acknowledge it narrowly in scripts/check-templates.ts with the reason.');
  }
  console.log(`${summary}: no errors or warnings (${IGNORED_RULES.join(', ')} ignored).`);
}

main().catch((error) => fail((error as Error).message));
