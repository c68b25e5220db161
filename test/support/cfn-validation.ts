import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';

// One instance per test file: its validation engine takes about 2.5 s to start, and an instance
// starts it once and reuses it for every app it validates.
let plugin: CloudFormationValidatePlugin | undefined;

/**
 * Runs aws-cdk-lib's built-in CloudFormation template validation over an app, whatever
 * CDK_VALIDATION says, and returns its findings as `rule-id: description at construct-path`.
 *
 * Call it once per app, on an app nothing has synthesized yet.
 */
export function cloudFormationFindings(app: App): string[] {
  // An explicit instance runs even where CDK_VALIDATION=false turns the default one off.
  plugin ??= new CloudFormationValidatePlugin();
  Validations.of(app).addPlugins(plugin);
  try {
    app.synth();
  } catch {
    // Under the new-project flags an error fails synth; the report below lists it.
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: any) =>
    r.violations.flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName}: ${v.description} at ${c.constructPath}`),
    ),
  );
}
