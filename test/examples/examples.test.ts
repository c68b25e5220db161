import * as fs from 'fs';
import * as path from 'path';
import { App, Stage, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { NO_ASSET_STAGING, NO_STACK_TRACES } from '../support/app';
import { validationPlugin, validationReportFindings } from '../support/cfn-validation';
import { NagV2Outcome, runNagV2PacksCountingSuppressions } from '../support/nag-v2';
import { NagPacks } from 'cdk-best-practice-patterns';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const OUT_ROOT = path.resolve(__dirname, '..', '..', 'build', 'test-out');
const EXAMPLE_NAMES = fs.readdirSync(EXAMPLES).filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'app.ts'))).sort();

const readJson = (file: string) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});

/** What building an example in this process found. */
interface ExampleOutcome extends NagV2Outcome {
  /** aws-cdk-lib's CloudFormation validation, as `rule: description at path`. */
  readonly validation: string[];
}

/**
 * Builds an example's app in this process with the context its cdk.json (and cdk.context.json)
 * gives the CLI, and synthesizes it once under the five packs of cdk-nag 2.x, as a 2.x user would,
 * and aws-cdk-lib's CloudFormation validation, which a user's `cdk synth` runs. The example's own
 * `NagPacks.enable(app)` (cdk-nag 3.x, the release installed here) is left out: `npm run synth`
 * runs it through the CLI. The validation runs here rather than there because this process
 * shares the jest worker's validation engine, where each `cdk synth` would start its own (about
 * 7 s of CPU per example).
 *
 * The examples, the library (compiled, by its name, as the examples import it), aws-cdk-lib and
 * cdk-nag 2.x all load into this file's module registry, so the packs see the classes the
 * constructs were built from (loaded apart, they would silently report nothing), and each loads
 * once for all the examples. Assets are not bundled: `npm run synth` bundles the examples'
 * functions with esbuild, and nothing here reads their code.
 */
function buildExample(example: string): ExampleOutcome {
  const dir = path.join(EXAMPLES, example);
  const context = {
    ...readJson(path.join(dir, 'cdk.json')).context,
    ...readJson(path.join(dir, 'cdk.context.json')),
    ...NO_STACK_TRACES,
    ...NO_ASSET_STAGING,
    [cxapi.BUNDLING_STACKS]: [],
  };
  fs.mkdirSync(OUT_ROOT, { recursive: true });
  const saved = { context: process.env.CDK_CONTEXT_JSON, outdir: process.env.CDK_OUTDIR };
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  process.env.CDK_OUTDIR = fs.mkdtempSync(path.join(OUT_ROOT, `example-${example}-`));
  let app: App | undefined;
  // Every example ends by turning on its packs with `NagPacks.enable(app)`: that call hands over the app.
  const enable = jest.spyOn(NagPacks, 'enable').mockImplementation((scope) => {
    app = scope as App;
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(dir, 'app.ts'));
  } finally {
    enable.mockRestore();
    process.env.CDK_CONTEXT_JSON = saved.context;
    process.env.CDK_OUTDIR = saved.outdir;
    if (saved.context === undefined) delete process.env.CDK_CONTEXT_JSON;
    if (saved.outdir === undefined) delete process.env.CDK_OUTDIR;
  }
  if (!app) {
    throw new Error(`examples/${example}/app.ts never called NagPacks.enable(app)`);
  }
  Validations.of(app).addPlugins(validationPlugin());
  // As NagPacks.enable does under cdk-nag 2.x: the packs on each stage too, which Aspects on the app never reach.
  const stages = app.node.children.filter((child): child is Stage => Stage.isStage(child));
  return { ...runNagV2PacksCountingSuppressions(app, stages), validation: validationReportFindings(app.outdir) };
}

describe('the examples, each built once in its default stage', () => {
  // Each example in the stage its cdk.json deploys; the other stage changes only the patterns'
  // stage, which test/core/nag-v2.test.ts covers pattern by pattern in both stages, and `npm run
  // synth` holds to the five packs of cdk-nag 3.x.
  // Suppressed findings prove that the packs visited the example's resources with the classes
  // they were built from: loaded apart, the packs would report nothing, suppressed or not.
  test.each(EXAMPLE_NAMES)("%s: nothing unacknowledged under cdk-nag 2.x (2.38.2), nothing from aws-cdk-lib's CloudFormation validation", (example) => {
    const { findings, suppressed, validation } = buildExample(example);
    expect(findings).toEqual([]);
    expect(suppressed).toBeGreaterThan(0);
    expect(validation).toEqual([]);
  });
});
