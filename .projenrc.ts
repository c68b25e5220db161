import { awscdk, DependencyType, javascript, Task } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// The lowest aws-cdk-lib the library works with, the floor of the peer range we promise users:
// - below 2.269.0, `Validations.acknowledge` refuses ids with '::' ("the '::' delimiter is
//   reserved"), and granular acknowledgements such as `AwsSolutions-IAM4[Policy::...]` are how the
//   patterns stay narrow: eight of them threw while being constructed;
// - 2.258.0's `DatabaseInstanceProps` has no `manageMasterUserPassword` (src/ does not compile);
// - below 2.258.0, cdk-nag 3 reports a failure with zero violations.
// `npm test` checks the floor (scripts/check-package.ts): src/ type-checks against it, and the packed
// package builds every pattern on it with 0 findings. Development and CI run on a current release.
const CDK_FLOOR = '2.269.0';
const CDK_DEV = '2.276.0';
// The aws-cdk CLI pinned on its 2.x line: its 3.x releases cannot read current cloud assemblies.
const CDK_CLI = '2.1148.1';
// integ-tests-alpha's newest release; it needs aws-cdk-lib >= 2.245.0.
const INTEG_TESTS = '2.245.0-alpha.0';
// One AWS SDK v3 release for every client the emulator tests use (3.1142.0 is the newest this
// registry holds for all of them).
const AWS_SDK = '3.1142.0';
// The newest cdk-nag 2.x: acknowledgements must work for its users too.
const CDK_NAG_V2 = '2.38.2';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-best-practice-patterns',
  description:
    'Best-practice AWS CDK L3 patterns: secure, highly available defaults, built-in alarms and zero unacknowledged cdk-nag findings.',
  author: 'cdk-best-practice-patterns contributors',
  // No mailbox: the repository is where to reach the maintainers.
  authorAddress: 'https://github.com/cdk-best-practice-patterns/cdk-best-practice-patterns',
  authorOrganization: true,
  repositoryUrl: 'https://github.com/cdk-best-practice-patterns/cdk-best-practice-patterns.git',
  homepage: 'https://github.com/cdk-best-practice-patterns/cdk-best-practice-patterns#readme',
  license: 'Apache-2.0',
  // Until the API is settled (0.x), every release may break it: say so to every registry.
  stability: 'experimental',
  keywords: [
    'aws', 'cdk', 'awscdk', 'aws-cdk', 'constructs', 'patterns', 'l3', 'best-practices', 'cdk-nag', 'well-architected',
    'vpc', 'alb', 'auto-scaling', 'ecs', 'fargate', 'lambda', 'api-gateway', 'sqs', 'sns', 'eventbridge',
    'step-functions', 'cloudfront', 's3', 'rds', 'cloudwatch', 'waf', 'kms',
  ],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  cdkVersion: CDK_FLOOR,
  cdkVersionPinning: false,
  // The dev dependency is declared explicitly below, at a current version.
  peerDependencyOptions: { pinnedDevDependency: false },
  constructsVersion: '10.5.1',
  // No runtime dependency: src/ needs only its peers. cdk-nag is the users' choice (3.x or 2.x,
  // in any jsii language): only `NagPacks.enable` loads it, at run time; the tests run both majors.
  deps: [],
  devDeps: [
    `aws-cdk-lib@${CDK_DEV}`,
    // The peer range's floor, side by side with the development release: scripts/check-package.ts
    // builds the packed library against it.
    `aws-cdk-lib-floor@npm:aws-cdk-lib@${CDK_FLOOR}`,
    'cdk-nag@^3.0.2',
    `aws-cdk@${CDK_CLI}`,
    'ts-node@^10.9.2',
    // The base of test/support/jest-environment.ts; the release jest itself installs.
    'jest-environment-node@^30.5.2',
    // The examples' Lambda consumers: bundled locally by aws-lambda-nodejs (no Docker here).
    'esbuild@^0.28.2',
    // One Powertools release for all packages, so they share one @aws-lambda-powertools/commons.
    '@aws-lambda-powertools/batch@~2.35.0',
    '@aws-lambda-powertools/logger@~2.35.0',
    '@aws-lambda-powertools/metrics@~2.35.0',
    '@aws-lambda-powertools/tracer@~2.35.0',
    '@types/aws-lambda@^8.10.164',
    // The PostgreSQL client the RelationalDatabase IntegTest's probe function bundles.
    'pg@^8.23.1',
    '@types/pg@^8.23.1',
    `@aws-cdk/integ-tests-alpha@${INTEG_TESTS}`,
    // cdk-nag 2.x, which most CDK apps still run (Aspects, `cdk_nag` metadata): the tests hold the
    // patterns to it as well as to 3.x. An alias, so both majors install side by side; it resolves
    // aws-cdk-lib to the project's own copy, as it must to recognise the project's classes.
    `cdk-nag-v2@npm:cdk-nag@${CDK_NAG_V2}`,
    ...['cloudformation', 'sqs', 'sns', 'ec2', 'elastic-load-balancing-v2', 'auto-scaling', 's3', 'ssm', 'lambda', 'acm', 'eventbridge', 'sfn', 'cloudwatch-logs', 'rds', 'secrets-manager', 'ecs', 'dynamodb']
      .map((client) => `@aws-sdk/client-${client}@${AWS_SDK}`),
  ],

  // No GitHub here: no workflows, no release automation, no mergify.
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,

  // Python, Java, .NET and Go toolchains and registries are unreachable here: the targets are
  // declared (jsii validates them on every compile) but nothing packages them.
  publishToPypi: { distName: 'cdk-best-practice-patterns', module: 'cdk_best_practice_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdkbestpracticepatterns',
    mavenGroupId: 'io.github.cdk-best-practice-patterns',
    mavenArtifactId: 'cdk-best-practice-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkBestPracticePatterns', packageId: 'CdkBestPracticePatterns' },
  publishToGo: { moduleName: 'github.com/cdk-best-practice-patterns/cdk-best-practice-patterns-go' },

  docgen: true,
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The emulator tests need moto_server and run on their own: `npm run test:emulator`.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/emulator/'],
      // build/ holds generated packages (the packed tarball's package.json among them), which would
      // shadow this package's own name in jest's module map.
      modulePathIgnorePatterns: ['<rootDir>/build/'],
      setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
      // Node's environment, plus one CloudFormation validation engine per worker instead of per file.
      testEnvironment: '<rootDir>/test/support/jest-environment.ts',
      // Each suite synthesizes whole apps; two workers match the 2-core machines we run on.
      maxWorkers: 2,
      // Coverage costs jest about 10% of its time and gates nothing: `npx jest --coverage` when wanted.
      collectCoverage: false,
    },
  },
  // No source maps in lib/: inline ones with their sources tripled the size of every file the
  // package loads, and where the app runs under ts-node (cdk.json's usual `npx ts-node app.ts`),
  // its source-map support decodes them each time aws-cdk-lib records a construct's creation stack
  // trace, which it does for every resource: about a quarter of a pattern's synth. aws-cdk-lib
  // ships none either; the compiled JavaScript reads like the TypeScript it comes from.
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },
  typecheckTests: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  // The dev tsconfig type-checks tests, scripts and the examples (against the compiled lib/, which
  // they import by the package's name).
  tsconfigDev: {
    include: ['scripts/**/*.ts', 'examples/**/*.ts', '.projenrc.ts'],
    exclude: ['build', 'cdk.out', 'lib', 'dist'],
    // `npm test` type-checks everything with tsc before jest runs, so ts-jest may transpile each
    // file on its own instead of checking every suite again: jest runs about 10 s faster.
    compilerOptions: { isolatedModules: true },
  },
  eslintOptions: {
    dirs: ['src'],
    // One typed-lint program over everything the dev tsconfig type-checks.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    devdirs: ['test', 'examples', 'scripts', 'projenrc', '.projenrc.ts'],
    // CI must fail on a lint error, not quietly rewrite the file.
    commandOptions: { fix: false, extraArgs: ['--max-warnings=0'] },
  },
  // `.jsii.tabl.json`: jsii-rosetta's translations of the examples, rebuilt by every `npm test`.
  gitignore: ['/build/', '/cdk.out/', 'cdk.out/', '/.jsii.tabl.json'],
  npmignoreEnabled: true,
});

