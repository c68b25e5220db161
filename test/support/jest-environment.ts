import type { IPolicyValidationPlugin } from 'aws-cdk-lib';
import { TestEnvironment } from 'jest-environment-node';

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
    (this.global as Record<symbol, unknown>)[SHARED_PLUGIN] = (): IPolicyValidationPlugin => {
      // Loaded on first use only: most test files validate nothing.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      plugin ??= new (require('aws-cdk-lib') as typeof import('aws-cdk-lib')).CloudFormationValidatePlugin();
      return plugin;
    };
  }
}
