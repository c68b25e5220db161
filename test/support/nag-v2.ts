import { App, Aspects, Stage } from 'aws-cdk-lib';
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
export function runNagV2Packs(app: App, stages: Stage[] = []): string[] {
  return runNagV2PacksCountingSuppressions(app, stages).findings;
}

/** What cdk-nag 2.x reported over an app, and how many findings its suppressions removed. */
export interface NagV2Outcome {
  readonly findings: string[];
  /** Findings a `cdk_nag` suppression removed: none at all means the packs saw nothing of the patterns. */
  readonly suppressed: number;
}

/**
 * `runNagV2Packs`, also counting the findings that suppressions removed.
 *
 * @param stages the app's `cdk.Stage`s: an Aspect added to the app never reaches into a stage, so
 * the packs are added to each stage as well, as a user of cdk-nag 2.x must
 */
export function runNagV2PacksCountingSuppressions(app: App, stages: Stage[] = []): NagV2Outcome {
  addNagV2Packs(app, stages);
  try {
    app.synth();
  } catch {
    // Under the new-project flags an error annotation fails synth; the annotations are read below.
  }
  return nagV2Outcome(app);
}

/**
 * Adds the five packs of cdk-nag 2.x to an app (and to each of its stages) as Aspects, for a synth
 * the caller runs: `runNagPacksOfBothMajors` runs them in one synth with the 3.x packs.
 */
export function addNagV2Packs(app: App, stages: Stage[] = []): void {
  const props = { logIgnores: true };
  for (const scope of [app, ...stages]) {
    for (const pack of [
      new nagV2.AwsSolutionsChecks(props),
      new nagV2.ServerlessChecks(props),
      new nagV2.NIST80053R5Checks(props),
      new nagV2.HIPAASecurityChecks(props),
      new nagV2.PCIDSS321Checks(props),
    ]) {
      Aspects.of(scope).add(pack);
    }
  }
}

/** What the packs `addNagV2Packs` added reported, read from the annotations after the app's synth. */
export function nagV2Outcome(app: App): NagV2Outcome {
  const constructs = app.node.findAll();
  const findings = constructs.flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning')
    .map((entry) => String(entry.data))
    .filter((message) => PACK_PREFIXES.some((prefix) => message.startsWith(prefix)))
    .map((message) => `${message.slice(0, message.indexOf(': '))} at ${construct.node.path}`));
  const suppressed = constructs.reduce((count, construct) => count + construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:info' && String(entry.data).startsWith('CdkNagSuppression')).length, 0);
  return { findings, suppressed };
}