// The npm package holds the compiled library and its docs, not the repository's tooling.
// jsii-rosetta's tablet is rebuilt by every `npm test` and would make the tarball depend on timing.
for (const path of ['/examples/', '/scripts/', '/build/', '/cdk.out/', '/.ci/', '/.jsii.tabl.json']) {
  project.addPackageIgnore(path);
}

// Develop against the constructs floor, as jsii expects of a peer dependency.
project.deps.addDependency('constructs@10.5.1', DependencyType.BUILD);

// projen silences jsii's reserved-word warning; names that break Python, Java, C# or Go users are
// exactly what we want to hear about, so every jsii warning fails the compile.
// The one exception is deliberate: we promise users the aws-cdk-lib floor above but develop and
// test on a current release, which jsii would rather see pinned to the floor.
project.compileTask.reset('jsii --fail-on-warnings --silence-warnings=metadata/missing-dev-dependency');
// Importing the package must not load every aws-cdk-lib service module the library touches.
project.compileTask.exec('ts-node --transpile-only --project tsconfig.dev.json scripts/lazy-index.ts');

// projen writes 0.0.0 outside its release workflow, which this repository does not use (no registry
// to publish to from here). The version is declared instead: 0.x until the API is settled. Raise
// it with each release, and give CHANGELOG.md a heading for it.
project.package.addField('version', '0.1.0');
// cdk-nag is an optional peer in effect but not in package.json: only `NagPacks.enable` loads it,
// from the app, and checks its release itself. jsii makes every peer dependency a required one in
// Python, Java, .NET and Go (and jsii-pacmak turned `^2.38.2 || ^3.0.2` into the unsatisfiable
// Python requirement `cdk-nag>=2.38.2, <3.0.0, >=3.0.2, <4.0.0`), so it is not declared.
// The report on a synthesized app, for users: `npx cdk-best-practice-patterns report`.
project.addBins({ 'cdk-best-practice-patterns': 'lib/report/cli.js' });

