import * as fs from 'fs';
import * as path from 'path';
import { App, Stage, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { addNagV2Packs, nagV2Outcome } from './nag-v2';

/**
 * What one cdk-nag pack said about an app.
 */
export interface PackOutcome {
  /** The pack's rule-id prefix, e.g. `AwsSolutions`. */
  readonly pack: string;
  /** Unacknowledged findings, as `rule-id at construct-path`. */
  readonly findings: string[];
  /** Whether the pack failed in the synth pipeline without reporting any finding. */
  readonly pluginFailed: boolean;
}

function allPacks(app: App): NagPack[] {
  return [
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
  ];
}

export interface NagRunOptions {
  /**
   * Count only findings on constructs below this path, e.g. `Stack/Pattern`: for tests whose
   * fixtures (a consumer function, say) are the user's responsibility, not the pattern's.
   */
  readonly onlyUnder?: string;
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
}

/**
 * Runs the five packs over an app as validation plugins during `app.synth()`, the way users run
 * them, and reads their findings from the cloud assembly's validation report. One pass: walking
 * the tree a second time with `validateScope` doubled the suite's compliance time and found
 * nothing the report does not hold. A pack that fails without any finding, as cdk-nag 3 does on
 * aws-cdk-lib < 2.258.0, shows as `pluginFailed`.
 *
 * Call it once per app, after the app is built and before anything else synthesizes it.
 */
export function runNagPacks(app: App, options: NagRunOptions = {}): PackOutcome[] {
  const packs = addNagPacks(app);
  try {
    app.synth();
  } catch {
    // A failing plugin throws under jest; the report below says which one and why.
  }
  return nagOutcome(app, packs, options);
}

function addNagPacks(app: App): NagPack[] {
  const packs = allPacks(app);
  Validations.of(app).addPlugins(...packs);
  return packs;
}

function nagOutcome(app: App, packs: NagPack[], options: NagRunOptions): PackOutcome[] {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    throw new Error(`The synth pipeline wrote no ${reportFile}, so the cdk-nag packs did not run`);
  }
  // The report lists only the packs that did not succeed.
  const reports: PluginReport[] = JSON.parse(fs.readFileSync(reportFile, 'utf8')).pluginReports;

  return packs.map((pack) => {
    const report = reports.find((r) => r.pluginName === pack.readPackName);
    const violations = report?.violations ?? [];
    return {
      pack: pack.readPackName,
      findings: violations.flatMap((v) =>
        v.violatingConstructs
          .filter((c) => !options.onlyUnder || c.constructPath.startsWith(`${options.onlyUnder}/`))
          .map((c) => `${v.ruleName} at ${c.constructPath}`),
      ),
      pluginFailed: report !== undefined && report.conclusion !== 'success' && violations.length === 0,
    };
  });
}

export interface BothMajorsOptions extends NagRunOptions {
  /**
   * The app's `cdk.Stage`s, which cdk-nag 2.x's Aspects reach only when added to each (the 3.x
   * plugins reach into them from the app).
   */
  readonly stages?: Stage[];
}

/** What the five packs of each major said about one app. */
export interface BothMajorsOutcome {
  /** cdk-nag 3.x, as `runNagPacks` returns it (`onlyUnder` applies). */
  readonly v3: PackOutcome[];
  /** cdk-nag 2.x, as `runNagV2Packs` returns it: every finding, whatever `onlyUnder` says. */
  readonly v2: string[];
}

/**
 * `runNagPacks` and `runNagV2Packs` over one app in one synth, as a user who runs both majors
 * does (and as test/composition/split-app.test.ts does): the 3.x packs as validation plugins, the
 * 2.x packs as Aspects. For a test that checks both majors on the same app, this builds and
 * synthesizes it once rather than twice. Neither major sees the other: 2.x reads only `cdk_nag`
 * metadata and writes only annotations; 3.x reads the templates and the `Validations`
 * acknowledgements, and writes nothing to the tree (its constructors add their
 * `cdk_nag`-writing Aspect only under `writeSuppressionsToCloudFormation`, which is off here).
 * test/support/nag.test.ts proves that both still report findings.
 *
 * Call it once per app, after the app is built and before anything else synthesizes it.
 */
export function runNagPacksOfBothMajors(app: App, options: BothMajorsOptions = {}): BothMajorsOutcome {
  const packs = addNagPacks(app);
  addNagV2Packs(app, options.stages);
  let failure: unknown;
  try {
    app.synth();
  } catch (error) {
    // A failing plugin, or an error annotation of 2.x, throws under jest; the reports below say which.
    failure = error;
  }
  const v2 = nagV2Outcome(app).findings;
  try {
    return { v3: nagOutcome(app, packs, options), v2 };
  } catch (error) {
    // The synth stopped before the 3.x packs ran: say what did, rather than hide 2.x's findings.
    throw new Error(`${(error as Error).message}: ${String(failure)}; cdk-nag 2.x reported ${JSON.stringify(v2)}`);
  }
}

/**
 * The outcome every pattern must reach: all five packs ran, none failed, nothing unacknowledged.
 */
export const COMPLIANT: PackOutcome[] = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map(
  (pack) => ({ pack, findings: [], pluginFailed: false }),
);
