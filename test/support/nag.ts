import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';

/**
 * What one cdk-nag pack said about an app.
 */
export interface PackOutcome {
  /** The pack's rule-id prefix, e.g. `AwsSolutions`. */
  readonly pack: string;
  /** Unacknowledged findings, as `rule-id at construct-path`. */
  readonly findings: string[];
  /** Whether the pack failed in the synth pipeline for another reason than a finding. */
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

function hasFindings(report: any, pack: string): boolean {
  return report.pluginReports.some((r: any) => r.pluginName === pack && r.violations.length > 0);
}

/**
 * Runs the five packs over an app twice: walking the construct tree directly (the findings, pack
 * by pack), and as validation plugins during `app.synth()`, the way users run them. The second run
 * catches a pack that fails without any finding, as cdk-nag 3 does on aws-cdk-lib < 2.258.0.
 *
 * Call it once per app, after the app is built and before anything else synthesizes it.
 */
export function runNagPacks(app: App, options: NagRunOptions = {}): PackOutcome[] {
  const packs = allPacks(app);
  const direct = packs.map((pack) => ({
    pack: pack.readPackName,
    findings: pack.validateScope(app).violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => !options.onlyUnder || (r.constructPath ?? '').startsWith(`${options.onlyUnder}/`))
        .map((r) => `${v.ruleName} at ${r.constructPath}`),
    ),
  }));

  Validations.of(app).addPlugins(...packs);
  try {
    app.synth();
  } catch {
    // A failing plugin throws under jest; the report below says which one and why.
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  const failedPlugins = new Set<string>(
    report.pluginReports
      .filter((r: any) => r.conclusion !== 'success')
      .map((r: any) => r.pluginName),
  );

  return direct.map((d) => ({
    ...d,
    // Scoped to a pattern, a pack that failed on findings elsewhere (the test's own fixtures) is
    // not the pattern's failure; a pack that failed without any finding still is.
    pluginFailed: failedPlugins.has(d.pack) && (!options.onlyUnder || !hasFindings(report, d.pack)),
  }));
}

/**
 * The outcome every pattern must reach: all five packs ran, none failed, nothing unacknowledged.
 */
export const COMPLIANT: PackOutcome[] = ['AwsSolutions', 'Serverless', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map(
  (pack) => ({ pack, findings: [], pluginFailed: false }),
);