// Every `@example` of the API and every ```ts block of the README, compiled in each jsii language's
// translation by jsii-rosetta: strict, so one that does not compile fails `npm test`.
const checkExamples = project.addTask('check:examples', {
  description: 'Require an @example on every class, and compile them and the README snippets with jsii-rosetta in strict mode (needs a compiled .jsii)',
  // `--directory .` compiles them against this checkout's node_modules: the README's quick start
  // imports cdk-nag, a dev dependency, which rosetta's own install (dependencies and peers only,
  // plus `exampleDependencies` fetched from the registry on every run) would lack.
  // `--batch` compiles them in one program instead of one each: half the time, the same errors.
  steps: [
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/check-examples.ts' },
    { exec: 'jsii-rosetta extract --strict --directory . --batch 1000 .jsii' },
  ],
});
// Python, Java, .NET and Go packages cannot be built here (no PyPI, Maven or NuGet), but their
// sources can: jsii-pacmak generates each target, and Python's byte-compiler checks what it wrote.
const checkTargets = project.addTask('check:targets', {
  description: 'Generate the Python, Java, .NET and Go sources with jsii-pacmak --code-only (needs a compiled .jsii)',
  steps: [
    { exec: 'rm -rf build/pacmak' },
    // The JavaScript target is the npm tarball, which check:package packs and uses itself.
    { exec: 'jsii-pacmak --code-only --outdir build/pacmak --targets python java dotnet go' },
    // Needs python3 (CI has it, for moto); without it the step says so and the sources go unchecked.
    {
      exec: 'bash -c \'if command -v python3 >/dev/null; then python3 -m compileall -q build/pacmak/python/src; '
        + 'else echo "python3 is not on PATH: the generated Python sources were not byte-compiled"; fi\'',
    },
  ],
});
// The package as a user installs it: the packed tarball in apps of its own on the peer range's
// floor, from CommonJS, ESM and TypeScript (NodeNext), with the README's quick start and every
// pattern under the five packs of cdk-nag 3.x and 2.x. (On the development release, the jest suite
// does the same from src/, and the examples' synth through the package's name.)
const checkPackage = project.addTask('check:package', {
  description: 'Pack the library and use it from separate apps on the floor aws-cdk-lib, or any given with --aws-cdk-lib (needs a compiled lib/)',
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/check-package.ts', receiveArgs: true }],
});

// Platform binaries this registry lacks: pin versions it has so `npm ci` works from a clean clone.
project.package.addField('overrides', {
  'unrs-resolver': '1.12.2',
  '@swc/core': '1.16.18',
});

// Self-reference: the examples import the package by its name, exactly as a user would, and Node
// resolves that to this checkout's compiled lib/. `./.jsii` stays reachable for jsii tooling.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './.jsii': './.jsii',
  './package.json': './package.json',
});

