import * as path from 'path';
import { Aspects, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NAG_PACKS_METADATA } from './report-metadata';

/**
 * A cdk-nag rule pack.
 */
export enum NagPack {
  /** AWS Solutions: the AWS Solutions Library's checks. */
  AWS_SOLUTIONS = 'AwsSolutions',
  /** Serverless: operational best practices of serverless applications. */
  SERVERLESS = 'Serverless',
  /** NIST 800-53 revision 5. */
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** HIPAA Security. */
  HIPAA_SECURITY = 'HIPAA.Security',
  /** PCI DSS 3.2.1. */
  PCI_DSS_321 = 'PCI.DSS.321',
}

/** Each pack's class, as both cdk-nag majors export it. */
const PACK_CLASSES: Record<NagPack, string> = {
  [NagPack.AWS_SOLUTIONS]: 'AwsSolutionsChecks',
  [NagPack.SERVERLESS]: 'ServerlessChecks',
  [NagPack.NIST_800_53_R5]: 'NIST80053R5Checks',
  [NagPack.HIPAA_SECURITY]: 'HIPAASecurityChecks',
  [NagPack.PCI_DSS_321]: 'PCIDSS321Checks',
};

/**
 * Options of `NagPacks.enable`.
 */
export interface NagPacksProps {
  /**
   * The packs to turn on.
   *
   * @default - all five: AwsSolutions, Serverless, NIST.800.53.R5, HIPAA.Security and PCI.DSS.321,
   * the packs every pattern of this library is held to.
   */
  readonly packs?: NagPack[];

  /**
   * Whether cdk-nag explains each finding at length.
   *
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * Turns on cdk-nag's rule packs for an app in one line, with whichever cdk-nag major the app has
 * installed, so that every finding and every acknowledgement is in the cloud assembly for
 * `npx cdk-best-practice-patterns report` to read.
 *
 * cdk-nag is an optional peer dependency, loaded only here: install it in your app
 * (`npm install --save-dev cdk-nag`; 3.x, or 2.x from 2.38.2). It is not declared in the package's
 * manifest, since jsii would make it a required dependency in every other language.
 * - cdk-nag 3.x runs as policy-validation plugins of the app (`Validations.of(app).addPlugins`):
 *   aws-cdk-lib writes its findings to `cdk.out/validation-report.json`, stages included.
 * - cdk-nag 2.x runs as Aspects, which do not cross into a `Stage`: the packs are added to the app
 *   and to every stage below it, and write their reports as JSON beside the templates. Call this
 *   after the last stage is defined; a stage created later fails the synth with a message saying so,
 *   rather than going unchecked.
 *
 * Either way `cdk synth` fails while a finding is unacknowledged; the assembly is still written, and
 * the report tells what to do about each finding.
 *
 * @example
 * import { NagPacks } from 'cdk-best-practice-patterns';
 *
 * const app = new App();
 * // ... the app's stacks and stages ...
 * NagPacks.enable(app);
 */
export class NagPacks {
  /**
   * Turns on cdk-nag's packs for every stack of an app or a stage.
   *
   * @param scope the app (or a stage): packs apply to every stack below it.
   * @param props which packs, and how verbose.
   */
  public static enable(scope: Stage, props: NagPacksProps = {}): void {
    // Typed as a Stage (an App is one), but JavaScript callers can pass anything.
    if (!Stage.isStage(scope)) {
      throw new Error(`NagPacks.enable(scope): scope must be the App or a Stage, and ${(scope as IConstruct).node?.path ?? String(scope)} is not: packs apply to every stack of an app.`);
    }
    const known = Object.values(NagPack) as string[];
    const packs = [...new Set(props.packs ?? Object.values(NagPack))];
    const unknown = packs.filter((p) => !known.includes(p));
    if (unknown.length > 0 || packs.length === 0) {
      throw new Error(`NagPacks.enable(props.packs): ${unknown.length ? `unknown pack(s) ${unknown.map((p) => `'${p}'`).join(', ')}` : 'no pack given'}; the packs are ${known.join(', ')}.`);
    }
    // A second call would add every pack again, and report each finding twice.
    if (ENABLED.has(scope) || scope.node.scopes.some((s) => s !== scope && ENABLED.has(s))) {
      throw new Error(`NagPacks.enable(${scope.node.path || 'app'}): the packs are already on for this ${scope.node.path ? 'stage' : 'app'} (or an app or stage above it): call it once, with every pack in props.packs.`);
    }
    ENABLED.add(scope);
    const nag = loadCdkNag();
    const stages = [scope, ...scope.node.findAll().filter((c): c is Stage => c !== scope && Stage.isStage(c))];
    const covered = new Set<IConstruct>(stages);

    if (nag.major === 3) {
      Validations.of(scope).addPlugins(...packs.map((pack) => new nag.module[PACK_CLASSES[pack]](scope, { verbose: props.verbose ?? false })));
    }
    for (const stage of stages) {
      if (nag.major === 2) {
        // JSON reports, which `report` reads along with each finding's acknowledgement and reason.
        const options = { verbose: props.verbose ?? false, reportFormats: [nag.module.NagReportFormat.JSON] };
        packs.forEach((pack) => Aspects.of(stage).add(new nag.module[PACK_CLASSES[pack]](options)));
      }
      Aspects.of(stage).add(new RecordPacks(packs, nag.major));
    }

    // A stage defined after this call: 2.x's Aspects never reach it; under 3.x the packs do, but
    // the record of them does not, and the report would say nothing checked it.
    const unchecked = nag.major === 2 ? 'cdk-nag 2.x does not check it' : 'the report cannot tell that cdk-nag checked it';
    scope.node.addValidation({
      validate: () => scope.node.findAll()
        .filter((c) => Stage.isStage(c) && !covered.has(c))
        .map((stage) => `Stage ${stage.node.path} was defined after NagPacks.enable(${scope.node.path || 'app'}), so ${unchecked}: call NagPacks.enable after defining every stage.`),
    });
  }

