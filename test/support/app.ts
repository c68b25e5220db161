import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

const OUT_ROOT = path.join(__dirname, '..', '..', 'build', 'test-out');

/**
 * A fixed account and region with three Availability Zones known at synth time.
 */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/**
 * The context a new `cdk init` project gets: every recommended feature flag. The patterns must
 * synthesize, and pass aws-cdk-lib's template validation, under them.
 */
export const NEW_PROJECT_CONTEXT = { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT };

/**
 * What the tests add to the new-project context: no stack traces. aws-cdk-lib records one for every
 * resource it creates and every annotation, for `cdk synth --debug`; no test reads them, and
 * capturing them is about a sixth of what building and synthesizing a pattern costs.
 */
export const NO_STACK_TRACES = {
  [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
  [cxapi.DISABLE_METADATA_STACK_TRACE]: true,
};

/**
 * No copies of assets in the cloud assembly: aws-cdk-lib copied each into every test's assembly
 * (the AWS CLI layer of a StaticWebsite's deployment alone is tens of MB) for nothing to read.
 * Templates are unchanged: an asset's hash is of its source.
 */
export const NO_ASSET_STAGING = { [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true };

/** The new-project context, without stack traces or asset copies. */
export const TEST_CONTEXT = { ...NEW_PROJECT_CONTEXT, ...NO_STACK_TRACES, ...NO_ASSET_STAGING };

export interface TestAppOptions {
  /**
   * Copy assets into the cloud assembly, as `cdk synth` does: for a test that deploys it (the
   * emulator suites publish the assets from there).
   */
  readonly stageAssets?: boolean;

  /** More context, as `cdk.json` or `-c` would give it. */
  readonly context?: Record<string, unknown>;

  /**
   * Write the construct tree (`tree.json`) into the cloud assembly, as `cdk synth` does: for a test
   * whose code reads it (the report's diagrams and costs). Off otherwise: no other test reads it
   * (cdk-nag 3.x walks the construct tree in memory), and writing it was about a twentieth of the
   * suite's time.
   */
  readonly treeMetadata?: boolean;
}

/**
 * An app under the new-project flags whose cloud assembly lands in the ignored build folder,
 * never in /tmp.
 */
export function newApp(options: TestAppOptions = {}): App {
  fs.mkdirSync(OUT_ROOT, { recursive: true });
  const base = options.stageAssets ? { ...NEW_PROJECT_CONTEXT, ...NO_STACK_TRACES } : TEST_CONTEXT;
  return new App({
    outdir: fs.mkdtempSync(path.join(OUT_ROOT, 'app-')),
    context: { ...base, ...options.context },
    treeMetadata: options.treeMetadata ?? options.stageAssets ?? false,
  });
}

export interface TestStackOptions {
  /**
   * Deploy to TEST_ENV (three AZs known) rather than env-agnostic (two AZs through Fn::GetAZs).
   */
  readonly withEnv?: boolean;
}

/**
 * A stack in a new app, env-agnostic unless asked otherwise.
 */
export function newStack(options: TestStackOptions = {}): Stack {
  return new Stack(newApp(), 'TestStack', options.withEnv ? { env: TEST_ENV } : {});
}