const synthExamples = project.addTask('synth:examples', {
  description: 'Synthesize every example in both stages (needs a compiled lib/); report resources, cdk-nag findings and cost in cdk.out/REPORT.md',
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/synth-examples.ts' }],
});
project.addTask('synth', {
  description: 'Compile, then synthesize every example into cdk.out/<example>/ and report on each stack',
  steps: [{ spawn: 'compile' }, { spawn: synthExamples.name }],
});

const diagramsScript = 'ts-node --transpile-only --project tsconfig.dev.json scripts/diagrams.ts';
project.addTask('diagrams', {
  description: 'Synthesize the examples, then redraw the architecture diagrams and cost tables in the READMEs and docs/patterns/',
  steps: [{ spawn: 'synth' }, { exec: diagramsScript }],
});
const checkDiagrams = project.addTask('check:diagrams', {
  description: 'Fail when a committed diagram or cost table does not match the code (needs cdk.out/ from synth:examples)',
  steps: [{ exec: `${diagramsScript} --check` }],
});
project.addTask('check:doc-snippets', {
  description: 'Type-check the usage snippets of docs/patterns/*.md against the compiled lib/',
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/check-doc-snippets.ts' }],
});

// tsc, eslint and the doc snippets from one TypeScript program: each built its own over the same
// few thousand declaration files, which was most of their CPU (65 s together, 30 s this way).
const checkTypes = project.addTask('check:types', {
  description: 'Type-check (tsconfig.dev.json), lint (the eslint task\'s files and options) and check the doc snippets, from one TypeScript program',
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/check-types.ts' }],
});

