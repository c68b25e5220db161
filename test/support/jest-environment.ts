import * as fs from 'fs';
import * as path from 'path';
import type { IPolicyValidationPlugin } from 'aws-cdk-lib';
import { TestEnvironment } from 'jest-environment-node';

const TEST_DIR = path.join(__dirname, '..');

/**
 * Where a test file finds the worker's plugin on its global object (test/support/cfn-validation.ts):
 * `Symbol.for` names the same symbol in every file's context.
 */
const SHARED_PLUGIN = Symbol.for('cdk-best-practice-patterns.test.CloudFormationValidatePlugin');

/** One per jest worker process: this module is loaded once per worker, outside the test files. */
let plugin: IPolicyValidationPlugin | undefined;

/**
 * Node's test environment, plus one aws-cdk-lib CloudFormationValidatePlugin per jest worker.
 *
 * The plugin's validation engine (about 9 MB of WebAssembly, and CloudFormation's schemas and rules
 * for the resource types it is given) takes about 2 s and 3.5 s of CPU to start, and each test
 * file has its own module registry, so a plugin created in a test file started it once per file:
 * 40 s of CPU over the suite's template-validity tests. Created here, outside the files'
 * registries, its WebAssembly compiles once per worker, and the plugin rebuilds its engine only
 * when an app brings resource types the last one did not have. aws-cdk-lib calls the plugin
 * through its interface (the templates in, a report of plain objects out), so the plugin's copy of
 * aws-cdk-lib need not be the test file's; it counts the plugin as one it did not create, which
 * changes nothing here, and its own default plugin stays off because test/support/jest-setup.ts
 * sets CDK_VALIDATION=false. test/support/cfn-validation.test.ts proves that it still reports errors.
 */
export default class PatternTestEnvironment extends TestEnvironment {
  async setup(): Promise<void> {
    await super.setup();
    const contextError = (this.global as unknown as { Error: ErrorConstructor }).Error;
    contextError.prepareStackTrace = plainCaptureFirst(contextError);
    (this.global as Record<symbol, unknown>)[SHARED_PLUGIN] = (): IPolicyValidationPlugin => {
      // Loaded on first use only: most test files validate nothing.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      plugin ??= primed(new (require('aws-cdk-lib') as typeof import('aws-cdk-lib')).CloudFormationValidatePlugin());
      return plugin;
    };
  }
}

/**
 * The plugin, its engine built for every resource type the suite's snapshots hold.
 *
 * The plugin builds a new engine whenever a template brings a resource type its engine was not
 * built for (the rules it loads depend on the types), about 0.5 s of CPU each time: once for nearly
 * every test file that validates. One template of every type the snapshots and IntegTest snapshots
 * hold, validated first, builds the engine once per worker for all of them. Its findings are
 * discarded (its resources have no properties); a type the snapshots lack still gets an engine
 * built for it, as before. The primed engine holds a superset of the rules an engine built for one
 * template's types would (aws-cdk-lib loads each rule whose types meet the engine's); the extra
 * rules match no resource of that template, so its findings are the same.
 */
function primed(validation: IPolicyValidationPlugin): IPolicyValidationPlugin {
  const types = new Set<string>();
  const collect = (text: string) => {
    for (const m of text.matchAll(/"Type": ?"((?:AWS|Custom)::[A-Za-z0-9:]+)"/g)) {
      types.add(m[1]);
    }
  };
  for (const entry of fs.readdirSync(TEST_DIR, { recursive: true, encoding: 'utf8' })) {
    if (/__snapshots__[/\\][^/\\]+\.snap$|\.snapshot[/\\][^/\\]+\.template\.json$/.test(entry)) {
      collect(fs.readFileSync(path.join(TEST_DIR, entry), 'utf8'));
    }
  }
  const file = path.join(TEST_DIR, '..', 'build', 'test-out', `validation-engine-${process.pid}.template.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ Resources: Object.fromEntries([...types].map((type, i) => [`Resource${i}`, { Type: type }])) }));
  validation.validate({ stackTemplates: [{ stackConstructPath: 'Prime', templatePath: file }] } as never);
  return validation;
}

/**
 * The test file's `Error.prepareStackTrace`: V8's own format for a call stack captured on a plain
 * object, and jest's source-mapped one for every error.
 *
 * aws-cdk-lib captures a call stack on a plain object (`Error.captureStackTrace({})`) each time a
 * construct acknowledges a finding (`Validations.acknowledge`, which every pattern does), whatever
 * the context says of stack traces, to keep it in the construct's metadata. Node formats it with
 * the `Error.prepareStackTrace` of the test file's context or, as none is set there, with jest's,
 * which maps every frame through the source maps: a few percent of the suite's CPU (2% of the
 * AlbAutoScalingGroup suite's profile), for traces no test reads. Errors (a test's failures, what
 * a construct throws) still go to jest's formatter, so their stacks point into the TypeScript
 * sources as before.
 */
function plainCaptureFirst(contextError: ErrorConstructor): (error: unknown, trace: NodeJS.CallSite[]) => unknown {
  return (error, trace) => {
    if (error instanceof contextError || error instanceof Error) {
      // Jest's formatter, installed on the worker's own Error for each test file; V8's format if none.
      return Error.prepareStackTrace ? Error.prepareStackTrace(error as Error, trace) : v8Format(error, trace);
    }
    return v8Format(error, trace);
  };
}

/** What V8 renders without a `prepareStackTrace`: the error's string, then a line per frame. */
function v8Format(error: unknown, trace: NodeJS.CallSite[]): string {
  let head: string;
  try {
    head = String(error);
  } catch {
    head = 'Error';
  }
  return [head, ...trace.map((frame) => `    at ${frame}`)].join('\n');
}
