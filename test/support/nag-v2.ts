import { App, Aspects } from 'aws-cdk-lib';
import * as nagV2 from 'cdk-nag-v2';

const PACK_PREFIXES = ['AwsSolutions-', 'Serverless-', 'NIST.800.53.R5-', 'HIPAA.Security-', 'PCI.DSS.321-', 'CdkNagValidationFailure'];

/**
 * Runs the five packs of cdk-nag 2.x over an app the way its users do, as Aspects, and returns
 * every finding they report as an error or a warning, as `<message> at <construct-path>`. cdk-nag
 * 2.x sees only the suppressions written as `cdk_nag` metadata, never `Validations`
 * acknowledgements, so this is what a 2.x user of the patterns sees.
 *
 * Call it once per app, after the app is built and before anything else synthesizes it.
 */
export function runNagV2Packs(app: App): string[] {
  for (const pack of [
    new nagV2.AwsSolutionsChecks(),
    new nagV2.ServerlessChecks(),
    new nagV2.NIST80053R5Checks(),
    new nagV2.HIPAASecurityChecks(),
    new nagV2.PCIDSS321Checks(),
  ]) {
    Aspects.of(app).add(pack);
  }
  try {
    app.synth();
  } catch {
    // Under the new-project flags an error annotation fails synth; the annotations are read below.
  }
  return app.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning')
    .map((entry) => String(entry.data))
    .filter((message) => PACK_PREFIXES.some((prefix) => message.startsWith(prefix)))
    .map((message) => `${message.slice(0, message.indexOf(': '))} at ${construct.node.path}`));
}