project.addTask('bench', {
  description: 'Measure synth time, resources and memory of each pattern against plain L2s, the import cost, and the README commands',
  steps: [{ spawn: 'compile' }, { exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/bench.ts', receiveArgs: true }],
});

// IntegTest scenarios (test/integ/integ.<pattern>.ts). integ-runner cannot read aws-cdk-lib
// 2.276's cloud assemblies (see scripts/integ.ts), so a script keeps its snapshot layout and
// deploys with the pinned CLI.
const integScript = 'ts-node --transpile-only --project tsconfig.dev.json scripts/integ.ts';
const integCheck = project.addTask('integ:check', {
  description: 'Synthesize every IntegTest scenario and fail if it differs from its committed snapshot (deploys nothing)',
  steps: [{ exec: `${integScript} check`, receiveArgs: true }],
});
project.addTask('integ:update', {
  description: 'Rewrite the IntegTest snapshots: a deliberate command, review the diff',
  steps: [{ exec: `${integScript} update`, receiveArgs: true }],
});
project.addTask('integ:deploy', {
  description: 'Needs AWS credentials and a bootstrapped account: deploy each IntegTest scenario, run its assertions, destroy it',
  steps: [{ exec: `${integScript} deploy`, receiveArgs: true }],
});

// cfn-lint over every synthesized template: it checks what aws-cdk-lib's synth does not (resource
// schemas, intrinsic functions, IAM action names, engine versions). It needs cfn-lint 1.x on PATH
// (`pip install "cfn-lint==1.51.0"`) and fails, saying so, without it. The acknowledged findings
// and their reasons are in the script.
const templatesScript = 'ts-node --transpile-only --project tsconfig.dev.json scripts/check-templates.ts';
project.addTask('check:templates', {
  description: 'Run cfn-lint over the IntegTest (build/integ/) and example (cdk.out/) templates, or the given dirs: no error or unacknowledged warning',
  steps: [{ exec: templatesScript, receiveArgs: true }],
});

// Deploy-and-assert against moto (test/emulator/): needs moto_server on PATH, so not part of
// `npm test`; .ci/run runs it after `npm test`.
project.addTask('test:emulator', {
  description: 'Deploy the patterns and the order-events example to a local moto server and assert their runtime behaviour',
  steps: [
    { spawn: 'compile' },
    { exec: 'jest --ci --config test/emulator/jest.config.json', receiveArgs: true },
  ],
});

project.addTask('deploy:local', {
  description: 'Deploy an example to a local moto server (needs moto_server): npm run deploy:local -- <example> [--no-wait] [cdk synth options]',
  steps: [
    { spawn: 'compile' },
    { exec: 'ts-node --transpile-only --project tsconfig.dev.json scripts/deploy-local.ts', receiveArgs: true },
  ],
});

const apiDocs = project.addTask('check:api-docs', {
  description: 'Fail when the committed API.md does not match the code',
  steps: [
    { exec: 'jsii-docgen -o build/API.md' },
    {
      exec: 'diff -u API.md build/API.md || (echo "API.md is stale: run npx projen docgen and commit it" >&2; exit 1)',
    },
  ],
});

// `npm test` is everything CI checks. CI has two cores and most checks are single-threaded node
// processes, so the steps run as lanes side by side rather than in phases that wait for their
// slowest member: a lane's steps run in order because each needs the one before it (or, for
// jsii-docgen and the package check, because the package check writes and deletes copies of
// assemblies that jsii-docgen would read). The operating system shares the cores between lanes,
// so neither core waits while work remains. Steps are listed here, not left to projen's defaults,
// so that the order and the lanes are deliberate.
//
// A lane runs each task's own steps (`laneOf`), as projen defines them, rather than `npx projen
// <task>`: each of those would start npx and projen and work out PATH again with npx, about 2 s of
// CPU, ten times over. `npm test` has set PATH once for all of them.
const shellQuote = (value: string) => `'${value.replace(/'/g, '\'\\\'\'')}'`;
const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : shellQuote(value));
function laneOf(...tasks: Task[]): string {
  return tasks.map((task) => {
    const env = Object.entries(task.envVars).map(([name, value]) => `export ${name}=${shellWord(value)}; `).join('');
    return task.steps.map((step) => {
      if (step.spawn) {
        return laneOf(project.tasks.tryFind(step.spawn)!);
      }
      // `$@` stands for the arguments a task receives: a lane passes none.
      const command = step.exec ?? step.execArgs?.filter((arg) => arg !== '$@').map(shellWord).join(' ');
      // What a lane does not carry over from projen (a step's own args, env, shell or builtin, a
      // task's condition, cwd or shell, an env value projen would evaluate) fails here rather than
      // being dropped.
      const unsupported = Object.keys(step).filter((key) => !['exec', 'execArgs', 'name', 'receiveArgs'].includes(key));
      if (!command || unsupported.length || task.condition || task.cwd || task.shell || Object.values(task.envVars).some((v) => v.includes('$('))) {
        throw new Error(`task ${task.name} has a step a lane cannot run as it is: ${JSON.stringify(step)}`);
      }
      return `(${env}${command})`;
    }).join(' && ');
  }).join(' && ');
}
// An argv, spawned without projen's own shell, which does not parse every bash construct a lane
// holds (a step's `bash -c 'if ...; then ...'`): parallel.sh runs each lane with bash.
const lanes = (...commands: string[]) => ['bash', 'scripts/parallel.sh', ...commands];
const test = project.tasks.tryFind('test')!;
test.reset();
// The IntegTest scenarios build from src/, so their snapshots need no compiled lib/: they run
// beside jsii, which keeps about one core busy. Their templates are linted later, in the same
// cfn-lint run as the examples': cfn-lint loads the schemas and rules of each resource type once
// per process, so one run over both costs about 6 s of CPU less than two (35 s against 28 s and
// 13 s), and jsii, not cfn-lint, sets how long this step takes.
test.execArgs(lanes(
  laneOf(project.compileTask),
  laneOf(integCheck),
), { name: 'Compile, and beside it the IntegTest snapshots' });
test.exec('rm -rf build/test-out', { name: 'Clear the cloud assemblies of earlier test runs' });
test.execArgs(lanes(
  // The unit tests, two workers. Run one file with `npx jest <file>`.
  'jest --ci',
  laneOf(checkTypes),
  // The targets' generator reads the examples' translations that jsii-rosetta writes; jsii-docgen
  // reads every .jsii below the checkout, and the package check writes and deletes copies of
  // assemblies under build/package/.
  laneOf(checkExamples, checkTargets, apiDocs, checkPackage),
  // The examples' synth with its compliance report, then the diagrams and cost tables drawn from it,
  // then cfn-lint over its templates and the IntegTest scenarios' (build/integ/, from the step before).
  `${laneOf(synthExamples, checkDiagrams)} && ${templatesScript} --jobs 1 build/integ cdk.out`,
), { name: 'Unit tests, type-checks and lint, package checks, and the examples, side by side' });

project.synth();