  private constructor() {}
}

/**
 * Records on each stack which packs ran, in its metadata: a pack that finds nothing leaves no trace
 * in cdk-nag 3.x's report, and the report must tell "0 findings" from "not checked".
 */
class RecordPacks {
  constructor(private readonly packs: NagPack[], private readonly major: number) {}

  public visit(node: IConstruct): void {
    if (Stack.isStack(node) && !node.nested && !node.node.metadata.some((m) => m.type === NAG_PACKS_METADATA)) {
      node.node.addMetadata(NAG_PACKS_METADATA, { packs: [...this.packs], cdkNagMajor: this.major });
    }
  }
}

/** The apps and stages the packs are on, against a second call. */
const ENABLED = new WeakSet<IConstruct>();

/** The oldest cdk-nag 2.x the library is tested with. */
const MINIMUM_NAG_V2 = '2.38.2';

function installedVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('cdk-nag/package.json').version;
  } catch {
    return undefined;
  }
}

/** Compares two `major.minor.patch` versions (pre-release tags ignored). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('-')[0].split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return 0;
}

interface CdkNag {
  readonly major: 2 | 3;
  readonly module: any;
}

/**
 * Loads the app's cdk-nag. It is an optional peer dependency, so its absence is a clear error, and
 * it must use the app's own aws-cdk-lib: a cdk-nag 2.x with a copy of its own recognizes none of the
 * app's resources and silently reports nothing.
 */
function loadCdkNag(): CdkNag {
  let module: any;
  try {
    // The app's cdk-nag, an optional peer the manifest does not declare (see the class's docs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    module = require('cdk-nag');
  } catch (error) {
    // Only cdk-nag itself missing: a dependency of cdk-nag's that is missing is another problem.
    const { code, message } = error as { code?: string; message?: string };
    if (code !== 'MODULE_NOT_FOUND' || !String(message).includes("'cdk-nag'")) throw error;
    throw new Error('NagPacks.enable needs cdk-nag, an optional peer dependency of cdk-best-practice-patterns: install it in your app '
      + '(npm install --save-dev cdk-nag; 3.x, or 2.x from 2.38.2) and synthesize again. In Python, Java, .NET or Go, install cdk-nag '
      + 'for your language and import its module before this call (Python: import cdk_nag), so that it is loaded where the library can find it.');
  }
  const pack = module.AwsSolutionsChecks?.prototype;
  const major = typeof pack?.validate === 'function' ? 3 : typeof pack?.visit === 'function' ? 2 : undefined;
  if (!major) {
    throw new Error(`NagPacks.enable: the installed cdk-nag (${installedVersion() ?? 'version unknown'}) is neither a 3.x release (validation `
      + 'plugins) nor a 2.x one (Aspects): install cdk-nag 3.x, or 2.x from 2.38.2.');
  }
  // The library's acknowledgements reach cdk-nag 2.x as the `cdk_nag` metadata 2.38.2 reads.
  const version = installedVersion();
  if (major === 2 && version && compareVersions(version, MINIMUM_NAG_V2) < 0) {
    throw new Error(`NagPacks.enable: cdk-nag ${version} is installed; 2.x releases from ${MINIMUM_NAG_V2} (or 3.x) are supported: upgrade it.`);
  }
  const cdkLibOf = (from: string) => {
    try {
      return require.resolve('aws-cdk-lib', { paths: [from] });
    } catch {
      return undefined;
    }
  };
  requireSameAwsCdkLib(cdkLibOf(path.dirname(require.resolve('cdk-nag'))), cdkLibOf(__dirname));
  return { major, module };
}

/**
 * cdk-nag must load the app's aws-cdk-lib: with a copy of its own, its rules recognize none of the
 * app's resources (2.x silently reports nothing). Exported for its test.
 */
export function requireSameAwsCdkLib(theirs: string | undefined, ours: string | undefined): void {
  if (theirs && ours && theirs !== ours) {
    throw new Error(`NagPacks.enable: cdk-nag loads aws-cdk-lib from ${theirs}, and the app uses ${ours}: cdk-nag would not recognize `
      + "the app's resources. Install one aws-cdk-lib (npm dedupe, or align the versions) so both load the same copy.");
  }
}
