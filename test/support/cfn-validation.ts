import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';

/**
 * The jest worker's plugin (test/support/jest-environment.ts), whose validation engine has started
 * already; outside that environment, one of this file's own.
 */
const SHARED_PLUGIN = Symbol.for('cdk-best-practice-patterns.test.CloudFormationValidatePlugin');
let plugin: IPolicyValidationPlugin | undefined;
export function validationPlugin(): IPolicyValidationPlugin {
  const shared = (globalThis as Record<symbol, unknown>)[SHARED_PLUGIN] as (() => IPolicyValidationPlugin) | undefined;
  plugin ??= shared ? shared() : new CloudFormationValidatePlugin();
  return plugin;
}

/**
 * Runs aws-cdk-lib's built-in CloudFormation template validation over an app, whatever
 * CDK_VALIDATION says, and returns its findings as `rule-id: description at construct-path`.
 *
 * Call it once per app, on an app nothing has synthesized yet.
 */
export function cloudFormationFindings(app: App): string[] {
  // An explicit instance runs even where CDK_VALIDATION=false turns the default one off.
  Validations.of(app).addPlugins(validationPlugin());
  try {
    app.synth();
  } catch {
    // Under the new-project flags an error fails synth; the report below lists it.
  }
  return validationReportFindings(app.outdir);
}

/**
 * The findings of a cloud assembly's validation report (`validation-report.json`, which every
 * validation plugin writes to), as `rule-id: description at construct-path`.
 */
export function validationReportFindings(outdir: string): string[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: any) =>
    r.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName}: ${v.description} at ${c.constructPath}`),
    ),
  );
}
